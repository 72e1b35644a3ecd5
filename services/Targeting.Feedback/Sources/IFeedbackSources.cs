using Targeting.Hotspot.V1;
using Targeting.Stops.V1;

namespace Targeting.Feedback.Sources;

/// <summary>
/// Where the feedback service reads its data: plans and incidents from the hotspot service,
/// encounters from the stops service. The service's implementation is gRPC
/// (<see cref="GrpcFeedbackSources"/>); failures surface as <see cref="RpcException"/> with a
/// status the feedback service can pass on (NOT_FOUND for an unknown plan, UNAVAILABLE when a
/// source is down).
/// </summary>
public interface IFeedbackSources
{
    /// <summary>One plan (NOT_FOUND when unknown).</summary>
    Task<PatrolPlan> GetPlanAsync(string planId, CancellationToken cancellationToken);

    /// <summary>Every stored plan, optionally for one area name (all pages).</summary>
    IAsyncEnumerable<PatrolPlan> ListPlansAsync(string? areaName, CancellationToken cancellationToken);

    /// <summary>The incidents matching a request, in the hotspot service's compact batches (projected, any order).</summary>
    IAsyncEnumerable<IncidentPoints> StreamIncidentPointsAsync(StreamIncidentsRequest request, CancellationToken cancellationToken);

    /// <summary>The encounters matching a query, whole, as the stops service streams them (for what needs teams).</summary>
    IAsyncEnumerable<EncounterRecord> QueryEncountersAsync(EncounterQuery query, CancellationToken cancellationToken);

    /// <summary>The encounters matching a query, in the stops service's compact analytic batches.</summary>
    IAsyncEnumerable<EncounterFacts> StreamEncounterFactsAsync(EncounterQuery query, CancellationToken cancellationToken);
}
