using Google.Protobuf;
using Targeting.Grpc.Tests.Support;
using Targeting.Testing.V1;

namespace Targeting.Grpc.Tests;

/// <summary>The same calls over TLS (ALPN h2), and the dapr-app-id header.</summary>
public sealed class TransportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static CallOptions Options => CallOptions.WithTimeout(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

    [Fact]
    public async Task Tls_UnaryAndStreamingCalls_Work()
    {
        await using var host = await GrpcTestHost.StartAsync(tls: true);
        Assert.Equal("https", host.Address.Scheme);
        using var client = host.CreateClient();
        var unary = await client.UnaryAsync(TestMethods.UnaryCall, new SimpleRequest { ResponseSize = 10 }, Options);
        Assert.Equal(10, unary.Payload.Body.Length);
        await using var duplex = client.DuplexStreaming(TestMethods.FullDuplexCall, Options);
        await duplex.WriteAsync(TestMethods.Sizes(7), Ct);
        Assert.Equal(7, (await duplex.ReadAsync(Ct))!.Payload.Body.Length);
        await duplex.CompleteRequestAsync();
        Assert.Null(await duplex.ReadAsync(Ct));
    }

    [Fact]
    public async Task Host_StartedWithUrls_SpeaksCleartextHttp2ByDefault()
    {
        await using var host = await GrpcTestHost.StartAsync(useUrls: true);
        using var client = host.CreateClient();
        Assert.Equal(new Empty(), await client.UnaryAsync(TestMethods.EmptyCall, new Empty(), Options));
    }

    [Fact]
    public async Task Tls_UntrustedCertificate_FailsTheCallWithTheReason()
    {
        await using var host = await GrpcTestHost.StartAsync(tls: true);
        using var client = new GrpcClient(host.Address, new GrpcClientOptions { BearerToken = DevelopmentTokens.Issue(Roles.Analyst), Retry = null });
        var error = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(TestMethods.EmptyCall, new Empty(), Options));
        // Grpc.Net.Client reports the failed handshake as INTERNAL with HttpClient's reason.
        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Contains("SSL", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DaprAppId_CallsGoThroughDaprInvocationInvokerWithTheAppIdHeader()
    {
        // The host stands where the sidecar would; Dapr.Client's invoker adds the header it routes on.
        await using var host = await GrpcTestHost.StartAsync(map: DaprProbeService.Map);
        using var client = host.CreateClient(Roles.Service, o => o.DaprAppId = "stops");
        await client.UnaryAsync(TestMethods.EmptyCall, new Empty(), Options);
        Assert.Equal("stops", host.Probe.DaprAppId);
    }

    [Fact]
    public async Task UnaryAsync_RequestOverDefaultFourMiB_IsResourceExhaustedFromServer()
    {
        await using var host = await GrpcTestHost.StartAsync();
        using var client = host.CreateClient();
        var request = new SimpleRequest { Payload = new Payload { Body = ByteString.CopyFrom(new byte[4 * 1024 * 1024]) } };
        var error = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(TestMethods.UnaryCall, request, Options));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task UnaryAsync_RequestOverConfiguredLimit_IsResourceExhaustedFromServer()
    {
        // Grpc:MaxReceiveMessageSize reaches Grpc.AspNetCore: 2 KB passes the default, not 1 KB.
        await using var host = await GrpcTestHost.StartAsync(new Dictionary<string, string?> { ["Grpc:MaxReceiveMessageSize"] = "1024" });
        using var client = host.CreateClient();
        var request = new SimpleRequest { Payload = new Payload { Body = ByteString.CopyFrom(new byte[2048]) } };
        var error = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(TestMethods.UnaryCall, request, Options));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal(2048, (await client.UnaryAsync(TestMethods.UnaryCall, new SimpleRequest { ResponseSize = 2048 }, Options)).Payload.Body.Length);
    }

    [Fact]
    public async Task ServerStreaming_ClientStopsEarly_ServerHandlerIsCancelled()
    {
        await using var host = await GrpcTestHost.StartAsync();
        using var client = host.CreateClient();
        var request = new StreamingOutputCallRequest();
        for (var i = 0; i < 1000; i++)
        {
            request.ResponseParameters.Add(new ResponseParameters { Size = 10, IntervalUs = 10_000 });
        }
        var received = 0;
        await foreach (var _ in client.ServerStreamingAsync(TestMethods.StreamingOutputCall, request, Options).WithCancellation(Ct))
        {
            if (++received == 3)
            {
                break;
            }
        }
        // The handler's Task.Delay observes the call token, which RST_STREAM cancels.
        Assert.True(await host.Probe.Cancelled("StreamingOutputCall").WaitAsync(TimeSpan.FromSeconds(60), Ct));
    }
}
