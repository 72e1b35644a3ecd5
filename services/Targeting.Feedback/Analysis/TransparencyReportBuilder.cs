using Google.Protobuf.WellKnownTypes;
using Targeting.Engine.Statistics;
using Targeting.Feedback.V1;
using Targeting.Stops.V1;

namespace Targeting.Feedback.Analysis;

/// <summary>
/// The public transparency report: searches by borough and month with arrests, finds, searches
/// inside patrol areas, and searches by officer-defined ethnic group and by object, every count
/// from 1 to threshold − 1 suppressed with complementary suppression so that none can be worked
/// out from the others or from totals (<see cref="SmallCountSuppression.SuppressLinked"/>), nor
/// from other reports of other months, boroughs or thresholds (decision 044).
/// A pure function; thread-safe.
/// </summary>
/// <remarks>
/// <para><b>What leaves.</b> Counts only, keyed by borough, month, ethnic group and object: no
/// officer pseudonym, team, record id, location, age, sex, time of day or free text is read
/// into the report (its input is <see cref="StopFacts"/>, which holds none of the officer fields).</para>
/// <para><b>Published granularity.</b> The window is whole London months (each set end the start
/// of a month, see <see cref="IsMonthEdge"/>), and each month is suppressed on its own, as one
/// table of every borough plus the not-placed row, whatever boroughs the caller asked for: a
/// borough-month's figures are then the same in every report that holds them, so one report
/// minus another (Jan–Feb minus Jan, all boroughs minus one) only ever gives published figures.
/// No figure spans months. The columns are fixed (every ethnic group, every object), so which
/// columns appear says nothing either.</para>
/// <para><b>Thresholds.</b> A caller may ask for a threshold above the server's minimum; a count
/// is then hidden where either the minimum's or the caller's suppression hides it, so the counts
/// shown at any threshold are a subset of those shown at the minimum, and reports at several
/// thresholds together give nothing the minimum's report does not.</para>
/// <para><b>Linked tables.</b> Five tables share their rows (borough-months) and row totals (the
/// searches): ethnic group (with "Not recorded"), object (with "Not recorded"), arrest / no arrest,
/// find / not a find, inside / not inside a patrol area. A reader combines them, so they are
/// suppressed together. The second column of the last three is not published but is implied by
/// the searches; the suppression treats it as published, which is the safe assumption. Column
/// totals (the force's month by group) are not published but are protected as if they were.</para>
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

    /// <summary>Whether a UTC instant is where a London month begins, 1900 to 2999 (the only window ends a report takes).</summary>
    public static bool IsMonthEdge(DateTime utc) =>
        utc.Year is >= 1900 and <= 2999 && LondonMonths.StartUtc(LondonMonths.KeyOf(utc)) == utc;

    /// <summary>Builds the report.</summary>
    /// <param name="stops">Encounters (searches outside the window are ignored).</param>
    /// <param name="window">Whole London months; when unbounded, the months run from the first to the last search.</param>
    /// <param name="boroughs">The boroughs to report (indexes into <see cref="StopFacts.Boroughs"/>), or null for every borough plus the not-placed row.</param>
    /// <param name="plans">Plans whose areas count as "inside".</param>
    /// <param name="threshold">Counts from 1 to threshold − 1 are suppressed (at least <paramref name="minimumThreshold"/>).</param>
    /// <param name="generatedAt">When the report was made.</param>
    /// <param name="minimumThreshold">The server's minimum threshold (at least 1; default: <paramref name="threshold"/>): counts it hides stay hidden at any higher threshold.</param>
    /// <exception cref="ArgumentException">A window end that is not the start of a London month, or a threshold below the minimum.</exception>
    public static TransparencyReport Build(
        StopFacts stops, AnalysisWindow window, IReadOnlyList<int>? boroughs, ActivePlans plans, int threshold, DateTimeOffset generatedAt, int? minimumThreshold = null)
    {
        ArgumentNullException.ThrowIfNull(stops);
        ArgumentNullException.ThrowIfNull(plans);
        var minimum = minimumThreshold ?? threshold;
        ArgumentOutOfRangeException.ThrowIfLessThan(minimum, 1, nameof(minimumThreshold));
        ArgumentOutOfRangeException.ThrowIfLessThan(threshold, minimum);
        if ((window.StartTicks != DateTime.MinValue.Ticks && !IsMonthEdge(new DateTime(window.StartTicks, DateTimeKind.Utc)))
            || (window.EndTicks != DateTime.MaxValue.Ticks && !IsMonthEdge(new DateTime(window.EndTicks, DateTimeKind.Utc))))
        {
            throw new ArgumentException("a transparency report's window is whole London months", nameof(window));
        }

        var searches = stops.All.Where(s => s.IsSearch && window.Contains(s.OccurredUtcTicks)).ToArray();
        var months = Months(searches, window);
        var published = new HashSet<int>(boroughs ?? Enumerable.Range(0, stops.Boroughs.Count));
        if (boroughs is null)
        {
            published.Add(-1);
        }

        // Every month's table holds every borough and the not-placed row, in the report's row order.
        var rowBoroughs = Enumerable.Range(0, stops.Boroughs.Count)
            .OrderBy(b => stops.Boroughs[b].Name, StringComparer.Ordinal)
            .Append(-1)
            .ToArray();
        var report = new TransparencyReport
        {
            Window = window.ToProto(),
            SuppressionThreshold = threshold,
            GeneratedAt = Timestamp.FromDateTimeOffset(generatedAt),
            MethodNote = MethodNote(threshold),
        };
        if (published.Count == 0 || months.Count == 0)
        {
            return report;
        }

        var ethnicityLabels = EthnicGroups.Select(EthnicityMapping.Name).Append("Not recorded").ToArray();
        var objectLabels = ObjectLabels.All.Select(ObjectLabels.Label).Append(ObjectLabels.NotRecorded).ToArray();
        var byMonth = searches.ToLookup(s => s.Month);
        var lines = new List<(int Order, int Month, TransparencyRow Row)>();
        foreach (var month in months)
        {
            var table = MonthTable.Count(byMonth[month], rowBoroughs, plans);
            var atMinimum = SmallCountSuppression.SuppressLinked(table.Tables, minimum);
            var asked = threshold == minimum ? atMinimum : SmallCountSuppression.SuppressLinked(table.Tables, threshold);
            PublicCount Public(int t, int row, int column) =>
                atMinimum[t].Cell(row, column).IsSuppressed || asked[t].Cell(row, column).IsSuppressed
                    ? new PublicCount { Suppressed = true }
                    : new PublicCount { Value = atMinimum[t].Cell(row, column).Value };

            for (var row = 0; row < rowBoroughs.Length; row++)
            {
                var b = rowBoroughs[row];
                if (!published.Contains(b))
                {
                    continue;
                }

                var total = atMinimum[0].RowTotal(row);
                var line = new TransparencyRow
                {
                    Borough = b < 0 ? NotPlaced : stops.Boroughs[b].Name,
                    Month = LondonMonths.Format(month),
                    Searches = total.IsSuppressed || asked[0].RowTotal(row).IsSuppressed ? new PublicCount { Suppressed = true } : new PublicCount { Value = total.Value },
                    Arrests = Public(2, row, 0),
                    Finds = Public(3, row, 0),
                    InsidePatrolAreas = Public(4, row, 0),
                };
                for (var j = 0; j < ethnicityLabels.Length; j++)
                {
                    line.SearchesByEthnicity[ethnicityLabels[j]] = Public(0, row, j);
                }

                for (var j = 0; j < objectLabels.Length; j++)
                {
                    line.SearchesByObject[objectLabels[j]] = Public(1, row, j);
                }

                lines.Add((row, month, line));
            }
        }

        // Borough by borough (not placed last), each by month, as before.
        report.Rows.AddRange(lines.OrderBy(l => l.Order).ThenBy(l => l.Month).Select(l => l.Row));
        return report;
    }

    // One month's five linked tables, rows in the given borough order (−1: not placed).
    private sealed record MonthTable(long[][,] Tables)
    {
        public static MonthTable Count(IEnumerable<StopFact> searches, int[] rowBoroughs, ActivePlans plans)
        {
            var rowOf = new Dictionary<int, int>();
            for (var i = 0; i < rowBoroughs.Length; i++)
            {
                rowOf[rowBoroughs[i]] = i;
            }

            var rows = rowBoroughs.Length;
            var ethnicity = new long[rows, EthnicGroups.Length + 1];
            var byObject = new long[rows, ObjectLabels.All.Count + 1];
            var arrests = new long[rows, 2];
            var finds = new long[rows, 2];
            var inside = new long[rows, 2];
            foreach (var stop in searches)
            {
                var row = rowOf[stop.Borough < 0 ? -1 : stop.Borough];
                var group = stop.Officer is { } g ? Array.IndexOf(EthnicGroups, g) : EthnicGroups.Length;
                ethnicity[row, group]++;
                var o = IndexOf(ObjectLabels.All, stop.Object);
                byObject[row, o < 0 ? ObjectLabels.All.Count : o]++;
                arrests[row, stop.IsArrest ? 0 : 1]++;
                finds[row, stop.Find.IsFind ? 0 : 1]++;
                inside[row, stop.Located && plans.Inside(stop.X, stop.Y, stop.OccurredUtcTicks) ? 0 : 1]++;
            }

            return new MonthTable([ethnicity, byObject, arrests, finds, inside]);
        }

        private static int IndexOf(IReadOnlyList<ObjectOfSearch> objects, ObjectOfSearch value)
        {
            for (var i = 0; i < objects.Count; i++)
            {
                if (objects[i] == value)
                {
                    return i;
                }
            }

            return -1;
        }
    }

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
        + "The report is published by whole London month: each month is suppressed on its own over every borough, so a month's "
        + "figures are the same in every report that holds them and no figure spans months. "
        + "Officer-defined ethnicity; a find is an outcome linked to the object of search where recorded, otherwise any outcome "
        + "other than no further action; inside = in an area of a patrol plan active at the search's time. Searches with no "
        + "location, or outside every borough polygon, are in the row '" + NotPlaced + "'.";
}
