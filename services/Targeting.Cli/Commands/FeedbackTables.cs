using System.Globalization;
using System.Text;
using Google.Protobuf;
using Targeting.Common.V1;
using Targeting.Feedback.Analysis;
using Targeting.Feedback.V1;

namespace Targeting.Cli.Commands;

/// <summary>
/// How <c>targeting feedback</c> shows its reports: aligned text tables for the terminal, and for
/// --out a JSON file (the proto's JSON form) or a CSV file (one line per figure, "tidy", so a
/// spreadsheet can filter it; the transparency report keeps its own published layout).
/// </summary>
internal static class FeedbackTables
{
    /// <summary>Marks an estimate resting on a small count (flagged, not hidden; see docs/statistics.md).</summary>
    public const string SmallCountMark = "*";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    /// <summary>A simple aligned table: first column left-aligned, the rest right-aligned.</summary>
    public sealed class Table(params string[] header)
    {
        private readonly List<string[]> _rows = [];

        public Table Add(params string[] cells)
        {
            _rows.Add(cells);
            return this;
        }

        public void WriteTo(TextWriter output, string indent = "  ")
        {
            var widths = new int[header.Length];
            foreach (var row in _rows.Prepend(header))
            {
                for (var i = 0; i < row.Length && i < widths.Length; i++)
                {
                    widths[i] = Math.Max(widths[i], row[i].Length);
                }
            }

            foreach (var row in _rows.Prepend(header))
            {
                var line = new StringBuilder(indent);
                for (var i = 0; i < widths.Length; i++)
                {
                    var cell = i < row.Length ? row[i] : "";
                    line.Append(i == 0 ? cell.PadRight(widths[i]) : "  " + cell.PadLeft(widths[i]));
                }

                output.WriteLine(line.ToString().TrimEnd());
            }
        }
    }

    /// <summary>"15.8 (15.2–16.4)", a trailing * for a small count, "n/a" when undefined.</summary>
    public static string Interval(Estimate? estimate, bool percent = false)
    {
        if (estimate is null || double.IsNaN(estimate.Value))
        {
            return "n/a";
        }

        var scale = percent ? 100 : 1;
        var digits = Digits(estimate.Value * scale);
        var text = $"{Number(estimate.Value * scale, digits)}{(percent ? "%" : "")} ({Number(estimate.Lower * scale, digits)}–{Number(estimate.Upper * scale, digits)})";
        return estimate.SmallCount ? text + SmallCountMark : text;
    }

    public static string Count(long value) => value.ToString("N0", Invariant);

    public static string PValue(double p) =>
        double.IsNaN(p) ? "n/a" : p < 0.0001 ? "<0.0001" : p.ToString("0.0000", Invariant);

    public static string Number(double value, int digits = 2) =>
        double.IsNaN(value) ? "n/a" : double.IsInfinity(value) ? (value > 0 ? "inf" : "-inf") : value.ToString("N" + digits, Invariant);

    public static string Month(TimeWindow? window)
    {
        if (window?.Start is null || window.End is null)
        {
            return "all data";
        }

        var months = LondonMonths.Spanned(window.Start.ToDateTime(), window.End.ToDateTime());
        return months.Count == 0 ? "empty window" : $"{LondonMonths.Format(months[0])} to {LondonMonths.Format(months[^1])}";
    }

    // Fewer decimals for larger numbers: 87.5, 5.55, 0.931.
    private static int Digits(double value) => Math.Abs(value) switch
    {
        >= 100 => 0,
        >= 10 => 1,
        >= 1 => 2,
        _ => 3,
    };

