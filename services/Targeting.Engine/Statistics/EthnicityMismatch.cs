namespace Targeting.Engine.Statistics;

/// <summary>
/// The cross-table of officer-defined against self-defined ethnicity (broad groups), for the
/// mismatch part of the fairness report. Stateless and thread-safe.
/// </summary>
public static class EthnicityMismatch
{
    /// <summary>
    /// Counts each (officer-defined, self-defined) pair. A null side means unknown: blank, or
    /// "not stated" for self-defined ethnicity.
    /// </summary>
    /// <param name="pairs">One pair per search.</param>
    /// <param name="confidence">Confidence level of the agreement interval (Wilson); default 0.95.</param>
    /// <returns>The table; an empty input gives an empty table with an undefined agreement rate.</returns>
    public static MismatchTable CrossTabulate(IEnumerable<(BroadEthnicGroup? OfficerDefined, BroadEthnicGroup? SelfDefined)> pairs, double confidence = 0.95)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var counts = new Dictionary<(BroadEthnicGroup?, BroadEthnicGroup?), long>();
        foreach (var pair in pairs)
        {
            counts[pair] = counts.GetValueOrDefault(pair) + 1;
        }

        var cells = counts
            .OrderBy(c => Order(c.Key.Item1))
            .ThenBy(c => Order(c.Key.Item2))
            .Select(c => new MismatchCell(c.Key.Item1, c.Key.Item2, c.Value))
            .ToArray();
        var bothKnown = cells.Where(c => c.OfficerDefined is not null && c.SelfDefined is not null).Sum(c => c.Count);
        var agreeing = cells.Where(c => c.OfficerDefined is not null && c.OfficerDefined == c.SelfDefined).Sum(c => c.Count);
        return new MismatchTable(cells, cells.Sum(c => c.Count), bothKnown, Proportions.Wilson(agreeing, bothKnown, confidence));
    }

    // Known groups in enum order, unknown last.
    private static int Order(BroadEthnicGroup? group) => group is null ? int.MaxValue : (int)group;
}

/// <summary>One cell of the mismatch table.</summary>
/// <param name="OfficerDefined">The officer-defined group, or null when unknown.</param>
/// <param name="SelfDefined">The self-defined broad group, or null when unknown or not stated.</param>
/// <param name="Count">Searches with this pair (≥ 1: empty cells are not listed).</param>
public sealed record MismatchCell(BroadEthnicGroup? OfficerDefined, BroadEthnicGroup? SelfDefined, long Count);

/// <summary>The officer- by self-defined cross-table (see <see cref="EthnicityMismatch.CrossTabulate"/>).</summary>
/// <param name="Cells">Non-empty cells, officer-defined group first, unknowns last.</param>
/// <param name="Total">All searches counted.</param>
/// <param name="BothKnown">Searches with both ethnicities known.</param>
/// <param name="Agreement">Share of <paramref name="BothKnown"/> where the two agree, with its Wilson interval.</param>
public sealed record MismatchTable(IReadOnlyList<MismatchCell> Cells, long Total, long BothKnown, Estimate Agreement)
{
    /// <summary>The count for one pair (0 when absent).</summary>
    public long Count(BroadEthnicGroup? officerDefined, BroadEthnicGroup? selfDefined) =>
        Cells.FirstOrDefault(c => c.OfficerDefined == officerDefined && c.SelfDefined == selfDefined)?.Count ?? 0;
}
