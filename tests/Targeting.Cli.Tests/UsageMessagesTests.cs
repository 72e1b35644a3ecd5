using System.CommandLine;
using System.Text.RegularExpressions;
using Targeting.Cli.Commands;
using Targeting.Grpc;
using Targeting.Testing;

namespace Targeting.Cli.Tests;

/// <summary>Exit codes and messages a user sees for mistakes: one code (2) for every usage error, plain words, one message a line.</summary>
public sealed partial class UsageMessagesTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("targeting-usage-test-");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    private string InFolder(string name) => Path.Combine(_folder.FullName, name);

    public static TheoryData<string[], string> NotANumber => new()
    {
        { ["brief", "--budget", "abc"], "--budget 'abc' is not a number (e.g. 0.01 for 1%)" },
        { ["brief", "--areas", "1.5"], "--areas '1.5' is not a whole number (e.g. 8)" },
        { ["backtest", "--bootstrap", "many"], "--bootstrap 'many' is not a whole number (e.g. 1000)" },
        { ["backtest", "--seed", "x"], "--seed 'x' is not a whole number (e.g. 1)" },
        { ["export", "stops", "--limit", "ten", "--out", "x.csv"], "--limit 'ten' is not a whole number (e.g. 1000)" },
        { ["feedback", "transparency", "--threshold", "five"], "--threshold 'five' is not a whole number (e.g. 10)" },
        { ["import", "stops", "x.csv", "--boundary-tolerance", "far"], "--boundary-tolerance 'far' is not a number (e.g. 100)" },
    };

    [Theory]
    [MemberData(nameof(NotANumber))]
    public async Task NotANumber_IsAUsageErrorInPlainWords(string[] arguments, string message)
    {
        var run = await RunAsync(arguments);

        Assert.Equal(CliRoot.UsageError, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("brief", "--no-such-option")]
    [InlineData("brief", "--areas")]
    [InlineData("no-such-command")]
    [InlineData("token")]
    public async Task AParseError_ExitsTwo_AsTheCommandsOwnChecksDo(params string[] arguments)
    {
        var run = await RunAsync(arguments);

        Assert.True(run.ExitCode == CliRoot.UsageError, run.ToString());
    }

    [Fact]
    public async Task AnErrorAfterAProgressLine_StartsALineOfItsOwn()
    {
        var run = await Cli.BriefAsync(Cli.Data(server: new Uri("http://127.0.0.1:1"), token: DevelopmentTokens.Issue(Roles.Planner, "usage-test")), InFolder("b"));

        Assert.Equal(1, run.ExitCode);
        Assert.Matches(new Regex(@"propose patrol areas for Lambeth from \d{4}-\d\d to \d{4}-\d\d\.\.\.\n", RegexOptions.Multiline), run.Error);
        Assert.Matches(new Regex("^targeting brief: the service is unavailable", RegexOptions.Multiline), run.Error);
    }

    [Fact]
    public async Task BriefOnAServer_DefaultWindowBeforeTheData_SaysWhichMonthsItHolds()
    {
        await using var host = await CliServiceHost.StartHotspotAsync();
        var token = CliServiceHost.Token(Roles.Planner);
        var import = await Cli.ImportCrimesAsync([RepoPaths.InRepo("data", "police-uk", HotspotData.SampleCrimeFile)], InFolder("unused"), InFolder("r.csv"), host.Address, token);
        Assert.True(import.ExitCode == 0, import.ToString());

        var run = await Cli.BriefAsync(Cli.Data(server: host.Address, token: token), InFolder("b"));

        Assert.Equal(CliRoot.UsageError, run.ExitCode);
        Assert.Matches(new Regex(@"^targeting brief: the service holds no incidents for Lambeth in the default window, \d{4}-\d\d to \d{4}-\d\d \(the 6 months to the last full month\); " +
            "it holds 2022-01 to 2022-09: give --from/--to within those months, e.g. --from 2022-04 --to 2022-09$", RegexOptions.Multiline), run.Error);
        Assert.DoesNotContain("import crimes", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ServerExamples_AreServesDefaultAddress()
    {
        foreach (var command in new[] { new[] { "brief" }, ["backtest"], ["import", "crimes"], ["import", "stops"], ["export", "stops"], ["feedback", "fairness"] })
        {
            var run = await RunAsync([.. command, "--help"]);

            Assert.True(run.ExitCode == 0, run.ToString());
            var help = Regex.Replace(run.Output, @"\s+", " ");
            Assert.Contains("--server <server> ", help, StringComparison.Ordinal);
            Assert.Contains("e.g. " + ServeCommand.DefaultUrl, help, StringComparison.Ordinal);
            Assert.DoesNotContain("localhost:5000", help, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ImportCrimes_NothingRejected_WritesNoReport()
    {
        // The sample's 39,705 rows all have coordinates and a month: none is rejected.
        var run = await Cli.ImportCrimesAsync([RepoPaths.InRepo("data", "police-uk", HotspotData.SampleCrimeFile)], InFolder("store"), InFolder("rejected.csv"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("rejected:       0", run.Output, StringComparison.Ordinal);
        Assert.Contains("rejected rows:  none (no report written)", run.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(InFolder("rejected.csv")));
    }

    private static async Task<CommandRun> RunAsync(string[] arguments)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var configuration = new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null };
        var code = await CliRoot.InvokeAsync(arguments, configuration, TestContext.Current.CancellationToken);
        return new CommandRun(code, output.ToString(), error.ToString());
    }
}
