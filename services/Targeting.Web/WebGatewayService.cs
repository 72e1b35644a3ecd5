using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;
using Targeting.Feedback.V1;
using Targeting.Grpc;
using Targeting.Hotspot.V1;
using Targeting.Stops.V1;
using Targeting.Web.V1;
using ProtoService = Google.Protobuf.Reflection.ServiceDescriptor;

namespace Targeting.Web;

/// <summary>
/// The rpcs the pages use (targeting.web.v1.WebGateway), each forwarded to the service that owns
/// the data. The roles on each override are the backend's own, so a caller who lacks them is
/// refused here; the backend checks the caller's token again (it is the one forwarded). Status
/// codes and field violations pass through unchanged.
/// </summary>
public sealed class WebGatewayService(ServiceClients clients, IOptions<WebOptions> options) : WebGateway.WebGatewayBase
{
    private static readonly ProtoService HotspotRpcs = HotspotReflection.Descriptor.Services[0];
    private static readonly ProtoService StopsRpcs = StopsReflection.Descriptor.Services[0];
    private static readonly ProtoService FeedbackRpcs = FeedbackReflection.Descriptor.Services[0];

    private static readonly GrpcMethod<ListPlansRequest, ListPlansResponse> ListPlansRpc = GrpcMethod<ListPlansRequest, ListPlansResponse>.For(HotspotRpcs, "ListPlans");
    private static readonly GrpcMethod<GetPlanRequest, PatrolPlan> GetPlanRpc = GrpcMethod<GetPlanRequest, PatrolPlan>.For(HotspotRpcs, "GetPlan");
    private static readonly GrpcMethod<ProposePatrolAreasRequest, PatrolPlan> ProposeRpc = GrpcMethod<ProposePatrolAreasRequest, PatrolPlan>.For(HotspotRpcs, "ProposePatrolAreas");
    private static readonly GrpcMethod<HotspotSurfaceRequest, HotspotSurfaceChunk> SurfaceRpc = GrpcMethod<HotspotSurfaceRequest, HotspotSurfaceChunk>.For(HotspotRpcs, "StreamHotspotSurface");
    private static readonly GrpcMethod<BacktestRequest, BacktestReport> BacktestRpc = GrpcMethod<BacktestRequest, BacktestReport>.For(HotspotRpcs, "RunBacktest");
    private static readonly GrpcMethod<ListBoundariesRequest, ListBoundariesResponse> BoundariesRpc = GrpcMethod<ListBoundariesRequest, ListBoundariesResponse>.For(HotspotRpcs, "ListBoundaries");
    private static readonly GrpcMethod<EncounterQuery, EncounterRecord> QueryRpc = GrpcMethod<EncounterQuery, EncounterRecord>.For(StopsRpcs, "QueryEncounters");
    private static readonly GrpcMethod<EncounterQuery, EncounterFacts> FactsRpc = GrpcMethod<EncounterQuery, EncounterFacts>.For(StopsRpcs, "StreamEncounterFacts");
    private static readonly GrpcMethod<EvaluatePlanRequest, PlanEvaluation> EvaluateRpc = GrpcMethod<EvaluatePlanRequest, PlanEvaluation>.For(FeedbackRpcs, "EvaluatePlan");
    private static readonly GrpcMethod<CrimeChangeRequest, CrimeChangeReport> CrimeChangeRpc = GrpcMethod<CrimeChangeRequest, CrimeChangeReport>.For(FeedbackRpcs, "AssessCrimeChange");
    private static readonly GrpcMethod<FairnessRequest, FairnessReport> FairnessRpc = GrpcMethod<FairnessRequest, FairnessReport>.For(FeedbackRpcs, "AssessFairness");
    private static readonly GrpcMethod<ProceduralJusticeRequest, ProceduralJusticeReport> JusticeRpc = GrpcMethod<ProceduralJusticeRequest, ProceduralJusticeReport>.For(FeedbackRpcs, "AssessProceduralJustice");
    private static readonly GrpcMethod<VehicleStopsRequest, VehicleStopsReport> VehicleStopsRpc = GrpcMethod<VehicleStopsRequest, VehicleStopsReport>.For(FeedbackRpcs, "AssessVehicleStops");

    /// <summary>Stops per MapStops message.</summary>
    internal const int MapBatch = 2_000;

    private static readonly TimeZoneInfo London = FindLondon();

    [AllowRoles(Roles.Planner, Roles.Analyst, Roles.Service)]
    public override Task<ListPlansResponse> ListPlans(ListPlansRequest request, ServerCallContext context) =>
        clients.Get(WebClients.Hotspot).UnaryAsync(ListPlansRpc, request, Forwarded(context));

