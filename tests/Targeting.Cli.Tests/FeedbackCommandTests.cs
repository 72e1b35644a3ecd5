using System.Globalization;
using System.Text.Json;
using Targeting.Cli.Commands;
using Targeting.Testing;
using Report = Targeting.Cli.Commands.FeedbackCommand.Report;

namespace Targeting.Cli.Tests;

/// <summary>One data folder for the class, loaded with the shipped sample once, as the embedded session would load it.</summary>
public sealed class FeedbackSampleFolder : IAsyncLifetime
{
    public string Path { get; } = Directory.CreateTempSubdirectory("targeting-feedback-cli-").FullName;

    public async ValueTask InitializeAsync() => await FeedbackSession.LoadSampleIntoAsync(Path, TextWriter.Null, CancellationToken.None);

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Path, recursive: true);
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// <c>targeting feedback</c> on the shipped sample through the embedded session (the three
/// services in-process, feedback reading stops and hotspot over gRPC), figures checked against
/// the independent script tests/reference/stats/real_data_disproportionality.py (its committed JSON).
/// </summary>
public sealed class FeedbackCommandTests(FeedbackSampleFolder folder) : IClassFixture<FeedbackSampleFolder>
{
    private static readonly JsonElement Reference =
        JsonDocument.Parse(File.ReadAllText(RepoPaths.InRepo("tests", "reference", "stats", "real_data_disproportionality.json"))).RootElement
            .GetProperty("sample").GetProperty("boroughs");

    private async Task<(int Exit, string Output, string Error)> RunAsync(Report report, string? area = null, string? from = null, string? to = null,
        string? plan = null, Uri? server = null, string? outPath = null, int threshold = 0)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var error = new StringWriter(CultureInfo.InvariantCulture);
        var settings = new FeedbackCommand.Settings(area, from, to, plan, server, null, outPath, folder.Path, threshold);
        var exit = await FeedbackCommand.RunAsync(report, settings, output, error, TestContext.Current.CancellationToken);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Roads_EmbeddedSample_SaysItHoldsNoVehicleStopsAndWritesTheEmptyReport()
    {
        var outPath = System.IO.Path.Combine(folder.Path, "roads.json");

        var (exit, output, error) = await RunAsync(Report.Roads, from: "2022-01", to: "2022-09", outPath: outPath);

        Assert.True(exit == 0, error);
        // The shipped stop-and-search sample has searches only (police.uk records no vehicle stops).
        Assert.Contains("0 stops", output, StringComparison.Ordinal);
        Assert.Contains("No vehicle stops in the window", output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(outPath, TestContext.Current.CancellationToken));
        Assert.Equal("0", json.RootElement.GetProperty("vehicleStops").GetString());
    }

    [Theory]
    [InlineData("Lambeth")]
    [InlineData("Barking and Dagenham")]
    public async Task Fairness_EmbeddedSample_PrintsTheIndependentlyComputedRates(string borough)
    {
        var outPath = System.IO.Path.Combine(folder.Path, $"fairness-{borough}.json");

        var (exit, output, error) = await RunAsync(Report.Fairness, area: borough, outPath: outPath);

        Assert.True(exit == 0, error);
        var expected = Reference.GetProperty(borough);
        Assert.Contains($"Searches: {expected.GetProperty("searches").GetInt32():N0} located in the borough", output, StringComparison.Ordinal);
        // The table line for Black, officer-defined: searches, residents, rate (CI) and ratio (CI) as the script computes them.
        var black = expected.GetProperty("officer_defined").GetProperty("groups").GetProperty("Black");
        var ratio = black.GetProperty("ratio_to_white");
        Assert.Contains(string.Create(CultureInfo.InvariantCulture,
            $"{black.GetProperty("searches").GetInt32():N0}    {black.GetProperty("population").GetInt32():N0}"), Collapse(output), StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture,
            $"{ratio.GetProperty("ratio").GetDouble():0.00} ({ratio.GetProperty("lower").GetDouble():0.00}–{ratio.GetProperty("upper").GetDouble():0.00})"), output, StringComparison.Ordinal);

