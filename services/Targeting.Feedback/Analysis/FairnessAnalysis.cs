using System.Globalization;
using Targeting.Engine.Geography;
using Targeting.Engine.Statistics;
using Targeting.Feedback.V1;
using Targeting.Stops.V1;
using DisproportionalityTable = Targeting.Feedback.V1.DisproportionalityTable;
using GroupRate = Targeting.Feedback.V1.GroupRate;
using MismatchCell = Targeting.Feedback.V1.MismatchCell;

namespace Targeting.Feedback.Analysis;

/// <summary>Where the fairness figures are for: one borough, or the whole force.</summary>
/// <param name="Borough">The borough (one of <see cref="StopFacts.Boroughs"/>), or null for the whole force.</param>
/// <param name="Population">Its Census 2021 residents by ethnic group.</param>
public sealed record FairnessScope(Boundary? Borough, BoroughPopulation Population);

/// <summary>
/// Disproportionality, the officer- against self-defined mismatch, and the outcome test, for one
/// borough or the whole force over a window. A pure function; thread-safe.
/// </summary>
/// <remarks>
/// <para><b>Which searches.</b> For a borough, the searches located in its polygon (point in
/// polygon). Searches with no location cannot be placed in a borough, nor can located ones that
/// fall in none (the borough polygons stop at the Thames high-water line, and some points lie
/// outside London): they count only in force-wide figures, whose population is every Census
/// borough the force polices. Vehicle stops without a search are never counted.</para>
/// <para><b>Rates.</b> Searches per 1,000 residents over the whole window (exact Poisson
/// interval), ratio to White with the log-method interval (<see cref="Disproportionality"/>), and
/// the same rate divided by the years of data: the months of the window holding any search at
/// all, force-wide, over 12 (so a month missing from the data, like January 2022 in the shared
/// copy, does not dilute the annual rate). Officer-defined rates leave Census "Mixed" residents
/// out of every denominator (officers record no Mixed group); self-defined rates use all five
/// groups and leave "not stated" out as unknown.</para>
/// <para><b>Outcome test.</b> By officer-defined group, searches with a recorded outcome, located
/// inside an area of a plan active at the search's time against located ones outside
/// (<see cref="OutcomeTest"/>: one-sided, Holm across groups). Unlocated searches take no part.</para>
/// </remarks>
public static class FairnessAnalysis
{
    /// <summary>Assesses fairness.</summary>
    /// <param name="scope">The borough (or the force) and its population.</param>
    /// <param name="window">The window.</param>
    /// <param name="stops">Encounters (those outside the window are ignored).</param>
    /// <param name="plans">The plans whose areas are "inside" for the outcome test (may be empty).</param>
    /// <param name="objects">Only searches for these objects (empty: all).</param>
    /// <param name="populationSource">How the population was chosen, in words.</param>
    public static FairnessReport Assess(
        FairnessScope scope, AnalysisWindow window, StopFacts stops, ActivePlans plans, IReadOnlySet<ObjectOfSearch> objects, string populationSource)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(stops);
        ArgumentNullException.ThrowIfNull(plans);
        ArgumentNullException.ThrowIfNull(objects);
        var boroughIndex = scope.Borough is null ? -1 : IndexOf(stops.Boroughs, scope.Borough);
        var officer = new Dictionary<BroadEthnicGroup, long>();
        var self = new Dictionary<BroadEthnicGroup, long>();
        long officerUnknown = 0, selfUnknown = 0, searches = 0, unlocated = 0, outsideBoroughs = 0, noOutcome = 0;
        var pairs = new List<(BroadEthnicGroup?, BroadEthnicGroup?)>();
        var outcome = new Dictionary<BroadEthnicGroup, long[]>();
        var monthsWithData = new HashSet<int>();
        foreach (var stop in stops.All)
        {
            if (!stop.IsSearch || !window.Contains(stop.OccurredUtcTicks))
            {
                continue;
            }

            monthsWithData.Add(stop.Month);
            if (objects.Count > 0 && !objects.Contains(stop.Object))
            {
                continue;
            }

            unlocated += stop.Located ? 0 : 1;
            outsideBoroughs += stop.Located && stop.Borough < 0 ? 1 : 0;
            if (boroughIndex >= 0 && stop.Borough != boroughIndex)
            {
                continue;
            }

            searches++;
            Count(officer, stop.Officer, ref officerUnknown);
            Count(self, stop.SelfDefined, ref selfUnknown);
            pairs.Add((stop.Officer, stop.SelfDefined));
            if (stop.Officer is not { } group || !stop.Located)
            {
                continue;
            }

            if (!stop.OutcomeKnown)
            {
                noOutcome++;
                continue;
            }

            // [searches, finds, arrests] inside, then outside.
            var tally = outcome.TryGetValue(group, out var t) ? t : outcome[group] = new long[6];
            var offset = plans.Inside(stop.X, stop.Y, stop.OccurredUtcTicks) ? 0 : 3;
            tally[offset]++;
            tally[offset + 1] += stop.Find.IsFind ? 1 : 0;
            tally[offset + 2] += stop.IsArrest ? 1 : 0;
        }