    [AllowRoles(Roles.Planner, Roles.Analyst, Roles.Service)]
    public override Task<PatrolPlan> GetPlan(GetPlanRequest request, ServerCallContext context) =>
        clients.Get(WebClients.Hotspot).UnaryAsync(GetPlanRpc, request, Forwarded(context));

    [AllowRoles(Roles.Planner)]
    public override Task<PatrolPlan> ProposePatrolAreas(ProposePatrolAreasRequest request, ServerCallContext context) =>
        clients.Get(WebClients.Hotspot).UnaryAsync(ProposeRpc, request, Forwarded(context));

    [AllowRoles(Roles.Planner, Roles.Analyst)]
    public override async Task StreamHotspotSurface(HotspotSurfaceRequest request, IServerStreamWriter<HotspotSurfaceChunk> responseStream, ServerCallContext context)
    {
        await foreach (var chunk in clients.Get(WebClients.Hotspot).ServerStreamingAsync(SurfaceRpc, request, Forwarded(context)).ConfigureAwait(false))
        {
            await responseStream.WriteAsync(chunk, context.CancellationToken).ConfigureAwait(false);
        }
    }

    [AllowRoles(Roles.Planner, Roles.Analyst)]
    public override async Task<PackedSurface> GetPackedSurface(HotspotSurfaceRequest request, ServerCallContext context)
    {
        var packed = new PackedSurface();
        var buffer = new ArrayBufferWriter<byte>();
        await foreach (var chunk in clients.Get(WebClients.Hotspot).ServerStreamingAsync(SurfaceRpc, request, Forwarded(context)).ConfigureAwait(false))
        {
            packed.Grid ??= chunk.Grid;
            foreach (var cell in chunk.Cells)
            {
                var span = buffer.GetSpan(12);
                BinaryPrimitives.WriteSingleLittleEndian(span, (float)(cell.Centre?.Latitude ?? 0));
                BinaryPrimitives.WriteSingleLittleEndian(span[4..], (float)(cell.Centre?.Longitude ?? 0));
                BinaryPrimitives.WriteSingleLittleEndian(span[8..], (float)cell.Value);
                buffer.Advance(12);
                packed.Count++;
            }
        }

        packed.Cells = ByteString.CopyFrom(buffer.WrittenSpan);
        return packed;
    }

    [AllowRoles(Roles.Planner, Roles.Analyst)]
    public override Task<BacktestReport> RunBacktest(BacktestRequest request, ServerCallContext context) =>
        clients.Get(WebClients.Hotspot).UnaryAsync(BacktestRpc, request, Forwarded(context));

    [AllowRoles]
    public override Task<ListBoundariesResponse> ListBoundaries(ListBoundariesRequest request, ServerCallContext context) =>
        clients.Get(WebClients.Hotspot).UnaryAsync(BoundariesRpc, request, Forwarded(context));

