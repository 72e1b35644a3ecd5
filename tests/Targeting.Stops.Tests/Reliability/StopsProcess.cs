using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Health.V1;
using Targeting.Grpc;

namespace Targeting.Stops.Tests.Reliability;

/// <summary>
/// The built stops host (Targeting.Stops.dll, copied beside the tests) as a real child process:
/// <c>dotnet Targeting.Stops.dll --urls http://127.0.0.1:PORT</c> in Development (development
/// signing and pseudonym keys), so it can be killed with SIGKILL and started again on the same
/// port and data.
/// </summary>
internal sealed class StopsProcess : IAsyncDisposable
{
    private static readonly GrpcMethod<HealthCheckRequest, HealthCheckResponse> HealthCheck =
        GrpcMethod<HealthCheckRequest, HealthCheckResponse>.For(HealthReflection.Descriptor.Services[0], "Check");

    private readonly Dictionary<string, string> _settings;
    private readonly List<string> _output = [];
    private Process? _process;

    public StopsProcess(Dictionary<string, string> settings)
    {
        _settings = settings;
        Port = FreeLoopbackPort();
        Address = new Uri($"http://127.0.0.1:{Port}");
    }

    public int Port { get; }

    public Uri Address { get; }

    public bool HasExited => _process?.HasExited ?? true;

    /// <summary>Lines the host wrote to stdout and stderr, for failure messages.</summary>
    public string OutputTail
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output.TakeLast(40));
            }
        }
    }

    /// <summary>Settings for SQLite in <paramref name="dataDirectory"/>, the shipped sample boundary and no hotspot.</summary>
    public static Dictionary<string, string> SqliteSettings(string dataDirectory) => new()
    {
        ["Storage__Provider"] = "sqlite",
        ["Storage__DataDirectory"] = dataDirectory,
        ["Stops__BoundaryPath"] = TestEncounters.SampleBoundaryPath,
    };

    /// <summary>Starts the host and waits until its stops health is SERVING.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!HasExited)
        {
            throw new InvalidOperationException("the stops process is already running");
        }

        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Targeting.Stops.dll"), "--urls", Address.ToString().TrimEnd('/') },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in _settings)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, line) => Keep(line.Data);
        process.ErrorDataReceived += (_, line) => Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await WaitUntilServingAsync(cancellationToken);
    }

    /// <summary>kill -9: no shutdown hooks, no flush, no graceful close of connections.</summary>
    public async Task KillAsync()
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        // Process.Kill sends SIGKILL on Unix.
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    /// <summary>The stops service's health as the process reports it over gRPC.</summary>
    public async Task<HealthCheckResponse.Types.ServingStatus> HealthAsync(CancellationToken cancellationToken)
    {
        using var client = new GrpcClient(Address, new GrpcClientOptions { Retry = null });
        var response = await client.UnaryAsync(HealthCheck, new HealthCheckRequest { Service = StopsServiceExtensions.HealthName },
            CallOptions.WithTimeout(TimeSpan.FromSeconds(5), cancellationToken));
        return response.Status;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }
    }

    private async Task WaitUntilServingAsync(CancellationToken cancellationToken)
    {
        var giveUp = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < giveUp)
        {
            if (HasExited)
            {
                Assert.Fail($"the stops process exited with {_process!.ExitCode} before serving:\n{OutputTail}");
            }

            try
            {
                if (await HealthAsync(cancellationToken) == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    return;
                }
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                // Not listening yet.
            }

            await Task.Delay(100, cancellationToken);
        }

        Assert.Fail($"the stops process did not report SERVING within 60 s:\n{OutputTail}");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