        var years = monthsWithData.Count / 12.0;
        var census = scope.Population.ByBroadGroup;
        var officerTable = Disproportionality.Compute(officer, Disproportionality.OfficerDefinedPopulations(census), unknown: officerUnknown);
        var selfTable = Disproportionality.Compute(self, census, unknown: selfUnknown);
        var mismatch = EthnicityMismatch.CrossTabulate(pairs);
        var tests = OutcomeTest.Run(outcome.OrderBy(o => (int)o.Key)
            .Select(o => new OutcomeCounts(EthnicityMapping.Name(o.Key), o.Value[0], o.Value[1], o.Value[2], o.Value[3], o.Value[4], o.Value[5]))
            .ToArray());

        var notes = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"rates are per 1,000 residents over the window; per year they divide by {monthsWithData.Count} month(s) holding any search"),
        };
        if (window.IsBounded)
        {
            var empty = LondonMonths.Spanned(new DateTime(window.StartTicks, DateTimeKind.Utc), new DateTime(window.EndTicks, DateTimeKind.Utc))
                .Where(m => !monthsWithData.Contains(m)).Select(LondonMonths.Format).ToArray();
            if (empty.Length > 0)
            {
                notes.Add("months of the window with no searches at all (missing data?): " + string.Join(", ", empty));
            }
        }

        notes.Add(scope.Borough is null
            ? string.Create(CultureInfo.InvariantCulture, $"force-wide: includes {unlocated} searches with no location and {outsideBoroughs} located in no borough")
            : string.Create(CultureInfo.InvariantCulture, $"{unlocated} searches with no location and {outsideBoroughs} located in no borough cannot be placed in {scope.Borough.Name}; they count only force-wide"));
        notes.Add(plans.Plans.Count == 0
            ? "no patrol plans: every located search is outside, so the outcome test has nothing inside to compare"
            : string.Create(CultureInfo.InvariantCulture, $"outcome test: inside = in an area of one of {plans.Plans.Count} plan(s) active at the search's time; {noOutcome} located searches with no outcome left out"));
        if (officerTable.Unrated > 0)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"{officerTable.Unrated} officer-defined Mixed searches are not rated (Census Mixed residents are left out of officer-defined denominators)"));
        }

        return new FairnessReport
        {
            Borough = scope.Borough?.Name ?? string.Empty,
            Window = window.ToProto(),
            Searches = searches,
            SearchesUnlocated = unlocated,
            SearchesOutsideBoroughs = outsideBoroughs,
            Years = years,
            Tables = { Table(EthnicityBasis.OfficerDefined, officerTable, years), Table(EthnicityBasis.SelfDefined, selfTable, years) },
            Mismatch = { mismatch.Cells.Select(c => new MismatchCell { OfficerDefined = Label(c.OfficerDefined), SelfDefined = Label(c.SelfDefined), Count = c.Count }) },
            EthnicityAgreement = mismatch.Agreement.ToProto(),
            OutcomeTests = { tests.Select(ToProto) },
            FindDefinition = FindDefinition.Description,
            PopulationSource = populationSource,
            PlanIds = { plans.Plans.Select(p => p.Plan.PlanId) },
            Notes = string.Join("; ", notes),
        };
    }

    /// <summary>A group's display name, or "unknown".</summary>
    public static string Label(BroadEthnicGroup? group) => group is { } g ? EthnicityMapping.Name(g) : "unknown";

    private static void Count(Dictionary<BroadEthnicGroup, long> counts, BroadEthnicGroup? group, ref long unknown)
    {
        if (group is { } g)
        {
            counts[g] = counts.GetValueOrDefault(g) + 1;
        }
        else
        {
            unknown++;
        }
    }

    private static DisproportionalityTable Table(EthnicityBasis basis, Engine.Statistics.DisproportionalityTable table, double years)
    {
        var proto = new DisproportionalityTable { Basis = basis, Unknown = table.Unknown, Unrated = table.Unrated };
        foreach (var row in table.Groups)
        {
            var rate = new GroupRate
            {
                Group = EthnicityMapping.Name(row.Group),
                Searches = row.Searches,
                Population = row.Population,
                RatePer1000 = row.RatePer1000.ToProto(),
                RatePer1000PerYear = years > 0 ? row.RatePer1000.Scaled(years, "; per year") : row.RatePer1000.Scaled(double.NaN, "; per year"),
            };
            if (row.RatioToReference is { } ratio)
            {
                rate.RatioToWhite = ratio.ToProto();
            }

            proto.Groups.Add(rate);
        }

        return proto;
    }

    private static V1.OutcomeTestRow ToProto(Engine.Statistics.OutcomeTestRow row) => new()
    {
        Group = row.Group,
        FindRateInside = row.Finds.First.ToProto(),
        FindRateOutside = row.Finds.Second.ToProto(),
        FindDifference = row.Finds.ToProto(),
        ArrestRateInside = row.Arrests.First.ToProto(),
        ArrestRateOutside = row.Arrests.Second.ToProto(),
        ArrestDifference = row.Arrests.ToProto(),
        Alert = row.Alert,
        AlertReason = row.AlertReason ?? string.Empty,
        FindPValueHolm = row.FindPValueHolm,
        ArrestPValueHolm = row.ArrestPValueHolm,
    };

    private static int IndexOf(IReadOnlyList<Boundary> boroughs, Boundary borough)
    {
        for (var i = 0; i < boroughs.Count; i++)
        {
            if (ReferenceEquals(boroughs[i], borough) || boroughs[i].Code == borough.Code && boroughs[i].Name == borough.Name)
            {
                return i;
            }
        }

        throw new ArgumentException($"{borough} is not one of the boroughs the stops were placed in", nameof(borough));
    }
}
