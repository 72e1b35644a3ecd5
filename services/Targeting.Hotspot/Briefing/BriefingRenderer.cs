using System.Globalization;
using System.Net;
using System.Text;
using NetTopologySuite.Geometries;
using Targeting.Hotspot.V1;

namespace Targeting.Hotspot.Briefing;

/// <summary>What a tasking briefing shows: a plan, and the shapes to draw it with (projected CRS, metres).</summary>
/// <param name="Plan">The patrol plan, as the service returns it.</param>
/// <param name="AreaOfInterest">The area the plan is for.</param>
/// <param name="Wards">Ward boundaries to draw under the areas (may be empty).</param>
/// <param name="PatrolAreaShapes">Each patrol area's shape, in the order of <c>Plan.Areas</c>.</param>
/// <param name="Sources">Where the incidents came from (file names, or the server's address).</param>
/// <param name="Handling">Marking, owner, review date and the clock (null: <see cref="BriefingHandling.Default"/> now).</param>
public sealed record BriefingDocument(
    PatrolPlan Plan,
    Geometry AreaOfInterest,
    IReadOnlyList<MapShape> Wards,
    IReadOnlyList<Geometry> PatrolAreaShapes,
    IReadOnlyList<string> Sources,
    BriefingHandling? Handling = null);

/// <summary>How a briefing is handled: its protective marking, who owns it, when it is reviewed, and the time it is printed.</summary>
/// <param name="Marking">The Government Security Classification marking printed at the top and bottom of every page.</param>
/// <param name="Owner">Who owns the briefing (empty: the plan's requester).</param>
/// <param name="ReviewDate">When it must be reviewed (null: the last day of the plan's valid window).</param>
/// <param name="Now">The clock: a plan whose valid window ended before it gets a banner.</param>
public sealed record BriefingHandling(string Marking, string Owner, DateTime? ReviewDate, DateTime Now)
{
    public const string DefaultMarking = "OFFICIAL-SENSITIVE";

    public static BriefingHandling Default => new(DefaultMarking, string.Empty, null, DateTime.UtcNow);
}