    /// <summary>The fairness report as text.</summary>
    public static void WriteFairness(FairnessReport report, TextWriter output)
    {
        var where = string.IsNullOrEmpty(report.Borough) ? "the whole force" : report.Borough;
        output.WriteLine($"Fairness: {where}, {Month(report.Window)} ({Number(report.Years, 2)} years of data)");
        output.WriteLine($"Searches: {Count(report.Searches)}" + (string.IsNullOrEmpty(report.Borough) ? "" :
            $" located in the borough (not placeable in any borough: {Count(report.SearchesUnlocated)} without a location, " +
            $"{Count(report.SearchesOutsideBoroughs)} outside every borough polygon)"));
        output.WriteLine($"Population: {report.PopulationSource}");
        foreach (var table in report.Tables)
        {
            output.WriteLine();
            var basis = table.Basis == EthnicityBasis.SelfDefined ? "self-defined" : "officer-defined";
            output.WriteLine($"Searches per 1,000 residents by {basis} ethnicity (unknown: {Count(table.Unknown)}; of a group with no population: {Count(table.Unrated)})");
            var rows = new Table("group", "searches", "residents", "per 1,000 (95% CI)", "per 1,000 a year", "ratio to White (95% CI)");
            foreach (var group in table.Groups)
            {
                rows.Add(group.Group, Count(group.Searches), Count(group.Population), Interval(group.RatePer1000),
                    group.RatePer1000PerYear is null ? "n/a" : Number(group.RatePer1000PerYear.Value, Digits(group.RatePer1000PerYear.Value)),
                    group.RatioToWhite is null ? "—" : Interval(group.RatioToWhite));
            }

            rows.WriteTo(output);
        }

        if (report.Mismatch.Count > 0)
        {
            output.WriteLine();
            output.WriteLine($"Officer-defined (rows) by self-defined (columns) ethnicity; agreement where both known: {Interval(report.EthnicityAgreement, percent: true)}");
            var self = report.Mismatch.Select(c => c.SelfDefined).Distinct().OrderBy(GroupOrder).ToList();
            var officer = report.Mismatch.Select(c => c.OfficerDefined).Distinct().OrderBy(GroupOrder).ToList();
            var cross = new Table(["officer \\ self", .. self]);
            foreach (var row in officer)
            {
                cross.Add([row, .. self.Select(column => Count(report.Mismatch.Where(c => c.OfficerDefined == row && c.SelfDefined == column).Sum(c => c.Count)))]);
            }

            cross.WriteTo(output);
        }

        output.WriteLine();
        output.WriteLine(report.PlanIds.Count == 0
            ? "Outcome test: no patrol plan was active in the window, so no search is inside a patrol area."
            : $"Outcome test, inside vs outside the areas of plan(s) {string.Join(", ", report.PlanIds)} (one-sided, Holm-adjusted p):");
        if (report.OutcomeTests.Count > 0)
        {
            var outcome = new Table("group", "find inside", "find outside", "p", "arrest inside", "arrest outside", "p", "alert");
            foreach (var row in report.OutcomeTests)
            {
                outcome.Add(row.Group, Interval(row.FindRateInside, true), Interval(row.FindRateOutside, true), PValue(row.FindPValueHolm),
                    Interval(row.ArrestRateInside, true), Interval(row.ArrestRateOutside, true), PValue(row.ArrestPValueHolm),
                    row.Alert ? "ALERT: " + row.AlertReason : "");
            }

            outcome.WriteTo(output);
        }

        output.WriteLine();
        output.WriteLine($"Find: {report.FindDefinition}");
        if (!string.IsNullOrWhiteSpace(report.Notes))
        {
            output.WriteLine($"Notes: {report.Notes}");
        }

        output.WriteLine($"{SmallCountMark} small count: flagged, not hidden (fewer than 20 events for a rate; fewer than 5 successes or 30 trials for a proportion).");
    }

    /// <summary>The transparency report as text: counts by borough and month, suppressed ones shown as [c].</summary>
    public static void WriteTransparency(TransparencyReport report, TextWriter output)
    {
        output.WriteLine($"Transparency report: {Month(report.Window)}; counts from 1 to {report.SuppressionThreshold - 1} suppressed, with complementary cells, shown as {TransparencyFormats.SuppressedMark}");
        var ethnicities = report.Rows.FirstOrDefault()?.SearchesByEthnicity.Keys.OrderBy(GroupOrder).ToArray() ?? [];
        var table = new Table(["borough", "month", "searches", "arrests", "finds", "in patrol areas", .. ethnicities]);
        foreach (var row in report.Rows)
        {
            table.Add([row.Borough, row.Month, Cell(row.Searches), Cell(row.Arrests), Cell(row.Finds), Cell(row.InsidePatrolAreas),
                .. ethnicities.Select(e => Cell(row.SearchesByEthnicity.GetValueOrDefault(e)))]);
        }

        table.WriteTo(output);
        if (report.Rows.Count == 0)
        {
            output.WriteLine("  (no searches in the window)");
        }

        output.WriteLine();
        output.WriteLine(report.MethodNote);
        output.WriteLine("Searches by object of search are in the JSON and CSV output (--out).");
    }

