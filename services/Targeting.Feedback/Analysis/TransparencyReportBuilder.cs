using Google.Protobuf.WellKnownTypes;
using Targeting.Engine.Statistics;
using Targeting.Feedback.V1;
using Targeting.Stops.V1;

namespace Targeting.Feedback.Analysis;

/// <summary>
/// The public transparency report: searches by borough and month with arrests, finds, searches
/// inside patrol areas, and searches by officer-defined ethnic group and by object, every count
/// from 1 to threshold − 1 suppressed with complementary suppression so that none can be worked
/// out from the others or from totals (<see cref="SmallCountSuppression.SuppressLinked"/>).
/// A pure function; thread-safe.
/// </summary>
/// <remarks>
/// <para><b>What leaves.</b> Counts only, keyed by borough, month, ethnic group and object: no
/// officer pseudonym, team, record id, location, age, sex, time of day or free text is read
/// into the report (its input is <see cref="StopFacts"/>, which holds none of the officer fields).</para>
/// <para><b>Linked tables.</b> Five tables share their rows (borough-months) and row totals (the
/// searches): ethnic group (with "Not recorded"), object (with "Not recorded"), arrest / no arrest,
/// find / not a find, inside / not inside a patrol area. A reader combines them, so they are
/// suppressed together. The second column of the last three is not published but is implied by
/// the searches; the suppression treats it as published, which is the safe assumption.</para>
/// <para><b>Rows.</b> Every requested borough for every London month of the window, zeros
/// included (a zero identifies no one). With no borough filter, one more row per month holds the
/// searches that cannot be placed in a borough (no location, or outside every borough polygon),
/// so the rows add up to the force's total.</para>
/// </remarks>
public static class TransparencyReportBuilder
{
    /// <summary>The borough label of searches that cannot be placed in a borough.</summary>
    public const string NotPlaced = "Not placed in a borough";

    private static readonly BroadEthnicGroup[] EthnicGroups =
        [BroadEthnicGroup.White, BroadEthnicGroup.Black, BroadEthnicGroup.Asian, BroadEthnicGroup.Other, BroadEthnicGroup.Mixed];

