using System.Globalization;
using System.Text.RegularExpressions;
using Targeting.Cli.Commands;
using Targeting.Engine.Backtesting;
using Targeting.Engine.Geography;
using Targeting.Engine.Hotspots;
using Targeting.Testing;

namespace Targeting.Cli.Tests;

/// <summary><c>targeting backtest</c> on the shipped sample: the table's figures are the engine's, and bad input is refused clearly.</summary>
public sealed partial class BacktestCommandTests
{
    [GeneratedRegex(@"^(?<method>naive counts|prospective)\s+(?<coverage>[\d.]+)%\s+(?<hit>[\d.]+)% \((?<hitLow>[\d.]+)%-(?<hitHigh>[\d.]+)%\)\s+(?<pai>[\d.]+) \((?<paiLow>[\d.]+)-(?<paiHigh>[\d.]+)\)\s+(?<pei>[\d.]+) \([\d.]+-[\d.]+\)\s+[\d.]+%-[\d.]+%$", RegexOptions.Multiline)]
    private static partial Regex Row();

    [Fact]
    public async Task Backtest_LambethTwoMethodsTwoCoverages_PrintsTheEnginesFigures()
    {
        var run = await Cli.BacktestAsync(Cli.Data(), methods: ["naive,prospective"], coverages: ["0.01", "5%"], bootstrap: 200, seed: 3);

        Assert.True(run.ExitCode == 0, run.ToString());
        var rows = Row().Matches(run.Output).ToList();
        Assert.Equal(
            [("naive counts", "1.0"), ("naive counts", "5.0"), ("prospective", "1.0"), ("prospective", "5.0")],
            rows.Select(r => (r.Groups["method"].Value, r.Groups["coverage"].Value)));
        Assert.Contains("Backtest of Lambeth, 1 Jan 2022 to 30 Sep 2022: 8 months scored", run.Output, StringComparison.Ordinal);

        // The engine directly, on the sample read the same way: the printed figures are its figures, rounded.
        var catalog = HotspotData.LoadBoundaries([], TextWriter.Null);
        var crimes = await HotspotData.ReadCrimesAsync(HotspotData.CrimeFiles([]), Projection.BritishNationalGrid, TextWriter.Null, TestContext.Current.CancellationToken);
        var report = Backtest.Run(new BacktestOptions
        {
            AreaOfInterest = catalog.All.Find("Lambeth")!.Geometry,
            Incidents = crimes.Incidents,
            Start = new DateTime(2022, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            End = new DateTime(2022, 10, 1, 0, 0, 0, DateTimeKind.Utc),
            Methods = [HotspotMethod.NaiveCounts, HotspotMethod.Prospective],
            Coverages = [0.01, 0.05],
            BootstrapSamples = 200,
            Seed = 3,
        }, TestContext.Current.CancellationToken);
        Assert.Contains($"{report.ScoredIncidents.ToString("N0", CultureInfo.InvariantCulture)} reported incidents scored", run.Output, StringComparison.Ordinal);
        foreach (var (printed, expected) in rows.Zip(report.Rows))
        {
            Assert.Equal(expected.HitRate.Value * 100, Number(printed, "hit"), 0.051);
            Assert.Equal(expected.HitRate.Lower * 100, Number(printed, "hitLow"), 0.051);
            Assert.Equal(expected.HitRate.Upper * 100, Number(printed, "hitHigh"), 0.051);
            Assert.Equal(expected.Pai.Value, Number(printed, "pai"), 0.051);
            Assert.Equal(expected.Pei.Value, Number(printed, "pei"), 0.0051);
            Assert.InRange(Number(printed, "hit"), Number(printed, "hitLow"), Number(printed, "hitHigh"));
            Assert.InRange(Number(printed, "pai"), Number(printed, "paiLow"), Number(printed, "paiHigh"));
        }

        Assert.Contains("backtesting 2 method(s) on Lambeth, 2022-01 to 2022-09, 200 bootstrap resamples", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backtest_Server_SameTableAsHere()
    {
        await using var host = await CliServiceHost.StartHotspotAsync();
        var crimes = new[] { RepoPaths.InRepo("data", "police-uk", "street-crime-barking-dagenham-lambeth-2022-01-to-2022-09.csv.gz") };

        var remote = await Cli.BacktestAsync(Cli.Data(crimes: crimes, area: "Barking and Dagenham", server: host.Address, token: CliServiceHost.Token(Targeting.Grpc.Roles.Planner)),
            methods: ["kde"], coverages: ["0.02"], bootstrap: 100);
        var local = await Cli.BacktestAsync(Cli.Data(crimes: crimes, area: "Barking and Dagenham"), methods: ["kde"], coverages: ["0.02"], bootstrap: 100);

        Assert.True(remote.ExitCode == 0, remote.ToString());
        Assert.True(local.ExitCode == 0, local.ToString());
        Assert.Equal(local.Output, remote.Output);
        Assert.Contains("kde ", remote.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "naive,astrology" }, new[] { "0.01" }, "--methods 'astrology': unknown method")]
    [InlineData(new[] { "naive" }, new[] { "1.5" }, "--coverage '1.5': expected a fraction of the area in (0, 1]")]
    [InlineData(new[] { "naive" }, new[] { "lots" }, "--coverage 'lots'")]
    public async Task Backtest_BadMethodOrCoverage_Exit2(string[] methods, string[] coverages, string expected)
    {
        var run = await Cli.BacktestAsync(Cli.Data(), methods, coverages, bootstrap: 10);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Cli.NoStackTrace(run);
    }

    [Fact]
    public async Task Backtest_OneMonthWindow_Exit2ForTheWindow()
    {
        var run = await Cli.BacktestAsync(Cli.Data(from: "2022-09", to: "2022-09"), ["naive"], ["0.01"], bootstrap: 10);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--from/--to: must hold between 2 and 120 months, not 1", run.Error, StringComparison.Ordinal);
        Cli.NoStackTrace(run);
    }

    private static double Number(Match row, string group) => double.Parse(row.Groups[group].Value, CultureInfo.InvariantCulture);
}
