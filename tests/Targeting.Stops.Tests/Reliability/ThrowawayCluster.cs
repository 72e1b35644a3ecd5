using System.Diagnostics;
using Targeting.Testing;

namespace Targeting.Stops.Tests.Reliability;

/// <summary>
/// A PostgreSQL + PostGIS cluster of the test's own (scripts/pg.sh), so it can be stopped and
/// started on the same port without disturbing the shared test server. Needs the PostgreSQL 15
/// binaries that scripts/install-deps.sh installs; skips (or fails under TARGETING_REQUIRE_PG=1)
/// without them.
/// </summary>
internal sealed class ThrowawayCluster : IAsyncDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";

    private readonly string _directory;

    private ThrowawayCluster(string directory, string connectionString, int port)
    {
        _directory = directory;
        ConnectionString = connectionString;
        Port = port;
    }

    public string ConnectionString { get; }

    public int Port { get; }

    public static async Task<ThrowawayCluster> StartAsync()
    {
        if (!File.Exists(Path.Combine(Bin, "pg_ctl")))
        {
            var message = $"no PostgreSQL binaries in {Bin}: run scripts/install-deps.sh";
            if (Environment.GetEnvironmentVariable("TARGETING_REQUIRE_PG") == "1")
            {
                Assert.Fail(message);
            }

            Assert.Skip(message);
        }

        var directory = Directory.CreateTempSubdirectory("stops-outage-pg-").FullName;
        var connectionString = (await RunAsync("bash", RepoPaths.InRepo("scripts", "pg.sh"), "start", directory)).Trim();
        var port = int.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "port")), System.Globalization.CultureInfo.InvariantCulture);
        return new ThrowawayCluster(directory, connectionString, port);
    }

    /// <summary>Stops the server at once (immediate mode: like a crash; it recovers from the WAL on start).</summary>
    public Task StopAsync() => AsOwnerAsync(Path.Combine(Bin, "pg_ctl"), "-D", Path.Combine(_directory, "data"), "-m", "immediate", "-w", "stop");

    /// <summary>Starts it again on the same port with the options pg.sh uses.</summary>
    public Task StartAgainAsync() => AsOwnerAsync(Path.Combine(Bin, "pg_ctl"), "-D", Path.Combine(_directory, "data"),
        "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60",
        "-o", $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB", "start");

    public async ValueTask DisposeAsync()
    {
        await RunAsync("bash", RepoPaths.InRepo("scripts", "pg.sh"), "stop", _directory);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS's temp cleanup.
        }
    }

    // initdb and postgres refuse to run as root; pg.sh runs the cluster as 'postgres' then.
    private static Task AsOwnerAsync(string program, params string[] arguments) =>
        Environment.UserName == "root" ? RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments]) : RunAsync(program, arguments);

    private static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            Assert.Fail($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}");
        }

        return await output;
    }
}
