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
using Targeting.Grpc;
using Targeting.Hotspot.Storage;

namespace Targeting.Hotspot.Tests.Service;

/// <summary>The real hotspot service on Kestrel, in-process, on a free loopback port (h2c), with its own store.</summary>
public sealed class HotspotTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string? _folder;

    private HotspotTestHost(WebApplication app, Uri address, string? folder)
    {
        _app = app;
        Address = address;
        _folder = folder;
    }

    public Uri Address { get; }

    public IServiceProvider Services => _app.Services;

    public IHotspotStore Store => _app.Services.GetRequiredService<IHotspotStore>();

    /// <summary>Starts a host on a fresh SQLite file, or on PostgreSQL when a connection string is given.</summary>
    public static async Task<HotspotTestHost> StartAsync(string? postgresConnectionString = null, Dictionary<string, string?>? settings = null)
    {
        var folder = postgresConnectionString is null ? Directory.CreateTempSubdirectory("hotspot-host-").FullName : null;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Development",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.Sources.Clear();
        var configuration = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = postgresConnectionString is null ? "sqlite" : "postgres",
            ["Storage:DataDirectory"] = folder,
            ["Storage:ConnectionString"] = postgresConnectionString,
            ["Hotspot:HealthCheckInterval"] = "00:00:00.200",
            ["Hotspot:PlanRefreshInterval"] = "00:00:00.200",
        };
        foreach (var (key, value) in settings ?? [])
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpcServer(builder.Configuration);
        builder.Services.AddHotspotService(builder.Configuration);

        var app = builder.Build();
        app.UseGrpcServer();
        app.MapHotspotService();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new HotspotTestHost(app, new Uri(address), folder);
    }

    /// <summary>A typed client calling as <paramref name="role"/> (no token when null).</summary>
    public HotspotClient CreateClient(string? role = Roles.Planner) =>
        new(new GrpcClient(Address, new GrpcClientOptions { BearerToken = role is null ? null : DevelopmentTokens.Issue(role, "test-" + role) }));

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
        if (_folder is not null)
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(_folder, recursive: true);
        }
    }
}
