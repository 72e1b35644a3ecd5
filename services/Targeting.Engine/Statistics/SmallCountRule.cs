namespace Targeting.Engine.Statistics;

/// <summary>
/// When an estimate is flagged as resting on too few events to be trusted. Flagged estimates
/// are still reported, with their intervals; only the public transparency report hides small
/// counts (see <c>SmallCountSuppression</c>).
/// </summary>
/// <remarks>
/// <para>Proportions: fewer than <see cref="MinimumSuccesses"/> successes, or fewer than
/// <see cref="MinimumTrials"/> trials. Thirty trials is the usual "fewer than 30 sample cases"
/// warning (e.g. HSE's Labour Force Survey tables); five successes is the usual floor below which
/// the normal approximation behind a z-test is poor.</para>
/// <para>Poisson counts (rates and rate ratios): fewer than <see cref="MinimumEvents"/> events,
/// after the ONS practice of marking rates based on fewer than 20 events as unreliable (ONS,
/// User guide to mortality statistics, section 15).</para>
/// </remarks>
public static class SmallCountRule
{
    /// <summary>A proportion with fewer successes than this is flagged (5).</summary>
    public const long MinimumSuccesses = 5;

    /// <summary>A proportion with fewer trials than this is flagged (30).</summary>
    public const long MinimumTrials = 30;

    /// <summary>A rate (or either count of a rate ratio) with fewer events than this is flagged (20).</summary>
    public const long MinimumEvents = 20;

    /// <summary>Whether a proportion of <paramref name="successes"/> in <paramref name="trials"/> is flagged.</summary>
    public static bool IsSmallProportion(long successes, long trials) =>
        successes < MinimumSuccesses || trials < MinimumTrials;

    /// <summary>Whether a Poisson count of <paramref name="events"/> is flagged.</summary>
    public static bool IsSmallCount(long events) => events < MinimumEvents;
}
