using System.Diagnostics;
using System.Text.Json;
using Targeting.Common.V1;
using Targeting.Feedback.Tests.Support;
using Targeting.Feedback.V1;
using Targeting.Grpc;
using Targeting.Stops;
using Targeting.Stops.Import;
using Targeting.Stops.V1;
using Targeting.Testing;

namespace Targeting.Feedback.Tests.Service;

/// <summary>
/// The real stops service (SQLite store in a temporary folder) loaded through ImportEncounters with
/// all 15 shared Met stop-and-search files (the force boundary of the two boroughs keeps theirs and
/// every unlocated row), and the real feedback service reading it over gRPC with the shared Census
/// and borough polygons. The hotspot side is a stand-in holding no plans (fairness needs only ListPlans).
/// Skipped without ../shared/data.
/// </summary>
public sealed class SharedDataServices : IAsyncLifetime
{
    private readonly ServiceHosts _hosts = new();
    private FakeSources? _hotspot;
    private string? _folder;

    public Uri? Feedback { get; private set; }

    public ImportEncountersSummary Imported { get; } = new();

    public async ValueTask InitializeAsync()
    {
        if (!Directory.Exists(RepoPaths.InSharedData("police-uk")))
        {
            return; // each test skips (or fails on CI) through RequireSharedData
        }

        _folder = Directory.CreateTempSubdirectory("feedback-e2e-").FullName;
        var stops = await _hosts.StartAsync(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "sqlite",
            ["Storage:DataDirectory"] = _folder,
            ["Stops:BoundaryPath"] = RepoPaths.InRepo("data", "boundaries", "london_boroughs_barking_dagenham_lambeth.geojson"),
        }, (services, configuration) => services.AddStopsService(configuration), app => app.MapStopsService());
        using (var client = new StopsClient(stops, new GrpcClientOptions { BearerToken = DevelopmentTokens.Issue(Roles.Service, "e2e-import"), MaxReceiveMessageSize = 256 * 1024 * 1024 }))
        {
            foreach (var path in Directory.GetFiles(RepoPaths.InSharedData("police-uk", "metropolitan-stop-and-search"), "*.csv").Order(StringComparer.Ordinal))
            {
                var file = StopSearchFile.Open(path);
                await using var call = client.ImportEncounters();
                var first = true;
                foreach (var batch in file.ReadBatches(EncounterImporter.BatchSize, []))
                {
                    var message = new ImportEncountersRequest { Source = first ? file.Source : "" };
                    message.Encounters.Add(batch);
                    await call.WriteAsync(message);
                    first = false;
                }

                var summary = await call.CompleteAsync();
                Imported.Received += summary.Received;
                Imported.Imported += summary.Imported;
                Imported.Unlocated += summary.Unlocated;
                Imported.OutsideBoundary += summary.OutsideBoundary;
            }
        }

        _hotspot = await FakeSources.StartAsync([], [], []);
        Feedback = await _hosts.StartAsync(new Dictionary<string, string?>
        {
            ["Services:Hotspot:Address"] = _hotspot.Address.ToString(),
            ["Services:Stops:Address"] = stops.ToString(),
            ["Feedback:CensusPath"] = RepoPaths.InSharedData("census", "census2021_ethnic_group_london_boroughs.csv"),
            ["Feedback:BoroughBoundaryPath"] = RepoPaths.InSharedData("boundaries", "london_boroughs.geojson"),
        }, (services, configuration) => services.AddFeedbackService(configuration), app => app.MapFeedbackService());
    }

    public async ValueTask DisposeAsync()
    {
        await _hosts.DisposeAsync();

        if (_hotspot is not null)
        {
            await _hotspot.DisposeAsync();
        }

        if (_folder is not null)
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

}

/// <summary>
/// The fairness report for Lambeth and for Barking and Dagenham on the full shared data, through the
/// services, against tests/reference/feedback/real_data_fairness.py (run here when /usr/bin/python3
/// has numpy, matplotlib, scipy and statsmodels; else its committed JSON). docs/fairness-figures.md
/// has the figures.
/// </summary>
public sealed class EndToEndRealDataTests(SharedDataServices services) : IClassFixture<SharedDataServices>
{
    private static readonly Lazy<JsonElement> Expected = new(LoadExpected);

    [Fact]
    public void Import_SharedFiles_EveryRowAccountedFor()
    {
        RepoPaths.RequireSharedData();
        var expected = Expected.Value;

        // All 240,247 rows reached the service; the two boroughs' searches (and the unlocated ones) were kept.
        Assert.Equal(expected.GetProperty("records").GetInt64(), services.Imported.Received);
        Assert.Equal(expected.GetProperty("unlocated").GetInt64(), services.Imported.Unlocated);
        Assert.True(services.Imported.Imported >= expected.GetProperty("unlocated").GetInt64()
            + expected.GetProperty("boroughs").EnumerateObject().Sum(b => b.Value.GetProperty("searches").GetInt64()));
    }

