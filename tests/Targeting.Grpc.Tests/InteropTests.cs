using System.Text.Json;
using Google.Protobuf;
using Targeting.Grpc.Tests.Support;
using Targeting.Testing.V1;

namespace Targeting.Grpc.Tests;

/// <summary>
/// An independent implementation against ours: the @grpc/grpc-js client (tests/interop/client.js)
/// calling our server. Cases follow the gRPC interop spec (doc/interop-test-descriptions.md).
/// </summary>
public sealed class GrpcJsClientInteropTests : IAsyncLifetime
{
    private GrpcTestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await GrpcTestHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private Task<JsonElement> Run(string testCase, string? probeId = null) =>
        Node.RunClientAsync(_host.HostAndPort, testCase, DevelopmentTokens.Issue(Roles.Analyst), probeId);

    [Fact]
    public async Task EmptyUnary_Succeeds()
    {
        var result = await Run("empty_unary");
        Assert.False(result.TryGetProperty("error", out _));
        Assert.Equal(JsonValueKind.Object, result.GetProperty("response").ValueKind);
    }

    [Fact]
    public async Task LargeUnary_ReturnsTheRequestedSize()
    {
        var result = await Run("large_unary");
        Assert.Equal(314_159, result.GetProperty("responseSize").GetInt32());
    }

