using Targeting.Grpc;
using Targeting.Hotspot.V1;

namespace Targeting.Hotspot;

/// <summary>
/// A typed client of the hotspot service over <see cref="GrpcClient"/>, for the other services
/// and the command line. Thread-safe; create one per address and reuse it.
/// </summary>
public sealed class HotspotClient(GrpcClient client)
{
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor Service = HotspotReflection.Descriptor.Services[0];

    private static readonly GrpcMethod<ImportIncidentsRequest, ImportIncidentsSummary> ImportIncidentsMethod = GrpcMethod<ImportIncidentsRequest, ImportIncidentsSummary>.For(Service, "ImportIncidents");
    private static readonly GrpcMethod<StreamIncidentsRequest, Incident> StreamIncidentsMethod = GrpcMethod<StreamIncidentsRequest, Incident>.For(Service, "StreamIncidents");
    private static readonly GrpcMethod<StreamIncidentsRequest, IncidentPoints> StreamIncidentPointsMethod = GrpcMethod<StreamIncidentsRequest, IncidentPoints>.For(Service, "StreamIncidentPoints");
    private static readonly GrpcMethod<ProposePatrolAreasRequest, PatrolPlan> ProposePatrolAreasMethod = GrpcMethod<ProposePatrolAreasRequest, PatrolPlan>.For(Service, "ProposePatrolAreas");
    private static readonly GrpcMethod<ProposeForcePlansRequest, ProposeForcePlansResponse> ProposeForcePlansMethod = GrpcMethod<ProposeForcePlansRequest, ProposeForcePlansResponse>.For(Service, "ProposeForcePlans");
    private static readonly GrpcMethod<GetPlanRequest, PatrolPlan> GetPlanMethod = GrpcMethod<GetPlanRequest, PatrolPlan>.For(Service, "GetPlan");
    private static readonly GrpcMethod<ListPlansRequest, ListPlansResponse> ListPlansMethod = GrpcMethod<ListPlansRequest, ListPlansResponse>.For(Service, "ListPlans");
    private static readonly GrpcMethod<HotspotSurfaceRequest, HotspotSurfaceChunk> StreamHotspotSurfaceMethod = GrpcMethod<HotspotSurfaceRequest, HotspotSurfaceChunk>.For(Service, "StreamHotspotSurface");
    private static readonly GrpcMethod<LocatePatrolAreaRequest, LocatePatrolAreaResponse> LocatePatrolAreaMethod = GrpcMethod<LocatePatrolAreaRequest, LocatePatrolAreaResponse>.For(Service, "LocatePatrolArea");
    private static readonly GrpcMethod<BacktestRequest, BacktestReport> RunBacktestMethod = GrpcMethod<BacktestRequest, BacktestReport>.For(Service, "RunBacktest");
    private static readonly GrpcMethod<ListBoundariesRequest, ListBoundariesResponse> ListBoundariesMethod = GrpcMethod<ListBoundariesRequest, ListBoundariesResponse>.For(Service, "ListBoundaries");

    public GrpcClient Channel => client;

    /// <summary>Starts an import: write batches, then <c>CompleteAsync</c> for the summary.</summary>
    public ClientStreamingCall<ImportIncidentsRequest, ImportIncidentsSummary> ImportIncidents(CallOptions? options = null) =>
        client.ClientStreaming(ImportIncidentsMethod, options);

    public IAsyncEnumerable<Incident> StreamIncidentsAsync(StreamIncidentsRequest request, CallOptions? options = null) =>
        client.ServerStreamingAsync(StreamIncidentsMethod, request, options);

    public IAsyncEnumerable<IncidentPoints> StreamIncidentPointsAsync(StreamIncidentsRequest request, CallOptions? options = null) =>
        client.ServerStreamingAsync(StreamIncidentPointsMethod, request, options);

    public Task<PatrolPlan> ProposePatrolAreasAsync(ProposePatrolAreasRequest request, CallOptions? options = null) =>
        client.UnaryAsync(ProposePatrolAreasMethod, request, options);

    /// <summary>One stored plan per borough of a force or a list of boroughs (see hotspot.proto).</summary>
    public Task<ProposeForcePlansResponse> ProposeForcePlansAsync(ProposeForcePlansRequest request, CallOptions? options = null) =>
        client.UnaryAsync(ProposeForcePlansMethod, request, options);

    public Task<PatrolPlan> GetPlanAsync(string planId, CallOptions? options = null) =>
        client.UnaryAsync(GetPlanMethod, new GetPlanRequest { PlanId = planId }, options);

    public Task<ListPlansResponse> ListPlansAsync(ListPlansRequest request, CallOptions? options = null) =>
        client.UnaryAsync(ListPlansMethod, request, options);

    public IAsyncEnumerable<HotspotSurfaceChunk> StreamHotspotSurfaceAsync(HotspotSurfaceRequest request, CallOptions? options = null) =>
        client.ServerStreamingAsync(StreamHotspotSurfaceMethod, request, options);

    public Task<LocatePatrolAreaResponse> LocatePatrolAreaAsync(LocatePatrolAreaRequest request, CallOptions? options = null) =>
        client.UnaryAsync(LocatePatrolAreaMethod, request, options);

    public Task<BacktestReport> RunBacktestAsync(BacktestRequest request, CallOptions? options = null) =>
        client.UnaryAsync(RunBacktestMethod, request, options);

    public Task<ListBoundariesResponse> ListBoundariesAsync(ListBoundariesRequest request, CallOptions? options = null) =>
        client.UnaryAsync(ListBoundariesMethod, request, options);
}