    /// <summary>Builds the report.</summary>
    /// <param name="stops">Encounters (searches outside the window are ignored).</param>
    /// <param name="window">The window; when unbounded, the months run from the first to the last search.</param>
    /// <param name="boroughs">The boroughs to report (indexes into <see cref="StopFacts.Boroughs"/>), or null for every borough plus the not-placed row.</param>
    /// <param name="plans">Plans whose areas count as "inside".</param>
    /// <param name="threshold">Counts from 1 to threshold − 1 are suppressed (at least 1).</param>
    /// <param name="generatedAt">When the report was made.</param>
    public static TransparencyReport Build(
        StopFacts stops, AnalysisWindow window, IReadOnlyList<int>? boroughs, ActivePlans plans, int threshold, DateTimeOffset generatedAt)
    {
        ArgumentNullException.ThrowIfNull(stops);
        ArgumentNullException.ThrowIfNull(plans);
        ArgumentOutOfRangeException.ThrowIfLessThan(threshold, 1);
        var searches = stops.All.Where(s => s.IsSearch && window.Contains(s.OccurredUtcTicks)).ToArray();
        var months = Months(searches, window);
        var rowBoroughs = (boroughs ?? Enumerable.Range(0, stops.Boroughs.Count).ToArray())
            .Distinct()
            .OrderBy(b => stops.Boroughs[b].Name, StringComparer.Ordinal)
            .ToList();
        if (boroughs is null)
        {
            rowBoroughs.Add(-1);
        }

        var report = new TransparencyReport
        {
            Window = window.ToProto(),
            SuppressionThreshold = threshold,
            GeneratedAt = Timestamp.FromDateTimeOffset(generatedAt),
            MethodNote = MethodNote(threshold),
        };
        if (rowBoroughs.Count == 0 || months.Count == 0)
        {
            return report;
        }

        var objects = searches.Select(s => s.Object).Where(o => o != ObjectOfSearch.Unspecified).Distinct().Order().ToArray();
        var rowOf = new Dictionary<(int Borough, int Month), int>();
        foreach (var b in rowBoroughs)
        {
            foreach (var m in months)
            {
                rowOf[(b, m)] = rowOf.Count;
            }
        }

        var rows = rowOf.Count;
        var ethnicity = new long[rows, EthnicGroups.Length + 1];
        var byObject = new long[rows, objects.Length + 1];
        var arrests = new long[rows, 2];
        var finds = new long[rows, 2];
        var inside = new long[rows, 2];
        foreach (var stop in searches)
        {
            var borough = boroughs is null && stop.Borough < 0 ? -1 : stop.Borough;
            if (!rowOf.TryGetValue((borough, stop.Month), out var row))
            {
                continue;
            }

            var group = stop.Officer is { } g ? Array.IndexOf(EthnicGroups, g) : EthnicGroups.Length;
            ethnicity[row, group]++;
            var o = Array.IndexOf(objects, stop.Object);
            byObject[row, o < 0 ? objects.Length : o]++;
            arrests[row, stop.IsArrest ? 0 : 1]++;
            finds[row, stop.Find.IsFind ? 0 : 1]++;
            inside[row, stop.Located && plans.Inside(stop.X, stop.Y, stop.OccurredUtcTicks) ? 0 : 1]++;
        }

        var suppressed = SmallCountSuppression.SuppressLinked([ethnicity, byObject, arrests, finds, inside], threshold);
        var ethnicityLabels = EthnicGroups.Select(EthnicityMapping.Name).Append("Not recorded").ToArray();
        var objectLabels = objects.Select(ObjectLabels.Label).Append(ObjectLabels.NotRecorded).ToArray();
        foreach (var ((b, m), row) in rowOf)
        {
            var line = new TransparencyRow
            {
                Borough = b < 0 ? NotPlaced : stops.Boroughs[b].Name,
                Month = LondonMonths.Format(m),
                Searches = Public(suppressed[0].RowTotal(row)),
                Arrests = Public(suppressed[2].Cell(row, 0)),
                Finds = Public(suppressed[3].Cell(row, 0)),
                InsidePatrolAreas = Public(suppressed[4].Cell(row, 0)),
            };
            for (var j = 0; j < ethnicityLabels.Length; j++)
            {
                line.SearchesByEthnicity[ethnicityLabels[j]] = Public(suppressed[0].Cell(row, j));
            }

            for (var j = 0; j < objectLabels.Length; j++)
            {
                line.SearchesByObject[objectLabels[j]] = Public(suppressed[1].Cell(row, j));
            }

            report.Rows.Add(line);
        }

        return report;
    }

    private static PublicCount Public(SuppressedCount count) =>
        count.IsSuppressed ? new PublicCount { Suppressed = true } : new PublicCount { Value = count.Value };

    private static List<int> Months(StopFact[] searches, AnalysisWindow window)
    {
        if (window.IsBounded)
        {
            return [.. LondonMonths.Spanned(new DateTime(window.StartTicks, DateTimeKind.Utc), new DateTime(window.EndTicks, DateTimeKind.Utc))];
        }

        if (searches.Length == 0)
        {
            return [];
        }

        var first = searches.Min(s => s.Month);
        var last = searches.Max(s => s.Month);
        return [.. Enumerable.Range(first, last - first + 1)];
    }

    private static string MethodNote(int threshold) =>
        $"Counts from 1 to {threshold - 1} are suppressed (shown as suppressed), and further counts are suppressed where needed so "
        + "that no suppressed count can be worked out exactly from the others, the searches in the row, or column and grand totals, "
        + "across all five tables together (ethnic group, object, arrests, finds, inside patrol areas). Zeros are shown. "
        + "Officer-defined ethnicity; a find is an outcome linked to the object of search where recorded, otherwise any outcome "
        + "other than no further action; inside = in an area of a patrol plan active at the search's time. Searches with no "
        + "location, or outside every borough polygon, are in the row '" + NotPlaced + "'.";
}
