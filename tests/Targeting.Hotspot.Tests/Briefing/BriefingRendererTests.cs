using System.Text.RegularExpressions;
using System.Xml.Linq;
using NetTopologySuite.Geometries;
using Targeting.Hotspot.Briefing;
using Targeting.Hotspot.V1;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;
using TimeWindow = Targeting.Common.V1.TimeWindow;

namespace Targeting.Hotspot.Tests.Briefing;

public sealed class BriefingRendererTests
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 27700);

    private static Polygon Square(double x, double y, double size) =>
        Factory.CreatePolygon([new(x, y), new(x + size, y), new(x + size, y + size), new(x, y + size), new(x, y)]);

    private static readonly DateTime October2022 = new(2022, 10, 15, 0, 0, 0, DateTimeKind.Utc);

    private static BriefingDocument Document(string wardName = "Prince's", BriefingHandling? handling = null)
    {
        var plan = new PatrolPlan
        {
            PlanId = "plan-123",
            AreaName = "Lambeth",
            ValidWindow = new TimeWindow
            {
                Start = Timestamp.FromDateTime(new DateTime(2022, 10, 1, 0, 0, 0, DateTimeKind.Utc)),
                End = Timestamp.FromDateTime(new DateTime(2022, 11, 1, 0, 0, 0, DateTimeKind.Utc)),
            },
            AreaOfInterestM2 = 4_000_000,
            BudgetFraction = 0.01,
            PatrolAreaM2 = 40_000,
            CoverageFraction = 0.01,
            ExpectedShare = 0.12,
            Provenance = new PlanProvenance
            {
                Method = Method.Prospective,
                DataWindow = new TimeWindow
                {
                    Start = Timestamp.FromDateTime(new DateTime(2022, 4, 1, 0, 0, 0, DateTimeKind.Utc)),
                    End = Timestamp.FromDateTime(new DateTime(2022, 10, 1, 0, 0, 0, DateTimeKind.Utc)),
                },
                Parameters = new MethodParameters { CellSizeM = 100, BandwidthM = 50, HalfLifeDays = 60 },
                TrainedOn = "reported incidents only: 1,000 incidents used; 40 discovered incidents excluded (Possession of weapons 40)",
                EngineVersion = "0.1.0",
                Crs = "EPSG:27700",
                GeneratedAt = Timestamp.FromDateTime(new DateTime(2022, 9, 30, 12, 0, 0, DateTimeKind.Utc)),
                ReportedCount = 1000,
                DiscoveredCount = 40,
            },
        };
        plan.Provenance.CountsByType.Add("Robbery", 600);
        plan.Provenance.CountsByType.Add("Possession of weapons", 40);
        for (var i = 1; i <= 2; i++)
        {
            var area = new PatrolArea { AreaId = $"A{i}", Rank = i, ExpectedShare = 0.06, HistoricalCount = 30 - i, HarmScore = 9000, GiZ = 4.2, FdrQ = 0.0004, Compactness = 0.78, AreaM2 = 20_000 };
            area.Wards.Add(wardName);
            area.CountsByType.Add("Robbery", 30 - i);
            plan.Areas.Add(area);
        }

        return new BriefingDocument(
            plan,
            Square(0, 0, 2000),
            [new MapShape(wardName, Square(0, 0, 1000)), new MapShape("Other <ward>", Square(1000, 0, 1000))],
            [Square(100, 100, 141), Square(1200, 1200, 141)],
            ["street-crime.csv.gz"],
            handling ?? new BriefingHandling(BriefingHandling.DefaultMarking, "Insp. Example", null, October2022));
    }

    private static XDocument Xhtml(string html) =>
        XDocument.Parse(Regex.Replace(html, "<!DOCTYPE html>|<meta[^>]*>", "").Replace("<br>", "<br/>", StringComparison.Ordinal).Replace("&shy;", "", StringComparison.Ordinal));

    private static List<XElement> Rows(XDocument document, string tableClass) =>
        [.. document.Descendants("table").Single(t => (string?)t.Attribute("class") == tableClass).Descendants("tbody").SelectMany(b => b.Elements("tr"))];

    [Fact]
    public void RenderHtml_Plan_IsWellFormedWithOneTableRowPerArea()
    {
        // Written as XHTML-compatible markup apart from the doctype and void <meta>/<br> tags.
        var document = Xhtml(BriefingRenderer.RenderHtml(Document()));

        // Page 1, for officers: rank, where (the wards when the gazetteer named nothing), share, recent counts, when.
        var rows = Rows(document, "officer");
        Assert.Equal(2, rows.Count);
        Assert.Equal(["A1", "Prince's ward", "6.0%", "29 (5 a month)", "vary the time*"], rows[0].Elements("td").Select(td => td.Value));
        // Page 2, the analyst's: two rows an area, the figures and then every type.
        var evidence = Rows(document, "evidence");
        Assert.Equal(4, evidence.Count);
        Assert.Equal(["A1", "4.20", "< 0.001", "9,000", "29 = 29 + 0", "2.0 ha, 0.78", "Prince's"], evidence[0].Elements("td").Select(td => td.Value));
    }

    [Fact]
    public void RenderHtml_Plan_IsSelfContained()
    {
        var html = BriefingRenderer.RenderHtml(Document());

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch("(src|href)=\"", html);
        Assert.DoesNotContain("url(", html, StringComparison.Ordinal);
        Assert.Contains("<svg", html, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderHtml_NamesWithMarkup_AreEscaped()
    {
        var html = BriefingRenderer.RenderHtml(Document());

        Assert.Contains("Other &lt;ward&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Other <ward>", html, StringComparison.Ordinal);
        Assert.Contains("Prince&#39;s", html, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderHtml_Provenance_StatesMethodWindowGuardAndVersion()
    {
        var html = BriefingRenderer.RenderHtml(Document());

        Assert.Contains("prospective hotspotting (Bowers, Johnson and Pease 2004)", html, StringComparison.Ordinal);
        Assert.Contains("1 Oct 2022 to 31 Oct 2022", html, StringComparison.Ordinal);
        Assert.Contains("40 discovered incidents excluded (Possession of weapons 40)", html, StringComparison.Ordinal);
        Assert.Contains("<dt>Engine version</dt><dd>0.1.0; projected CRS EPSG:27700", html, StringComparison.Ordinal);
        Assert.Contains("reported 1,000; discovered 40", html, StringComparison.Ordinal);
        Assert.Contains("How to use these areas", html, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderHtml_Map_HasAScaleBarOfARoundLengthAndAPathPerArea()
    {
        var html = BriefingRenderer.RenderHtml(Document());

        // The extent is 2,000 m plus 3% margins each side: a fifth of it rounds down to 200 m.
        // The frame: the areas' extent (100..1341 m) plus 400 m each side is 2,041 m square, widened to the
        // 0.56 aspect: 3,645 m wide, so the bar is the round length below a fifth of it, 500 m.
        Assert.Contains(">500 m</text>", html, StringComparison.Ordinal);
        Assert.Equal(2, Regex.Matches(html, "fill=\"#d7301f\"").Count);
        Assert.Contains(">A1</text>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(9, 10)]
    [InlineData(450, 200)]
    [InlineData(999, 500)]
    [InlineData(1000, 1000)]
    [InlineData(4_300, 2000)]
    [InlineData(9_100, 5000)]
    public void NiceLength_Target_LargestRoundLengthNotAbove(double target, double expected)
    {
        Assert.Equal(expected, SvgMap.NiceLength(target));
    }

    [Fact]
    public void RenderHtml_AreaAboveTheFdrLine_IsMarkedNotSignificantOnBothPages()
    {
        var document = Document();
        document.Plan.Areas[1].FdrQ = 0.2;

        var xhtml = Xhtml(BriefingRenderer.RenderHtml(document));

        Assert.DoesNotContain("not significant", Rows(xhtml, "officer")[0].Value, StringComparison.Ordinal);
        Assert.Contains("not significant", Rows(xhtml, "officer")[1].Value, StringComparison.Ordinal);
        Assert.Equal("0.200 not significant", Rows(xhtml, "evidence")[2].Elements("td").ElementAt(2).Value);
        Assert.DoesNotContain("not significant", Rows(xhtml, "evidence")[0].Value, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderHtml_DiscoveredIncidentsInAnArea_CountsAddUpAndSayWhatWasLeftOut()
    {
        var document = Document();
        var area = document.Plan.Areas[0];
        area.CountsByType.Add("Drugs", 7);
        area.CountsByType.Add("Possession of weapons", 2);
        document.Plan.Provenance.HarmWeights.Add("Anti-social behaviour", 0);
        area.CountsByType.Add("Anti-social behaviour", 1);

        var cell = Rows(Xhtml(BriefingRenderer.RenderHtml(document)), "evidence")[0].Elements("td").ElementAt(4).Value;

        // 29 robberies used; 7 + 2 discovered and 1 of no weight left out: 39 in all.
        Assert.Equal("39 = 29 + 10 (Drugs 7, discovered; Possession of weapons 2, discovered; Anti-social behaviour 1, no weight)", cell);
    }

    [Fact]
    public void RenderHtml_Names_InTheTableAndAsMapLabels()
    {
        var document = Document();
        document.Plan.Areas[0].Name = "Brixton Road / Coldharbour Lane / Atlantic Road";
        document.Plan.Areas[0].Streets.Add(["Brixton Road", "Coldharbour Lane", "Atlantic Road"]);

        var html = BriefingRenderer.RenderHtml(document);

        Assert.Equal("Brixton Road / Coldharbour Lane / Atlantic Road", Rows(Xhtml(html), "officer")[0].Elements("td").ElementAt(1).Value);
        // Wrapped at 34 characters after a " / ".
        Assert.Contains(">Brixton Road / Coldharbour Lane /</text>", html, StringComparison.Ordinal);
        Assert.Contains(">Atlantic Road</text>", html, StringComparison.Ordinal);
        Assert.Contains("Streets:</strong> Brixton Road, Coldharbour Lane, Atlantic Road", html, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderHtml_MarkingOwnerReview_OnEveryPageAndUnderTheTitle()
    {
        var html = BriefingRenderer.RenderHtml(Document(handling: new BriefingHandling("OFFICIAL \"test\"", "Sgt Example", new DateTime(2022, 10, 20, 0, 0, 0, DateTimeKind.Utc), October2022)));

        Assert.Contains("@top-center { content: \"OFFICIAL \\\"test\\\"\";", html, StringComparison.Ordinal);
        Assert.Contains("@bottom-left { content: \"OFFICIAL \\\"test\\\" · plan-123\";", html, StringComparison.Ordinal);
        Assert.Contains("size: A4 portrait", html, StringComparison.Ordinal);
        Assert.Contains("Owner Sgt Example · review by 20 Oct 2022", html, StringComparison.Ordinal);
        Assert.Equal(2, Regex.Matches(html, "<section class=\"page page-").Count);
        Assert.Contains("OFFICIAL-SENSITIVE", BriefingRenderer.RenderHtml(Document()), StringComparison.Ordinal);
        // By default the review date is the valid window's last day.
        Assert.Contains("review by 31 Oct 2022", BriefingRenderer.RenderHtml(Document()), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2022, 10, 31, false)]
    [InlineData(2022, 11, 1, true)]
    public void RenderHtml_PlanPeriodOver_ShowsTheExpiredBanner(int year, int month, int day, bool expired)
    {
        var now = new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Utc);

        var html = BriefingRenderer.RenderHtml(Document(handling: new BriefingHandling(BriefingHandling.DefaultMarking, "", null, now)));

        Assert.Equal(expired, html.Contains("This plan has expired.</strong> Its period ended on 31 Oct 2022", StringComparison.Ordinal));
    }

    [Fact]
    public void RenderHtml_TimesOfDay_PeakHoursWhenTheDataHasThemElseSaysItHasNone()
    {
        var monthly = BriefingRenderer.RenderHtml(Document());
        Assert.Contains("The data has no time of day", monthly, StringComparison.Ordinal);

        var document = Document();
        document.Plan.Areas[0].PeakHours.Add([18, 23]);
        var timed = BriefingRenderer.RenderHtml(document);

        Assert.DoesNotContain("The data has no time of day", timed, StringComparison.Ordinal);
        Assert.Equal("18:00–19:00, 23:00–00:00", Rows(Xhtml(timed), "officer")[0].Elements("td").ElementAt(4).Value);
    }
}
