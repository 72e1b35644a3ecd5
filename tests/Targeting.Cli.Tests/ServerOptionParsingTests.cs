using System.CommandLine;
using Targeting.Cli.Commands;

namespace Targeting.Cli.Tests;

/// <summary>
/// --server goes through System.CommandLine's parsing on every command that has it (the other
/// tests call RunAsync with a Uri already made, which hid that no --server value parsed at all).
/// </summary>
public sealed class ServerOptionParsingTests
{
    public static TheoryData<string[]> CommandsWithServer => new()
    {
        { new[] { "brief" } },
        { new[] { "backtest" } },
        { new[] { "import", "crimes", "no-such-file.csv" } },
        { new[] { "import", "stops", "no-such-file.csv" } },
        { new[] { "export", "stops", "--out", "unused.csv" } },
        { new[] { "feedback", "fairness", "--area", "Lambeth" } },
    };

    [Theory]
    [MemberData(nameof(CommandsWithServer))]
    public async Task AnHttpAddress_Parses_AndAnUnreachableServerIsAClearError(string[] command)
    {
        // Port 1 on loopback: nothing listens, so the call fails fast after parsing succeeded.
        var run = await RunAsync([.. command, "--server", "http://127.0.0.1:1", "--token", "not-checked-before-the-call"]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.DoesNotContain("Cannot parse argument", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("--server must be", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CommandsWithServer))]
    public async Task NotAnHttpAddress_IsAParseErrorNamingTheValue(string[] command)
    {
        var run = await RunAsync([.. command, "--server", "localhost:5000"]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--server must be an absolute http:// or https:// address", run.Error, StringComparison.Ordinal);
        Assert.Contains("'localhost:5000'", run.Error, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string[] arguments)
    {
        // The same tree as Program.cs for these commands.
        var import = new Command("import") { StopsImportCommand.Create(), CrimesImportCommand.Create() };
        var root = new RootCommand { BriefCommand.Create(), BacktestCommand.Create(), import, ExportCommand.Create(), FeedbackCommand.Create() };
        var (output, error) = (new StringWriter(), new StringWriter());
        var configuration = new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null };
        var code = await root.Parse(arguments).InvokeAsync(configuration, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }
}
