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
    public async Task Tls_UntrustedCertificate_IsUnavailable()
    {
        await using var host = await GrpcTestHost.StartAsync(tls: true);
        using var client = new GrpcClient(host.Address, new GrpcClientOptions { BearerToken = DevelopmentTokens.Issue(Roles.Analyst), Retry = null });
        var error = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(TestMethods.EmptyCall, new Empty(), Options));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    [Fact]
    public async Task DaprAppId_IsSentAsHeader()
    {
        string? seen = null;
        await using var host = await GrpcTestHost.StartAsync(map: app => app.MapGrpcService<InteropTestService>(TestMethods.Service, service =>
        {
            service.Unary<Empty, Empty>("EmptyCall", (s, request, context) =>
            {
                seen = context.RequestHeaders.GetValue("dapr-app-id");
                return Task.FromResult(new Empty());
            }, Roles.Service);
            foreach (var method in TestMethods.Service.Methods.Where(m => m.Name != "EmptyCall"))
            {
                service.Unimplemented(method.Name);
            }
        }));
        using var client = host.CreateClient(Roles.Service, o => o.DaprAppId = "stops");
        await client.UnaryAsync(TestMethods.EmptyCall, new Empty(), Options);
        Assert.Equal("stops", seen);
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
        // The handler's Task.Delay observes the call token; after RST_STREAM the server logs the cancellation.
        await WaitUntil(() => host.Logs.Entries.Any(e => e.Message.Contains("was cancelled by the client", StringComparison.Ordinal)));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50, Ct);
        }
        Assert.True(condition());
    }
}
