using System.CommandLine;
using Targeting.Cli.Commands;
using Targeting.Grpc;

namespace Targeting.Cli.Tests;

/// <summary>
/// --server and --token go through System.CommandLine's parsing on every command that has them (the other
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
        var run = await RunAsync([.. command, "--server", "http://127.0.0.1:1", "--token", DevelopmentTokens.Issue(Roles.Analyst, "parse-test")]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.DoesNotContain("Cannot parse argument", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("--server must be", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CommandsWithServer))]
    public async Task NotAnHttpAddress_IsAUsageErrorNamingTheValue(string[] command)
    {
        var run = await RunAsync([.. command, "--server", "localhost:5000"]);

        Assert.Equal(CliRoot.UsageError, run.ExitCode);
        Assert.Contains("--server must be an absolute http:// or https:// address", run.Error, StringComparison.Ordinal);
        Assert.Contains("'localhost:5000'", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CommandsWithServer))]
    public async Task NotAJwt_IsAUsageErrorSayingWhatATokenIs(string[] command)
    {
        var run = await RunAsync([.. command, "--server", "http://127.0.0.1:1", "--token", "not-a-jwt"]);

        Assert.Equal(CliRoot.UsageError, run.ExitCode);
        Assert.Contains("--token 'not-a-jwt' is not a JWT (it has 1 part): a bearer token is three base64url parts", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("pass --token", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a.b", "it has 2 parts")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.e30.", "its signature is not base64url")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.e3+0.c2ln", "its payload is not base64url")]
    [InlineData("YWJj.e30.c2ln", "its header is not a JSON object")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.e30.c2ln", null)]
    public void Problem_NamesWhatIsWrongWithAToken(string token, string? problem) =>
        Assert.Equal(problem, TokenOption.Problem(token));

    [Fact]
    public void AToken_IsTrimmed_FromTheOptionAndFromTheVariable()
    {
        var token = DevelopmentTokens.Issue(Roles.Planner, "trim-test");
        var option = TokenOption.Create();
        var command = new RootCommand { option };

        Assert.Equal(token, command.Parse(["--token", $"  {token}\r\n"]).GetValue(option));
    }

    [Fact]
    public async Task TheTokenVariable_IsTrimmedAndChecked()
    {
        // In a process of its own: the test process's environment is shared by the tests running beside this one.
        var token = DevelopmentTokens.Issue(Roles.Planner, "trim-test");
        string[] brief = ["brief", "--server", "http://127.0.0.1:1", "--out", Path.GetTempPath()];

        var trimmed = await Cli.RunExecutableAsync(Path.GetTempPath(), new Dictionary<string, string> { [TokenOption.Variable] = $" {token}\n" }, brief);
        var bearer = await Cli.RunExecutableAsync(Path.GetTempPath(), new Dictionary<string, string> { [TokenOption.Variable] = "Bearer " + token }, brief);

        Assert.True(trimmed.ExitCode == 1 && trimmed.Error.Contains("the service is unavailable", StringComparison.Ordinal), trimmed.ToString());
        Assert.Equal(CliRoot.UsageError, bearer.ExitCode);
        Assert.Contains($"${TokenOption.Variable} 'Bearer eyJhb…' is not a JWT (its header is not base64url)", bearer.Error, StringComparison.Ordinal);
    }

    private static async Task<CommandRun> RunAsync(string[] arguments)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var configuration = new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null };
        var code = await CliRoot.InvokeAsync(arguments, configuration, TestContext.Current.CancellationToken);
        return new CommandRun(code, output.ToString(), error.ToString());
    }
}