        // The JSON file carries every group of both tables with the script's figures.
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(outPath, TestContext.Current.CancellationToken));
        Assert.Equal(borough, json.RootElement.GetProperty("borough").GetString());
        foreach (var table in json.RootElement.GetProperty("tables").EnumerateArray())
        {
            var basis = table.GetProperty("basis").GetString() == "ETHNICITY_BASIS_SELF_DEFINED" ? "self_defined" : "officer_defined";
            Assert.Equal(expected.GetProperty(basis).GetProperty("unknown").GetInt64(), long.Parse(table.GetProperty("unknown").GetString()!, CultureInfo.InvariantCulture));
            foreach (var group in table.GetProperty("groups").EnumerateArray())
            {
                var want = expected.GetProperty(basis).GetProperty("groups").GetProperty(group.GetProperty("group").GetString()!);
                Assert.Equal(want.GetProperty("searches").GetInt64(), long.Parse(group.GetProperty("searches").GetString()!, CultureInfo.InvariantCulture));
                var rate = group.GetProperty("ratePer1000");
                Assert.Equal(want.GetProperty("rate").GetDouble(), rate.GetProperty("value").GetDouble(), 1e-9);
                Assert.Equal(want.GetProperty("lower").GetDouble(), rate.GetProperty("lower").GetDouble(), 1e-6);
                Assert.Equal(want.GetProperty("upper").GetDouble(), rate.GetProperty("upper").GetDouble(), 1e-6);
            }
        }
    }

    [Fact]
    public async Task Fairness_CsvOut_OneLinePerFigureWithTheInterval()
    {
        var outPath = System.IO.Path.Combine(folder.Path, "fairness.csv");

        var (exit, _, error) = await RunAsync(Report.Fairness, area: "Lambeth", from: "2022-02", to: "2022-04", outPath: outPath);

        Assert.True(exit == 0, error);
        var lines = await File.ReadAllLinesAsync(outPath, TestContext.Current.CancellationToken);
        Assert.Equal("scope,measure,basis,group,part,value,lower,upper,numerator,denominator,small_count,method", lines[0]);
        var white = lines.Single(l => l.StartsWith("Lambeth,rate_per_1000,officer-defined,White,", StringComparison.Ordinal)).Split(',');
        var (value, lower, upper) = (double.Parse(white[5], CultureInfo.InvariantCulture), double.Parse(white[6], CultureInfo.InvariantCulture), double.Parse(white[7], CultureInfo.InvariantCulture));
        Assert.True(lower < value && value < upper);
        // Three months, fewer searches than the whole 15 months' 2,754 White searches.
        Assert.InRange(long.Parse(white[8], CultureInfo.InvariantCulture), 1, 2_753);
        Assert.Equal(1000.0 * long.Parse(white[8], CultureInfo.InvariantCulture) / 174_778, value, 1e-9);
    }

    [Fact]
    public async Task Transparency_JsonAndCsv_SuppressedCountsMarkedAndNoPersonalFields()
    {
        var jsonPath = System.IO.Path.Combine(folder.Path, "transparency.json");
        var csvPath = System.IO.Path.Combine(folder.Path, "transparency.csv");

        var (exit, output, error) = await RunAsync(Report.Transparency, area: "Barking and Dagenham", from: "2022-02", to: "2022-09", outPath: jsonPath);
        var (csvExit, _, csvError) = await RunAsync(Report.Transparency, area: "Barking and Dagenham", from: "2022-02", to: "2022-09", outPath: csvPath);

        Assert.True(exit == 0, error);
        Assert.True(csvExit == 0, csvError);
        Assert.Contains("Barking and Dagenham  2022-02", output, StringComparison.Ordinal);
        var json = await File.ReadAllTextAsync(jsonPath, TestContext.Current.CancellationToken);
        foreach (var personal in new[] { "officer", "pseudonym", "latitude", "longitude", "encounterId", "age" })
        {
            Assert.DoesNotContain($"\"{personal}", json, StringComparison.OrdinalIgnoreCase);
        }

        var rows = (await File.ReadAllLinesAsync(csvPath, TestContext.Current.CancellationToken)).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(8, rows.Count);
        Assert.All(rows, r => Assert.Equal("Barking and Dagenham", r[0]));
        Assert.Contains(rows, r => r.Contains("[c]"));
        // Primary suppression: no published count from 1 to 4 (the default threshold 5), anywhere.
        Assert.All(rows.SelectMany(r => r.Skip(2)), cell => Assert.True(cell == "[c]" || long.Parse(cell, CultureInfo.InvariantCulture) is 0 or >= 5, cell));
    }

    [Fact]
    public async Task Fairness_UnknownArea_ExitsOneNamingIt()
    {
        var (exit, output, error) = await RunAsync(Report.Fairness, area: "Narnia");

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Contains("'Narnia'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2022-13", null, "--from must be a month as YYYY-MM")]
    [InlineData("2022-05", "2022-04", "--to (2022-04) is before --from (2022-05)")]
    [InlineData(null, "22-04", "--to must be a month as YYYY-MM")]
    public async Task Fairness_BadMonth_ExitsTwoBeforeStartingAnything(string? from, string? to, string message)
    {
        var (exit, _, error) = await RunAsync(Report.Fairness, area: "Lambeth", from: from, to: to);

        Assert.Equal(2, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("loading", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fairness_OutWithAnotherExtension_ExitsTwo()
    {
        var (exit, _, error) = await RunAsync(Report.Fairness, area: "Lambeth", outPath: "report.txt");

        Assert.Equal(2, exit);
        Assert.Contains("--out must end in .json or .csv", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fairness_UnreachableServer_ExitsOneSayingUnavailable()
    {
        var (exit, _, error) = await RunAsync(Report.Fairness, area: "Lambeth", server: new Uri("http://127.0.0.1:1"));

        Assert.Equal(1, exit);
        Assert.Contains("the service at http://127.0.0.1:1", error, StringComparison.Ordinal);
        Assert.Contains("unavailable", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_NoPlan_ProposesOneAndEvaluatesItAndItsCrimeChange()
    {
        var outPath = System.IO.Path.Combine(folder.Path, "evaluation.json");

        var (exit, output, error) = await RunAsync(Report.Evaluate, area: "Lambeth", from: "2022-04", to: "2022-06", outPath: outPath);

        Assert.True(exit == 0, error);
        Assert.Contains("proposing a plan for Lambeth, learning from 2022-01 to 2022-03, valid 2022-04 to 2022-06", error, StringComparison.Ordinal);
        Assert.Contains("Plan evaluation: plan-", output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(outPath, TestContext.Current.CancellationToken));
        var evaluation = json.RootElement.GetProperty("plan_evaluation");
        var change = json.RootElement.GetProperty("crime_change");
        long L(JsonElement e, string name) => long.Parse(e.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);
        // Three months of Lambeth's searches in the sample: some inside the areas, and the share is inside / located.
        Assert.InRange(L(evaluation, "stopsInside"), 1, L(evaluation, "stopsLocated") - 1);
        var share = evaluation.GetProperty("shareInside");
        Assert.Equal((double)L(evaluation, "stopsInside") / L(evaluation, "stopsLocated"), share.GetProperty("value").GetDouble(), 1e-12);
        Assert.Equal((double)L(evaluation, "incidentsInside") / L(evaluation, "incidentsTotal"), evaluation.GetProperty("hitRate").GetProperty("value").GetDouble(), 1e-12);
        // The crime change's "after" is the plan's valid window, the evaluation's window: the same incidents inside the areas.
        Assert.Equal(L(evaluation, "incidentsInside"), L(change, "targetedAfter"));
        Assert.True(L(change, "targetedBefore") > 0 && L(change, "controlBefore") > 0);
        Assert.Equal(evaluation.GetProperty("planId").GetString(), change.GetProperty("planId").GetString());
    }

    [Fact]
    public async Task Evaluate_UnknownPlan_ExitsOneNamingIt()
    {
        var (exit, output, error) = await RunAsync(Report.Evaluate, plan: "no-such-plan");

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Contains("no-such-plan", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fairness_NoAreaWithoutServer_ExitsTwoAskingForOne()
    {
        var (exit, _, error) = await RunAsync(Report.Fairness);

        Assert.Equal(2, exit);
        Assert.Contains("--area is required without --server", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_EveryFeedbackCommandAndOption_HasADescription()
    {
        var feedback = FeedbackCommand.Create();
        Assert.False(string.IsNullOrWhiteSpace(feedback.Description));
        Assert.Equal(["evaluate", "fairness", "roads", "transparency"], feedback.Subcommands.Select(c => c.Name).Order(StringComparer.Ordinal));
        foreach (var command in feedback.Subcommands)
        {
            Assert.False(string.IsNullOrWhiteSpace(command.Description));
            Assert.All(command.Options, o => Assert.False(string.IsNullOrWhiteSpace(o.Description), $"{command.Name} {o.Name}"));
        }
    }

    // Table columns are padded; one space between cells makes a row comparable.
    private static string Collapse(string text) => System.Text.RegularExpressions.Regex.Replace(text, " {2,}", "    ");
}