    /// <summary>A plan evaluation and its crime-change assessment as text.</summary>
    public static void WriteEvaluation(PlanEvaluation evaluation, CrimeChangeReport? change, TextWriter output)
    {
        output.WriteLine($"Plan evaluation: {evaluation.PlanId}, {Month(evaluation.Window)}");
        output.WriteLine($"Searches: {Count(evaluation.StopsTotal)} in the window ({Count(evaluation.StopsUnlocated)} without a location); " +
            $"{Count(evaluation.StopsLocated)} in the plan's area of interest, {Count(evaluation.StopsInside)} inside its patrol areas");
        output.WriteLine($"Share of searches inside the patrol areas: {Interval(evaluation.ShareInside, true)} (patrol areas cover {Number(evaluation.CoverageFraction * 100, 2)}% of the area)");
        output.WriteLine();
        var rates = new Table("", "inside", "outside", "difference (95% CI)", "p (two-sided)");
        rates.Add("find rate", Interval(evaluation.FindRateInside, true), Interval(evaluation.FindRateOutside, true), Difference(evaluation.FindRateDifference), PValue(evaluation.FindRateDifference?.PValue ?? double.NaN));
        rates.Add("arrest rate", Interval(evaluation.ArrestRateInside, true), Interval(evaluation.ArrestRateOutside, true), Difference(evaluation.ArrestRateDifference), PValue(evaluation.ArrestRateDifference?.PValue ?? double.NaN));
        rates.WriteTo(output);
        output.WriteLine($"  find: {evaluation.FindDefinition}");
        output.WriteLine();
        output.WriteLine($"Incidents ({string.Join(", ", evaluation.CrimeTypes)}): {Count(evaluation.IncidentsInside)} of {Count(evaluation.IncidentsTotal)} inside the patrol areas");
        var performance = new Table("hit rate (95% CI)", "PAI", "PEI", "best possible");
        performance.Add(Interval(evaluation.HitRate, true), Number(evaluation.Pai), Number(evaluation.Pei), Count(evaluation.IncidentsBestPossible));
        performance.WriteTo(output);
        output.WriteLine($"  inside: {evaluation.InsideBasis}");
        if (!string.IsNullOrWhiteSpace(evaluation.Notes))
        {
            output.WriteLine($"  notes: {evaluation.Notes}");
        }

        if (change is null)
        {
            return;
        }

        output.WriteLine();
        output.WriteLine($"Crime change: before {Month(change.Before)}, after {Month(change.After)}; control: {change.ControlDefinition}");
        var counts = new Table("", "before", "after");
        counts.Add("patrol areas", Count(change.TargetedBefore), Count(change.TargetedAfter));
        counts.Add($"control ({change.ControlCells} cells of {Number(change.CellSizeM, 0)} m)", Count(change.ControlBefore), Count(change.ControlAfter));
        counts.Add($"buffer ({Number(change.BufferM, 0)} m)", Count(change.BufferBefore), Count(change.BufferAfter));
        counts.WriteTo(output);
        output.WriteLine($"  rate ratio (difference in differences, below 1 = fell more in the patrol areas): {Interval(change.RateRatio)}, p = {PValue(change.RateRatioPValue)}");
        output.WriteLine($"  weighted displacement quotient: {Number(change.WeightedDisplacementQuotient, 3)} (success measure {Number(change.SuccessMeasure, 4)}, buffer displacement measure {Number(change.BufferDisplacementMeasure, 4)}, total net effect {Number(change.TotalNetEffect, 1)})");
        if (!string.IsNullOrWhiteSpace(change.Notes))
        {
            output.WriteLine($"  notes: {change.Notes}");
        }

        output.WriteLine($"{SmallCountMark} small count: flagged, not hidden.");
    }

    /// <summary>JSON of one message, or of several under their names.</summary>
    public static string ToJson(params (string Name, IMessage? Message)[] parts)
    {
        if (parts.Length == 1)
        {
            return Json.Format(parts[0].Message) + "\n";
        }

        var json = new StringBuilder("{\n");
        var present = parts.Where(p => p.Message is not null).ToList();
        for (var i = 0; i < present.Count; i++)
        {
            json.Append(Invariant, $"  \"{present[i].Name}\": {Json.Format(present[i].Message)}{(i < present.Count - 1 ? "," : "")}\n");
        }

        return json.Append("}\n").ToString();
    }

