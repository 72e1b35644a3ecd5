namespace Targeting.Engine.Statistics;

/// <summary>
/// The outcome ("hit rate") test for a lowered bar for searching inside patrol areas: by ethnic
/// group, the find rate (and the arrest rate) of searches inside areas against outside. If
/// officers search a group on weaker grounds inside the areas, the searches of that group there
/// find less (Becker, G. S. 1957/1993, the outcome test of discrimination; Knowles, N., Persico,
/// N. and Todd, P. 2001, "Racial bias in motor vehicle searches: theory and evidence", Journal of
/// Political Economy 109:203–229). Stateless and thread-safe.
/// </summary>
/// <remarks>
/// For each group: Wilson intervals for the rates inside and outside, the pooled two-proportion
/// z-test of inside against outside with the one-sided p-value for "inside lower"
/// (<see cref="ProportionComparison.PValueSmaller"/>), and Holm's adjustment of those p-values
/// across the groups that could be tested (<see cref="MultipleTesting.HolmAdjust"/>), separately
/// for finds and for arrests. A group raises an alert when its adjusted p-value is below α.
/// Infra-marginality (Ayres 2002; Simoiu, Corbett-Davies and Goel 2017) means equal rates do not
/// prove fairness and unequal ones are not proof of bias: the alert asks for a review, no more.
/// </remarks>
public static class OutcomeTest
{
    /// <summary>Runs the test for every group.</summary>
    /// <param name="groups">Counts by group; group names must be unique.</param>
    /// <param name="alpha">Family-wise significance level of the alerts (default 0.05).</param>
    /// <param name="confidence">Confidence level of the intervals (default 0.95).</param>
    /// <returns>One row per group, in input order.</returns>
    /// <exception cref="ArgumentException">Repeated group names, or finds/arrests above searches.</exception>
    public static IReadOnlyList<OutcomeTestRow> Run(IReadOnlyList<OutcomeCounts> groups, double alpha = 0.05, double confidence = 0.95)
    {
        ArgumentNullException.ThrowIfNull(groups);
        if (!(alpha > 0.0 && alpha < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "must lie strictly between 0 and 1");
        }

        var duplicate = groups.GroupBy(g => g.Group, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"group '{duplicate.Key}' appears more than once", nameof(groups));
        }

        var finds = groups.Select(g => Proportions.Compare(g.FindsInside, g.SearchesInside, g.FindsOutside, g.SearchesOutside, confidence)).ToArray();
        var arrests = groups.Select(g => Proportions.Compare(g.ArrestsInside, g.SearchesInside, g.ArrestsOutside, g.SearchesOutside, confidence)).ToArray();
        var findAdjusted = MultipleTesting.HolmAdjust(finds.Select(c => c.PValueSmaller).ToArray());
        var arrestAdjusted = MultipleTesting.HolmAdjust(arrests.Select(c => c.PValueSmaller).ToArray());

        var rows = new OutcomeTestRow[groups.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            var findAlert = findAdjusted[i] < alpha;
            var arrestAlert = arrestAdjusted[i] < alpha;
            rows[i] = new OutcomeTestRow(
                groups[i].Group, finds[i], findAdjusted[i], findAlert, arrests[i], arrestAdjusted[i], arrestAlert,
                AlertReason(finds[i], findAdjusted[i], findAlert, arrests[i], arrestAdjusted[i], arrestAlert, alpha));
        }

        return rows;
    }

    private static string? AlertReason(
        ProportionComparison finds, double findP, bool findAlert, ProportionComparison arrests, double arrestP, bool arrestAlert, double alpha)
    {
        var parts = new List<string>();
        if (findAlert)
        {
            parts.Add(Describe("find", finds, findP, alpha));
        }

        if (arrestAlert)
        {
            parts.Add(Describe("arrest", arrests, arrestP, alpha));
        }

        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    private static string Describe(string what, ProportionComparison c, double adjustedP, double alpha) =>
        string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"{what} rate inside patrol areas {c.First.Value * 100:0.0}% ({c.First.Numerator}/{c.First.Denominator}) is lower than outside {c.Second.Value * 100:0.0}% ({c.Second.Numerator}/{c.Second.Denominator}): one-sided p = {c.PValueSmaller:G3}, Holm-adjusted {adjustedP:G3} < {alpha:G3}");
}

/// <summary>One group's searches, finds and arrests inside and outside patrol areas.</summary>
/// <param name="Group">The group's name (e.g. the officer-defined ethnicity).</param>
/// <param name="SearchesInside">Searches inside patrol areas (with a known outcome).</param>
/// <param name="FindsInside">Finds among them (see <see cref="FindDefinition"/>).</param>
/// <param name="ArrestsInside">Arrests among them.</param>
/// <param name="SearchesOutside">Searches outside patrol areas (with a known outcome).</param>
/// <param name="FindsOutside">Finds among them.</param>
/// <param name="ArrestsOutside">Arrests among them.</param>
public sealed record OutcomeCounts(
    string Group, long SearchesInside, long FindsInside, long ArrestsInside, long SearchesOutside, long FindsOutside, long ArrestsOutside);

/// <summary>The outcome test for one group (see <see cref="OutcomeTest.Run"/>).</summary>
/// <param name="Group">The group's name.</param>
/// <param name="Finds">Find rate inside (first) against outside (second).</param>
/// <param name="FindPValueHolm">Holm-adjusted one-sided p-value for "find rate inside lower"; NaN when the test is undefined.</param>
/// <param name="FindAlert">True when <paramref name="FindPValueHolm"/> &lt; α.</param>
/// <param name="Arrests">Arrest rate inside (first) against outside (second).</param>
/// <param name="ArrestPValueHolm">Holm-adjusted one-sided p-value for "arrest rate inside lower".</param>
/// <param name="ArrestAlert">True when <paramref name="ArrestPValueHolm"/> &lt; α.</param>
/// <param name="AlertReason">Why an alert was raised, in words; null without an alert.</param>
public sealed record OutcomeTestRow(
    string Group,
    ProportionComparison Finds,
    double FindPValueHolm,
    bool FindAlert,
    ProportionComparison Arrests,
    double ArrestPValueHolm,
    bool ArrestAlert,
    string? AlertReason)
{
    /// <summary>True when either alert is raised.</summary>
    public bool Alert => FindAlert || ArrestAlert;
}
