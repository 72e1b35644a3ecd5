using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Targeting.Common.V1;
using Targeting.Feedback;
using Targeting.Grpc;
using Targeting.Hotspot;
using Targeting.Hotspot.Import;
using Targeting.Hotspot.V1;
using Targeting.Stops;
using Targeting.Stops.Import;
using Targeting.Stops.V1;
using Targeting.Testing;

namespace Targeting.Web.Tests.Support;

/// <summary>
/// The real hotspot, stops and feedback services on the shipped sample (data/: Lambeth and Barking
/// and Dagenham street crime January to September 2022 and the Met stop-and-search months), on
/// PostGIS when TARGETING_TEST_PG names a server, else SQLite; one Lambeth plan proposed over gRPC;
/// the web host in front of them; and Debian's Chromium driven by Microsoft.Playwright. Every host
/// listens on a free loopback port.
/// </summary>
public class WebWorld : IAsyncLifetime
{
    /// <summary>What a world is loaded with.</summary>
    public sealed record WorldData(string CrimeFile, IReadOnlyList<(string Path, string? Kind)> HotspotBoundaries, bool ImportStops,
        string WebBoroughs, string WebWards, string PlanArea, int MaxAreas);

    /// <summary>The shipped sample.</summary>
    public static WorldData Sample { get; } = new(
        RepoPaths.InRepo("data", "police-uk", "street-crime-barking-dagenham-lambeth-2022-01-to-2022-09.csv.gz"), [], ImportStops: true,
        RepoPaths.InRepo("data", "boundaries", "london_boroughs_barking_dagenham_lambeth.geojson"),
        RepoPaths.InRepo("data", "boundaries", "wards_2014_barking_dagenham_lambeth.geojson"), "Lambeth", MaxAreas: 6);

    private readonly WorldData _data;

    public WebWorld()
        : this(Sample)
    {
    }

    protected WebWorld(WorldData data) => _data = data;

    /// <summary>False for a world that is not wanted in this run (its tests skip): nothing is started.</summary>
    protected virtual bool Wanted => true;

    /// <summary>Where the tests keep their screenshots (TestResults/ is ignored by git).</summary>
    public static readonly string ScreenshotFolder = RepoPaths.InRepo("tests", "Targeting.Web.Tests", "TestResults", "screenshots");

