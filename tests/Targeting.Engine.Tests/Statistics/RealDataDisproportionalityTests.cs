using System.Globalization;
using System.Text;
using System.Text.Json;
using NetTopologySuite.Geometries;
using Targeting.Engine.Statistics;
using Targeting.Testing;

namespace Targeting.Engine.Tests.Statistics;

/// <summary>
/// Searches per 1,000 residents by ethnic group on the real data, checked against
/// tests/reference/stats/real_data_disproportionality.py (matplotlib point-in-polygon, scipy), and
/// the Met-wide Black/White ratio against the published order of magnitude. The tables printed
/// to the test output are the figures in docs/statistics.md.
/// </summary>
public class RealDataDisproportionalityTests(ITestOutputHelper output)
{
    private static readonly Lazy<JsonElement> Expected = new(() => JsonDocument.Parse(
        File.ReadAllText(Path.Combine(Reference.ScriptDirectory, "real_data_disproportionality.json"))).RootElement);

    private static readonly BroadEthnicGroup[] OfficerGroups = [BroadEthnicGroup.White, BroadEthnicGroup.Black, BroadEthnicGroup.Asian, BroadEthnicGroup.Other];

    [Theory]
    [InlineData("Lambeth", 10415)]
    [InlineData("Barking and Dagenham", 5621)]
    public void SampleBorough_SearchesPerThousand_MatchIndependentComputation(string borough, long publishedLocatedCount)
    {
        var rows = StopSearchFiles.ReadFolder(Path.Combine(RepoPaths.SampleData, "police-uk", "stop-and-search"));
        var polygon = BoroughPolygons.Load(Path.Combine(RepoPaths.SampleData, "boundaries", "london_boroughs_barking_dagenham_lambeth.geojson"))[borough];
        var inBorough = rows
            .Where(r => r.Longitude is not null && polygon.Contains(new Point(r.Longitude.Value, r.Latitude!.Value)))
            .ToList();
        using var census = new StreamReader(Path.Combine(RepoPaths.SampleData, "census", "census2021_ethnic_group_london_boroughs.csv"));
        var population = CensusPopulationReader.Read(census).Find(borough)!;

        // The shared data's README gives each borough's located searches per month (15 months).
        Assert.Equal(publishedLocatedCount, inBorough.Count);
        var expected = Expected.Value.GetProperty("sample").GetProperty("boroughs").GetProperty(borough);
        Assert.Equal(expected.GetProperty("searches").GetInt64(), inBorough.Count);

        var (officer, officerUnknown) = SearchCounts.OfficerDefined(inBorough);
        var officerTable = Disproportionality.Compute(officer, Disproportionality.OfficerDefinedPopulations(population.ByBroadGroup), unknown: officerUnknown);
        AssertTable(expected.GetProperty("officer_defined"), officerTable, $"{borough} officer-defined");
        var (self, selfUnknown) = SearchCounts.SelfDefined(inBorough);
        var selfTable = Disproportionality.Compute(self, population.ByBroadGroup, unknown: selfUnknown);
        AssertTable(expected.GetProperty("self_defined"), selfTable, $"{borough} self-defined");

        AssertMismatch(expected.GetProperty("mismatch"), inBorough);

        output.WriteLine($"{borough}: {inBorough.Count} located searches, Jun 2021–Sep 2022 without Jan 2022 (15 months)");
        output.WriteLine(Markdown("officer-defined", officerTable));
        output.WriteLine(Markdown("self-defined", selfTable));
    }

    [Fact]
    public void WholeMet_BlackWhiteRatio_WithinPublishedThreeToFourTimes()
    {
        RepoPaths.RequireSharedData();
        var rows = StopSearchFiles.ReadFolder(RepoPaths.InSharedData("police-uk", "metropolitan-stop-and-search"));
        using var censusFile = new StreamReader(RepoPaths.InSharedData("census", "census2021_ethnic_group_london_boroughs.csv"));
        var census = CensusPopulationReader.Read(censusFile);
        Assert.Empty(census.Rejected);
        // The Met polices 32 boroughs; the City of London has its own force.
        var metBoroughs = new CensusPopulations(census.Boroughs.Where(b => b.Code != "E09000001").ToList(), []);
        var population = metBoroughs.Combined("MPS", "Metropolitan Police District");

        var expected = Expected.Value.GetProperty("met");
        Assert.True(expected.ValueKind == JsonValueKind.Object,
            "real_data_disproportionality.json was generated without ../shared/data: re-run tests/reference/stats/real_data_disproportionality.py");
        Assert.Equal(240247, rows.Count);
        Assert.Equal(expected.GetProperty("records").GetInt64(), rows.Count);
        Assert.Equal(32, expected.GetProperty("boroughs_in_population").GetInt32());

        var (officer, officerUnknown) = SearchCounts.OfficerDefined(rows);
        var officerTable = Disproportionality.Compute(officer, Disproportionality.OfficerDefinedPopulations(population.ByBroadGroup), unknown: officerUnknown);
        AssertTable(expected.GetProperty("officer_defined"), officerTable, "Met officer-defined");
        var (self, selfUnknown) = SearchCounts.SelfDefined(rows);
        var selfTable = Disproportionality.Compute(self, population.ByBroadGroup, unknown: selfUnknown);
        AssertTable(expected.GetProperty("self_defined"), selfTable, "Met self-defined");

        var mismatch = AssertMismatch(expected.GetProperty("mismatch"), rows);

        // Published: Black Londoners searched at about 3–4 times the rate of White Londoners (2021–23).
        var ratio = officerTable.For(BroadEthnicGroup.Black)!.RatioToReference!;
        Assert.InRange(ratio.Value, 3.0, 4.0);

        output.WriteLine($"Metropolitan Police, 32 boroughs, {rows.Count} searches ({rows.Count(r => r.Longitude is null)} without coordinates), 15 months");
        output.WriteLine(Markdown("officer-defined", officerTable));
        output.WriteLine(Markdown("self-defined", selfTable));
        output.WriteLine(MismatchMarkdown(mismatch));
    }

