using System.Globalization;
using System.Text;
using Targeting.Common.V1;
using Targeting.Feedback.V1;
using static System.Net.WebUtility;

namespace Targeting.Cli.Commands;

/// <summary>
/// The roads-policing pilot report: one self-contained, printable HTML document (no scripts, no
/// fonts or libraries fetched) for the window of a <see cref="VehicleStopsReport"/>: the veil-of-darkness
/// result with its plot (an inline SVG drawn here), post-stop outcomes, the descriptive tables, and what
/// the test can and cannot show, in plain words.
/// </summary>
internal static class PilotReport
{
    /// <summary>Bins with fewer stops than this (light or dark) get no point on the plot: a share of a handful of stops says little.</summary>
    public const int MinimumStopsPerPoint = 20;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    // Colour-blind-safe pair (Okabe and Ito), also told apart by marker shape and line style in print.
    private const string LightColour = "#D55E00";
    private const string DarkColour = "#0072B2";

    public static string Html(VehicleStopsReport report, DateTimeOffset generated)
    {
        var where = string.IsNullOrEmpty(report.Borough) ? "whole force" : report.Borough;
        var window = FeedbackTables.Month(report.Window);
        var html = new StringBuilder();
        html.Append($$"""
            <!DOCTYPE html>
            <html lang="en-GB">
            <head>
            <meta charset="utf-8">
            <title>Roads policing pilot report: {{HtmlEncode(where)}}, {{HtmlEncode(window)}}</title>
            <style>
            @page { size: A4; margin: 16mm 14mm; }
            body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 11pt; line-height: 1.4; color: #111; max-width: 180mm; margin: 0 auto; padding: 8mm 0; }
            h1 { font-size: 19pt; margin: 0 0 2mm; }
            h2 { font-size: 14pt; margin: 7mm 0 2mm; border-bottom: 1px solid #999; padding-bottom: 1mm; }
            h3 { font-size: 11.5pt; margin: 4mm 0 1mm; }
            p.meta { color: #444; margin: 0 0 4mm; }
            .summary { border: 1.5px solid #333; padding: 3mm 4mm; background: #f4f4f4; }
            .summary p { margin: 1.5mm 0; }
            table { border-collapse: collapse; margin: 2mm 0 3mm; font-size: 10pt; page-break-inside: avoid; }
            table.wide { width: 100%; font-size: 9.5pt; }
            th, td { border: 1px solid #bbb; padding: 1mm 2mm; text-align: left; vertical-align: top; }
            td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
            th { background: #e6e6e6; }
            .alert { font-weight: bold; color: #8b0000; }
            figure { margin: 3mm 0; page-break-inside: avoid; }
            figcaption { font-size: 9.5pt; color: #333; }
            .tables { display: flex; flex-wrap: wrap; gap: 0 8mm; }
            .tables section { page-break-inside: avoid; }
            small { color: #444; }
            </style>
            </head>
            <body>
            <h1>Roads policing pilot: are vehicle stops proportionate?</h1>
            <p class="meta">{{HtmlEncode(where)}}, {{HtmlEncode(window)}} &middot; {{Count(report.VehicleStops)}} vehicle stops &middot; generated {{generated.ToString("d MMMM yyyy HH:mm 'UTC'", Invariant)}} by <code>targeting feedback roads</code></p>

            """);

        WriteSummary(html, report);
        WriteDarkness(html, report);
        WriteOutcomes(html, report);
        WriteTables(html, report);
        WriteLimits(html, report);
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void WriteSummary(StringBuilder html, VehicleStopsReport report)
    {
        html.Append("<div class=\"summary\">\n<p><strong>In short.</strong> ");
        if (report.VehicleStops == 0)
        {
            html.Append("There were no vehicle stops in this window, so nothing can be said.</p>\n</div>\n");
            return;
        }

        html.Append(HtmlEncode($"{Count(report.VehicleStops)} vehicle stops were recorded. {Count(report.InterTwilightStops)} of them fell in the evening hours " +
            $"that are light on some days and dark on others ({report.InterTwilightWindow}); those are the stops the veil-of-darkness test compares."));
        html.Append("</p>\n");
        foreach (var test in report.Darkness)
        {
            html.Append("<p>").Append(HtmlEncode(Sentence(test, string.IsNullOrEmpty(report.Borough)))).Append("</p>\n");
        }

        var alerts = report.Outcomes.Where(o => o.LoweredBarAlert).Select(o => o.Group).ToList();
        html.Append("<p>").Append(HtmlEncode(alerts.Count == 0
            ? "After the stop, no group's searches found less than White drivers' searches by a margin the data can tell from chance (no lowered-bar alert)."
            : $"After the stop, searches of {string.Join(" and ", alerts)} drivers found less than searches of White drivers: a prompt to review whether " +
                "the bar to search them is lower (a lowered-bar alert), not proof of it.")).Append("</p>\n</div>\n");
    }

    /// <summary>The darkness result for one group in plain words.</summary>
    internal static string Sentence(DarknessTest test, bool placeEffect)
    {
        if (!string.IsNullOrEmpty(test.Note) || double.IsNaN(test.OddsRatio))
        {
            return $"{test.Group} drivers: too few stops in the window to run the test ({Count(test.GroupLight + test.GroupDark)} {test.Group} drivers; the fit failed: {test.Note}).";
        }

        var low = Math.Exp(test.CiLow);
        var high = Math.Exp(test.CiHigh);
        var change = test.OddsRatio < 1 ? $"{Number((1 - test.OddsRatio) * 100, 0)}% lower" : $"{Number((test.OddsRatio - 1) * 100, 0)}% higher";
        var range = $"odds ratio {Number(test.OddsRatio, 2)}, 95% interval {Number(low, 2)} to {Number(high, 2)}";
        var verdict = high < 1
            ? "Fewer of them were stopped once officers could see less, which is what selecting drivers by ethnicity in daylight would produce; it is a reason to look closer, not proof."
            : low > 1
                ? "More of them were stopped after dark, the opposite of what selection by ethnicity in daylight would produce."
                : "The interval includes no difference, so the test finds no clear sign of selection by ethnicity in daylight (which is not the same as showing there is none).";
        return $"{test.Group} drivers: after dark, at the same clock time{(placeEffect ? " and place" : "")}, the odds that a stopped driver was {test.Group} " +
            $"rather than White were {change} than in daylight ({range}; {Count(test.GroupLight + test.GroupDark)} {test.Group} and " +
            $"{Count(test.WhiteLight + test.WhiteDark)} White drivers). {verdict}";
    }

    private static void WriteDarkness(StringBuilder html, VehicleStopsReport report)
    {
        html.Append("<h2>1. The veil-of-darkness test</h2>\n<p>");
        html.Append(HtmlEncode("Officers can see a driver's ethnicity less well after dark. If drivers were stopped because of their ethnicity, " +
            "fewer minority drivers would be stopped in the dark than in daylight at the same time of the evening. Comparing the same clock times " +
            "(for example 19:00 in June, still light, with 19:00 in December, dark) keeps who is on the road much the same, so the test needs no estimate " +
            "of the driving population."));
        html.Append("</p>\n");
        html.Append(Plot(report));
        if (report.Darkness.Count > 0)
        {
            html.Append("<table class=\"wide\">\n<tr><th>Group vs White</th><th>Odds ratio, dark vs light (95% CI)</th><th>Coefficient (95% CI)</th><th>p</th>" +
                "<th>Group light / dark</th><th>White light / dark</th></tr>\n");
            foreach (var t in report.Darkness)
            {
                var ok = string.IsNullOrEmpty(t.Note) && !double.IsNaN(t.Coefficient);
                html.Append($"<tr><td>{HtmlEncode(t.Group)}</td>" +
                    $"<td class=\"n\">{(ok ? $"{Number(t.OddsRatio, 2)} ({Number(Math.Exp(t.CiLow), 2)} to {Number(Math.Exp(t.CiHigh), 2)})" : "not estimable")}</td>" +
                    $"<td class=\"n\">{(ok ? $"{Number(t.Coefficient, 3)} ({Number(t.CiLow, 3)} to {Number(t.CiHigh, 3)})" : "see below")}</td>" +
                    $"<td class=\"n\">{(ok ? FeedbackTables.PValue(t.PValue) : "")}</td>" +
                    $"<td class=\"n\">{Count(t.GroupLight)} / {Count(t.GroupDark)}</td><td class=\"n\">{Count(t.WhiteLight)} / {Count(t.WhiteDark)}</td></tr>\n");
            }

            html.Append("</table>\n");
            foreach (var t in report.Darkness.Where(t => !string.IsNullOrEmpty(t.Note)))
            {
                html.Append("<p><small>").Append(HtmlEncode($"{t.Group}: not estimable: {t.Note}.")).Append("</small></p>\n");
            }
        }

        html.Append("<p><small>").Append(HtmlEncode(
            $"Logistic regression of \"the driver is of the group\" (against White) on darkness, with a natural spline of clock time (6 degrees of freedom) " +
            $"and {(string.IsNullOrEmpty(report.Borough) ? "a fixed effect per place" : "no place effect (one place)")}; Grogger and Ridgeway (2006), as the " +
            $"Stanford Open Policing Project runs it (Pierson et al. 2020). Light: before sunset; dark: after the end of civil twilight (sun 6° below the " +
            $"horizon, NOAA solar position); {Count(report.TwilightDropped)} stops in twilight were left out.")).Append("</small></p>\n");
    }

    /// <summary>
    /// The plot: share of drivers other than White among stops in each 15-minute bin of the inter-twilight
    /// window, light and dark, as an inline SVG (drawn here: a dozen lines of geometry need no chart library).
    /// </summary>
    internal static string Plot(VehicleStopsReport report)
    {
        var bins = report.DarknessByClockTime;
        var light = bins.Where(b => b.LightStops >= MinimumStopsPerPoint).Select(b => (X: Mid(b), Y: (double)b.LightMinority / b.LightStops)).ToList();
        var dark = bins.Where(b => b.DarkStops >= MinimumStopsPerPoint).Select(b => (X: Mid(b), Y: (double)b.DarkMinority / b.DarkStops)).ToList();
        if (light.Count + dark.Count == 0)
        {
            return "<p><em>No plot: no 15-minute interval of the inter-twilight window has " + MinimumStopsPerPoint + " or more stops in daylight or in the dark.</em></p>\n";
        }

        const double width = 640, height = 330, left = 64, right = 150, top = 16, bottom = 52;
        var (plotW, plotH) = (width - left - right, height - top - bottom);
        var xMin = Math.Floor(bins.Min(b => b.StartMinute) / 60.0) * 60;
        var xMax = Math.Ceiling(bins.Max(b => b.StartMinute + b.Minutes) / 60.0) * 60;
        var yMaxData = light.Concat(dark).Max(p => p.Y);
        var yStep = yMaxData > 0.5 ? 0.2 : yMaxData > 0.2 ? 0.1 : 0.05;
        var yMax = Math.Max(yStep, Math.Ceiling((yMaxData + 1e-9) / yStep) * yStep);
        double X(double minute) => left + ((minute - xMin) / (xMax - xMin) * plotW);
        double Y(double share) => top + plotH - (share / yMax * plotH);

        var svg = new StringBuilder();
        svg.Append(Invariant, $"<figure>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"100%\" role=\"img\" " +
            $"aria-label=\"Share of drivers other than White among stops, by clock time, in daylight and in the dark\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">\n");
        for (var y = 0.0; y <= yMax + 1e-9; y += yStep)
        {
            svg.Append(Invariant, $"<line x1=\"{left}\" x2=\"{left + plotW}\" y1=\"{Y(y):0.#}\" y2=\"{Y(y):0.#}\" stroke=\"#ddd\"/>");
            svg.Append(Invariant, $"<text x=\"{left - 6}\" y=\"{Y(y) + 4:0.#}\" text-anchor=\"end\">{y * 100:0}%</text>\n");
        }

        var hourStep = (xMax - xMin) > 8 * 60 ? 120 : 60;
        for (var m = xMin; m <= xMax + 1e-9; m += hourStep)
        {
            svg.Append(Invariant, $"<line x1=\"{X(m):0.#}\" x2=\"{X(m):0.#}\" y1=\"{top}\" y2=\"{top + plotH}\" stroke=\"#eee\"/>");
            svg.Append(Invariant, $"<text x=\"{X(m):0.#}\" y=\"{top + plotH + 18}\" text-anchor=\"middle\">{Clock(m)}</text>\n");
        }

        svg.Append(Invariant, $"<rect x=\"{left}\" y=\"{top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#444\"/>\n");
        svg.Append(Invariant, $"<text x=\"{left + (plotW / 2)}\" y=\"{height - 10}\" text-anchor=\"middle\" font-size=\"13\">Clock time of the stop (local)</text>\n");
        svg.Append(Invariant, $"<text transform=\"translate(16 {top + (plotH / 2)}) rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">Drivers other than White</text>\n");
        Series(svg, light, LightColour, "", circle: true, X, Y);
        Series(svg, dark, DarkColour, " stroke-dasharray=\"6 4\"", circle: false, X, Y);

        // Legend to the right of the plot.
        var lx = left + plotW + 14;
        svg.Append(Invariant, $"<line x1=\"{lx}\" x2=\"{lx + 26}\" y1=\"{top + 20}\" y2=\"{top + 20}\" stroke=\"{LightColour}\" stroke-width=\"2\"/>" +
            $"<circle cx=\"{lx + 13}\" cy=\"{top + 20}\" r=\"4\" fill=\"{LightColour}\"/><text x=\"{lx + 32}\" y=\"{top + 24}\">Daylight</text>\n");
        svg.Append(Invariant, $"<line x1=\"{lx}\" x2=\"{lx + 26}\" y1=\"{top + 44}\" y2=\"{top + 44}\" stroke=\"{DarkColour}\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>" +
            $"<rect x=\"{lx + 9}\" y=\"{top + 40}\" width=\"8\" height=\"8\" fill=\"{DarkColour}\"/><text x=\"{lx + 32}\" y=\"{top + 48}\">Dark</text>\n");
        svg.Append(Invariant, $"<text x=\"{lx}\" y=\"{top + 76}\" font-size=\"10.5\" fill=\"#444\">Each point: the stops</text>" +
            $"<text x=\"{lx}\" y=\"{top + 90}\" font-size=\"10.5\" fill=\"#444\">in a 15-minute interval</text>" +
            $"<text x=\"{lx}\" y=\"{top + 104}\" font-size=\"10.5\" fill=\"#444\">({MinimumStopsPerPoint} or more).</text>\n");
        svg.Append("</svg>\n");
        svg.Append("<figcaption>").Append(HtmlEncode(
            "Share of stopped drivers who were not White, by clock time within the inter-twilight window, for stops in daylight (before sunset) and in the dark " +
            "(after dusk). Where the dark line runs below the daylight line at the same clock times, fewer minority drivers were stopped when officers could see less. " +
            "The plot does not adjust for place; the table's odds ratios do.")).Append("</figcaption>\n</figure>\n");
        return svg.ToString();
    }

    private static void Series(StringBuilder svg, List<(double X, double Y)> points, string colour, string dash, bool circle, Func<double, double> x, Func<double, double> y)
    {
        if (points.Count == 0)
        {
            return;
        }

        svg.Append($"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dash} points=\"");
        svg.AppendJoin(' ', points.Select(p => string.Create(Invariant, $"{x(p.X):0.#},{y(p.Y):0.#}")));
        svg.Append("\"/>\n");
        foreach (var p in points)
        {
            svg.Append(circle
                ? string.Create(Invariant, $"<circle cx=\"{x(p.X):0.#}\" cy=\"{y(p.Y):0.#}\" r=\"3.5\" fill=\"{colour}\"/>")
                : string.Create(Invariant, $"<rect x=\"{x(p.X) - 3.5:0.#}\" y=\"{y(p.Y) - 3.5:0.#}\" width=\"7\" height=\"7\" fill=\"{colour}\"/>"));
        }

        svg.Append('\n');
    }

    private static void WriteOutcomes(StringBuilder html, VehicleStopsReport report)
    {
        html.Append("<h2>2. After the stop: searches, finds and arrests</h2>\n<p>");
        html.Append(HtmlEncode("How often each group's stops led to a search, how often those searches found something (the outcome test: if one group's searches find " +
            "less, the bar to search them may be lower), and how often the stop ended in an arrest. Percentages with 95% (Wilson) intervals."));
        html.Append("</p>\n<table>\n<tr><th>Group</th><th>Stops</th><th>Searched</th><th>Searches finding</th><th>Arrested</th><th>Alert</th></tr>\n");
        foreach (var o in report.Outcomes)
        {
            html.Append($"<tr><td>{HtmlEncode(o.Group)}</td><td class=\"n\">{Count(o.Stops)}</td><td class=\"n\">{Rate(o.SearchRate)}</td>" +
                $"<td class=\"n\">{Rate(o.FindRate)}</td><td class=\"n\">{Rate(o.ArrestRate)}</td>" +
                $"<td{(o.LoweredBarAlert ? " class=\"alert\"" : "")}>{(o.LoweredBarAlert ? "Lowered bar: " + HtmlEncode(o.AlertReason) : "none")}</td></tr>\n");
        }

        html.Append("</table>\n");
        var mixes = report.Outcomes.Where(o => o.OutcomeMix.Count > 0).ToList();
        if (mixes.Count > 0)
        {
            var categories = mixes.SelectMany(o => o.OutcomeMix).GroupBy(c => c.Category).OrderByDescending(g => g.Sum(c => c.Count)).Select(g => g.Key).ToList();
            html.Append("<h3>How the stops ended</h3>\n<table>\n<tr><th>Group</th>");
            foreach (var c in categories)
            {
                html.Append("<th>").Append(HtmlEncode(c)).Append("</th>");
            }

            html.Append("</tr>\n");
            foreach (var o in mixes)
            {
                html.Append("<tr><td>").Append(HtmlEncode(o.Group)).Append("</td>");
                foreach (var c in categories)
                {
                    var cell = o.OutcomeMix.FirstOrDefault(m => m.Category == c);
                    html.Append("<td class=\"n\">").Append(cell is null ? "0" : $"{Count(cell.Count)} ({Percent(cell.Share)})").Append("</td>");
                }

                html.Append("</tr>\n");
            }

            html.Append("</table>\n");
        }
    }

    private static void WriteTables(StringBuilder html, VehicleStopsReport report)
    {
        html.Append("<h2>3. Who was stopped, where and when</h2>\n<div class=\"tables\">\n");
        foreach (var (title, breakdown) in new (string, CategoryBreakdown)[]
        {
            ("Ethnicity", report.ByEthnicity), ("Sex", report.BySex), ("Age range", report.ByAgeRange), ("Place", report.ByBorough),
            ("Day of the week", report.ByDayOfWeek), ("Hour of the day", report.ByHour), ("Vehicle make", report.ByVehicleMake), ("Vehicle model", report.ByVehicleModel),
        })
        {
            if (breakdown is null)
            {
                continue;
            }

            html.Append("<section>\n<h3>").Append(HtmlEncode(title)).Append("</h3>\n<table>\n<tr><th>")
                .Append(HtmlEncode(title)).Append("</th><th>Stops</th><th>Share (95% CI)</th></tr>\n");
            foreach (var row in breakdown.Rows)
            {
                html.Append($"<tr><td>{HtmlEncode(row.Category)}</td><td class=\"n\">{Count(row.Count)}</td><td class=\"n\">{Rate(row.Share)}</td></tr>\n");
            }

            if (breakdown.Rows.Count == 0)
            {
                html.Append("<tr><td colspan=\"3\">none recorded</td></tr>\n");
            }

            html.Append("</table>\n<small>").Append(HtmlEncode($"Not recorded: {Count(breakdown.Unknown)}." + (string.IsNullOrEmpty(breakdown.Note) ? "" : " " + breakdown.Note)))
                .Append("</small>\n</section>\n");
        }

        html.Append("</div>\n");
    }

    private static void WriteLimits(StringBuilder html, VehicleStopsReport report)
    {
        html.Append("<h2>4. What this can and cannot show</h2>\n<ul>\n");
        foreach (var line in new[]
        {
            "It can show whether the mix of drivers stopped changes when it gets dark, at the same time of the evening and in the same place. " +
                "A drop for a minority group is what officers choosing drivers by ethnicity in daylight would produce.",
            "It cannot prove or rule out bias. Street lighting lets officers see after dark too, which hides part of any effect; and if the people " +
                "on the road change with darkness itself (not with the clock), the comparison is no longer like with like.",
            "It speaks only to stops in the evening hours that are light on some days and dark on others, not to stops at other times of day.",
            "It says nothing about what happens after the stop: the search, find and arrest rates in section 2 do that, and a lower find rate for a group " +
                "is a prompt to review, not proof that the bar to search them was lower.",
            "Counts per resident are a weak guide for road stops: who lives in an area is not who drives through it. This report does not use them.",
            "Ethnicity is as the officer or the source records it, and groups with few stops give wide intervals: read the intervals, not just the central figures.",
        })
        {
            html.Append("<li>").Append(HtmlEncode(line)).Append("</li>\n");
        }

        html.Append("</ul>\n<h3>Notes from the analysis</h3>\n<p><small>").Append(HtmlEncode(report.Notes)).Append("</small></p>\n");
    }

    private static double Mid(DarknessClockBin bin) => bin.StartMinute + (bin.Minutes / 2.0);

    private static string Clock(double minutes) => TimeSpan.FromMinutes(minutes % (24 * 60)).ToString(@"hh\:mm", Invariant);

    private static string Count(long value) => value.ToString("N0", Invariant);

    private static string Number(double value, int digits) => value.ToString("N" + digits, Invariant);

    private static string Percent(Estimate? share) => share is null || double.IsNaN(share.Value) ? "n/a" : (share.Value * 100).ToString("0.0", Invariant) + "%";

    private static string Rate(Estimate? estimate) => HtmlEncode(FeedbackTables.Interval(estimate, percent: true));
}