    [Theory]
    [InlineData("Lambeth")]
    [InlineData("Barking and Dagenham")]
    public async Task AssessFairness_SharedData_MatchesTheIndependentScript(string borough)
    {
        RepoPaths.RequireSharedData();
        var expected = Expected.Value.GetProperty("boroughs").GetProperty(borough);
        using var client = new GrpcClient(services.Feedback!, new GrpcClientOptions { BearerToken = DevelopmentTokens.Issue(Roles.Analyst, "e2e"), MaxReceiveMessageSize = 64 * 1024 * 1024 });

        var report = await new FeedbackClient(client).AssessFairnessAsync(new FairnessRequest { Borough = borough },
            new CallOptions { CancellationToken = TestContext.Current.CancellationToken });

        Assert.Equal(expected.GetProperty("searches").GetInt64(), report.Searches);
        Assert.Equal(Expected.Value.GetProperty("unlocated").GetInt64(), report.SearchesUnlocated);
        Assert.Empty(report.PlanIds);
        foreach (var table in report.Tables)
        {
            var want = expected.GetProperty(table.Basis == EthnicityBasis.SelfDefined ? "self_defined" : "officer_defined");
            Assert.Equal(want.GetProperty("unknown").GetInt64(), table.Unknown);
            Assert.Equal(want.GetProperty("groups").EnumerateObject().Count(), table.Groups.Count);
            foreach (var group in table.Groups)
            {
                var g = want.GetProperty("groups").GetProperty(group.Group);
                Assert.Equal(g.GetProperty("searches").GetInt64(), group.Searches);
                Assert.Equal(g.GetProperty("population").GetInt64(), group.Population);
                Near(g.GetProperty("rate").GetDouble(), g.GetProperty("lower").GetDouble(), g.GetProperty("upper").GetDouble(), group.RatePer1000);
                if (group.Group == "White")
                {
                    Assert.Null(group.RatioToWhite);
                }
                else
                {
                    var r = g.GetProperty("ratio_to_white");
                    Near(r.GetProperty("ratio").GetDouble(), r.GetProperty("lower").GetDouble(), r.GetProperty("upper").GetDouble(), group.RatioToWhite);
                }
            }
        }

        Assert.Equal(2, report.Tables.Count);
        var mismatch = expected.GetProperty("mismatch");
        Assert.Equal(mismatch.EnumerateObject().Sum(c => c.Value.GetInt64()), report.Mismatch.Sum(c => c.Count));
        foreach (var cell in report.Mismatch.Where(c => c.Count > 0))
        {
            Assert.Equal(mismatch.GetProperty($"{Broad(cell.OfficerDefined)}|{Broad(cell.SelfDefined)}").GetInt64(), cell.Count);
        }

        // No plan stored: every located search with an outcome is "outside"; the script's Wilson intervals by group.
        foreach (var row in report.OutcomeTests)
        {
            var o = expected.GetProperty("outcomes").GetProperty(row.Group);
            Proportion(o.GetProperty("find_rate_outside"), row.FindRateOutside);
            Proportion(o.GetProperty("arrest_rate_outside"), row.ArrestRateOutside);
            Assert.False(row.Alert);
        }

        Assert.Equal(4, report.OutcomeTests.Count);
    }

    private static string Broad(string group) => group is "White" or "Black" or "Asian" or "Other" or "Mixed" ? group : "unknown";

    private static void Near(double value, double lower, double upper, Estimate? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(value, actual.Value, value * 1e-9);
        Assert.Equal(lower, actual.Lower, lower * 1e-7);
        Assert.Equal(upper, actual.Upper, upper * 1e-7);
    }

    private static void Proportion(JsonElement expected, Estimate actual)
    {
        Assert.Equal(expected.GetProperty("x").GetInt64(), actual.Numerator);
        Assert.Equal(expected.GetProperty("n").GetDouble(), actual.Denominator);
        Near(expected.GetProperty("value").GetDouble(), expected.GetProperty("lower").GetDouble(), expected.GetProperty("upper").GetDouble(), actual);
    }

    // The script, fresh, where Debian's python3 has what it needs; otherwise the committed output.
    private static JsonElement LoadExpected()
    {
        var script = RepoPaths.InRepo("tests", "reference", "feedback", "real_data_fairness.py");
        if (File.Exists("/usr/bin/python3"))
        {
            using var process = Process.Start(new ProcessStartInfo("/usr/bin/python3", [script])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = RepoPaths.Root,
            })!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            if (process.ExitCode == 0)
            {
                return JsonDocument.Parse(output.Result).RootElement;
            }

            if (!error.Result.Contains("ModuleNotFoundError", StringComparison.Ordinal))
            {
                Assert.Fail($"{script} failed: {error.Result}");
            }
        }

        return JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(script, ".json"))).RootElement;
    }
}