    /// <summary>The roads-policing report as text.</summary>
    public static void WriteRoads(VehicleStopsReport report, TextWriter output)
    {
        var where = string.IsNullOrEmpty(report.Borough) ? "the whole force" : report.Borough;
        output.WriteLine($"Vehicle stops: {where}, {Month(report.Window)}: {Count(report.VehicleStops)} stops" +
            (report.Unlocated > 0 ? $" ({Count(report.Unlocated)} without a location)" : ""));
        if (report.VehicleStops == 0)
        {
            output.WriteLine("No vehicle stops in the window: they are the encounters the roads-policing pilot records (VEHICLE_STOP_WITHOUT_SEARCH, " +
                "or a vehicle search with the vehicle's make). data.police.uk's stop-and-search files have none; record them with RecordEncounter, or import real ones with " +
                "'targeting import stops FILE --format open-policing --time-zone ZONE'.");
            return;
        }

        output.WriteLine();
        output.WriteLine($"Veil of darkness: {Count(report.InterTwilightStops)} stops in the inter-twilight window ({report.InterTwilightWindow}), " +
            $"{Count(report.TwilightDropped)} in civil twilight left out");
        if (report.Darkness.Count == 0)
        {
            output.WriteLine("  no group could be compared with White drivers in that window");
        }
        else
        {
            var darkness = new Table("group vs White", "coefficient (95% CI)", "odds ratio", "p", "group light/dark", "White light/dark", "note");
            foreach (var test in report.Darkness)
            {
                darkness.Add(test.Group,
                    double.IsNaN(test.Coefficient) ? "n/a" : $"{Number(test.Coefficient, 3)} ({Number(test.CiLow, 3)} to {Number(test.CiHigh, 3)})",
                    double.IsNaN(test.OddsRatio) ? "n/a" : Number(test.OddsRatio, 2), double.IsNaN(test.PValue) ? "n/a" : PValue(test.PValue),
                    $"{Count(test.GroupLight)}/{Count(test.GroupDark)}", $"{Count(test.WhiteLight)}/{Count(test.WhiteDark)}", test.Note);
            }

            darkness.WriteTo(output);
            output.WriteLine("  A coefficient below 0 means relatively fewer of the group stopped in the dark than in daylight at the same clock time.");
        }

        output.WriteLine();
        output.WriteLine("After the stop, by officer-defined ethnicity (Wilson 95% CIs):");
        var outcomes = new Table("group", "stops", "searched", "searches finding", "arrested", "alert");
        foreach (var row in report.Outcomes)
        {
            outcomes.Add(row.Group, Count(row.Stops), Interval(row.SearchRate, true), Interval(row.FindRate, true), Interval(row.ArrestRate, true),
                row.LoweredBarAlert ? "ALERT: " + row.AlertReason : "");
        }

        outcomes.WriteTo(output);
        foreach (var (title, breakdown) in RoadsBreakdowns(report))
        {
            output.WriteLine();
            output.WriteLine($"By {title} (unknown: {Count(breakdown.Unknown)}){(string.IsNullOrEmpty(breakdown.Note) ? "" : "; " + breakdown.Note)}");
            var table = new Table(title, "stops", "share (95% CI)");
            foreach (var row in breakdown.Rows)
            {
                table.Add(row.Category, Count(row.Count), Interval(row.Share, true));
            }

            table.WriteTo(output);
        }

        output.WriteLine();
        output.WriteLine($"Notes: {report.Notes}");
    }

