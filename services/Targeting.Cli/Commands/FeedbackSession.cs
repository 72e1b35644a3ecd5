using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Targeting.Common.V1;
using Targeting.Feedback;
using Targeting.Grpc;
using Targeting.Hotspot;
using Targeting.Hotspot.Import;
using Targeting.Hotspot.V1;
using Targeting.Stops;
using Targeting.Stops.Import;
using Targeting.Stops.V1;

namespace Targeting.Cli.Commands;

/// <summary>The command's failure in words for the user: printed without a stack trace, with an exit code.</summary>
internal sealed class FeedbackCommandException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>
/// Where <c>targeting feedback</c> gets its answers: a running feedback service (<c>--server</c>),
/// or an embedded session: the hotspot, stops and feedback services hosted in this process on a
/// loopback port, composed as <c>targeting serve</c> composes them (so feedback still reads
/// hotspot and stops over gRPC), on SQLite stores loaded from the shipped sample in <c>data/</c>.
/// </summary>
internal sealed class FeedbackSession : IAsyncDisposable
{
    /// <summary>Written into a data folder once the sample is in its stores, so a kept --data-dir is loaded once.</summary>
    public const string LoadedMarker = "feedback-sample.loaded";

    private readonly WebApplication? _host;
    private readonly string? _temporaryFolder;
    private readonly List<IDisposable> _clients = [];

    private FeedbackSession(Uri address, GrpcClient feedback, GrpcClient hotspot, WebApplication? host, string? temporaryFolder)
    {
        Address = address;
        Feedback = new FeedbackClient(feedback);
        Hotspot = new HotspotClient(hotspot);
        _clients.Add(feedback);
        if (!ReferenceEquals(feedback, hotspot))
        {
            _clients.Add(hotspot);
        }

        _host = host;
        _temporaryFolder = temporaryFolder;
    }

    /// <summary>The feedback service's address (the embedded host's loopback address, or --server).</summary>
    public Uri Address { get; }

    /// <summary>True for the in-process services on the shipped sample.</summary>
    public bool IsEmbedded => _host is not null;

    public FeedbackClient Feedback { get; }

    /// <summary>The hotspot service at the same address (as <c>targeting serve</c> and the embedded session host it), for proposing plans.</summary>
    public HotspotClient Hotspot { get; }

    /// <summary>A session on a running service; the token (if any) is presented on every call.</summary>
    public static async Task<FeedbackSession> ConnectAsync(Uri server, string? token, TextWriter progress, CancellationToken cancellationToken)
    {
        // ServerOption has already refused anything but an absolute http(s) address, TokenOption anything but a JWT.
        await ServerOption.WaitUntilServingAsync(server, progress, cancellationToken);
        var client = new GrpcClient(server, new GrpcClientOptions { BearerToken = token, MaxReceiveMessageSize = 64 * 1024 * 1024 });
        return new FeedbackSession(server, client, client, null, null);
    }

