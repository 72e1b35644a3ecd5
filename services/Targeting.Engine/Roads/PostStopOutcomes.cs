using System.Globalization;
using Targeting.Engine.Statistics;

namespace Targeting.Engine.Roads;

/// <summary>
/// What happens after a vehicle stop, by the driver's ethnic group: the search rate, the find ("hit")
/// rate of those searches, the arrest rate of stops and of searches, and the mix of outcomes, each with
/// its Wilson interval (<see cref="Proportions.Wilson"/>); and the outcome test against the reference
/// group (Becker 1957; Knowles, Persico and Todd 2001, JPE 109:203–229; applied to traffic stops by
/// Pierson et al. 2020, Nature Human Behaviour 4:736–745): a group whose searches find less than the
/// reference's may be searched on a lower bar. Stateless and thread-safe.
/// </summary>
/// <remarks>
/// The comparison and alert are those of <see cref="OutcomeTest"/>, with the reference group in place of
/// "outside patrol areas": the pooled two-proportion z-test of the group against the reference
/// (<see cref="Proportions.Compare"/>), the one-sided p-value for "the group's rate is lower", Holm's
/// adjustment across the groups (<see cref="MultipleTesting.HolmAdjust"/>), an alert when the adjusted
/// p-value is below α; separately for finds and for arrests among searches. Infra-marginality (Ayres 2002;
/// Simoiu, Corbett-Davies and Goel 2017) means the alert asks for a review, not a finding of bias. The
/// search rate's comparison is reported (one-sided for "higher than the reference") without an alert.
/// </remarks>
public static class PostStopOutcomes
{
    /// <summary>Computes the table.</summary>
    /// <param name="stops">The stops; those with no ethnicity are counted in <see cref="PostStopOutcomeTable.NoEthnicity"/>.</param>
    /// <param name="reference">The reference group (default "White").</param>
    /// <param name="alpha">Family-wise level of the alerts (default 0.05).</param>
    /// <param name="confidence">Confidence level of the intervals (default 0.95).</param>
    /// <returns>One row per group in ordinal order of its name, the reference included (its comparisons undefined).</returns>
    public static PostStopOutcomeTable Compute(IReadOnlyList<VehicleStop> stops, string reference = "White", double alpha = 0.05, double confidence = 0.95)
    {
        ArgumentNullException.ThrowIfNull(stops);
        ArgumentException.ThrowIfNullOrEmpty(reference);
        if (!(alpha > 0.0 && alpha < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "must lie strictly between 0 and 1");
        }

        var tallies = new SortedDictionary<string, Tally>(StringComparer.Ordinal);
        long noEthnicity = 0;
        foreach (var stop in stops)
        {
            if (string.IsNullOrEmpty(stop.Ethnicity))
            {
                noEthnicity++;
                continue;
            }

            if (!tallies.TryGetValue(stop.Ethnicity, out var t))
            {
                tallies[stop.Ethnicity] = t = new Tally();
            }

            t.Add(stop);
        }

        var referenceTally = tallies.GetValueOrDefault(reference) ?? new Tally();
        var names = tallies.Keys.ToArray();
        var finds = names.Select(g => Proportions.Compare(tallies[g].Finds, tallies[g].SearchesWithKnownFind, referenceTally.Finds, referenceTally.SearchesWithKnownFind, confidence)).ToArray();
        var arrests = names.Select(g => Proportions.Compare(tallies[g].SearchArrests, tallies[g].Searches, referenceTally.SearchArrests, referenceTally.Searches, confidence)).ToArray();
        var searches = names.Select(g => Proportions.Compare(tallies[g].Searches, tallies[g].Stops, referenceTally.Searches, referenceTally.Stops, confidence)).ToArray();
        // Holm over the groups other than the reference (the reference against itself is no test).
        var tested = names.Select((g, i) => (g, i)).Where(x => x.g != reference).Select(x => x.i).ToArray();
        var findHolm = Spread(MultipleTesting.HolmAdjust(tested.Select(i => finds[i].PValueSmaller).ToArray()), tested, names.Length);
        var arrestHolm = Spread(MultipleTesting.HolmAdjust(tested.Select(i => arrests[i].PValueSmaller).ToArray()), tested, names.Length);

        var rows = new List<PostStopOutcomeRow>(names.Length);
        for (var i = 0; i < names.Length; i++)
        {
            var t = tallies[names[i]];
            var isReference = names[i] == reference;
            var findAlert = !isReference && findHolm[i] < alpha;
            var arrestAlert = !isReference && arrestHolm[i] < alpha;
            var mix = t.Outcomes.OrderByDescending(o => o.Value).ThenBy(o => o.Key, StringComparer.Ordinal)
                .Select(o => new OutcomeShare(o.Key, o.Value, Proportions.Wilson(o.Value, t.Stops, confidence))).ToArray();
            rows.Add(new PostStopOutcomeRow(
                names[i],
                t.Stops,
                Proportions.Wilson(t.Searches, t.Stops, confidence),
                Proportions.Wilson(t.Finds, t.SearchesWithKnownFind, confidence),
                Proportions.Wilson(t.Arrests, t.Stops, confidence),
                Proportions.Wilson(t.SearchArrests, t.Searches, confidence),
                mix,
                t.NoOutcome,
                isReference ? null : searches[i],
                isReference ? null : finds[i],
                findHolm[i],
                findAlert,
                isReference ? null : arrests[i],
                arrestHolm[i],
                arrestAlert,
                AlertReason(names[i], reference, findAlert, finds[i], findHolm[i], arrestAlert, arrests[i], arrestHolm[i], alpha)));
        }

        return new PostStopOutcomeTable(reference, rows, noEthnicity);
    }

