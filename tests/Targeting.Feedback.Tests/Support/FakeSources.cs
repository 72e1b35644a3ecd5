using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Targeting.Feedback.Analysis;
using Targeting.Grpc;
using Targeting.Hotspot.V1;
using Targeting.Stops.Access;
using Targeting.Stops.Storage;
using Targeting.Stops.V1;

namespace Targeting.Feedback.Tests.Support;

/// <summary>
/// Stand-ins for the hotspot and stops services, on a real gRPC host (Grpc.AspNetCore on Kestrel,
/// loopback): the rpcs the feedback service reads, answered from in-memory lists
/// with the filters those rpcs document (window, crime types, team). Records what was asked.
/// </summary>
public sealed class FakeSources : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeSources(WebApplication app, Uri address, Data data)
    {
        _app = app;
        Address = address;
        Received = data;
    }

    public Uri Address { get; }

    /// <summary>The data served, and the requests received.</summary>
    public Data Received { get; }

    public static async Task<FakeSources> StartAsync(IEnumerable<PatrolPlan> plans, IEnumerable<Incident> incidents, IEnumerable<EncounterRecord> encounters)
    {
        var data = new Data([.. plans], [.. incidents], [.. encounters]);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpcServer(builder.Configuration);
        builder.Services.AddSingleton(data);
        var app = builder.Build();
        app.UseGrpcServer();
        var hotspot = HotspotReflection.Descriptor.Services[0];
        var stops = StopsReflection.Descriptor.Services[0];
        app.MapAuthorizedGrpcService<FakeHotspot>(hotspot, "ImportIncidents", "ProposePatrolAreas", "StreamHotspotSurface", "LocatePatrolArea", "RunBacktest", "ListBoundaries", "ProposeForcePlans");
        app.MapAuthorizedGrpcService<FakeStops>(stops, "RecordEncounter", "AmendEncounter", "GetEncounter", "ImportEncounters", "ListAuditEvents");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new FakeSources(app, new Uri(address), data);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>The hotspot rpcs the feedback service reads.</summary>
    internal sealed class FakeHotspot(Data data) : HotspotService.HotspotServiceBase
    {
        [AllowRoles(Roles.Service)]
        public override Task<PatrolPlan> GetPlan(GetPlanRequest request, ServerCallContext context) => data.GetPlan(request, context);

        [AllowRoles(Roles.Service)]
        public override Task<ListPlansResponse> ListPlans(ListPlansRequest request, ServerCallContext context) => data.ListPlans(request, context);

        [AllowRoles(Roles.Service)]
        public override Task StreamIncidents(StreamIncidentsRequest request, IServerStreamWriter<Incident> responseStream, ServerCallContext context) =>
            data.StreamIncidents(request, responseStream, context);

        [AllowRoles(Roles.Service)]
        public override Task StreamIncidentPoints(StreamIncidentsRequest request, IServerStreamWriter<IncidentPoints> responseStream, ServerCallContext context) =>
            data.StreamIncidentPoints(request, responseStream, context);
    }

    /// <summary>The stops rpcs the feedback service reads.</summary>
    internal sealed class FakeStops(Data data) : StopsService.StopsServiceBase
    {
        [AllowRoles(Roles.Service)]
        public override Task QueryEncounters(EncounterQuery request, IServerStreamWriter<EncounterRecord> responseStream, ServerCallContext context) =>
            data.QueryEncounters(request, responseStream, context);

        [AllowRoles(Roles.Service)]
        public override Task StreamEncounterFacts(EncounterQuery request, IServerStreamWriter<EncounterFacts> responseStream, ServerCallContext context) =>
            data.StreamEncounterFacts(request, responseStream, context);
    }

    public sealed class Data(List<PatrolPlan> plans, List<Incident> incidents, List<EncounterRecord> encounters)
    {
        // Small batches, so that every analysis reads several, each with its own crime-type and plan lists.
        private const int BatchSize = 7;

        /// <summary>The CRS StreamIncidentPoints says it projected to (British National Grid unless a test changes it).</summary>
        public string Crs { get; set; } = "EPSG:27700";

        public ConcurrentQueue<StreamIncidentsRequest> IncidentRequests { get; } = new();

        public ConcurrentQueue<EncounterQuery> EncounterQueries { get; } = new();

        public ConcurrentQueue<string> Callers { get; } = new();

        public Task<PatrolPlan> GetPlan(GetPlanRequest request, ServerCallContext context)
        {
            Callers.Enqueue(context.Caller.Subject);
            return Task.FromResult(plans.FirstOrDefault(p => p.PlanId == request.PlanId)
                ?? throw new RpcException(new Status(StatusCode.NotFound, $"no plan '{request.PlanId}'")));
        }

        public Task<ListPlansResponse> ListPlans(ListPlansRequest request, ServerCallContext context)
        {
            // Two plans a page, to exercise the feedback service's paging.
            var start = string.IsNullOrEmpty(request.Page?.PageToken) ? 0 : int.Parse(request.Page.PageToken, System.Globalization.CultureInfo.InvariantCulture);
            var response = new ListPlansResponse { Plans = { plans.Skip(start).Take(2) } };
            if (start + 2 < plans.Count)
            {
                response.NextPageToken = (start + 2).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return Task.FromResult(response);
        }

        public async Task StreamIncidents(StreamIncidentsRequest request, IServerStreamWriter<Incident> writer, ServerCallContext context)
        {
            IncidentRequests.Enqueue(request);
            var window = AnalysisWindow.From(request.Window);
            var types = request.CrimeTypes.ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var incident in incidents)
            {
                if (window.Contains(incident.OccurredAt.ToDateTime().Ticks) && (types.Count == 0 || types.Contains(incident.CrimeType)))
                {
                    await writer.WriteAsync(incident, context.CancellationToken);
                }
            }
        }

        public async Task StreamIncidentPoints(StreamIncidentsRequest request, IServerStreamWriter<IncidentPoints> writer, ServerCallContext context)
        {
            IncidentRequests.Enqueue(request);
            var window = AnalysisWindow.From(request.Window);
            var types = request.CrimeTypes.ToHashSet(StringComparer.OrdinalIgnoreCase);
            var matching = incidents.Where(i => window.Contains(i.OccurredAt.ToDateTime().Ticks) && (types.Count == 0 || types.Contains(i.CrimeType)));
            foreach (var chunk in matching.Chunk(BatchSize))
            {
                var batch = new IncidentPoints { Crs = Crs };
                foreach (var incident in chunk)
                {
                    var (x, y) = Targeting.Engine.Geography.Projection.BritishNationalGrid.Project(incident.Location.Longitude, incident.Location.Latitude);
                    if (!batch.CrimeTypes.Contains(incident.CrimeType))
                    {
                        batch.CrimeTypes.Add(incident.CrimeType);
                    }

                    batch.X.Add(x);
                    batch.Y.Add(y);
                    batch.OccurredAtSeconds.Add(incident.OccurredAt.Seconds);
                    batch.OccurredAtNanos.Add(incident.OccurredAt.Nanos);
                    batch.CrimeTypeIndex.Add(batch.CrimeTypes.IndexOf(incident.CrimeType));
                    batch.Provenance.Add(incident.Provenance);
                }

                await writer.WriteAsync(batch, context.CancellationToken);
            }
        }

        public async Task StreamEncounterFacts(EncounterQuery request, IServerStreamWriter<EncounterFacts> writer, ServerCallContext context)
        {
            EncounterQueries.Enqueue(request);
            var window = AnalysisWindow.From(request.Window);
            // The stops service's own mapping, from the records this stand-in holds.
            var matching = encounters.Where(r => window.Contains(r.Current.OccurredAt.ToDateTime().Ticks))
                .Select((r, i) => new EncounterFactRow(r.EncounterId, r.Current.ToByteArray(), r.PatrolLink?.Status ?? PatrolLinkStatus.Unspecified, r.PatrolLink?.PlanId, i + 1));
            foreach (var chunk in matching.Chunk(BatchSize))
            {
                await writer.WriteAsync(EncounterViews.ToFacts(chunk), context.CancellationToken);
            }
        }

        public async Task QueryEncounters(EncounterQuery request, IServerStreamWriter<EncounterRecord> writer, ServerCallContext context)
        {
            EncounterQueries.Enqueue(request);
            var window = AnalysisWindow.From(request.Window);
            foreach (var record in encounters)
            {
                if (window.Contains(record.Current.OccurredAt.ToDateTime().Ticks)
                    && (request.Team.Length == 0 || record.Current.Officer?.Team == request.Team))
                {
                    await writer.WriteAsync(record, context.CancellationToken);
                }
            }
        }
    }
}
