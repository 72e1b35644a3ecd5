using System.Text.Json;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Targeting.Cli.Commands;
using Targeting.Engine.Geography;
using Targeting.Grpc;
using Targeting.Hotspot.V1;
using Targeting.Testing;

namespace Targeting.Cli.Tests;

/// <summary><c>targeting brief</c> on the shipped sample: the three files, and clear errors for bad input.</summary>
public sealed partial class BriefCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("targeting-brief-test-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string Out(string name = "briefing") => Path.Combine(_folder.FullName, name);

    private static PatrolPlan ReadPlan(string folder) =>
        JsonParser.Default.Parse<PatrolPlan>(File.ReadAllText(Path.Combine(folder, BriefCommand.PlanFile)));

    [Fact]
    public async Task Brief_NoOptions_WritesHtmlGeoJsonAndPlanThatAgreeForLambethsLastSixMonths()
    {
        var run = await Cli.BriefAsync(Cli.Data(), Out());

        Assert.True(run.ExitCode == 0, run.ToString());
        var plan = ReadPlan(Out());
        var html = await File.ReadAllTextAsync(Path.Combine(Out(), BriefCommand.HtmlFile), TestContext.Current.CancellationToken);
        using var geojson = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Out(), BriefCommand.GeoJsonFile), TestContext.Current.CancellationToken));

        // Defaults: Lambeth, the sample's last six months (Apr-Sep 2022), valid for October; the default method.
        Assert.Equal("Lambeth", plan.AreaName);
        Assert.Equal(new DateTime(2022, 4, 1, 0, 0, 0, DateTimeKind.Utc), plan.Provenance.DataWindow.Start.ToDateTime());
        Assert.Equal(new DateTime(2022, 10, 1, 0, 0, 0, DateTimeKind.Utc), plan.Provenance.DataWindow.End.ToDateTime());
        Assert.Equal(new DateTime(2022, 11, 1, 0, 0, 0, DateTimeKind.Utc), plan.ValidWindow.End.ToDateTime());
        // No --method: auto, whose backtest on Lambeth Apr-Sep puts the learned model first.
        Assert.NotNull(plan.Provenance.MethodChoice);
        Assert.Equal(Method.Learned, plan.Provenance.Method);
        Assert.InRange(plan.Areas.Count, 1, 8);
        Assert.True(plan.Areas.Sum(a => a.AreaM2) <= 0.01 * plan.AreaOfInterestM2 * (1 + 1e-9), "the areas exceed the 1% budget");

        // plan.json and the GeoJSON hold the same areas, in the same order, with the same figures and shapes.
        var root = geojson.RootElement;
        Assert.Equal("FeatureCollection", root.GetProperty("type").GetString());
        var features = root.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(plan.Areas.Select(a => a.AreaId), features.Select(f => f.GetProperty("properties").GetProperty("area_id").GetString()));
        foreach (var (area, feature) in plan.Areas.Zip(features))
        {
            var properties = feature.GetProperty("properties");
            Assert.Equal(area.Rank, properties.GetProperty("rank").GetInt32());
            Assert.Equal(area.HistoricalCount, properties.GetProperty("historical_count").GetInt64());
            Assert.Equal(area.ExpectedShare, properties.GetProperty("expected_share").GetDouble(), 1e-12);
            Assert.Equal(plan.PlanId, properties.GetProperty("plan_id").GetString());
            // Named by the shipped gazetteer's streets, in the GeoJSON as in plan.json.
            Assert.Equal(area.Name, properties.GetProperty("name").GetString());
            Assert.Equal(string.Join("; ", area.Streets), properties.GetProperty("streets").GetString());
            var type = feature.GetProperty("geometry").GetProperty("type").GetString();
            Assert.Equal(area.Geometry.Polygons.Count == 1 ? "Polygon" : "MultiPolygon", type);

            var shape = GeoJson.ReadGeometry(feature.GetRawText(), Projection.Wgs84Factory);
            Assert.True(shape.IsValid, $"{area.AreaId}'s polygon is invalid");
            var projected = Projection.BritishNationalGrid.Project(shape);
            Assert.Equal(area.AreaM2, projected.Area, area.AreaM2 * 1e-4);
            Assert.InRange(shape.EnvelopeInternal.MinX, -0.16, -0.07); // Lambeth's longitudes
            Assert.InRange(shape.EnvelopeInternal.MinY, 51.41, 51.51); // and latitudes
            // RFC 7946: exterior rings anticlockwise.
            var first = shape is NetTopologySuite.Geometries.Polygon p ? p : (NetTopologySuite.Geometries.Polygon)shape.GetGeometryN(0);
            Assert.True(NetTopologySuite.Algorithm.Orientation.IsCCW(first.Shell.CoordinateSequence), $"{area.AreaId}'s exterior ring is clockwise");

            // The HTML names each area and its evidence.
            Assert.Contains($"<strong>{area.AreaId}</strong>", html, StringComparison.Ordinal);
        }

        Assert.NotEmpty(plan.Areas[0].Name);
        Assert.Equal(plan.Areas[0].Streets.Take(2), plan.Areas[0].Name.Split(" / ").Take(2));

        // A GIS tool reads it: GDAL's GeoJSON driver, the same one QGIS uses.
        var ogr = await Cli.ToolAsync("ogrinfo", "-so", "-al", Path.Combine(Out(), BriefCommand.GeoJsonFile));
        Assert.Contains($"Feature Count: {plan.Areas.Count}", ogr, StringComparison.Ordinal);
        Assert.Matches(@"Geometry: (Polygon|Multi Polygon|Unknown \(any\))", ogr);
        Assert.Contains("area_id: String", ogr, StringComparison.Ordinal);
        Assert.Contains("expected_share: Real", ogr, StringComparison.Ordinal);
        Assert.Contains("historical_count: Integer", ogr, StringComparison.Ordinal);
        Assert.Matches(@"Extent: \(-0\.\d+, 51\.\d+\) - \(-0\.\d+, 51\.\d+\)", ogr);

        // Self-contained: an inline map over ward boundaries, no scripts, no external resources.
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.Contains("<title>Brixton Hill</title>", html, StringComparison.Ordinal); // a Lambeth ward drawn under the areas
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(@"(src|href)\s*=\s*""https?:", html);
        Assert.Contains(plan.PlanId, html, StringComparison.Ordinal);

        // Progress on stderr, where it wrote on stdout.
        Assert.Contains("reading street-crime-barking-dagenham-lambeth-2022-01-to-2022-09.csv.gz... 39,705 rows", run.Error, StringComparison.Ordinal);
        Assert.Contains("proposing patrol areas for Lambeth from 2022-04 to 2022-09", run.Error, StringComparison.Ordinal);
        Assert.Contains("writing ", run.Error, StringComparison.Ordinal);
        foreach (var file in new[] { BriefCommand.HtmlFile, BriefCommand.GeoJsonFile, BriefCommand.PlanFile })
        {
            Assert.Contains(Path.Combine(Out(), file), run.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Brief_Pdf_TwoA4PagesWithTheMapAndTheAreaTableOnPageOne()
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var settings = new BriefCommand.Settings(Cli.Data(), 0.01, 8, null, Out(), null, Marking: "OFFICIAL-SENSITIVE", Owner: "Insp. Test", Pdf: true);

        var code = await BriefCommand.RunAsync(settings, output, error, TestContext.Current.CancellationToken);

        Assert.True(code == 0, $"{output}\n{error}");
        var pdf = Path.Combine(Out(), BriefCommand.PdfFile);
        Assert.Contains(pdf, output.ToString(), StringComparison.Ordinal);
        var info = await Cli.ToolAsync("pdfinfo", pdf);
        Assert.Matches(@"Pages:\s+2\n", info);
        Assert.Matches(@"Page size:\s+59[45](\.\d+)? x 84[12](\.\d+)? pts \(A4\)", info);

        var plan = ReadPlan(Out());
        var page1 = await Cli.ToolAsync("pdftotext", "-f", "1", "-l", "1", "-layout", pdf, "-");
        var page2 = await Cli.ToolAsync("pdftotext", "-f", "2", "-l", "2", "-layout", pdf, "-");
        // Our header and footer: the marking on both pages, page numbers.
        Assert.All(new[] { page1, page2 }, page => Assert.Contains("OFFICIAL-SENSITIVE", page, StringComparison.Ordinal));
        Assert.Contains("Page 1 of 2", page1, StringComparison.Ordinal);
        Assert.Contains("Owner Insp. Test", page1, StringComparison.Ordinal);
        // Page 1: the map (its caption, scale bar, a ward and an area's street label are text in the PDF) and the table with every area.
        Assert.Contains("Patrol areas (red) with the streets they cover", page1, StringComparison.Ordinal);
        Assert.Matches(@"\d+ k?m\b", page1);
        Assert.Contains("Expected", page1, StringComparison.Ordinal);
        Assert.Contains("When to visit", page1, StringComparison.Ordinal);
        Assert.Contains("The data has no time of day", page1, StringComparison.Ordinal);
        Assert.Contains("How to use these areas", page1, StringComparison.Ordinal);
        foreach (var area in plan.Areas)
        {
            var where = area.Name.Length > 0 ? area.Name.Split(" / ")[0] : area.Wards[0];
            // Once in the map's label and once in the table.
            Assert.True(Regex.Count(page1, Regex.Escape(where)) >= 2, $"{area.AreaId} ({where}) is not on the map and in the table of page 1:\n{page1}");
            Assert.Matches($@"(?m)^\s*{area.AreaId}\s", page1);
        }

        // Page 2: the evidence and the provenance, not page 1's.
        Assert.Contains("Evidence for each area", page2, StringComparison.Ordinal);
        Assert.Contains("Provenance", page2, StringComparison.Ordinal);
        Assert.DoesNotContain("Evidence for each area", page1, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Brief_OptionsGiven_PlanFollowsThemAndStaysWithinTheBudget()
    {
        var data = Cli.Data(
            crimes: [RepoPaths.InRepo("data", "police-uk", "street-crime-barking-dagenham-lambeth-2022-01-to-2022-09.csv.gz")],
            boundaries: [RepoPaths.InRepo("data", "boundaries", "london_boroughs_barking_dagenham_lambeth.geojson"), RepoPaths.InRepo("data", "boundaries", "wards_2014_barking_dagenham_lambeth.geojson")],
            area: "barking and dagenham", from: "2022-02", to: "2022-07");

        var run = await Cli.BriefAsync(data, Out(), budget: 0.005, areas: 3, method: "naive");

        Assert.True(run.ExitCode == 0, run.ToString());
        var plan = ReadPlan(Out());
        Assert.Equal("Barking and Dagenham", plan.AreaName);
        Assert.Equal(Method.NaiveCounts, plan.Provenance.Method);
        Assert.InRange(plan.Areas.Count, 1, 3);
        Assert.Equal(0.005, plan.BudgetFraction);
        Assert.True(plan.PatrolAreaM2 <= 0.005 * plan.AreaOfInterestM2 * (1 + 1e-9), $"{plan.PatrolAreaM2} m² is over half a percent of {plan.AreaOfInterestM2} m²");
        Assert.Equal((new DateTime(2022, 2, 1), new DateTime(2022, 8, 1)), (plan.Provenance.DataWindow.Start.ToDateTime(), plan.Provenance.DataWindow.End.ToDateTime()));
        Assert.All(plan.Areas, a => Assert.NotEmpty(a.Wards));
    }

    [Theory]
    [InlineData("Lambth", "did you mean 'Lambeth'")]
    [InlineData("Barking", "did you mean 'Barking and Dagenham'")]
    [InlineData("Atlantis", "no boundary named 'Atlantis'")]
    public async Task Brief_UnknownArea_Exit2NamingCloseMatches(string area, string expected)
    {
        var run = await Cli.BriefAsync(Cli.Data(area: area), Out());

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Cli.NoStackTrace(run);
        Assert.False(Directory.Exists(Out()), "nothing should be written on bad input");
    }

    [Theory]
    [InlineData("2022-13", null, "--from '2022-13': expected a month as YYYY-MM")]
    [InlineData("April", null, "--from 'April': expected a month as YYYY-MM")]
    [InlineData("2022-06", "2022-03", "--from 2022-06 is after --to 2022-03")]
    public async Task Brief_BadMonths_Exit2WithTheReason(string from, string? to, string expected)
    {
        var run = await Cli.BriefAsync(Cli.Data(from: from, to: to), Out());

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Cli.NoStackTrace(run);
    }

    [Fact]
    public async Task Brief_AreaTooSmallForTheBudget_Exit3SayingWhy_AndTheBudgetItSuggestsGivesAreas()
    {
        // Brixton Hill is a Lambeth ward: 1% of it is below the smallest patrol area (20,000 m²).
        var run = await Cli.BriefAsync(Cli.Data(area: "Brixton Hill"), Out());

        Assert.True(run.ExitCode == BriefCommand.NoAreas, run.ToString());
        Assert.False(Directory.Exists(Out()) && Directory.EnumerateFiles(Out()).Any(), "nothing is written for a plan of no areas");
        var why = NoAreasMessage().Match(run.Error);
        Assert.True(why.Success, run.Error);
        var areaM2 = double.Parse(why.Groups["area"].Value, System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture);
        var suggested = double.Parse(why.Groups["budget"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(0.01 * areaM2 < 20_000, $"{areaM2} m²");
        Assert.True(suggested * areaM2 >= 20_000 && (suggested - 0.001) * areaM2 < 20_000, $"{suggested} of {areaM2} m²");

        // The advice works: at the suggested budget the same ward gets a patrol area.
        var again = await Cli.BriefAsync(Cli.Data(area: "Brixton Hill"), Out(), budget: suggested);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.InRange(ReadPlan(Out()).Areas.Count, 1, 8);
    }

    [GeneratedRegex(@"targeting brief: no patrol areas for Brixton Hill, so no briefing was written: --budget 0\.01 of its (?<area>[\d,]+) m² is [\d,]+ m², less than the smallest patrol area \(20,000 m²\); raise --budget to at least (?<budget>0\.\d+), or choose a larger --area")]
    private static partial Regex NoAreasMessage();

    [Fact]
    public async Task Brief_MissingCrimeFile_Exit2NamingIt()
    {
        var missing = Path.Combine(_folder.FullName, "no-such-file.csv");

        var run = await Cli.BriefAsync(Cli.Data(crimes: [missing]), Out());

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"crime file not found: {missing}", run.Error, StringComparison.Ordinal);
        Cli.NoStackTrace(run);
    }

    [Fact]
    public async Task Brief_BudgetAndAreasOutOfRange_Exit2NamingEachOption()
    {
        var run = await Cli.BriefAsync(Cli.Data(), Out(), budget: 0.5, areas: 0 - 1, method: "naive");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--budget: must be in (0, 0.2]", run.Error, StringComparison.Ordinal);
        Assert.Contains("--areas: must be between 1 and 50", run.Error, StringComparison.Ordinal);
        Cli.NoStackTrace(run);
    }

    [Theory]
    [InlineData(0, 8, "--budget: must be in (0, 0.2]")]
    [InlineData(0.01, 0, "--areas: must be between 1 and 50")]
    public async Task Brief_ZeroBudgetOrAreas_Exit2RatherThanTheDefault(double budget, int areas, string expected)
    {
        var run = await Cli.BriefAsync(Cli.Data(), Out(), budget: budget, areas: areas);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Brief_UnknownMethod_Exit2ListingTheMethods()
    {
        var run = await Cli.BriefAsync(Cli.Data(), Out(), method: "voodoo");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--method 'voodoo': unknown method; use one of naive, kde, prospective, getis-ord, dbscan", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Brief_WindowWithoutData_Exit1SayingSo()
    {
        var run = await Cli.BriefAsync(Cli.Data(from: "2023-01", to: "2023-03"), Out());

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no incidents are held for Lambeth", run.Error, StringComparison.Ordinal);
        Cli.NoStackTrace(run);
    }

    [Fact]
    public async Task Brief_Server_SamePlanAsHereAndStoredOnTheService()
    {
        await using var host = await CliServiceHost.StartHotspotAsync();
        var crimes = new[] { RepoPaths.InRepo("data", "police-uk", "street-crime-barking-dagenham-lambeth-2022-01-to-2022-09.csv.gz") };

        var remote = await Cli.BriefAsync(Cli.Data(crimes: crimes, server: host.Address, token: CliServiceHost.Token(Roles.Planner)), Out("remote"));
        var local = await Cli.BriefAsync(Cli.Data(crimes: crimes), Out("local"));

        Assert.True(remote.ExitCode == 0, remote.ToString());
        Assert.True(local.ExitCode == 0, local.ToString());
        Assert.Contains("importing 39,705 incidents into the service... 39,705 new", remote.Error, StringComparison.Ordinal);
        var remotePlan = ReadPlan(Out("remote"));
        var localPlan = ReadPlan(Out("local"));
        Assert.Equal(remotePlan, await host.CreateHotspotClient(Roles.Analyst).GetPlanAsync(remotePlan.PlanId));
        Assert.Equal("cli-test-planner", remotePlan.CreatedBy);
        // The service and the command line run the same proposer on the same incidents.
        // (Harm sums may differ in the last bits: the store hands incidents over in id order, the file in row order.)
        Assert.Equal(localPlan.Areas.Select(a => (a.AreaId, a.Geometry, a.HistoricalCount)), remotePlan.Areas.Select(a => (a.AreaId, a.Geometry, a.HistoricalCount)));
        Assert.Equal(localPlan.Areas.Select(a => a.ExpectedShare), remotePlan.Areas.Select(a => a.ExpectedShare), (x, y) => Math.Abs(x - y) < 1e-9);
        Assert.Equal(localPlan.Provenance.CountsByType, remotePlan.Provenance.CountsByType);
        Assert.True(File.Exists(Path.Combine(Out("remote"), BriefCommand.HtmlFile)));
        Assert.Equal(remotePlan.Areas.Count, JsonDocument.Parse(File.ReadAllText(Path.Combine(Out("remote"), BriefCommand.GeoJsonFile))).RootElement.GetProperty("features").GetArrayLength());
    }

    [Fact]
    public async Task Brief_ServerWithoutToken_Exit1AskingForOne()
    {
        await using var host = await CliServiceHost.StartHotspotAsync();

        var run = await Cli.BriefAsync(Cli.Data(server: host.Address, from: "2022-04", to: "2022-09"), Out());

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("the service wants a token: pass --token or set $TARGETING_TOKEN", run.Error, StringComparison.Ordinal);
        Cli.NoStackTrace(run);
    }

    [Fact]
    public async Task PatrolAreasGeoJson_AreasWithHoleAndSplitGivenClockwise_WritesRfc7946WindingThatGdalReads()
    {
        // Near Brixton: area A1 is one square with a hole, its exterior given clockwise and its hole
        // anticlockwise (both the wrong way for RFC 7946); A2 is two squares, also clockwise.
        static Targeting.Common.V1.LinearRing Ring(params (double Lon, double Lat)[] points)
        {
            var ring = new Targeting.Common.V1.LinearRing();
            ring.Points.AddRange(points.Select(p => new Targeting.Common.V1.LatLng { Longitude = p.Lon, Latitude = p.Lat }));
            return ring;
        }

        static Targeting.Common.V1.Polygon Square(double lon, double lat, double size) =>
            new() { Exterior = Ring((lon, lat), (lon, lat + size), (lon + size, lat + size), (lon + size, lat), (lon, lat)) };

        var holed = Square(-0.12, 51.46, 0.01);
        holed.Holes.Add(Ring((-0.117, 51.463), (-0.113, 51.463), (-0.113, 51.467), (-0.117, 51.467), (-0.117, 51.463)));
        var a1 = new PatrolArea { AreaId = "A1", Rank = 1, Geometry = new Targeting.Common.V1.MultiPolygon { Polygons = { holed } }, ExpectedShare = 0.2, HistoricalCount = 12, AreaM2 = 1 };
        var a2 = new PatrolArea { AreaId = "A2", Rank = 2, Geometry = new Targeting.Common.V1.MultiPolygon { Polygons = { Square(-0.10, 51.45, 0.002), Square(-0.095, 51.45, 0.002) } }, ExpectedShare = 0.1, HistoricalCount = 5, AreaM2 = 1 };
        var plan = new PatrolPlan { PlanId = "plan-winding", AreaName = "Lambeth", Areas = { a1, a2 } };
        var file = Path.Combine(_folder.FullName, BriefCommand.GeoJsonFile);

        await File.WriteAllTextAsync(file, BriefCommand.PatrolAreasGeoJson(plan), TestContext.Current.CancellationToken);

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken));
        Assert.Equal("patrol areas plan-winding", json.RootElement.GetProperty("name").GetString());
        var features = json.RootElement.GetProperty("features");
        Assert.Equal("A1", features[0].GetProperty("id").GetString());
        Assert.Equal("Polygon", features[0].GetProperty("geometry").GetProperty("type").GetString());
        var rings = features[0].GetProperty("geometry").GetProperty("coordinates");
        Assert.Equal(2, rings.GetArrayLength());
        Assert.True(NetTopologySuite.Algorithm.Orientation.IsCCW(Positions(rings[0])), "A1's exterior must be anticlockwise");
        Assert.False(NetTopologySuite.Algorithm.Orientation.IsCCW(Positions(rings[1])), "A1's hole must be clockwise");
        Assert.Equal("MultiPolygon", features[1].GetProperty("geometry").GetProperty("type").GetString());
        foreach (var polygon in features[1].GetProperty("geometry").GetProperty("coordinates").EnumerateArray())
        {
            Assert.True(NetTopologySuite.Algorithm.Orientation.IsCCW(Positions(polygon[0])), "A2's exteriors must be anticlockwise");
        }

        // GDAL's GeoJSON driver (as QGIS uses it) opens the file and sees both areas and their fields.
        var ogr = await Cli.ToolAsync("ogrinfo", "-ro", "-al", "-so", file);
        Assert.Contains("Feature Count: 2", ogr, StringComparison.Ordinal);
        Assert.Matches(@"Geometry: (Polygon|Multi Polygon|Unknown \(any\))", ogr);
        Assert.Contains("area_id: String", ogr, StringComparison.Ordinal);
        Assert.Contains("historical_count: Integer", ogr, StringComparison.Ordinal);
        Assert.Matches(@"Extent: \(-0\.120*, 51\.450*\) - \(-0\.0930*, 51\.470*\)", ogr);
    }

    private static NetTopologySuite.Geometries.Coordinate[] Positions(JsonElement ring) =>
        [.. ring.EnumerateArray().Select(p => new NetTopologySuite.Geometries.Coordinate(p[0].GetDouble(), p[1].GetDouble()))];

    [Fact]
    public async Task Help_EveryHotspotCommand_DescribesEachOption()
    {
        var expected = new Dictionary<string[], string[]>
        {
            [["brief", "--help"]] = ["--crimes", "--boundaries", "--area", "--from", "--to", "--budget", "--areas", "--method", "--out", "--server", "--token", "--gazetteer", "--marking", "--owner", "--review", "--pdf"],
            [["gazetteer", "build", "--help"]] = ["<files>", "--out"],
            [["backtest", "--help"]] = ["--crimes", "--boundaries", "--area", "--from", "--to", "--methods", "--coverage", "--bootstrap", "--seed", "--server"],
            [["import", "crimes", "--help"]] = ["<CSV>", "--server", "--token", "--data-dir", "--report"],
        };
        foreach (var (arguments, options) in expected)
        {
            var run = await Cli.RunExecutableAsync(_folder.FullName, arguments);

            Assert.True(run.ExitCode == 0, run.ToString());
            foreach (var option in options)
            {
                // Each option is listed with a description after it on its line.
                Assert.Matches(new Regex(@"^\s+" + Regex.Escape(option) + @"(?!\w).*\s{2,}\S.{10,}$", RegexOptions.Multiline), run.Output);
            }
        }
    }
}
