using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Targeting.Grpc;

namespace Targeting.Stops.Tests.Support;

/// <summary>
/// The real stops service (AddStopsService + MapStopsService on the gRPC layer) in-process on a
/// free loopback port, in Development (development signing and pseudonym keys), on SQLite in a
/// temporary folder unless the settings say otherwise.
/// </summary>
public sealed class StopsTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _directory;

    private StopsTestHost(WebApplication app, Uri address, string directory)
    {
        _app = app;
        Address = address;
        _directory = directory;
    }

    public Uri Address { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<StopsTestHost> StartAsync(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var directory = Directory.CreateTempSubdirectory("stops-host-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = directory,
            ["Stops:BoundaryPath"] = TestEncounters.SampleBoundaryPath,
            ["Stops:LinkPollInterval"] = "00:00:00.200",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpcServer(builder.Configuration);
        builder.Services.AddStopsService(builder.Configuration);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.UseGrpcServer();
        app.MapStopsService();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new StopsTestHost(app, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)), directory);
    }

    /// <summary>A typed client calling with a development token for these roles.</summary>
    public StopsClient Client(string role, string? subject = null, string? team = null, RetryPolicy? retry = null) =>
        Client([role], subject ?? "dev-" + role, team, retry);

    public StopsClient Client(IReadOnlyList<string> roles, string subject, string? team = null, RetryPolicy? retry = null) =>
        new(Address, new GrpcClientOptions { BearerToken = DevelopmentTokens.Issue(roles, subject, team), Retry = retry });

    public GrpcHealth Health => _app.Services.GetRequiredService<GrpcHealth>();

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open is left for the OS to clean up with the temp folder.
        }
    }
}