    [Fact]
    public void RealDataScript_Rerun_MatchesCommittedJson()
    {
        RepoPaths.RequireSharedData();

        var fresh = JsonDocument.Parse(Reference.RunPython("real_data_disproportionality.py")).RootElement;

        Assert.Equal(Expected.Value.ToString(), fresh.ToString());
    }

    private static void AssertTable(JsonElement expected, DisproportionalityTable table, string what)
    {
        Assert.Equal(expected.GetProperty("unknown").GetInt64(), table.Unknown);
        var groups = expected.GetProperty("groups");
        Assert.Equal(groups.EnumerateObject().Count(), table.Groups.Count);
        foreach (var row in table.Groups)
        {
            var e = groups.GetProperty(EthnicityMapping.Name(row.Group));
            var name = $"{what} {row.Group}";
            Assert.Equal(e.GetProperty("searches").GetInt64(), row.Searches);
            Assert.Equal(e.GetProperty("population").GetInt64(), row.Population);
            Reference.Close(e.D("rate"), row.RatePer1000.Value, name + " rate", 1e-12);
            Reference.Close(e.D("lower"), row.RatePer1000.Lower, name + " rate lower", 1e-9);
            Reference.Close(e.D("upper"), row.RatePer1000.Upper, name + " rate upper", 1e-9);
            if (e.TryGetProperty("ratio_to_white", out var ratio))
            {
                Reference.Close(ratio.D("ratio"), row.RatioToReference!.Value, name + " ratio", 1e-12);
                Reference.Close(ratio.D("lower"), row.RatioToReference.Lower, name + " ratio lower", 1e-9);
                Reference.Close(ratio.D("upper"), row.RatioToReference.Upper, name + " ratio upper", 1e-9);
            }
        }
    }

    private static MismatchTable AssertMismatch(JsonElement expected, IEnumerable<StopSearchRow> rows)
    {
        var pairs = rows.Select(r => (
            EthnicityMapping.TryParseOfficerDefined(r.OfficerDefined, out var o) ? o : (BroadEthnicGroup?)null,
            EthnicityMapping.TryParseSelfDefined(r.SelfDefined, out var s) ? EthnicityMapping.ToBroadGroup(s) : null));
        var table = EthnicityMismatch.CrossTabulate(pairs);

        var cells = expected.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        Assert.Equal(cells.Count, table.Cells.Count);
        foreach (var cell in table.Cells)
        {
            Assert.Equal(cells[$"{Name(cell.OfficerDefined)}|{Name(cell.SelfDefined)}"], cell.Count);
        }

        Assert.Equal(cells.Values.Sum(), table.Total);
        return table;
    }

    private static string Name(BroadEthnicGroup? group) => group is { } g ? EthnicityMapping.Name(g) : "unknown";

    private static string MismatchMarkdown(MismatchTable table)
    {
        BroadEthnicGroup?[] columns = [BroadEthnicGroup.White, BroadEthnicGroup.Black, BroadEthnicGroup.Asian, BroadEthnicGroup.Other, BroadEthnicGroup.Mixed, null];
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"officer-defined (rows) by self-defined (columns); agreement where both known {table.Agreement.Value * 100:0.0}% of {table.BothKnown:N0}");
        text.AppendLine("| officer \\ self | " + string.Join(" | ", columns.Select(Name)) + " |");
        text.AppendLine("|---|" + string.Concat(columns.Select(_ => "---:|")));
        foreach (var officer in columns.Where(c => c != BroadEthnicGroup.Mixed))
        {
            text.AppendLine("| " + Name(officer) + " | " + string.Join(" | ", columns.Select(self => table.Count(officer, self).ToString("N0", CultureInfo.InvariantCulture))) + " |");
        }

        return text.ToString();
    }

    private static string Markdown(string basis, DisproportionalityTable table)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{basis} (unknown ethnicity: {table.Unknown}; unrated: {table.Unrated})");
        text.AppendLine("| group | searches | residents | per 1,000 (95% CI) | ratio to White (95% CI) |");
        text.AppendLine("|---|---:|---:|---|---|");
        foreach (var row in table.Groups)
        {
            var r = row.RatePer1000;
            var ratio = row.RatioToReference is { } q ? string.Create(CultureInfo.InvariantCulture, $"{q.Value:0.00} ({q.Lower:0.00}–{q.Upper:0.00})") : "—";
            text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Group} | {row.Searches:N0} | {row.Population:N0} | {r.Value:0.0} ({r.Lower:0.0}–{r.Upper:0.0}) | {ratio} |");
        }

        return text.ToString();
    }
}
