namespace Targeting.Engine.Statistics;

/// <summary>
/// Searches per 1,000 residents by ethnic group and the ratio of each group's rate to a
/// reference group's (White by default), from search counts and Census 2021 populations.
/// Stateless and thread-safe.
/// </summary>
/// <remarks>
/// Each rate is a Poisson rate with its exact (Garwood) interval (<see cref="PoissonRates.Rate"/>);
/// each ratio uses the log method, SE(ln RR) = √(1/a + 1/b) (<see cref="PoissonRates.RateRatio"/>),
/// treating the populations as fixed. The rates are per the whole window, not per year: divide by
/// the window's length in years to annualise (the ratios do not change).
/// </remarks>
public static class Disproportionality
{
    /// <summary>Computes the table.</summary>
    /// <param name="searches">Searches by group (groups missing count as 0 searches).</param>
    /// <param name="population">Residents by group; one row is produced per group listed here, in enum order.</param>
    /// <param name="reference">The reference group of the ratios (default White).</param>
    /// <param name="unknown">Searches with no usable ethnicity, carried into the table (counted, not rated).</param>
    /// <param name="confidence">Confidence level of the intervals; default 0.95.</param>
    /// <returns>
    /// One row per group in <paramref name="population"/>. A group with zero residents has an
    /// undefined rate and ratio. When the reference group has no residents or no searches, every
    /// ratio is undefined or continuity-corrected as <see cref="PoissonRates.RateRatio"/> says.
    /// Searches for a group absent from <paramref name="population"/> are reported in
    /// <see cref="DisproportionalityTable.Unrated"/>.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">A negative count or population.</exception>
    public static DisproportionalityTable Compute(
        IReadOnlyDictionary<BroadEthnicGroup, long> searches,
        IReadOnlyDictionary<BroadEthnicGroup, long> population,
        BroadEthnicGroup reference = BroadEthnicGroup.White,
        long unknown = 0,
        double confidence = 0.95)
    {
        ArgumentNullException.ThrowIfNull(searches);
        ArgumentNullException.ThrowIfNull(population);
        ArgumentOutOfRangeException.ThrowIfNegative(unknown);
        foreach (var (group, residents) in population)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(residents, $"population[{group}]");
        }

        foreach (var (group, count) in searches)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(count, $"searches[{group}]");
        }

        var referenceSearches = searches.GetValueOrDefault(reference);
        var referencePopulation = population.GetValueOrDefault(reference);
        var rows = new List<GroupRate>();
        foreach (var group in population.Keys.OrderBy(g => (int)g))
        {
            var count = searches.GetValueOrDefault(group);
            var residents = population[group];
            var rate = PoissonRates.Rate(count, residents, PoissonRates.PerThousand, confidence);
            var ratio = group == reference
                ? null
                : PoissonRates.RateRatio(count, residents, referenceSearches, referencePopulation, confidence);
            rows.Add(new GroupRate(group, count, residents, rate, ratio));
        }

        var unrated = searches.Where(s => !population.ContainsKey(s.Key)).Sum(s => s.Value);
        return new DisproportionalityTable(reference, rows, unknown, unrated);
    }

    /// <summary>
    /// Census populations to use with officer-defined ethnicity, which has no Mixed group in the
    /// Met's data: <see cref="MixedResidents.Exclude"/> (default) leaves Mixed residents out of every
    /// denominator, so the four rates are slightly overstated; <see cref="MixedResidents.CountAsOther"/>
    /// adds them to Other. Neither is right for every search of a person of mixed heritage: the
    /// report says which was used.
    /// </summary>
    public static IReadOnlyDictionary<BroadEthnicGroup, long> OfficerDefinedPopulations(
        IReadOnlyDictionary<BroadEthnicGroup, long> census, MixedResidents mixed = MixedResidents.Exclude)
    {
        ArgumentNullException.ThrowIfNull(census);
        var result = census.Where(c => c.Key != BroadEthnicGroup.Mixed).ToDictionary(c => c.Key, c => c.Value);
        if (mixed == MixedResidents.CountAsOther)
        {
            result[BroadEthnicGroup.Other] = result.GetValueOrDefault(BroadEthnicGroup.Other) + census.GetValueOrDefault(BroadEthnicGroup.Mixed);
        }

        return result;
    }
}

/// <summary>How Census "Mixed" residents enter officer-defined rates (see <see cref="Disproportionality.OfficerDefinedPopulations"/>).</summary>
public enum MixedResidents
{
    /// <summary>Mixed residents are in no denominator.</summary>
    Exclude,

    /// <summary>Mixed residents are added to the Other group's denominator.</summary>
    CountAsOther,
}

/// <summary>One group's row of a disproportionality table.</summary>
/// <param name="Group">The ethnic group.</param>
/// <param name="Searches">Searches of people in the group.</param>
/// <param name="Population">Residents in the group (Census 2021).</param>
/// <param name="RatePer1000">Searches per 1,000 residents with the exact Poisson interval.</param>
/// <param name="RatioToReference">Rate ratio to the reference group with the log-method interval; null for the reference itself.</param>
public sealed record GroupRate(BroadEthnicGroup Group, long Searches, long Population, Estimate RatePer1000, Estimate? RatioToReference);

/// <summary>Searches per 1,000 residents by group (see <see cref="Disproportionality.Compute"/>).</summary>
/// <param name="Reference">The reference group of the ratios.</param>
/// <param name="Groups">One row per group with a population, in enum order.</param>
/// <param name="Unknown">Searches with no usable ethnicity (as passed in).</param>
/// <param name="Unrated">Searches of groups with no population given (e.g. officer-defined Mixed when Mixed residents are excluded).</param>
public sealed record DisproportionalityTable(BroadEthnicGroup Reference, IReadOnlyList<GroupRate> Groups, long Unknown, long Unrated)
{
    /// <summary>The row for a group, or null.</summary>
    public GroupRate? For(BroadEthnicGroup group) => Groups.FirstOrDefault(g => g.Group == group);
}