    /// <summary>
    /// Starts the three services in this process on the stores in <paramref name="dataDirectory"/>
    /// (a temporary folder, deleted afterwards, when null) and loads the shipped sample into them
    /// unless that folder already holds it. Progress goes to <paramref name="progress"/>.
    /// </summary>
    public static async Task<FeedbackSession> StartEmbeddedAsync(string? dataDirectory, TextWriter progress, CancellationToken cancellationToken)
    {
        var sample = DataLocator.FindDataDirectory()
            ?? throw new FeedbackCommandException(
                $"no shipped sample found (a data/ folder holding police-uk/ and boundaries/ above this program or the working directory): " +
                $"run from the repository, set {DataLocator.EnvironmentVariable}, or give --server");
        var temporary = dataDirectory is null ? Directory.CreateTempSubdirectory("targeting-feedback-").FullName : null;
        var folder = Path.GetFullPath(dataDirectory ?? temporary!);
        Directory.CreateDirectory(folder);

        var address = new Uri($"http://127.0.0.1:{FreeLoopbackPort()}");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "sqlite",
            ["Storage:DataDirectory"] = folder,
            ["Services:Hotspot:Address"] = address.ToString(),
            ["Services:Stops:Address"] = address.ToString(),
        });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(address.ToString());
        builder.Services.AddGrpcServer(builder.Configuration);
        builder.Services.AddHotspotService(builder.Configuration);
        builder.Services.AddStopsService(builder.Configuration);
        builder.Services.AddFeedbackService(builder.Configuration);
        var host = builder.Build();
        FeedbackSession? session = null;
        try
        {
            host.UseGrpcServer();
            host.MapHotspotService();
            host.MapStopsService();
            host.MapFeedbackService();
            await host.StartAsync(cancellationToken);

            // One development token for every role the command needs (the embedded host runs in Development).
            var token = DevelopmentTokens.Issue([Roles.Analyst, Roles.Planner, Roles.Supervisor], "cli-feedback");
            var client = new GrpcClient(address, new GrpcClientOptions { BearerToken = token, MaxReceiveMessageSize = 64 * 1024 * 1024 });
            session = new FeedbackSession(address, client, client, host, temporary);
            if (!File.Exists(Path.Combine(folder, LoadedMarker)))
            {
                await LoadSampleAsync(client, sample, folder, progress, cancellationToken);
                await File.WriteAllTextAsync(Path.Combine(folder, LoadedMarker), $"loaded from {sample} at {DateTime.UtcNow:O}\n", cancellationToken);
            }
            else
            {
                await progress.WriteLineAsync($"targeting feedback: using the sample already loaded in {folder}");
            }

            return session;
        }
        catch
        {
            if (session is not null)
            {
                await session.DisposeAsync();
            }
            else
            {
                await host.DisposeAsync();
                DeleteQuietly(temporary);
            }

            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        if (_host is not null)
        {
            await _host.StopAsync();
            await _host.DisposeAsync();
        }

        DeleteQuietly(_temporaryFolder);
    }

    // Through the services' own import rpcs, as `targeting import` does against a server.
    private static async Task LoadSampleAsync(GrpcClient client, string sample, string folder, TextWriter progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await progress.WriteLineAsync($"targeting feedback: loading the shipped sample from {sample} into {folder} (once per data folder)...");
        var stopsClient = new StopsClient(client);
        var searchFiles = Directory.GetFiles(Path.Combine(sample, "police-uk", "stop-and-search"), "*-stop-and-search.csv").Order(StringComparer.Ordinal).ToList();
        long imported = 0;
        foreach (var path in searchFiles)
        {
            var file = StopSearchFile.Open(path);
            var unreadable = new List<RejectedRow>();
            await using var call = stopsClient.ImportEncounters(new CallOptions { CancellationToken = cancellationToken });
            var first = true;
            foreach (var batch in file.ReadBatches(EncounterImporter.BatchSize, unreadable))
            {
                var message = new ImportEncountersRequest { Source = first ? file.Source : "" };
                message.Encounters.Add(batch);
                await call.WriteAsync(message, cancellationToken);
                first = false;
            }

            if (first)
            {
                await call.WriteAsync(new ImportEncountersRequest { Source = file.Source }, cancellationToken);
            }

            var summary = await call.CompleteAsync();
            imported += summary.Imported + summary.Duplicates;
            await progress.WriteLineAsync($"  stops:     {file.Source}: {summary.Imported:N0} searches imported ({summary.Rejected + unreadable.Count:N0} rejected)");
        }

        var hotspot = new HotspotClient(client);
        long incidents = 0;
        foreach (var path in Directory.GetFiles(Path.Combine(sample, "police-uk"), "street-crime-*.csv*").Order(StringComparer.Ordinal))
        {
            await using var call = hotspot.ImportIncidents(new CallOptions { CancellationToken = cancellationToken });
            var source = Path.GetFileName(path);
            var first = true;
            var read = await CrimeFileImporter.ReadAsync(
                path,
                async (batch, ct) =>
                {
                    var message = new ImportIncidentsRequest { Source = first ? source : "" };
                    message.Incidents.Add(batch);
                    await call.WriteAsync(message, ct);
                    first = false;
                },
                _ => { },
                cancellationToken: cancellationToken);
            var summary = await call.CompleteAsync();
            incidents += summary.Imported + summary.Duplicates;
            await progress.WriteLineAsync($"  incidents: {source}: {summary.Imported:N0} imported ({read.Rejected + summary.Rejected:N0} rejected)");
        }

        await progress.WriteLineAsync($"targeting feedback: sample loaded ({imported:N0} searches, {incidents:N0} incidents) in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void DeleteQuietly(string? folder)
    {
        if (folder is null)
        {
            return;
        }

        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless; the answer matters more than the tidy-up.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