    /// <summary>The sample's data window: January to September 2022 (UTC month starts; London is UTC in January, UTC+1 on 1 October).</summary>
    public static readonly TimeWindow DataWindow = new()
    {
        Start = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(new DateTime(2022, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
        End = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(new DateTime(2022, 9, 30, 23, 0, 0, DateTimeKind.Utc)),
    };

    private readonly List<WebApplication> _hosts = [];
    private readonly PostgresDatabase _hotspotDatabase = new();
    private readonly PostgresDatabase _stopsDatabase = new();
    private readonly List<string> _folders = [];
    private IPlaywright? _playwright;

    public Uri Hotspot { get; private set; } = null!;
    public Uri Stops { get; private set; } = null!;
    public Uri Feedback { get; private set; } = null!;

    /// <summary>The web host, http:// on loopback.</summary>
    public Uri Web { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>"PostGIS" or "SQLite".</summary>
    public string Store { get; private set; } = "";

    /// <summary>The Lambeth plan proposed at start over gRPC.</summary>
    public PatrolPlan Plan { get; private set; } = null!;

    /// <summary>Every stored stop (as an analyst sees it): the personal values the public page must never show.</summary>
    public IReadOnlyList<EncounterRecord> Encounters { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        if (!Wanted)
        {
            return;
        }
        await _hotspotDatabase.InitializeAsync();
        await _stopsDatabase.InitializeAsync();
        Store = _hotspotDatabase.IsAvailable ? "PostGIS" : "SQLite";
        var hotspotSettings = Storage(_hotspotDatabase);
        for (var i = 0; i < _data.HotspotBoundaries.Count; i++)
        {
            hotspotSettings[$"Hotspot:Boundaries:{i}:Path"] = _data.HotspotBoundaries[i].Path;
            hotspotSettings[$"Hotspot:Boundaries:{i}:Kind"] = _data.HotspotBoundaries[i].Kind;
        }
        Hotspot = await StartAsync(hotspotSettings, (s, c) => s.AddHotspotService(c), app => app.MapHotspotService(), http1: false);
        var stopsSettings = Storage(_stopsDatabase);
        stopsSettings["Stops:BoundaryPath"] = RepoPaths.InRepo("data", "boundaries", "london_boroughs_barking_dagenham_lambeth.geojson");
        stopsSettings["Services:Hotspot:Address"] = Hotspot.ToString();
        Stops = await StartAsync(stopsSettings, (s, c) => s.AddStopsService(c), app => app.MapStopsService(), http1: false);
        Feedback = await StartAsync(new Dictionary<string, string?>
        {
            ["Services:Hotspot:Address"] = Hotspot.ToString(),
            ["Services:Stops:Address"] = Stops.ToString(),
            ["Feedback:CensusPath"] = RepoPaths.InRepo("data", "census", "census2021_ethnic_group_london_boroughs.csv"),
            ["Feedback:BoroughBoundaryPath"] = RepoPaths.InRepo("data", "boundaries", "london_boroughs_barking_dagenham_lambeth.geojson"),
        }, (s, c) => s.AddFeedbackService(c), app => app.MapFeedbackService(), http1: false);

        await ImportCrimesAsync();
        if (_data.ImportStops)
        {
            await ImportStopsAsync();
        }
        {
            var hotspot = HotspotClient(Roles.Planner);
            using var channel = hotspot.Channel;
            Plan = await hotspot.ProposePatrolAreasAsync(new ProposePatrolAreasRequest
            {
                Area = new AreaOfInterest { BoundaryName = _data.PlanArea },
                DataWindow = DataWindow,
                Method = Method.NaiveCounts,
                BudgetFraction = 0.01,
                MaxAreas = _data.MaxAreas,
                Note = "web tests",
            });
        }

        Web = await StartAsync(new Dictionary<string, string?>
        {
            ["Services:Hotspot:Address"] = Hotspot.ToString(),
            ["Services:Stops:Address"] = Stops.ToString(),
            ["Services:Feedback:Address"] = Feedback.ToString(),
            ["Grpc:Http2OnlyEndpoints"] = "false",
            ["Web:StaticRoot"] = RepoPaths.InRepo("services", "Targeting.Web", "ClientApp", "dist"),
            ["Web:BoroughsPath"] = _data.WebBoroughs,
            ["Web:WardsPath"] = _data.WebWards,
        }, (s, c) => s.AddWebHost(c), app => app.UseWebHost(), http1: true, grpcServer: false);

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            // Root in a container: Chromium's sandbox needs user namespaces it may not have.
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    public HotspotClient HotspotClient(string role) =>
        new(new GrpcClient(Hotspot, new GrpcClientOptions { BearerToken = DevelopmentTokens.Issue(role, "web-test-" + role), MaxReceiveMessageSize = 64 * 1024 * 1024 }));

    /// <summary>A fresh browser page (its own context: no token kept between tests) of 1400 x 900.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        context.SetDefaultTimeout(120_000);
        return await context.NewPageAsync();
    }

    public virtual async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            await host.StopAsync();
            await host.DisposeAsync();
        }
        SqliteConnection.ClearAllPools();
        foreach (var folder in _folders)
        {
            Directory.Delete(folder, recursive: true);
        }
        await _hotspotDatabase.DisposeAsync();
        await _stopsDatabase.DisposeAsync();
    }

    private Dictionary<string, string?> Storage(PostgresDatabase database)
    {
        if (database.IsAvailable)
        {
            return new() { ["Storage:Provider"] = "postgres", ["Storage:ConnectionString"] = database.ConnectionString };
        }
        var folder = Directory.CreateTempSubdirectory("web-world-").FullName;
        _folders.Add(folder);
        return new() { ["Storage:Provider"] = "sqlite", ["Storage:DataDirectory"] = folder };
    }

    private async Task<Uri> StartAsync(Dictionary<string, string?> settings, Action<IServiceCollection, IConfiguration> add, Action<WebApplication> map, bool http1, bool grpcServer = true)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("TARGETING_WEB_TEST_LOG") == "1")
        {
            builder.Logging.AddConsole();
        }
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = http1 ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http2));
        if (grpcServer)
        {
            builder.Services.AddGrpcServer(builder.Configuration);
        }
        add(builder.Services, builder.Configuration);
        var app = builder.Build();
        _hosts.Add(app);
        if (grpcServer)
        {
            app.UseGrpcServer();
        }
        map(app);
        await app.StartAsync();
        return new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }

    private async Task ImportCrimesAsync()
    {
        var client = HotspotClient(Roles.Service);
        using var channel = client.Channel;
        var path = _data.CrimeFile;
        await using var call = client.ImportIncidents();
        var first = true;
        await CrimeFileImporter.ReadAsync(path, async (batch, ct) =>
        {
            var message = new ImportIncidentsRequest { Source = first ? Path.GetFileName(path) : string.Empty };
            message.Incidents.AddRange(batch);
            first = false;
            await call.WriteAsync(message, ct);
        }, _ => { }, null);
        var summary = await call.CompleteAsync();
        if (summary.Imported == 0)
        {
            throw new InvalidOperationException("no crime imported from the sample");
        }
    }

    private async Task ImportStopsAsync()
    {
        var token = DevelopmentTokens.Issue(Roles.Service, "web-world");
        using var client = new StopsClient(Stops, new GrpcClientOptions { BearerToken = token, MaxReceiveMessageSize = 256 * 1024 * 1024 });
        foreach (var path in Directory.GetFiles(RepoPaths.InRepo("data", "police-uk", "stop-and-search"), "*.csv").Order(StringComparer.Ordinal))
        {
            var file = StopSearchFile.Open(path);
            await using var call = client.ImportEncounters();
            var first = true;
            foreach (var batch in file.ReadBatches(EncounterImporter.BatchSize, []))
            {
                var message = new ImportEncountersRequest { Source = first ? file.Source : "" };
                message.Encounters.Add(batch);
                await call.WriteAsync(message);
                first = false;
            }
            await call.CompleteAsync();
        }

        using var analyst = new StopsClient(Stops, new GrpcClientOptions { BearerToken = DevelopmentTokens.Issue(Roles.Analyst, "web-world-analyst"), MaxReceiveMessageSize = 256 * 1024 * 1024 });
        var records = new List<EncounterRecord>();
        await foreach (var record in analyst.QueryEncountersAsync(new EncounterQuery()))
        {
            records.Add(record);
        }
        Encounters = records;
    }
}
