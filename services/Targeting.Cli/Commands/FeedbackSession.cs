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
/// hotspot and stops over gRPC), on the SQLite stores of the data folder, or, when it holds no
/// searches and no crimes, on the shipped sample in <c>data/</c> loaded into a temporary folder.
/// </summary>
internal sealed class FeedbackSession : IAsyncDisposable
{
    /// <summary>Written into a folder once the sample is in its stores.</summary>
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

    /// <summary>True for the in-process services.</summary>
    public bool IsEmbedded => _host is not null;

    /// <summary>What the embedded services read: the data folder, or the shipped sample; null for --server.</summary>
    public string? Source { get; private init; }

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
    /// Starts the three services in this process on the stores in <paramref name="dataDirectory"/> when
    /// they hold searches or crimes; else on the shipped sample, loaded into a temporary folder deleted
    /// afterwards (the data folder is left as it is). Progress goes to <paramref name="progress"/>.
    /// </summary>
    public static async Task<FeedbackSession> StartEmbeddedAsync(string dataDirectory, TextWriter progress, CancellationToken cancellationToken)
    {
        var data = Path.GetFullPath(dataDirectory);
        if (HoldsData(data))
        {
            await progress.WriteLineAsync($"targeting feedback: reading the data folder {data}");
            return await StartAsync(data, null, null, progress, cancellationToken);
        }

        var sample = DataLocator.FindDataDirectory()
            ?? throw new FeedbackCommandException(
                $"the data folder {data} holds no searches or crimes, and no shipped sample was found (a data/ folder holding police-uk/ and boundaries/ " +
                $"above this program or the working directory): import some ('targeting import stops|crimes'), run from the repository, set {DataLocator.EnvironmentVariable}, or give --server");
        await progress.WriteLineAsync($"targeting feedback: the data folder {data} holds no searches or crimes: using the shipped sample");
        var temporary = Directory.CreateTempSubdirectory("targeting-feedback-").FullName;
        return await StartAsync(temporary, temporary, sample, progress, cancellationToken);
    }

    /// <summary>Loads the shipped sample into <paramref name="folder"/>'s stores, once (a marker says it is done).</summary>
    internal static async Task LoadSampleIntoAsync(string folder, TextWriter progress, CancellationToken cancellationToken)
    {
        var sample = DataLocator.FindDataDirectory() ?? throw new FeedbackCommandException("no shipped sample found");
        await using var session = await StartAsync(Path.GetFullPath(folder), null, sample, progress, cancellationToken);
    }

    /// <summary>Whether the SQLite stores in <paramref name="folder"/> hold any encounter or incident.</summary>
    internal static bool HoldsData(string folder) =>
        HasRows(Path.Combine(folder, "stops.db"), "encounters") || HasRows(Path.Combine(folder, "hotspot.db"), "incidents");

    private static bool HasRows(string database, string table)
    {
        if (!File.Exists(database))
        {
            return false;
        }

        using var connection = new Microsoft.Data.Sqlite.SqliteConnection(
            new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = database, Mode = Microsoft.Data.Sqlite.SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{table}') AND EXISTS (SELECT 1 FROM {table} LIMIT 1)";
        try
        {
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 1;
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            // No such table yet (a store never migrated): nothing held.
            return false;
        }
    }

    private static async Task<FeedbackSession> StartAsync(string folder, string? temporary, string? sample, TextWriter progress, CancellationToken cancellationToken)
    {
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
            session = new FeedbackSession(address, client, client, host, temporary) { Source = sample is null ? $"the data folder {folder}" : "the shipped sample" };
            if (sample is not null && !File.Exists(Path.Combine(folder, LoadedMarker)))
            {
                await LoadSampleAsync(client, sample, folder, progress, cancellationToken);
                await File.WriteAllTextAsync(Path.Combine(folder, LoadedMarker), $"loaded from {sample} at {DateTime.UtcNow:O}\n", cancellationToken);
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
