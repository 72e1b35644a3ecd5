using Google.Protobuf.WellKnownTypes;
using Targeting.Common.V1;
using Targeting.Grpc;
using Targeting.Hotspot.V1;

namespace Targeting.Stops.Linking;

/// <summary>
/// <see cref="IPatrolAreaLocator"/> over gRPC: calls hotspot's LocatePatrolArea (from
/// protos/targeting/hotspot/v1/hotspot.proto) through the generic <see cref="GrpcClient"/> the
/// host registered (<see cref="ServiceClients"/>, with no retries: the caller's deadline is short
/// and the link job retries). Thread-safe.
/// </summary>
/// <param name="client">The hotspot service's client, or null when none is configured.</param>
public sealed class HotspotPatrolAreaLocator(GrpcClient? client) : IPatrolAreaLocator
{
    private static readonly GrpcMethod<LocatePatrolAreaRequest, LocatePatrolAreaResponse> Locate =
        GrpcMethod<LocatePatrolAreaRequest, LocatePatrolAreaResponse>.For(HotspotReflection.Descriptor.Services[0], "LocatePatrolArea");

    private readonly GrpcClient? _client = client;

    public bool IsConfigured => _client is not null;

    public async Task<LocateResult> LocateAsync(double latitude, double longitude, DateTimeOffset at, TimeSpan deadline, CancellationToken cancellationToken)
    {
        if (_client is null)
        {
            return new LocateResult(LocateStatus.Unavailable, Detail: "no hotspot service is configured");
        }

        var request = new LocatePatrolAreaRequest
        {
            Point = new LatLng { Latitude = latitude, Longitude = longitude },
            At = Timestamp.FromDateTimeOffset(at),
        };
        try
        {
            var response = await _client.UnaryAsync(Locate, request, new CallOptions
            {
                Deadline = DateTime.UtcNow + deadline,
                CancellationToken = cancellationToken,
            });
            return response.Found
                ? new LocateResult(LocateStatus.Inside, response.PlanId, response.AreaId)
                : new LocateResult(LocateStatus.Outside);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.OutOfRange or StatusCode.FailedPrecondition)
        {
            // About this point, not the service: retrying soon will not change the answer.
            return new LocateResult(LocateStatus.Refused, Detail: $"{e.StatusCode}: {e.Detail}");
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            return new LocateResult(LocateStatus.Unavailable, Detail: $"{e.StatusCode}: {e.Detail}");
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new LocateResult(LocateStatus.Unavailable, Detail: e.Message);
        }
    }
}