    [Fact]
    public async Task ServerStreaming_ReturnsEachSizeInOrder()
    {
        var result = await Run("server_streaming");
        Assert.Equal([31_415, 9, 2_653, 58_979], Sizes(result));
        Assert.Equal(0, result.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task ClientStreaming_SumsThePayloads()
    {
        var result = await Run("client_streaming");
        Assert.Equal(74_922, result.GetProperty("aggregatedPayloadSize").GetInt32());
    }

    [Fact]
    public async Task PingPong_AnswersEachRequestInTurn()
    {
        var result = await Run("ping_pong");
        Assert.Equal([31_415, 9, 2_653, 58_979], Sizes(result));
        Assert.Equal(0, result.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task StatusCodeAndMessage_RoundTripInUnaryAndDuplex()
    {
        var result = await Run("status_code_and_message");
        foreach (var kind in new[] { "unary", "duplex" })
        {
            Assert.Equal(2, result.GetProperty(kind).GetProperty("code").GetInt32());
            Assert.Equal("test status message", result.GetProperty(kind).GetProperty("details").GetString());
        }
    }

    [Fact]
    public async Task SpecialStatusMessage_NonAsciiAndWhitespaceSurvive()
    {
        var result = await Run("special_status_message");
        Assert.Equal(result.GetProperty("expected").GetString(), result.GetProperty("error").GetProperty("details").GetString());
    }

    [Fact]
    public async Task StatusDetails_GrpcJsDecodesBadRequestViolations()
    {
        var error = (await Run("status_details")).GetProperty("error");
        Assert.Equal(3, error.GetProperty("code").GetInt32());
        var details = error.GetProperty("statusDetails");
        Assert.Equal(3, details.GetProperty("code").GetInt32());
        Assert.Equal(["data_window.start", "budget"], details.GetProperty("violations").EnumerateArray().Select(v => v.GetProperty("field").GetString()));
    }

    [Fact]
    public async Task CustomMetadata_EchoedAsHeadersAndBinaryTrailers()
    {
        var result = await Run("custom_metadata");
        foreach (var kind in new[] { "unary", "duplex" })
        {
            Assert.Equal("test_initial_metadata_value", result.GetProperty(kind).GetProperty("initial").GetString());
            Assert.Equal(["ababab"], result.GetProperty(kind).GetProperty("trailing").EnumerateArray().Select(v => v.GetString()));
        }
    }

    [Fact]
    public async Task TimeoutOnSleepingServer_IsDeadlineExceededAndServerStops()
    {
        var probeId = Guid.NewGuid().ToString();
        var result = await Run("timeout_on_sleeping_server", probeId);
        Assert.Equal(4, result.GetProperty("error").GetProperty("code").GetInt32());
        // A handler that started must see its token fire; on a loaded machine the 200 ms deadline can
        // also expire before the request message arrives, and then the handler must never run at all.
        Assert.True(await _host.Probe.StoppedOrNeverStartedAsync(probeId, TimeSpan.FromSeconds(20)), "the Sleep handler started but never saw the deadline");
    }

    [Fact]
    public async Task CancelAfterBegin_IsCancelled()
    {
        var result = await Run("cancel_after_begin");
        Assert.Equal(1, result.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task CancelSleepingCall_ServerSeesRstStreamAndStops()
    {
        var probeId = Guid.NewGuid().ToString();
        var result = await Run("cancel_sleeping_call", probeId);
        Assert.Equal(1, result.GetProperty("error").GetProperty("code").GetInt32());
        Assert.True(await _host.Probe.StoppedOrNeverStartedAsync(probeId, TimeSpan.FromSeconds(20)), "the Sleep handler started but never saw the cancellation");
    }

    [Fact]
    public async Task CancelAfterFirstResponse_IsCancelled()
    {
        var result = await Run("cancel_after_first_response");
        Assert.Equal(1, result.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task UnimplementedMethodAndService_AreUnimplemented()
    {
        Assert.Equal(12, (await Run("unimplemented_method")).GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(12, (await Run("unimplemented_service")).GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task ClientCompressedUnary_ServerReceivesGzip()
    {
        var result = await Run("client_compressed_unary");
        Assert.Equal(314_159, result.GetProperty("responseSize").GetInt32());
        Assert.Equal("gzip", result.GetProperty("requestEncoding").GetString());
    }

    [Fact]
    public async Task ServerCompressedUnaryAndStreaming_GrpcJsDecodesGzip()
    {
        Assert.Equal(314_159, (await Run("server_compressed_unary")).GetProperty("responseSize").GetInt32());
        Assert.Equal([31_415, 92_653], Sizes(await Run("server_compressed_streaming")));
    }

    [Fact]
    public async Task NoToken_IsUnauthenticated()
    {
        var result = await Node.RunClientAsync(_host.HostAndPort, "unauthenticated");
        Assert.Equal(16, result.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v1alpha")]
    public async Task ReflectionDescribe_GrpcJsRebuildsTheSchemaFromReflectionAlone(string version)
    {
        var result = await Node.RunClientAsync(_host.HostAndPort, "reflection_describe", version: version);
        Assert.Contains("targeting.testing.v1.TestService", result.GetProperty("services").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["targeting/testing/v1/test.proto", "google/protobuf/timestamp.proto"], result.GetProperty("files").EnumerateArray().Select(e => e.GetString()));
        var methods = result.GetProperty("methods").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("UnaryCall(targeting.testing.v1.SimpleRequest)", methods);
        Assert.Equal(TestMethods.Service.Methods.Count, methods.Count);
        Assert.Equal((int)StatusCode.NotFound, result.GetProperty("notFoundCode").GetInt32());
    }

    [Fact]
    public async Task HealthCheck_WithoutToken_IsServing()
    {
        var result = await Node.RunClientAsync(_host.HostAndPort, "health_check");
        Assert.Equal("SERVING", result.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Tls_GrpcJsClientTrustingOurCertificate_Succeeds()
    {
        await using var host = await GrpcTestHost.StartAsync(tls: true);
        var caFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(caFile, host.Certificate!.ExportCertificatePem(), TestContext.Current.CancellationToken);
            var result = await Node.RunClientAsync(host.HostAndPort, "large_unary", DevelopmentTokens.Issue(Roles.Analyst), caFile: caFile);
            Assert.Equal(314_159, result.GetProperty("responseSize").GetInt32());
        }
        finally
        {
            File.Delete(caFile);
        }
    }

    private static List<int> Sizes(JsonElement result) => [.. result.GetProperty("sizes").EnumerateArray().Select(e => e.GetInt32())];
}

/// <summary>Our client against the @grpc/grpc-js server (tests/interop/server.js).</summary>
public sealed class GrpcJsServerInteropTests(GrpcJsServer server) : IClassFixture<GrpcJsServer>, IDisposable
{
    private readonly GrpcClient _client = new(server.Address, new GrpcClientOptions { BearerToken = DevelopmentTokens.Issue(Roles.Analyst) });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static CallOptions Options(TimeSpan? timeout = null) => CallOptions.WithTimeout(timeout ?? TimeSpan.FromSeconds(30), Ct);

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task EmptyUnary_Succeeds()
    {
        Assert.Equal(new Empty(), await _client.UnaryAsync(TestMethods.EmptyCall, new Empty(), Options()));
    }

    [Fact]
    public async Task LargeUnary_ReturnsTheRequestedSize()
    {
        var request = new SimpleRequest { ResponseSize = 314_159, Payload = new Payload { Body = ByteString.CopyFrom(new byte[271_828]) } };
        Assert.Equal(314_159, (await _client.UnaryAsync(TestMethods.UnaryCall, request, Options())).Payload.Body.Length);
    }

    [Fact]
    public async Task ServerStreaming_ReturnsEachSizeInOrder()
    {
        var sizes = new List<int>();
        await foreach (var response in _client.ServerStreamingAsync(TestMethods.StreamingOutputCall, TestMethods.Sizes(31_415, 9, 2_653, 58_979), Options()).WithCancellation(Ct))
        {
            sizes.Add(response.Payload.Body.Length);
        }
        Assert.Equal([31_415, 9, 2_653, 58_979], sizes);
    }

    [Fact]
    public async Task ClientStreaming_SumsThePayloads()
    {
        await using var call = _client.ClientStreaming(TestMethods.StreamingInputCall, Options());
        foreach (var size in new[] { 27_182, 8, 1_828, 45_904 })
        {
            await call.WriteAsync(new StreamingInputCallRequest { Payload = new Payload { Body = ByteString.CopyFrom(new byte[size]) } }, Ct);
        }
        Assert.Equal(74_922, (await call.CompleteAsync()).AggregatedPayloadSize);
    }

    [Fact]
    public async Task PingPong_AnswersEachRequestInTurn()
    {
        await using var call = _client.DuplexStreaming(TestMethods.FullDuplexCall, Options());
        foreach (var (request, response) in new[] { (27_182, 31_415), (8, 9), (1_828, 2_653), (45_904, 58_979) })
        {
            var ping = TestMethods.Sizes(response);
            ping.Payload = new Payload { Body = ByteString.CopyFrom(new byte[request]) };
            await call.WriteAsync(ping, Ct);
            Assert.Equal(response, (await call.ReadAsync(Ct))!.Payload.Body.Length);
        }
        await call.CompleteRequestAsync();
        Assert.Null(await call.ReadAsync(Ct));
    }

    [Fact]
    public async Task StatusCodeAndMessage_NonAsciiMessageIsDecoded()
    {
        const string message = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n";
        var request = new SimpleRequest { ResponseStatus = new EchoStatus { Code = 2, Message = message } };
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.UnaryAsync(TestMethods.UnaryCall, request, Options()));
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Equal(message, error.Detail);
    }

    [Fact]
    public async Task StatusCodeAndMessage_InDuplexCall()
    {
        await using var call = _client.DuplexStreaming(TestMethods.FullDuplexCall, Options());
        await call.WriteAsync(new StreamingOutputCallRequest { ResponseStatus = new EchoStatus { Code = 2, Message = "test status message" } }, Ct);
        await call.CompleteRequestAsync();
        var error = await Assert.ThrowsAsync<RpcException>(async () => await call.ReadAsync(Ct));
        Assert.Equal((StatusCode.Unknown, "test status message"), (error.StatusCode, error.Detail));
    }

    [Fact]
    public async Task StatusDetails_OurClientDecodesGrpcJsBadRequest()
    {
        var request = new SimpleRequest
        {
            ResponseStatus = new EchoStatus { Code = 3, FieldViolations = { new BadField { Field = "data_window.start", Description = "is required" } } },
        };
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.UnaryAsync(TestMethods.UnaryCall, request, Options()));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var violation = Assert.Single(error.GetBadRequest()!.FieldViolations);
        Assert.Equal(("data_window.start", "is required"), (violation.Field, violation.Description));
    }

    [Fact]
    public async Task CustomMetadata_EchoedAsHeadersAndBinaryTrailers()
    {
        var headers = new Metadata { { InteropTestService.EchoInitialKey, "test_initial_metadata_value" }, { InteropTestService.EchoTrailingKey, new byte[] { 0xab, 0xab, 0xab } } };
        var unary = await _client.UnaryCallAsync(TestMethods.UnaryCall, new SimpleRequest { ResponseSize = 1 }, Options() with { Headers = headers });
        Assert.Equal("test_initial_metadata_value", unary.ResponseHeaders.GetValue(InteropTestService.EchoInitialKey));
        Assert.Equal(new byte[] { 0xab, 0xab, 0xab }, unary.Trailers.GetValueBytes(InteropTestService.EchoTrailingKey));

        await using var duplex = _client.DuplexStreaming(TestMethods.FullDuplexCall, Options() with { Headers = headers });
        await duplex.WriteAsync(TestMethods.Sizes(5), Ct);
        await duplex.CompleteRequestAsync();
        await foreach (var _ in duplex.ReadAllAsync(Ct))
        {
        }
        Assert.Equal("test_initial_metadata_value", (await duplex.ResponseHeadersAsync).GetValue(InteropTestService.EchoInitialKey));
        Assert.Equal(new byte[] { 0xab, 0xab, 0xab }, duplex.Trailers.GetValueBytes(InteropTestService.EchoTrailingKey));
    }

    [Fact]
    public async Task DeadlineExceeded_OnSleepingServer_AndServerSeesIt()
    {
        var probeId = Guid.NewGuid().ToString();
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _client.UnaryAsync(TestMethods.Sleep, new SleepRequest { DurationMs = 20_000, ProbeId = probeId }, Options(TimeSpan.FromMilliseconds(200))));
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        await AssertServerStoppedSleepAsync(probeId);
    }

    [Fact]
    public async Task CancelAfterBegin_UnaryIsCancelledAndServerSeesRstStream()
    {
        var probeId = Guid.NewGuid().ToString();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _client.UnaryAsync(TestMethods.Sleep, new SleepRequest { DurationMs = 20_000, ProbeId = probeId }, new CallOptions { CancellationToken = cancellation.Token }));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        await AssertServerStoppedSleepAsync(probeId);
    }

    /// <summary>
    /// A Sleep handler that started must see the cancellation. On a loaded machine the client's
    /// deadline or cancel can come before the call reaches grpc-js at all: then no handler started
    /// and there is nothing for the server to see (as the same test against our host allows).
    /// </summary>
    private async Task AssertServerStoppedSleepAsync(string probeId)
    {
        var cancelled = await server.WaitForEventAsync("cancelled Sleep " + probeId, TimeSpan.FromSeconds(20));
        Assert.True(cancelled || !await server.WaitForEventAsync("started Sleep " + probeId, TimeSpan.Zero),
            "the Sleep handler started but never saw the deadline or cancellation");
    }

    [Fact]
    public async Task CancelAfterBegin_ClientStreamingIsCancelled()
    {
        var call = _client.ClientStreaming(TestMethods.StreamingInputCall, Options());
        call.Cancel();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        await call.DisposeAsync();
    }

    [Fact]
    public async Task UnimplementedMethodAndService_AreUnimplemented()
    {
        var method = await Assert.ThrowsAsync<RpcException>(() => _client.UnaryAsync(TestMethods.UnimplementedCall, new Empty(), Options()));
        var service = await Assert.ThrowsAsync<RpcException>(() => _client.UnaryAsync(TestMethods.UnimplementedServiceCall, new Empty(), Options()));
        Assert.Equal(StatusCode.Unimplemented, method.StatusCode);
        Assert.Equal(StatusCode.Unimplemented, service.StatusCode);
    }

    [Fact]
    public async Task ClientCompressedUnary_GrpcJsDecodesGzipRequests()
    {
        // grpc-js servers do not compress responses, so only this direction can be checked here;
        // our client's gzip decoding is checked against our server and grpc-js's client against ours.
        var request = new SimpleRequest { ResponseSize = 314_159, Payload = new Payload { Body = ByteString.CopyFrom(new byte[271_828]) } };
        var response = await _client.UnaryAsync(TestMethods.UnaryCall, request, Options() with { Compression = "gzip" });
        Assert.Equal(314_159, response.Payload.Body.Length);
    }

    [Fact]
    public async Task ClientCompressedStreaming_GrpcJsDecodesGzipRequests()
    {
        await using var call = _client.ClientStreaming(TestMethods.StreamingInputCall, Options() with { Compression = "gzip" });
        foreach (var size in new[] { 27_182, 45_904 })
        {
            await call.WriteAsync(new StreamingInputCallRequest { Payload = new Payload { Body = ByteString.CopyFrom(new byte[size]) } }, Ct);
        }
        Assert.Equal(73_086, (await call.CompleteAsync()).AggregatedPayloadSize);
    }
}
