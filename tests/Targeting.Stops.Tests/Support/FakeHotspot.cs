using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using NetTopologySuite.Geometries;
using Targeting.Grpc;
using Targeting.Hotspot.V1;

namespace Targeting.Stops.Tests.Support;

/// <summary>
/// A real gRPC server, built with the gRPC layer, that answers hotspot's LocatePatrolArea from one
/// fixed patrol area (a test peer, like a grpc-js server in the interop tests); every other
/// hotspot rpc is UNIMPLEMENTED. It can be made slow, and it counts calls.
/// </summary>
public sealed class FakeHotspot : IAsyncDisposable
{
    public const string PlanId = "plan-test-1";
    public const string AreaId = "area-brixton";

    /// <summary>A small square around Brixton (WGS84): TestEncounters.Brixton is inside, Barking is not.</summary>
    public static readonly Polygon Area = new GeometryFactory().CreatePolygon(
    [
        new(-0.1200, 51.4600), new(-0.1100, 51.4600), new(-0.1100, 51.4660), new(-0.1200, 51.4660), new(-0.1200, 51.4600),
    ]);

    private readonly WebApplication _app;

    private FakeHotspot(WebApplication app, Uri address, Behaviour behaviour)
    {
        _app = app;
        Address = address;
        State = behaviour;
    }

    public Uri Address { get; }

    public Behaviour State { get; }

    /// <summary>Starts on <paramref name="port"/> (0: any free port).</summary>
    public static async Task<FakeHotspot> StartAsync(int port = 0, Behaviour? behaviour = null)
    {
        behaviour ??= new Behaviour();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpcServer(builder.Configuration);
        builder.Services.AddSingleton(behaviour);
        builder.Services.AddSingleton<Handler>();
        var app = builder.Build();
        app.UseGrpcServer();
        var hotspot = HotspotReflection.Descriptor.Services[0];
        app.MapAuthorizedGrpcService<Handler>(hotspot, [.. hotspot.Methods.Select(m => m.Name).Where(name => name != "LocatePatrolArea")]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new FakeHotspot(app, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)), behaviour);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }

    /// <summary>What the fake does; shared with its handler and changeable while it runs.</summary>
    public sealed class Behaviour
    {
        private int _calls;

        public TimeSpan Delay { get; set; }

        public int Calls => Volatile.Read(ref _calls);

        /// <summary>The subjects of the callers (the stops service's own token).</summary>
        public List<string> Callers { get; } = [];

        internal void Count(string caller)
        {
            Interlocked.Increment(ref _calls);
            lock (Callers)
            {
                Callers.Add(caller);
            }
        }
    }

    internal sealed class Handler(Behaviour behaviour) : HotspotService.HotspotServiceBase
    {
        [AllowRoles(Roles.Service)]
        public override async Task<LocatePatrolAreaResponse> LocatePatrolArea(LocatePatrolAreaRequest request, ServerCallContext context)
        {
            behaviour.Count(context.Caller.Subject);
            if (behaviour.Delay > TimeSpan.Zero)
            {
                await Task.Delay(behaviour.Delay, context.CancellationToken);
            }

            if (request.Point is null)
            {
                new FieldViolations().Add("point", "is required").ThrowIfAny();
            }

            var inside = Area.Covers(new Point(request.Point!.Longitude, request.Point.Latitude));
            return inside
                ? new LocatePatrolAreaResponse { Found = true, PlanId = PlanId, AreaId = AreaId, Rank = 1 }
                : new LocatePatrolAreaResponse { Found = false };
        }
    }
}
