namespace Targeting.Engine.Statistics;

/// <summary>
/// A proportion, rate or ratio with its confidence interval; the engine's counterpart of
/// <c>targeting.common.v1.Estimate</c>, field for field.
/// </summary>
/// <param name="Value">
/// The point estimate, in the units of the statistic (a proportion in [0, 1], a rate per
/// <c>perUnits</c> of exposure, or a dimensionless ratio). <see cref="double.NaN"/> when the
/// statistic is undefined (for example a proportion of zero trials); <see cref="IsDefined"/> is
/// then false and <see cref="Note"/> says why.
/// </param>
/// <param name="Lower">Lower bound of the confidence interval (NaN when undefined).</param>
/// <param name="Upper">Upper bound of the confidence interval (NaN when undefined).</param>
/// <param name="Numerator">
/// The count the estimate is built on: successes of a proportion, events of a rate, or the
/// events of the first (index) group of a ratio.
/// </param>
/// <param name="Denominator">
/// Trials of a proportion, exposure (e.g. residents) of a rate, or the events of the second
/// (reference) group of a ratio.
/// </param>
/// <param name="SmallCount">
/// True where the count is too small for the estimate to be trusted (see <see cref="SmallCountRule"/>):
/// flagged, never hidden.
/// </param>
/// <param name="Method">How the interval was computed, e.g. <c>wilson-95</c>, <c>exact-poisson-95</c>, <c>log-95</c>.</param>
public sealed record Estimate(
    double Value,
    double Lower,
    double Upper,
    long Numerator,
    double Denominator,
    bool SmallCount,
    string Method)
{
    /// <summary>False when the statistic has no value (NaN), e.g. zero trials or zero exposure.</summary>
    public bool IsDefined => !double.IsNaN(Value);

    /// <summary>
    /// True when 0.5 was added to the counts because one of them was zero (Haldane–Anscombe
    /// correction); the value and interval then come from the corrected counts.
    /// </summary>
    public bool ContinuityCorrected { get; init; }

    /// <summary>Why the estimate is undefined or corrected, in words; null when there is nothing to say.</summary>
    public string? Note { get; init; }

    internal static Estimate Undefined(long numerator, double denominator, string method, string note) =>
        new(double.NaN, double.NaN, double.NaN, numerator, denominator, SmallCount: true, method) { Note = note };
}
