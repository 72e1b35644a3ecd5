using System.Diagnostics;
using System.Text.RegularExpressions;
using Targeting.Testing;

namespace Targeting.Cli.Tests;

/// <summary>
/// The README's "Running the services" block, run as written with bash, as an outside tester runs it:
/// the first command installs the tool (a real pack and install), the rest use it: <c>targeting serve &amp;</c>,
/// a token captured from stdout, an import and a brief against the server that was just started.
/// </summary>
public sealed partial class ReadmeRunningTheServicesTests
{
    // A cold Release pack on a loaded 2-core machine is the slow part.
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(15);

    [Fact]
    public async Task RunningTheServices_AsWritten_InstallsTheToolAndEveryCommandSucceeds()
    {
        var block = ReadmeBlock("## Running the services");
        Assert.Equal("bash scripts/install-cli.sh", block[0]);
        var folder = Directory.CreateTempSubdirectory("targeting-readme-");
        try
        {
            // The block runs in a folder of its own that looks like a clone to it (data/ beside it), so the
            // server's store and the briefing land there; the install goes to its .tools/ as in a clone.
            Directory.CreateSymbolicLink(Path.Combine(folder.FullName, "data"), RepoPaths.SampleData);
            var install = await BashAsync(folder.FullName, $"bash {Quote(RepoPaths.InRepo("scripts", "install-cli.sh"))}",
                new() { ["TARGETING_TOOL_PATH"] = Path.Combine(folder.FullName, ".tools") });
            Assert.True(install.ExitCode == 0, install.ToString());
            Assert.True(File.Exists(Path.Combine(folder.FullName, ".tools", "targeting")), install.ToString());

            // Around the block, not in it: stop a server left running when a line fails, and show the token captured.
            var script = string.Join("\n", ["set -euo pipefail", "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT", .. block.Skip(1), "printf 'TOKEN<%s>\\n' \"$TOKEN\""]);
            await WaitForPortAsync(50051);
            var run = await BashAsync(folder.FullName, script, []);

            Assert.True(run.ExitCode == 0, run.ToString());
            // `targeting token` printed the token alone: exactly one JWT, nothing else captured.
            Assert.Matches(CapturedToken(), run.Output);
            Assert.Contains("39,705 imported", run.Output, StringComparison.Ordinal);
            Assert.Matches(@"\d+ patrol areas? for Lambeth", run.Output);
            Assert.True(File.Exists(Path.Combine(folder.FullName, "briefing", "briefing.html")), run.ToString());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The lines of the first sh block after <paramref name="heading"/>, a trailing backslash joining a line to the next.</summary>
    internal static List<string> ReadmeBlock(string heading)
    {
        var lines = File.ReadAllLines(RepoPaths.InRepo("README.md"));
        var start = Array.FindIndex(lines, l => l.Trim() == heading);
        Assert.True(start >= 0, $"README.md has no '{heading}'");
        var open = Array.FindIndex(lines, start, l => l.Trim() == "```sh");
        var close = Array.FindIndex(lines, open + 1, l => l.Trim() == "```");
        var block = new List<string>();
        foreach (var line in lines[(open + 1)..close])
        {
            if (block.Count > 0 && block[^1].EndsWith('\\'))
            {
                block[^1] = block[^1][..^1] + line.TrimStart();
            }
            else
            {
                block.Add(line);
            }
        }

        return block;
    }

    /// <summary>Runs a bash script in <paramref name="folder"/> with the user's environment less the tests' own variables.</summary>
    private static async Task<CommandRun> BashAsync(string folder, string script, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = folder, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (var variable in TestEnvironment.Variables.Concat(["DOTNET_ENVIRONMENT", "ASPNETCORE_ENVIRONMENT", "TARGETING_TOKEN"]))
        {
            start.Environment.Remove(variable);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Timeout);
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new CommandRun(process.ExitCode, await output, await error);
    }

    /// <summary>The block uses serve's default port as written; another run of this test may hold it for a while.</summary>
    private static async Task WaitForPortAsync(int port)
    {
        for (var attempt = 0; attempt < 600; attempt++)
        {
            try
            {
                using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
                listener.Start();
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(500, TestContext.Current.CancellationToken);
            }
        }

        Assert.Fail($"port {port} (serve's default, which the README uses) stayed in use for 5 minutes");
    }

    private static string Quote(string path) => "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    [GeneratedRegex(@"(?m)^TOKEN<eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+>$")]
    private static partial Regex CapturedToken();
}