    [AllowRoles(Roles.Officer, Roles.Supervisor, Roles.Analyst, Roles.Planner)]
    public override async Task ListMapStops(MapStopsRequest request, IServerStreamWriter<MapStops> responseStream, ServerCallContext context)
    {
        var violations = new FieldViolations();
        if (request.Limit < 0)
        {
            violations.Add("limit", "must be 0 (the default) or positive");
        }
        violations.ThrowIfAny();

        var limit = request.Limit == 0 ? options.Value.MaxMapStops : Math.Min(request.Limit, options.Value.MaxMapStops);
        var query = new EncounterQuery { Window = request.Window, Area = request.Area, ExcludeUnlocated = true, Limit = limit };
        var caller = context.Caller;
        var batch = new MapStops();
        if (caller.IsInRole(Roles.Officer) || caller.IsInRole(Roles.Supervisor) || caller.IsInRole(Roles.Analyst))
        {
            // Stops decides what this caller sees (own, team, or all pseudonymised), from their token.
            batch.Personal = true;
            await foreach (var record in clients.Get(WebClients.Stops).ServerStreamingAsync(QueryRpc, query, Forwarded(context)).ConfigureAwait(false))
            {
                if (record.Current?.Location is not { } at)
                {
                    continue;
                }
                var current = record.Current;
                batch.Stops.Add(new MapStop
                {
                    Latitude = at.Latitude,
                    Longitude = at.Longitude,
                    OccurredAt = current.OccurredAt,
                    Outcome = current.Outcome,
                    ObjectOfSearch = current.ObjectOfSearch,
                    Type = current.Type,
                    EncounterId = record.EncounterId,
                    Person = new MapStopPerson
                    {
                        Sex = current.Sex,
                        AgeRange = current.AgeRange,
                        OfficerDefinedEthnicity = current.OfficerDefinedEthnicity,
                        SelfDefinedEthnicity = current.SelfDefinedEthnicity,
                    },
                });
                batch = await FlushWhenFullAsync(batch, responseStream, context).ConfigureAwait(false);
            }
        }
        else
        {
            // A planner: stops serves them no encounters, so the web reads the facts as itself and
            // passes on place, London month, outcome, object and type only.
            await foreach (var facts in clients.Get(WebClients.StopsAsWeb).ServerStreamingAsync(FactsRpc, query, Timed(context)).ConfigureAwait(false))
            {
                for (var i = 0; i < facts.OccurredAtSeconds.Count; i++)
                {
                    if (double.IsNaN(facts.Latitude[i]) || double.IsNaN(facts.Longitude[i]))
                    {
                        continue;
                    }
                    batch.Stops.Add(new MapStop
                    {
                        Latitude = facts.Latitude[i],
                        Longitude = facts.Longitude[i],
                        OccurredAt = Timestamp.FromDateTime(MonthStartUtc(DateTimeOffset.FromUnixTimeSeconds(facts.OccurredAtSeconds[i]).UtcDateTime)),
                        Outcome = facts.Outcome[i],
                        ObjectOfSearch = facts.ObjectOfSearch[i],
                        Type = facts.Type[i],
                    });
                    batch = await FlushWhenFullAsync(batch, responseStream, context).ConfigureAwait(false);
                }
            }
        }

        if (batch.Stops.Count > 0)
        {
            await responseStream.WriteAsync(batch, context.CancellationToken).ConfigureAwait(false);
        }
    }

    // The dashboard's rpcs: feedback's own, forwarded with the caller's token and feedback's roles.
    [AllowRoles(Roles.Analyst, Roles.Planner)]
    public override Task<PlanEvaluation> EvaluatePlan(EvaluatePlanRequest request, ServerCallContext context) =>
        clients.Get(WebClients.Feedback).UnaryAsync(EvaluateRpc, request, Forwarded(context));

    [AllowRoles(Roles.Analyst, Roles.Planner)]
    public override Task<CrimeChangeReport> AssessCrimeChange(CrimeChangeRequest request, ServerCallContext context) =>
        clients.Get(WebClients.Feedback).UnaryAsync(CrimeChangeRpc, request, Forwarded(context));

    [AllowRoles(Roles.Analyst)]
    public override Task<FairnessReport> AssessFairness(FairnessRequest request, ServerCallContext context) =>
        clients.Get(WebClients.Feedback).UnaryAsync(FairnessRpc, request, Forwarded(context));

    [AllowRoles(Roles.Analyst, Roles.Supervisor)]
    public override Task<ProceduralJusticeReport> AssessProceduralJustice(ProceduralJusticeRequest request, ServerCallContext context) =>
        clients.Get(WebClients.Feedback).UnaryAsync(JusticeRpc, request, Forwarded(context));

    [AllowRoles(Roles.Analyst)]
    public override Task<VehicleStopsReport> AssessVehicleStops(VehicleStopsRequest request, ServerCallContext context) =>
        clients.Get(WebClients.Feedback).UnaryAsync(VehicleStopsRpc, request, Forwarded(context));

    private static async Task<MapStops> FlushWhenFullAsync(MapStops batch, IServerStreamWriter<MapStops> responses, ServerCallContext context)
    {
        if (batch.Stops.Count < MapBatch)
        {
            return batch;
        }
        await responses.WriteAsync(batch, context.CancellationToken).ConfigureAwait(false);
        return new MapStops { Personal = batch.Personal };
    }

    // The caller's token travels through the "as caller" clients; here only the deadline and the cancellation.
    private static CallOptions Forwarded(ServerCallContext context) => Timed(context);

    internal static CallOptions Timed(ServerCallContext context) => new()
    {
        Deadline = context.Deadline == DateTime.MaxValue ? null : context.Deadline,
        CancellationToken = context.CancellationToken,
    };

    /// <summary>The first instant (UTC) of the London calendar month holding <paramref name="utc"/>.</summary>
    internal static DateTime MonthStartUtc(DateTime utc)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(utc, London);
        var start = new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified);
        return TimeZoneInfo.ConvertTimeToUtc(start, London);
    }

    private static TimeZoneInfo FindLondon()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.Utc;
        }
    }
}