/// <summary>
/// Renders a tasking briefing as a self-contained HTML document that prints as two A4 portrait
/// pages: page 1 for officers (a map with street labels, one row per area saying where, how much
/// and when, and how to use the areas), page 2 for the analyst (the full evidence and the
/// provenance). The protective marking heads and foots every page through CSS <c>@page</c> margin
/// boxes. No scripts, no external resources, so it can be mailed, printed or opened offline.
/// </summary>
public static class BriefingRenderer
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string RenderHtml(BriefingDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var plan = document.Plan;
        var handling = document.Handling ?? BriefingHandling.Default;
        var provenance = plan.Provenance ?? new PlanProvenance();
        var owner = handling.Owner.Length > 0 ? handling.Owner : string.IsNullOrEmpty(plan.CreatedBy) ? "not recorded" : plan.CreatedBy;
        var review = handling.ReviewDate ?? plan.ValidWindow?.End?.ToDateTime().AddDays(-1);
        var title = $"Tasking briefing: {plan.AreaName}, {Window(plan.ValidWindow)}";
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(E(title)).Append("</title>\n<style>\n").Append(Css)
            .Append(PageCss(handling.Marking, plan.PlanId)).Append("</style>\n</head>\n<body>\n");

        html.Append("<section class=\"page page-1\">\n");
        html.Append("<p class=\"marking\">").Append(E(handling.Marking)).Append("</p>\n");
        html.Append("<header>\n<h1>").Append(E(title)).Append("</h1>\n<p class=\"lead\">").Append(E(Summary(plan))).Append("</p>\n")
            .Append("<p class=\"meta\">Owner ").Append(E(owner)).Append(" · review by ").Append(E(review is { } r ? r.ToString("d MMM yyyy", Invariant) : "not stated"))
            .Append(" · plan <code>").Append(E(plan.PlanId)).Append("</code> · generated ").Append(E(Time(provenance.GeneratedAt))).Append("</p>\n</header>\n");
        if (plan.ValidWindow?.End is { } end && end.ToDateTime() <= handling.Now)
        {
            html.Append("<p class=\"expired\" role=\"alert\"><strong>This plan has expired.</strong> Its period ended on ")
                .Append(E(end.ToDateTime().AddTicks(-1).ToString("d MMM yyyy", Invariant)))
                .Append(": do not task from it; ask for a new plan from the current data.</p>\n");
        }

        var labels = plan.Areas.Select((a, i) => new MapArea(a.AreaId, a.Name.Length > 0 ? a.Name : Where(a), document.PatrolAreaShapes[i])).ToList();
        html.Append("<figure class=\"map\">\n").Append(SvgMap.Render(document.AreaOfInterest, document.Wards, labels))
            .Append("\n<figcaption>Patrol areas (red) with the streets they cover, over ")
            .Append(document.Wards.Count > 0 ? "ward boundaries (grey, 2014 wards)" : "the area of interest")
            .Append("; black line: ").Append(E(plan.AreaName)).Append(". North up; scale bar bottom left.</figcaption>\n</figure>\n");
        AppendOfficerTable(html, plan);
        AppendHowToUse(html, plan);
        html.Append("</section>\n");

        html.Append("<section class=\"page page-2\">\n");
        html.Append("<p class=\"marking\">").Append(E(handling.Marking)).Append("</p>\n");
        AppendEvidence(html, plan);
        AppendProvenance(html, plan, document.Sources, owner);
        html.Append("<footer>Contains public sector information licensed under the Open Government Licence v3.0: data.police.uk (crimes and street names); GLA / ONS boundaries, contains OS data © Crown copyright and database right.</footer>\n");
        html.Append("</section>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static string Summary(PatrolPlan plan) =>
        string.Create(Invariant, $"{plan.Areas.Count} patrol area{(plan.Areas.Count == 1 ? "" : "s")} covering {Km2(plan.PatrolAreaM2)} ({Percent(plan.CoverageFraction)} of {plan.AreaName}), ") +
        $"expected to hold {Percent(plan.ExpectedShare)} of its harm-weighted crime in the period.";

    /// <summary>What officers call the area: its streets, else its wards.</summary>
    private static string Where(PatrolArea area) =>
        area.Name.Length > 0 ? area.Name : area.Wards.Count > 0 ? $"{string.Join(" / ", area.Wards)} ward{(area.Wards.Count == 1 ? "" : "s")}" : "unnamed";

    /// <summary>Whether any area has peak hours: only incidents with exact times give them.</summary>
    private static bool HasTimes(PatrolPlan plan) => plan.Areas.Any(a => a.PeakHours.Count > 0);

    private static void AppendOfficerTable(StringBuilder html, PatrolPlan plan)
    {
        var data = plan.Provenance?.DataWindow;
        var months = MonthsIn(data);
        var times = HasTimes(plan);
        html.Append("<table class=\"officer\">\n<colgroup><col class=\"c-rank\"/><col class=\"c-where\"/><col class=\"c-share\"/><col class=\"c-recent\"/><col class=\"c-when\"/></colgroup>\n<thead><tr>")
            .Append("<th>Rank</th><th>Where</th><th>Expected share</th><th>Recent crime (").Append(E(MonthRange(data))).Append(")</th><th>When to visit</th>")
            .Append("</tr></thead>\n<tbody>\n");
        foreach (var area in plan.Areas)
        {
            var perMonth = months > 0 ? (double)area.HistoricalCount / months : 0;
            var flag = area.FdrQ > 0.05 ? " <span class=\"flag\">not significant</span>" : "";
            html.Append("<tr><td class=\"num\"><strong>").Append(E(area.AreaId)).Append("</strong></td>")
                .Append("<td class=\"where\">").Append(E(Where(area))).Append(flag).Append("</td>")
                .Append("<td class=\"num\">").Append(Percent(area.ExpectedShare)).Append("</td>")
                .Append("<td class=\"num\">").Append(area.HistoricalCount.ToString("N0", Invariant))
                .Append(months > 0 ? string.Create(Invariant, $" ({perMonth:N0} a month)") : "").Append("</td>")
                .Append("<td>").Append(E(times ? When(area) : "vary the time*")).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n<p class=\"small\">Expected share: the forecast share of ").Append(E(plan.AreaName))
            .Append("'s harm-weighted crime in the period that falls in the area. Recent crime: the incidents that chose the areas (reported by the public) in the data window. ")
            .Append(times
                ? "When to visit: the local hours with most incidents in the area."
                : "*<strong>The data has no time of day</strong>: data.police.uk publishes street crime by month only, so no peak hours can be given; vary the times of your visits.")
            .Append("</p>\n");
    }

    private static string When(PatrolArea area) =>
        area.PeakHours.Count == 0 ? "no timed incidents" : string.Join(", ", area.PeakHours.Select(h => string.Create(Invariant, $"{h:00}:00–{(h + 1) % 24:00}:00")));

    private static void AppendHowToUse(StringBuilder html, PatrolPlan plan)
    {
        html.Append("<section class=\"how-to\">\n<h2>How to use these areas</h2>\n<ol>\n")
            .Append("<li><strong>Where and when.</strong> Visit the areas in rank order (A1 first) when there is time to spare, for ")
            .Append(E(Window(plan.ValidWindow))).Append(": short, frequent, unpredictable visits of 10 to 15 minutes rather than long stays (Koper 1995).</li>\n")
            .Append("<li><strong>Being in an area is not a ground for a search.</strong> Every stop and search still needs reasonable grounds about the person (PACE Code A): the areas say where to be, not whom to search.</li>\n")
            .Append("<li><strong>How to search.</strong> Explain the grounds, listen, offer a copy of the record, keep body-worn video on, record the encounter fully, and debrief afterwards.</li>\n")
            .Append("<li><strong>Afterwards.</strong> Encounters in the areas are linked to plan <code>").Append(E(plan.PlanId))
            .Append("</code>, so the feedback report can show whether the patrols worked and were fair. The evidence is on page 2.</li>\n</ol>\n</section>\n");
    }

    private static void AppendEvidence(StringBuilder html, PatrolPlan plan)
    {
        var provenance = plan.Provenance ?? new PlanProvenance();
        html.Append("<h2>Evidence for each area</h2>\n<table class=\"evidence\">\n")
            .Append("<colgroup><col class=\"e-id\"/><col class=\"e-z\"/><col class=\"e-q\"/><col class=\"e-harm\"/><col class=\"e-counts\"/><col class=\"e-size\"/><col class=\"e-wards\"/></colgroup>\n<thead><tr>")
            .Append("<th>Area</th><th>Gi* z</th><th>q</th><th>Harm (CCHI days)</th><th>Incidents: all = used + left out (why)</th><th>Size, compact&shy;ness</th><th>Wards</th>")
            .Append("</tr></thead>\n");
        foreach (var area in plan.Areas)
        {
            var all = area.CountsByType.Values.Sum();
            var leftOut = all - area.HistoricalCount;
            var types = string.Join(", ", area.CountsByType.OrderByDescending(t => t.Value).ThenBy(t => t.Key, StringComparer.Ordinal)
                .Select(t => $"{t.Key} {t.Value.ToString("N0", Invariant)}"));
            var significant = area.FdrQ <= 0.05;
            html.Append("<tbody").Append(significant ? "" : " class=\"not-significant\"").Append("><tr><td><strong>").Append(E(area.AreaId)).Append("</strong></td>")
                .Append("<td class=\"num\">").Append(area.GiZ.ToString("0.00", Invariant)).Append("</td>")
                .Append("<td class=\"num\">").Append(E(Q(area.FdrQ))).Append(significant ? "" : " <span class=\"flag\">not significant</span>").Append("</td>")
                .Append("<td class=\"num\">").Append(area.HarmScore.ToString("N0", Invariant)).Append("</td>")
                .Append("<td>").Append(E(string.Create(Invariant, $"{all:N0} = {area.HistoricalCount:N0} + {leftOut:N0}"))).Append(leftOut > 0 ? " (" + E(LeftOut(area, provenance)) + ")" : "").Append("</td>")
                .Append("<td>").Append(E(string.Create(Invariant, $"{area.AreaM2 / 10_000:0.0} ha, {area.Compactness:0.00}"))).Append("</td>")
                .Append("<td>").Append(E(string.Join(", ", area.Wards))).Append("</td></tr>\n")
                .Append("<tr class=\"detail\"><td></td><td colspan=\"6\"><strong>All by type:</strong> ").Append(E(types))
                .Append(area.Streets.Count > 0 ? ". <strong>Streets:</strong> " + E(Streets(area.Streets)) : "").Append("</td></tr></tbody>\n");
        }

        html.Append("</table>\n<p class=\"small\">Gi* z, q: Getis-Ord statistic of the area's best 100 m cell and its Benjamini-Hochberg false-discovery-rate q; ")
            .Append("q above 0.05: the cluster could be chance (<span class=\"flag\">not significant</span>). ")
            .Append("Harm: the used incidents weighted by the Cambridge Crime Harm Index (days of custody; weights below). ")
            .Append("Incidents: all inside the area in the data window; \"used\" chose the areas; \"left out\": discovered by police activity (drugs, weapons possession), kept out by the feedback-loop guard so that searching more does not keep an area listed, ")
            .Append("or a type of no harm weight. Compactness: Polsby-Popper, 1 for a circle. Streets: data.police.uk's anonymised points in the area, most incidents first.</p>\n");
    }

    /// <summary>The first streets, and how many more.</summary>
    private static string Streets(IReadOnlyList<string> streets) =>
        streets.Count <= 8 ? string.Join(", ", streets) : string.Join(", ", streets.Take(8)) + string.Create(Invariant, $" and {streets.Count - 8} more");

    /// <summary>What the left-out incidents of an area were: discovered types (when the guard excluded them), types of zero weight, and any rest.</summary>
    private static string LeftOut(PatrolArea area, PlanProvenance provenance)
    {
        var parts = new List<string>();
        long explained = 0;
        foreach (var (type, count) in area.CountsByType.OrderByDescending(t => t.Value).ThenBy(t => t.Key, StringComparer.Ordinal))
        {
            var discovered = provenance.DiscoveredPolicy is DiscoveredPolicy.Exclude or DiscoveredPolicy.Unspecified
                && Import.KnownCrimeTypes.DefaultProvenance(type) == Provenance.Discovered;
            var unweighted = provenance.HarmWeights.TryGetValue(type, out var weight) && weight == 0;
            if (discovered || unweighted)
            {
                parts.Add(string.Create(Invariant, $"{type} {count:N0}{(discovered ? ", discovered" : ", no weight")}"));
                explained += count;
            }
        }

        var rest = area.CountsByType.Values.Sum() - area.HistoricalCount - explained;
        if (rest > 0)
        {
            parts.Add(string.Create(Invariant, $"{rest:N0} others discovered by police"));
        }

        return parts.Count == 0 ? "none" : string.Join("; ", parts);
    }

    private static void AppendProvenance(StringBuilder html, PatrolPlan plan, IReadOnlyList<string> sources, string owner)
    {
        var p = plan.Provenance ?? new PlanProvenance();
        var parameters = p.Parameters ?? new MethodParameters();
        html.Append("<section class=\"provenance\">\n<h2>Provenance</h2>\n<dl>\n");
        Row(html, "Method", MethodName(p.Method) + (p.MethodChoice is { } choice && choice.Reason.Length > 0 ? $" ({choice.Reason})" : ""));
        Row(html, "Parameters", string.Create(Invariant,
            $"cell {parameters.CellSizeM:0.#} m; bandwidth {parameters.BandwidthM:0.#} m; half-life {parameters.HalfLifeDays:0.#} days; Gi* neighbourhood {parameters.NeighbourhoodM:0.#} m, FDR {parameters.FdrQ:0.###}; DBSCAN eps {parameters.DbscanEpsM:0.#} m, min points {parameters.DbscanMinPoints}; grid offset ({parameters.OriginOffsetXM:0.#}, {parameters.OriginOffsetYM:0.#}) m"));
        Row(html, "Data window; valid for", $"{Window(p.DataWindow)}; valid {Window(plan.ValidWindow)}");
        Row(html, "Area of interest", string.Create(Invariant, $"{plan.AreaName}, {Km2(plan.AreaOfInterestM2)}"));
        Row(html, "Budget", string.Create(Invariant, $"{Percent(plan.BudgetFraction)} of the area; used {Percent(plan.CoverageFraction)} ({plan.PatrolAreaM2:N0} m²)"));
        Row(html, "By provenance", string.Create(Invariant, $"reported {p.ReportedCount:N0}; discovered {p.DiscoveredCount:N0} (in {plan.AreaName}, by type below)"));
        Row(html, "Feedback-loop guard", string.Create(Invariant, $"{PolicyName(p.DiscoveredPolicy)}{(p.DiscoveredPolicy == DiscoveredPolicy.DownWeight ? $" (×{p.DiscoveredWeight:0.##})" : "")}"));
        Row(html, "Trained on", Sentence(p.TrainedOn));
        Row(html, "Harm weights (CCHI days)", p.HarmWeights.Count == 0
            ? "defaults"
            : string.Join(", ", p.HarmWeights.OrderByDescending(w => w.Value).ThenBy(w => w.Key, StringComparer.Ordinal).Select(w => $"{w.Key} {w.Value.ToString("0.##", Invariant)}")));
        Row(html, "Sources", (sources.Count == 0 ? "not recorded" : string.Join("; ", sources)) +
            "; street names: data.police.uk's snap points (\"On or near …\", data/gazetteer), wards where an area has none");
        Row(html, "Engine version", $"{p.EngineVersion}; projected CRS {p.Crs}; generated {Time(p.GeneratedAt)}");
        Row(html, "Requested by; owner", $"{(string.IsNullOrEmpty(plan.CreatedBy) ? "not recorded" : plan.CreatedBy)}{(string.IsNullOrEmpty(plan.Note) ? "" : $" (note: {plan.Note})")}; owner {owner}");

        html.Append("</dl>\n</section>\n");
    }

    private static int MonthsIn(Common.V1.TimeWindow? window)
    {
        if (window?.Start is null || window.End is null)
        {
            return 0;
        }

        var (start, end) = (window.Start.ToDateTime(), window.End.ToDateTime());
        return Math.Max(0, ((end.Year - start.Year) * 12) + end.Month - start.Month);
    }

    /// <summary>"Apr–Sep 2022" for a window of whole months.</summary>
    private static string MonthRange(Common.V1.TimeWindow? window)
    {
        if (window?.Start is null || window.End is null)
        {
            return "data window";
        }

        var start = window.Start.ToDateTime();
        var last = window.End.ToDateTime().AddTicks(-1);
        return start.Year == last.Year
            ? $"{start.ToString("MMM", Invariant)}–{last.ToString("MMM yyyy", Invariant)}"
            : $"{start.ToString("MMM yyyy", Invariant)}–{last.ToString("MMM yyyy", Invariant)}";
    }

    /// <summary>The page box: A4 portrait, with the marking top and bottom and page numbers, in CSS margin boxes (our header and footer).</summary>
    private static string PageCss(string marking, string planId) =>
        "@page { size: A4 portrait; margin: 14mm 11mm 13mm;\n" +
        $"  @top-center {{ content: \"{CssString(marking)}\"; font: bold 9pt sans-serif; color: #000; }}\n" +
        $"  @bottom-left {{ content: \"{CssString(marking)} · {CssString(planId)}\"; font: 7.5pt sans-serif; color: #333; }}\n" +
        "  @bottom-right { content: \"Page \" counter(page) \" of \" counter(pages); font: 7.5pt sans-serif; color: #333; }\n}\n";

    /// <summary>Text for a CSS string: quotes and backslashes escaped, no line breaks, no markup.</summary>
    private static string CssString(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", " ", StringComparison.Ordinal).Replace("\r", " ", StringComparison.Ordinal).Replace("<", "\\3c ", StringComparison.Ordinal);

    private static void Row(StringBuilder html, string term, string value) =>
        html.Append("<dt>").Append(E(term)).Append("</dt><dd>").Append(E(value)).Append("</dd>\n");

    /// <summary>A method's name in words, as the briefing prints it.</summary>
    public static string MethodName(Method method) => method switch
    {
        Method.NaiveCounts => "naive counts (harm-weighted incidents per grid cell)",
        Method.Kde => "retrospective kernel density (quartic kernel)",
        Method.Prospective => "prospective hotspotting (Bowers, Johnson and Pease 2004)",
        Method.GetisOrd => "Getis-Ord Gi* with Benjamini-Hochberg FDR",
        Method.Dbscan => "DBSCAN point clusters",
        Method.Learned => "learned risk model (LightGBM gradient-boosted trees on the cells' past)",
        _ => "the service default",
    };

    private static string PolicyName(DiscoveredPolicy policy) => policy switch
    {
        DiscoveredPolicy.DownWeight => "discovered incidents down-weighted",
        DiscoveredPolicy.Include => "discovered incidents included (comparison only)",
        _ => "discovered incidents excluded",
    };

    private static string Sentence(string text) =>
        string.IsNullOrWhiteSpace(text) ? "Not recorded." : char.ToUpperInvariant(text[0]) + text[1..] + (text.EndsWith('.') ? "" : ".");

    /// <summary>A window as "1 Oct 2022 to 31 Oct 2022" (whole days) or with times (UTC).</summary>
    public static string Window(Common.V1.TimeWindow? window)
    {
        if (window?.Start is null || window.End is null)
        {
            return "not stated";
        }

        var start = window.Start.ToDateTime();
        var end = window.End.ToDateTime();
        var lastDay = end.AddTicks(-1);
        return start.TimeOfDay == TimeSpan.Zero && end.TimeOfDay == TimeSpan.Zero
            ? $"{start.ToString("d MMM yyyy", Invariant)} to {lastDay.ToString("d MMM yyyy", Invariant)}"
            : $"{start.ToString("d MMM yyyy HH:mm", Invariant)} to {end.ToString("d MMM yyyy HH:mm", Invariant)} UTC";
    }

    private static string Time(Google.Protobuf.WellKnownTypes.Timestamp? time) =>
        time is null ? "not stated" : time.ToDateTime().ToString("d MMM yyyy HH:mm 'UTC'", Invariant);

    private static string Percent(double fraction) => (fraction * 100).ToString(fraction < 0.1 ? "0.0#" : "0.0", Invariant) + "%";

    private static string Km2(double m2) => (m2 / 1e6).ToString(m2 < 1e7 ? "0.00" : "0.0", Invariant) + " km²";

    private static string Q(double q) => q <= 0 ? "–" : q < 0.001 ? "< 0.001" : q.ToString("0.000", Invariant);

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);

    private const string Css = """
        :root { --ink: #1b1b1b; --muted: #555; --accent: #7f0000; }
        body { font-family: "DejaVu Sans", -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink); margin: 1.5rem auto; max-width: 190mm; padding: 0 1rem; line-height: 1.3; font-size: 10pt; }
        h1 { font-size: 14pt; margin: 0 0 .15rem; color: var(--accent); }
        h2 { font-size: 11pt; border-bottom: 1.5pt solid var(--accent); padding-bottom: .1rem; margin: .45rem 0 .25rem; }
        p { margin: .2rem 0; }
        .marking { text-align: center; font-weight: bold; letter-spacing: .05em; margin: 0 0 .2rem; display: none; }
        .lead { font-size: 10pt; }
        .meta, .small, figcaption, footer { color: var(--muted); font-size: 7.5pt; }
        .expired { background: #fff3cd; border: 1.5pt solid #b8860b; padding: .25rem .4rem; margin: .3rem 0; }
        figure.map { margin: .3rem 0 .2rem; }
        svg.map { border: 1px solid #bbb; display: block; }
        table { border-collapse: collapse; width: 100%; table-layout: fixed; }
        th, td { border: 1px solid #bbb; padding: .15rem .3rem; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
        th { background: #f1ece6; font-size: 8pt; }
        table.officer { font-size: 8.5pt; margin-top: .3rem; }
        col.c-rank { width: 7%; } col.c-where { width: 49%; } col.c-share { width: 10%; } col.c-recent { width: 19%; } col.c-when { width: 15%; }
        table.evidence { font-size: 7pt; }
        table.evidence td { padding: .08rem .25rem; }
        table.evidence tr.detail td { border-top: none; color: #333; }
        table.evidence tr:first-child td { border-bottom: none; }
        col.e-id { width: 6%; } col.e-z { width: 6%; } col.e-q { width: 11%; } col.e-harm { width: 8%; } col.e-counts { width: 36%; } col.e-size { width: 12%; } col.e-wards { width: 21%; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.where { font-weight: bold; }
        tbody.not-significant td { background: #f4f4f4; }
        .flag { color: #8a4b00; font-weight: bold; font-size: 7.5pt; white-space: nowrap; }
        .how-to ol { margin: .2rem 0; padding-left: 1.2rem; font-size: 8.5pt; }
        .how-to li { margin: .1rem 0; }
        dl { display: grid; grid-template-columns: 34mm 1fr; gap: .1rem .6rem; font-size: 7.5pt; margin: 0; }
        dt { font-weight: bold; }
        dd { margin: 0; }
        code { font-size: .9em; }
        footer { margin-top: .3rem; border-top: 1px solid #ccc; padding-top: .2rem; }
        @media print {
          body { margin: 0; max-width: none; padding: 0; }
          .page { break-after: page; }
          .page:last-child { break-after: auto; }
          tr, tbody, .how-to { break-inside: avoid; }
          h2 { break-after: avoid; }
        }
        @media screen { .marking { display: block; } .page { border-bottom: 2px dashed #ccc; padding-bottom: 1rem; margin-bottom: 1rem; } }

        """;
}
