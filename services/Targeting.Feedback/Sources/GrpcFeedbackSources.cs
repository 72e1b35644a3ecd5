using System.Runtime.CompilerServices;
using Targeting.Common.V1;
using Targeting.Grpc;
using Targeting.Hotspot.V1;
using Targeting.Stops.V1;

namespace Targeting.Feedback.Sources;

/// <summary>
/// The hotspot and stops services over gRPC, through the host's registered clients
/// (<see cref="ServiceClients"/>; the services' typed clients are not referenced, so the
/// feedback service depends only on their protos). Thread-safe; one instance per host.
/// </summary>
/// <remarks>
/// Failures of a source become statuses the feedback service's caller can act on: NOT_FOUND and
/// INVALID_ARGUMENT pass through with the source named (the caller's plan id or area was wrong);
/// UNAVAILABLE, DEADLINE_EXCEEDED and CANCELLED pass through; a source refusing the service token
/// (UNAUTHENTICATED, PERMISSION_DENIED) is a deployment fault, reported as UNAVAILABLE so the
/// caller is not told their own credentials are wrong; anything else is UNAVAILABLE too.
/// </remarks>
/// <param name="hotspot">The hotspot service's client.</param>
/// <param name="stops">The stops service's client.</param>
/// <param name="callTimeout">The deadline of each call, from when it starts.</param>
public sealed class GrpcFeedbackSources(GrpcClient hotspot, GrpcClient stops, TimeSpan callTimeout) : IFeedbackSources
{
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor HotspotService = HotspotReflection.Descriptor.Services[0];
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor StopsService = StopsReflection.Descriptor.Services[0];
    private static readonly GrpcMethod<GetPlanRequest, PatrolPlan> GetPlan = GrpcMethod<GetPlanRequest, PatrolPlan>.For(HotspotService, "GetPlan");
    private static readonly GrpcMethod<ListPlansRequest, ListPlansResponse> ListPlans = GrpcMethod<ListPlansRequest, ListPlansResponse>.For(HotspotService, "ListPlans");
    private static readonly GrpcMethod<StreamIncidentsRequest, IncidentPoints> StreamIncidentPoints = GrpcMethod<StreamIncidentsRequest, IncidentPoints>.For(HotspotService, "StreamIncidentPoints");
    private static readonly GrpcMethod<EncounterQuery, EncounterRecord> QueryEncounters = GrpcMethod<EncounterQuery, EncounterRecord>.For(StopsService, "QueryEncounters");
    private static readonly GrpcMethod<EncounterQuery, EncounterFacts> StreamEncounterFacts = GrpcMethod<EncounterQuery, EncounterFacts>.For(StopsService, "StreamEncounterFacts");

    private readonly GrpcClient _hotspot = hotspot ?? throw new ArgumentNullException(nameof(hotspot));
    private readonly GrpcClient _stops = stops ?? throw new ArgumentNullException(nameof(stops));
    private readonly TimeSpan _timeout = callTimeout;

    public async Task<PatrolPlan> GetPlanAsync(string planId, CancellationToken cancellationToken)
    {
        try
        {
            return await _hotspot.UnaryAsync(GetPlan, new GetPlanRequest { PlanId = planId }, Options(cancellationToken)).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            throw Translate(ex, "hotspot");
        }
    }

    public async IAsyncEnumerable<PatrolPlan> ListPlansAsync(string? areaName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListPlansRequest { AreaName = areaName ?? string.Empty, Page = new PageRequest { PageSize = 1000 } };
        while (true)
        {
            ListPlansResponse page;
            try
            {
                page = await _hotspot.UnaryAsync(ListPlans, request, Options(cancellationToken)).ConfigureAwait(false);
            }
            catch (RpcException ex)
            {
                throw Translate(ex, "hotspot");
            }

            foreach (var plan in page.Plans)
            {
                yield return plan;
            }

            if (string.IsNullOrEmpty(page.NextPageToken))
            {
                yield break;
            }

            request.Page.PageToken = page.NextPageToken;
        }
    }

    public IAsyncEnumerable<IncidentPoints> StreamIncidentPointsAsync(StreamIncidentsRequest request, CancellationToken cancellationToken) =>
        Translated(_hotspot.ServerStreamingAsync(StreamIncidentPoints, request, Options(cancellationToken)), "hotspot", cancellationToken);

    public IAsyncEnumerable<EncounterRecord> QueryEncountersAsync(EncounterQuery query, CancellationToken cancellationToken) =>
        Translated(_stops.ServerStreamingAsync(QueryEncounters, query, Options(cancellationToken)), "stops", cancellationToken);

    public IAsyncEnumerable<EncounterFacts> StreamEncounterFactsAsync(EncounterQuery query, CancellationToken cancellationToken) =>
        Translated(_stops.ServerStreamingAsync(StreamEncounterFacts, query, Options(cancellationToken)), "stops", cancellationToken);

    /// <summary>The status a failure of a source becomes (see the class remarks).</summary>
    public static RpcException Translate(RpcException failure, string source)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var code = failure.StatusCode switch
        {
            StatusCode.NotFound or StatusCode.InvalidArgument or StatusCode.FailedPrecondition
                or StatusCode.DeadlineExceeded or StatusCode.Cancelled or StatusCode.Unavailable => failure.StatusCode,
            _ => StatusCode.Unavailable,
        };
        var detail = failure.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied
            ? $"the {source} service refused the feedback service's token ({failure.StatusCode}): check Services:Token"
            : $"{source} service: {failure.Detail}";
        if (code == StatusCode.InvalidArgument && failure.StatusDetails is { } details)
        {
            // The source's field violations reach the caller; the message says where they came from.
            return new Google.Rpc.Status { Code = (int)code, Message = detail, Details = { details.Details } }.ToRpcException();
        }
        return new RpcException(new Status(code, detail));
    }

    private static async IAsyncEnumerable<T> Translated<T>(IAsyncEnumerable<T> source, string name, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var enumerator = source.GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                T item;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }

                    item = enumerator.Current;
                }
                catch (RpcException ex)
                {
                    throw Translate(ex, name);
                }

                yield return item;
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
    }

    private CallOptions Options(CancellationToken cancellationToken) => new()
    {
        Deadline = DateTime.UtcNow + _timeout,
        CancellationToken = cancellationToken,
    };
}