    private static double[] Spread(double[] adjusted, int[] at, int length)
    {
        var result = Enumerable.Repeat(double.NaN, length).ToArray();
        for (var k = 0; k < at.Length; k++)
        {
            result[at[k]] = adjusted[k];
        }

        return result;
    }

    private static string? AlertReason(
        string group, string reference, bool findAlert, ProportionComparison finds, double findP, bool arrestAlert, ProportionComparison arrests, double arrestP, double alpha)
    {
        var parts = new List<string>();
        if (findAlert)
        {
            parts.Add(Describe("find rate of searches", group, reference, finds, findP, alpha));
        }

        if (arrestAlert)
        {
            parts.Add(Describe("arrest rate of searches", group, reference, arrests, arrestP, alpha));
        }

        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    private static string Describe(string what, string group, string reference, ProportionComparison c, double adjustedP, double alpha) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{what} of {group} drivers {c.First.Value * 100:0.0}% ({c.First.Numerator}/{c.First.Denominator}) is lower than of {reference} drivers {c.Second.Value * 100:0.0}% ({c.Second.Numerator}/{c.Second.Denominator}): one-sided p = {c.PValueSmaller:G3}, Holm-adjusted {adjustedP:G3} < {alpha:G3}");

    private sealed class Tally
    {
        public long Stops;
        public long Searches;
        public long SearchesWithKnownFind;
        public long Finds;
        public long Arrests;
        public long SearchArrests;
        public long NoOutcome;
        public readonly Dictionary<string, long> Outcomes = new(StringComparer.Ordinal);

        public void Add(VehicleStop stop)
        {
            Stops++;
            if (stop.Arrested)
            {
                Arrests++;
            }

            if (stop.Searched)
            {
                Searches++;
                if (stop.Found is { } found)
                {
                    SearchesWithKnownFind++;
                    Finds += found ? 1 : 0;
                }

                SearchArrests += stop.Arrested ? 1 : 0;
            }

            if (string.IsNullOrEmpty(stop.Outcome))
            {
                NoOutcome++;
            }
            else
            {
                Outcomes[stop.Outcome] = Outcomes.GetValueOrDefault(stop.Outcome) + 1;
            }
        }
    }
}

/// <summary>Post-stop outcomes by group (see <see cref="PostStopOutcomes.Compute"/>).</summary>
/// <param name="Reference">The reference group of the comparisons.</param>
/// <param name="Groups">One row per group, ordinal order.</param>
/// <param name="NoEthnicity">Stops with no ethnicity (in no row).</param>
public sealed record PostStopOutcomeTable(string Reference, IReadOnlyList<PostStopOutcomeRow> Groups, long NoEthnicity)
{
    /// <summary>The row for a group, or null.</summary>
    public PostStopOutcomeRow? For(string group) => Groups.FirstOrDefault(g => g.Group == group);
}

/// <summary>One group's post-stop outcomes.</summary>
/// <param name="Group">The group.</param>
/// <param name="Stops">Stops of drivers in the group.</param>
/// <param name="SearchRate">Searches / stops (Wilson).</param>
/// <param name="FindRate">Finds / searches with a recorded find outcome (Wilson; undefined when no search records one).</param>
/// <param name="ArrestRate">Arrests / stops (Wilson).</param>
/// <param name="SearchArrestRate">Arrests / searches (Wilson).</param>
/// <param name="Outcomes">Each recorded outcome's count and share of the group's stops (Wilson), commonest first.</param>
/// <param name="NoOutcome">Stops with no outcome recorded (in the shares' denominators, in no outcome).</param>
/// <param name="SearchComparison">Search rate against the reference's (null for the reference itself).</param>
/// <param name="FindComparison">Find rate against the reference's (null for the reference).</param>
/// <param name="FindPValueHolm">Holm-adjusted one-sided p for "find rate lower than the reference's" (NaN for the reference or when undefined).</param>
/// <param name="FindAlert">Lowered-bar alert on finds.</param>
/// <param name="ArrestComparison">Arrest rate of searches against the reference's.</param>
/// <param name="ArrestPValueHolm">Holm-adjusted one-sided p for "arrest rate of searches lower".</param>
/// <param name="ArrestAlert">Lowered-bar alert on arrests after searches.</param>
/// <param name="AlertReason">Why an alert was raised, in words; null without one.</param>
public sealed record PostStopOutcomeRow(
    string Group,
    long Stops,
    Estimate SearchRate,
    Estimate FindRate,
    Estimate ArrestRate,
    Estimate SearchArrestRate,
    IReadOnlyList<OutcomeShare> Outcomes,
    long NoOutcome,
    ProportionComparison? SearchComparison,
    ProportionComparison? FindComparison,
    double FindPValueHolm,
    bool FindAlert,
    ProportionComparison? ArrestComparison,
    double ArrestPValueHolm,
    bool ArrestAlert,
    string? AlertReason)
{
    /// <summary>True when either alert is raised.</summary>
    public bool Alert => FindAlert || ArrestAlert;
}

/// <summary>One outcome's count and share of a group's stops.</summary>
/// <param name="Outcome">The outcome as recorded.</param>
/// <param name="Count">Stops with it.</param>
/// <param name="Share">Count / the group's stops (Wilson).</param>
public sealed record OutcomeShare(string Outcome, long Count, Estimate Share);
