using System.Net;
using System.Net.Sockets;
using Grpc.Health.V1;
using Targeting.Grpc;

namespace Targeting.Cli.Tests;

/// <summary>What tests of an in-process <c>targeting serve</c> share: a free port, and waiting until it serves.</summary>
internal static class ServeTestSupport
{
    private static readonly GrpcMethod<HealthCheckRequest, HealthCheckResponse> HealthCheck =
        GrpcMethod<HealthCheckRequest, HealthCheckResponse>.For(HealthReflection.Descriptor.Services[0], "Check");

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Polls grpc.health.v1 until the whole server is SERVING (a 2-minute bound: a cold build on a
    /// loaded 2-core machine is slow), failing early if <paramref name="serving"/> ends first.
    /// </summary>
    public static async Task WaitUntilServingAsync(Uri address, Task serving)
    {
        using var client = new GrpcClient(address);
        for (var attempt = 0; attempt < 1200; attempt++)
        {
            if (serving.IsCompleted)
            {
                await serving; // surfaces a start-up failure
                Assert.Fail("serve exited before listening");
            }

            try
            {
                if ((await client.UnaryAsync(HealthCheck, new HealthCheckRequest())).Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    return;
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Fail("serve was not SERVING within 2 minutes");
    }
}
