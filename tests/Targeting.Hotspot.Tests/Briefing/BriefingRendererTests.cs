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

    private static BriefingDocument Document(string wardName = "Prince's")
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
            area.CountsByType.Add("Robbery", 20);
            plan.Areas.Add(area);
        }

        return new BriefingDocument(
            plan,
            Square(0, 0, 2000),
            [new MapShape(wardName, Square(0, 0, 1000)), new MapShape("Other <ward>", Square(1000, 0, 1000))],
            [Square(100, 100, 141), Square(1200, 1200, 141)],
            ["street-crime.csv.gz"]);
    }

    [Fact]
    public void RenderHtml_Plan_IsWellFormedWithOneTableRowPerArea()
    {
        var html = BriefingRenderer.RenderHtml(Document());

        // Written as XHTML-compatible markup apart from the doctype and void <meta>/<br> tags.
        var xml = Regex.Replace(html, "<!DOCTYPE html>|<meta[^>]*>", "").Replace("<br>", "<br/>", StringComparison.Ordinal).Replace("&shy;", "", StringComparison.Ordinal);
        var document = XDocument.Parse(xml);
        var rows = document.Descendants("tbody").Single().Elements("tr").ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal("1", rows[0].Elements("td").First().Value);
        Assert.Equal("6.0%", rows[0].Elements("td").ElementAt(2).Value);
        Assert.Equal("< 0.001", rows[0].Elements("td").ElementAt(6).Value);
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
        Assert.Contains("<dt>Engine version</dt><dd>0.1.0</dd>", html, StringComparison.Ordinal);
        Assert.Contains("reported 1,000; discovered 40", html, StringComparison.Ordinal);
        Assert.Contains("How to use this", html, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderHtml_Map_HasAScaleBarOfARoundLengthAndAPathPerArea()
    {
        var html = BriefingRenderer.RenderHtml(Document());

        // The extent is 2,000 m plus 3% margins each side: a fifth of it rounds down to 200 m.
        Assert.Contains(">200 m</text>", html, StringComparison.Ordinal);
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
}
