using System.Diagnostics;
using System.Text.Json;
using Targeting.Testing;

namespace Targeting.Grpc.Tests.Support;

/// <summary>
/// Runs the grpc-js peers in tests/interop with node. Installs their npm packages (npm ci, from the
/// committed package-lock.json) when node_modules is missing, so a plain dotnet test works.
/// </summary>
internal static class Node
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    public static string InteropDirectory => RepoPaths.InRepo("tests", "interop");

    public static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            if (Directory.Exists(Path.Combine(InteropDirectory, "node_modules", "@grpc", "grpc-js")))
            {
                return;
            }
            var start = new ProcessStartInfo("npm", "ci --no-audit --no-fund") { WorkingDirectory = InteropDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
            using var npm = Process.Start(start) ?? throw new InvalidOperationException("npm could not be started.");
            var output = npm.StandardOutput.ReadToEndAsync();
            var error = npm.StandardError.ReadToEndAsync();
            await npm.WaitForExitAsync();
            Assert.True(npm.ExitCode == 0, $"npm ci in tests/interop failed: {await output}{await error}");
        }
        finally
        {
            InstallLock.Release();
        }
    }

    /// <summary>Runs one case of client.js and returns the JSON it printed.</summary>
    public static async Task<JsonElement> RunClientAsync(string address, string testCase, string? token = null, string? probeId = null, string? caFile = null, string? version = null)
    {
        await EnsureInstalledAsync();
        var start = new ProcessStartInfo("node") { WorkingDirectory = InteropDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "client.js", "--address", address, "--case", testCase })
        {
            start.ArgumentList.Add(argument);
        }
        AddOption(start, "--token", token);
        AddOption(start, "--probe", probeId);
        AddOption(start, "--ca", caFile);
        AddOption(start, "--version", version);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        Assert.True(process.ExitCode == 0, $"client.js --case {testCase} exited with {process.ExitCode}: {await error}");
        return JsonDocument.Parse(await output).RootElement.Clone();
    }

    private static void AddOption(ProcessStartInfo start, string name, string? value)
    {
        if (value is not null)
        {
            start.ArgumentList.Add(name);
            start.ArgumentList.Add(value);
        }
    }
}

/// <summary>server.js, the grpc-js TestService, running for one test class; killed with it.</summary>
public sealed class GrpcJsServer : IAsyncLifetime
{
    private readonly List<string> _events = [];
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? _process;

    public Uri Address { get; private set; } = null!;

    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public async ValueTask InitializeAsync()
    {
        await Node.EnsureInstalledAsync();
        var start = new ProcessStartInfo("node", "server.js --watch-stdin 1")
        {
            WorkingDirectory = Node.InteropDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started.");
        _process.OutputDataReceived += (_, line) => OnLine(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var port = await _port.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Address = new Uri($"http://127.0.0.1:{port}");
    }

    /// <summary>
    /// Waits for an "EVENT ..." line starting with <paramref name="prefix"/>; looks at least once,
    /// so a zero timeout asks whether the event has already happened.
    /// </summary>
    public async Task<bool> WaitForEventAsync(string prefix, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Events.Any(e => e.StartsWith(prefix, StringComparison.Ordinal)))
            {
                return true;
            }
            if (DateTime.UtcNow >= until)
            {
                return false;
            }
            await Task.Delay(50);
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }
        if (line.StartsWith("LISTENING ", StringComparison.Ordinal))
        {
            _port.TrySetResult(int.Parse(line["LISTENING ".Length..], System.Globalization.CultureInfo.InvariantCulture));
        }
        else if (line.StartsWith("EVENT ", StringComparison.Ordinal))
        {
            lock (_events)
            {
                _events.Add(line["EVENT ".Length..]);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is null)
        {
            return;
        }
        using (_process)
        {
            if (!_process.HasExited)
            {
                // Closing stdin stops the server; kill it if it does not go.
                _process.StandardInput.Close();
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                try
                {
                    await _process.WaitForExitAsync(grace.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync();
                }
            }
        }
    }
}
