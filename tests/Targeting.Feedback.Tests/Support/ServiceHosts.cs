using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Targeting.Grpc;
using Targeting.Testing;

namespace Targeting.Feedback.Tests.Support;

/// <summary>
/// Real service hosts (AddGrpcServer + a service's Add/Map pair), each in-process on its own
/// loopback h2c port in Development, stopped together in reverse order of starting.
/// </summary>
public sealed class ServiceHosts : IAsyncDisposable
{
    private readonly List<WebApplication> _hosts = [];

    /// <summary>Starts a host with only <paramref name="settings"/> as configuration; returns its address.</summary>
    public async Task<Uri> StartAsync(Dictionary<string, string?> settings, Action<IServiceCollection, IConfiguration> add, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpcServer(builder.Configuration);
        add(builder.Services, builder.Configuration);
        var app = builder.Build();
        _hosts.Add(app);
        app.UseGrpcServer();
        map(app);
        await app.StartAsync();
        return new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }

    /// <summary>The real feedback service reading from <paramref name="hotspot"/> and <paramref name="stops"/>, with the shipped Census file and borough polygons.</summary>
    public Task<Uri> StartFeedbackAsync(Uri hotspot, Uri stops) => StartAsync(new Dictionary<string, string?>
    {
        ["Services:Hotspot:Address"] = hotspot.ToString(),
        ["Services:Stops:Address"] = stops.ToString(),
        ["Feedback:CensusPath"] = RepoPaths.InRepo("data", "census", "census2021_ethnic_group_london_boroughs.csv"),
        ["Feedback:BoroughBoundaryPath"] = RepoPaths.InRepo("data", "boundaries", "london_boroughs_barking_dagenham_lambeth.geojson"),
    }, (s, c) => s.AddFeedbackService(c), app => app.MapFeedbackService());

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            await host.StopAsync();
            await host.DisposeAsync();
        }

        _hosts.Clear();
    }
}
