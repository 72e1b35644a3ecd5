using Grpc.Health.V1;
using Microsoft.Extensions.Hosting;

namespace Targeting.Grpc;

/// <summary>grpc.health.v1.Health over <see cref="GrpcHealth"/>. Anonymous.</summary>
internal sealed class HealthService(GrpcHealth health, IHostApplicationLifetime lifetime)
{
    public Task<HealthCheckResponse> CheckAsync(HealthCheckRequest request, ServerCallContext context)
    {
        var status = health.GetStatus(request.Service)
            ?? throw new RpcException(StatusCode.NotFound, $"Unknown service '{request.Service}'.");
        return Task.FromResult(new HealthCheckResponse { Status = ToProto(status) });
    }

    public async Task WatchAsync(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responses, ServerCallContext context)
    {
        var (current, changes, unsubscribe) = health.Watch(request.Service);
        // Watches last until the client leaves; end them when the host stops so shutdown is not held up.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            await responses.WriteAsync(new HealthCheckResponse { Status = ToProto(current) }, stopping.Token).ConfigureAwait(false);
            var sent = current;
            while (await changes.WaitToReadAsync(stopping.Token).ConfigureAwait(false))
            {
                while (changes.TryRead(out var status))
                {
                    if (status != sent)
                    {
                        await responses.WriteAsync(new HealthCheckResponse { Status = ToProto(status) }, stopping.Token).ConfigureAwait(false);
                        sent = status;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(StatusCode.Unavailable, "The server is shutting down.");
        }
        finally
        {
            unsubscribe();
        }
    }

    private static HealthCheckResponse.Types.ServingStatus ToProto(ServingStatus status) => (HealthCheckResponse.Types.ServingStatus)(int)status;
}