    /// <summary>The roads-policing report as tidy CSV.</summary>
    public static string RoadsCsv(VehicleStopsReport report)
    {
        var csv = new TidyCsv();
        var where = report.Borough;
        csv.Count(where, "vehicle_stops", "", "", "", report.VehicleStops);
        foreach (var test in report.Darkness)
        {
            csv.Value(where, "darkness_coefficient", "officer-defined", test.Group, "vs White", test.Coefficient);
            csv.Value(where, "darkness_ci_low", "officer-defined", test.Group, "vs White", test.CiLow);
            csv.Value(where, "darkness_ci_high", "officer-defined", test.Group, "vs White", test.CiHigh);
            csv.Value(where, "darkness_odds_ratio", "officer-defined", test.Group, "vs White", test.OddsRatio);
        }

        foreach (var row in report.Outcomes)
        {
            csv.Add(where, "search_rate", "officer-defined", row.Group, "", row.SearchRate);
            csv.Add(where, "find_rate", "officer-defined", row.Group, "", row.FindRate);
            csv.Add(where, "arrest_rate", "officer-defined", row.Group, "", row.ArrestRate);
            csv.Value(where, "alert", "officer-defined", row.Group, row.AlertReason, row.LoweredBarAlert ? 1 : 0);
        }

        foreach (var (title, breakdown) in RoadsBreakdowns(report))
        {
            foreach (var row in breakdown.Rows)
            {
                csv.Count(where, "stops_by_" + title.Replace(' ', '_'), "", row.Category, "", row.Count);
            }
        }

        return csv.ToString();
    }

    private static (string Title, CategoryBreakdown Breakdown)[] RoadsBreakdowns(VehicleStopsReport report) =>
    [
        ("ethnicity", report.ByEthnicity), ("sex", report.BySex), ("age range", report.ByAgeRange), ("borough", report.ByBorough),
        ("hour", report.ByHour), ("day of week", report.ByDayOfWeek), ("vehicle make", report.ByVehicleMake), ("vehicle model", report.ByVehicleModel),
    ];

    /// <summary>The fairness report as tidy CSV: one line per figure.</summary>
    public static string FairnessCsv(FairnessReport report)
    {
        var csv = new TidyCsv();
        foreach (var table in report.Tables)
        {
            var basis = table.Basis == EthnicityBasis.SelfDefined ? "self-defined" : "officer-defined";
            foreach (var group in table.Groups)
            {
                csv.Add(report.Borough, "rate_per_1000", basis, group.Group, "", group.RatePer1000);
                csv.Add(report.Borough, "rate_per_1000_per_year", basis, group.Group, "", group.RatePer1000PerYear);
                csv.Add(report.Borough, "ratio_to_white", basis, group.Group, "", group.RatioToWhite);
            }

            csv.Count(report.Borough, "unknown", basis, "", "", table.Unknown);
            csv.Count(report.Borough, "unrated", basis, "", "", table.Unrated);
        }

        foreach (var cell in report.Mismatch)
        {
            csv.Count(report.Borough, "mismatch", "officer-defined by self-defined", cell.OfficerDefined, cell.SelfDefined, cell.Count);
        }

        csv.Add(report.Borough, "ethnicity_agreement", "", "", "", report.EthnicityAgreement);
        foreach (var row in report.OutcomeTests)
        {
            csv.Add(report.Borough, "find_rate", "officer-defined", row.Group, "inside", row.FindRateInside);
            csv.Add(report.Borough, "find_rate", "officer-defined", row.Group, "outside", row.FindRateOutside);
            csv.Value(report.Borough, "find_p_value_holm", "officer-defined", row.Group, "", row.FindPValueHolm);
            csv.Add(report.Borough, "arrest_rate", "officer-defined", row.Group, "inside", row.ArrestRateInside);
            csv.Add(report.Borough, "arrest_rate", "officer-defined", row.Group, "outside", row.ArrestRateOutside);
            csv.Value(report.Borough, "arrest_p_value_holm", "officer-defined", row.Group, "", row.ArrestPValueHolm);
            csv.Value(report.Borough, "alert", "officer-defined", row.Group, row.AlertReason, row.Alert ? 1 : 0);
        }

        csv.Count(report.Borough, "searches", "", "", "", report.Searches);
        return csv.ToString();
    }

