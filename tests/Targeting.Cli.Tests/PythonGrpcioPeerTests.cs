using System.Diagnostics;
using Targeting.Cli.Commands;
using Targeting.Grpc;
using Targeting.Testing;

namespace Targeting.Cli.Tests;

/// <summary>
/// Python grpcio (the gRPC C core, Debian's python3-grpcio) as a second independent client of
/// <c>targeting serve</c>: tests/python/grpcio_peer.py checks health, reflection, one authenticated
/// rpc per service, UNAUTHENTICATED, INVALID_ARGUMENT details, a gzipped request and the 4 MiB
/// request limit, with stubs it generates from protos/.
/// </summary>
public sealed class PythonGrpcioPeerTests
{
    private const string Python = "/usr/bin/python3";
    private const string RequireVariable = "TARGETING_REQUIRE_PG";

    // The script's own calls wait up to 60 s each; this only catches a hung interpreter.
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task GrpcioPeer_PassesEveryCheckAgainstServe()
    {
        await RequireGrpcioAsync();
        var port = ServeTestSupport.FreeLoopbackPort();
        var url = $"http://127.0.0.1:{port}";
        var dataDirectory = Directory.CreateTempSubdirectory("targeting-grpcio-peer-");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var serving = Task.Run(() => ServeCommand.RunAsync(url, dataDirectory.FullName, null, ["--environment", "Development"], TextWriter.Null, stop.Token));
        try
        {
            await ServeTestSupport.WaitUntilServingAsync(new Uri(url), serving);
            var run = await RunPythonAsync(
                [RepoPaths.InRepo("tests", "python", "grpcio_peer.py"), "--address", $"127.0.0.1:{port}"],
                new Dictionary<string, string>
                {
                    ["PEER_PLANNER_TOKEN"] = DevelopmentTokens.Issue(Roles.Planner, "grpcio-peer-planner"),
                    ["PEER_OFFICER_TOKEN"] = DevelopmentTokens.Issue(Roles.Officer, "grpcio-peer-officer", "team-1"),
                    ["PEER_PUBLIC_TOKEN"] = DevelopmentTokens.Issue(Roles.Public, "grpcio-peer-public"),
                });
            Assert.True(run.ExitCode == 0, $"grpcio_peer.py failed: {run}");
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await serving);
            dataDirectory.Delete(recursive: true);
        }
    }

    /// <summary>Skips without Debian's python3-grpcio and python3-grpc-tools, or fails when they are required.</summary>
    private static async Task RequireGrpcioAsync()
    {
        if (File.Exists(Python) && (await RunPythonAsync(["-c", "import grpc, grpc_tools.protoc"], [])).ExitCode == 0)
        {
            return;
        }

        var message = $"{Python} cannot import grpc and grpc_tools (scripts/install-deps.sh installs python3-grpcio and python3-grpc-tools)";
        if (Environment.GetEnvironmentVariable(RequireVariable) == "1")
        {
            Assert.Fail(message + $"; {RequireVariable}=1, so this is a failure");
        }

        Assert.Skip(message);
    }

    private static async Task<CommandRun> RunPythonAsync(string[] arguments, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(ScriptTimeout);
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.Fail($"{Python} {string.Join(' ', arguments)} did not finish within {ScriptTimeout}: {new CommandRun(-1, await output, await error)}");
        }

        return new CommandRun(process.ExitCode, await output, await error);
    }
}