    /// <summary>The plan evaluation and crime change as tidy CSV.</summary>
    public static string EvaluationCsv(PlanEvaluation evaluation, CrimeChangeReport? change)
    {
        var csv = new TidyCsv();
        var plan = evaluation.PlanId;
        csv.Count(plan, "searches_total", "", "", "", evaluation.StopsTotal);
        csv.Count(plan, "searches_located", "", "", "", evaluation.StopsLocated);
        csv.Count(plan, "searches_inside", "", "", "", evaluation.StopsInside);
        csv.Add(plan, "share_inside", "", "", "", evaluation.ShareInside);
        csv.Add(plan, "find_rate", "", "", "inside", evaluation.FindRateInside);
        csv.Add(plan, "find_rate", "", "", "outside", evaluation.FindRateOutside);
        csv.Value(plan, "find_rate_difference_p_value", "", "", "", evaluation.FindRateDifference?.PValue ?? double.NaN);
        csv.Add(plan, "arrest_rate", "", "", "inside", evaluation.ArrestRateInside);
        csv.Add(plan, "arrest_rate", "", "", "outside", evaluation.ArrestRateOutside);
        csv.Value(plan, "arrest_rate_difference_p_value", "", "", "", evaluation.ArrestRateDifference?.PValue ?? double.NaN);
        csv.Count(plan, "incidents_total", "", "", "", evaluation.IncidentsTotal);
        csv.Count(plan, "incidents_inside", "", "", "", evaluation.IncidentsInside);
        csv.Add(plan, "hit_rate", "", "", "", evaluation.HitRate);
        csv.Value(plan, "pai", "", "", "", evaluation.Pai);
        csv.Value(plan, "pei", "", "", "", evaluation.Pei);
        if (change is not null)
        {
            csv.Count(plan, "crime_change_count", "targeted", "", "before", change.TargetedBefore);
            csv.Count(plan, "crime_change_count", "targeted", "", "after", change.TargetedAfter);
            csv.Count(plan, "crime_change_count", "control", "", "before", change.ControlBefore);
            csv.Count(plan, "crime_change_count", "control", "", "after", change.ControlAfter);
            csv.Count(plan, "crime_change_count", "buffer", "", "before", change.BufferBefore);
            csv.Count(plan, "crime_change_count", "buffer", "", "after", change.BufferAfter);
            csv.Add(plan, "crime_change_rate_ratio", "", "", "", change.RateRatio);
            csv.Value(plan, "crime_change_p_value", "", "", "", change.RateRatioPValue);
            csv.Value(plan, "weighted_displacement_quotient", "", "", "", change.WeightedDisplacementQuotient);
        }

        return csv.ToString();
    }

    private static string Difference(ProportionComparison? comparison) =>
        comparison is null || double.IsNaN(comparison.Difference) ? "n/a"
            : $"{Number(comparison.Difference * 100, 1)} pts ({Number(comparison.DifferenceLower * 100, 1)} to {Number(comparison.DifferenceUpper * 100, 1)})";

    private static string Cell(PublicCount? count) =>
        count is null ? "" : count.Suppressed ? TransparencyFormats.SuppressedMark : Count(count.Value);

    private static int GroupOrder(string group) => group switch
    {
        "White" => 0,
        "Black" => 1,
        "Asian" => 2,
        "Other" => 3,
        "Mixed" => 4,
        _ => 5,
    };

    /// <summary>scope, measure, basis, group, part, value, lower, upper, numerator, denominator, small_count, method.</summary>
    private sealed class TidyCsv
    {
        private readonly StringBuilder _csv = new("scope,measure,basis,group,part,value,lower,upper,numerator,denominator,small_count,method\n");

        public void Add(string scope, string measure, string basis, string group, string part, Estimate? estimate)
        {
            if (estimate is null)
            {
                return;
            }

            Line(scope, measure, basis, group, part, R(estimate.Value), R(estimate.Lower), R(estimate.Upper),
                estimate.Numerator.ToString(Invariant), R(estimate.Denominator), estimate.SmallCount ? "true" : "false", estimate.Method);
        }

        public void Count(string scope, string measure, string basis, string group, string part, long count) =>
            Line(scope, measure, basis, group, part, count.ToString(Invariant), "", "", "", "", "", "");

        public void Value(string scope, string measure, string basis, string group, string part, double value) =>
            Line(scope, measure, basis, group, part, R(value), "", "", "", "", "", "");

        public override string ToString() => _csv.ToString();

        private void Line(params string[] cells) => _csv.Append(string.Join(',', cells.Select(Quote))).Append('\n');

        private static string R(double value) => double.IsNaN(value) ? "" : value.ToString("R", Invariant);

        private static string Quote(string text) =>
            text.IndexOfAny([',', '"', '\n', '\r']) < 0 ? text : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
