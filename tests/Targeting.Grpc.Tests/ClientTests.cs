using Google.Protobuf;
using Targeting.Grpc.Tests.Support;
using Targeting.Testing.V1;

namespace Targeting.Grpc.Tests;

/// <summary>Our client against our server, in-process, over h2c.</summary>
public sealed class ClientTests : IAsyncLifetime
{
    private GrpcTestHost _host = null!;
    private GrpcClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await GrpcTestHost.StartAsync();
        _client = _host.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static CallOptions Options(TimeSpan? timeout = null) =>
        CallOptions.WithTimeout(timeout ?? TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

    [Fact]
    public async Task UnaryAsync_EmptyCall_ReturnsEmpty()
    {
        var response = await _client.UnaryAsync(TestMethods.EmptyCall, new Empty(), Options());
        Assert.Equal(new Empty(), response);
    }

    [Fact]
    public async Task UnaryAsync_LargeRequestAndResponse_RoundTripsPayloads()
    {
        var request = new SimpleRequest { ResponseSize = 314_159, Payload = new Payload { Body = ByteString.CopyFrom(new byte[271_828]) } };
        var response = await _client.UnaryAsync(TestMethods.UnaryCall, request, Options());
        Assert.Equal(314_159, response.Payload.Body.Length);
    }

    [Fact]
    public async Task ServerStreamingAsync_FourSizes_ReturnsThemInOrder()
    {
        var sizes = new List<int>();
        await foreach (var response in _client.ServerStreamingAsync(TestMethods.StreamingOutputCall, TestMethods.Sizes(31_415, 9, 2_653, 58_979), Options()).WithCancellation(Ct))
        {
            sizes.Add(response.Payload.Body.Length);
        }
        Assert.Equal([31_415, 9, 2_653, 58_979], sizes);
    }

    [Fact]
    public async Task ClientStreaming_FourPayloads_ServerSumsTheirSizes()
    {
        await using var call = _client.ClientStreaming(TestMethods.StreamingInputCall, Options());
        foreach (var size in new[] { 27_182, 8, 1_828, 45_904 })
        {
            await call.WriteAsync(new StreamingInputCallRequest { Payload = new Payload { Body = ByteString.CopyFrom(new byte[size]) } }, Ct);
        }
        var response = await call.CompleteAsync();
        Assert.Equal(74_922, response.AggregatedPayloadSize);
    }

    [Fact]
    public async Task DuplexStreaming_PingPong_EachRequestGetsItsResponseBeforeTheNext()
    {
        await using var call = _client.DuplexStreaming(TestMethods.FullDuplexCall, Options());
        foreach (var (request, response) in new[] { (27_182, 31_415), (8, 9), (1_828, 2_653), (45_904, 58_979) })
        {
            var ping = TestMethods.Sizes(response);
            ping.Payload = new Payload { Body = ByteString.CopyFrom(new byte[request]) };
            await call.WriteAsync(ping, Ct);
            var pong = await call.ReadAsync(Ct);
            Assert.NotNull(pong);
            Assert.Equal(response, pong.Payload.Body.Length);
        }
        await call.CompleteRequestAsync();
        Assert.Null(await call.ReadAsync(Ct));
    }

    [Fact]
    public async Task UnaryAsync_ErrorStatus_ThrowsCodeAndNonAsciiMessage()
    {
        const string message = "test status message \t\n 😀 résumé %";
        var request = new SimpleRequest { ResponseStatus = new EchoStatus { Code = (int)StatusCode.Unknown, Message = message } };
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.UnaryAsync(TestMethods.UnaryCall, request, Options()));
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Equal(message, error.Detail);
    }

    [Fact]
    public async Task UnaryAsync_FieldViolations_CarryBadRequestDetails()
    {
        var request = new SimpleRequest
        {
            ResponseStatus = new EchoStatus
            {
                Code = (int)StatusCode.InvalidArgument,
                FieldViolations = { new BadField { Field = "data_window.start", Description = "is required" }, new BadField { Field = "budget", Description = "must be positive" } },
            },
        };
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.UnaryAsync(TestMethods.UnaryCall, request, Options()));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal((int)StatusCode.InvalidArgument, error.StatusDetails!.Code);
        var badRequest = error.GetBadRequest();
        Assert.NotNull(badRequest);
        Assert.Equal(["data_window.start", "budget"], badRequest.FieldViolations.Select(v => v.Field));
        Assert.Equal(["is required", "must be positive"], badRequest.FieldViolations.Select(v => v.Description));
    }

    [Fact]
    public async Task UnaryCallAsync_CustomAndBinaryMetadata_AreEchoed()
    {
        var binary = new byte[] { 0xab, 0xab, 0xab, 0x00, 0xff };
        var headers = new Metadata { { InteropTestService.EchoInitialKey, "test_initial_metadata_value" }, { InteropTestService.EchoTrailingKey, binary } };
        var result = await _client.UnaryCallAsync(TestMethods.UnaryCall, new SimpleRequest { ResponseSize = 1 }, Options() with { Headers = headers });
        Assert.Equal("test_initial_metadata_value", result.ResponseHeaders.GetValue(InteropTestService.EchoInitialKey));
        Assert.Equal(binary, result.Trailers.GetValueBytes(InteropTestService.EchoTrailingKey));
    }

    [Fact]
    public async Task UnaryAsync_DeadlineShorterThanWork_ThrowsDeadlineExceededAndServerIsCancelled()
    {
        var probeId = Guid.NewGuid().ToString();
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _client.UnaryAsync(TestMethods.Sleep, new SleepRequest { DurationMs = 20_000, ProbeId = probeId }, Options(TimeSpan.FromMilliseconds(200))));
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.True(await _host.Probe.StoppedOrNeverStartedAsync(probeId, TimeSpan.FromSeconds(20)), "the Sleep handler started but was never cancelled");
    }

    [Fact]
    public async Task UnaryAsync_CancelledAfterBegin_ThrowsCancelledAndServerSeesRstStream()
    {
        var probeId = Guid.NewGuid().ToString();
        using var cancellation = new CancellationTokenSource();
        var call = _client.UnaryAsync(TestMethods.Sleep, new SleepRequest { DurationMs = 20_000, ProbeId = probeId }, new CallOptions { CancellationToken = cancellation.Token });
        await Task.Delay(200, Ct);
        cancellation.Cancel();
        var error = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.True(await _host.Probe.StoppedOrNeverStartedAsync(probeId, TimeSpan.FromSeconds(20)), "the Sleep handler started but was never cancelled");
    }

    [Fact]
    public async Task ClientStreaming_CancelAfterBegin_ThrowsCancelled()
    {
        var call = _client.ClientStreaming(TestMethods.StreamingInputCall, Options());
        await call.WriteAsync(new StreamingInputCallRequest { Payload = new Payload { Body = ByteString.CopyFrom(new byte[10]) } }, Ct);
        call.Cancel();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        await call.DisposeAsync();
    }

    [Fact]
    public async Task UnaryAsync_GzipBothWays_ServerSeesGzipAndResponseDecodes()
    {
        var request = new SimpleRequest { ResponseSize = 100_000, ResponseCompressed = true, Payload = new Payload { Body = ByteString.CopyFrom(new byte[100_000]) } };
        var response = await _client.UnaryAsync(TestMethods.UnaryCall, request, Options() with { Compression = "gzip" });
        Assert.Equal("gzip", response.RequestEncoding);
        Assert.Equal(100_000, response.Payload.Body.Length);
    }

    [Fact]
    public async Task UnaryAsync_UnimplementedMethodAndService_ThrowUnimplemented()
    {
        var method = await Assert.ThrowsAsync<RpcException>(() => _client.UnaryAsync(TestMethods.UnimplementedCall, new Empty(), Options()));
        var service = await Assert.ThrowsAsync<RpcException>(() => _client.UnaryAsync(TestMethods.UnimplementedServiceCall, new Empty(), Options()));
        Assert.Equal(StatusCode.Unimplemented, method.StatusCode);
        Assert.Equal(StatusCode.Unimplemented, service.StatusCode);
    }

    [Fact]
    public async Task UnaryAsync_IdempotentMethodUnavailableTwice_RetriesAndSucceedsOnThirdAttempt()
    {
        var key = Guid.NewGuid().ToString();
        var response = await _client.UnaryAsync(TestMethods.FlakyCall, new FlakyRequest { Key = key, Failures = 2 }, Options());
        Assert.Equal(3, response.Attempt);
        Assert.Equal(3, _host.Probe.Attempts(key));
    }

    [Fact]
    public async Task UnaryAsync_NonIdempotentMethodUnavailable_IsNotRetried()
    {
        var key = Guid.NewGuid().ToString();
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.UnaryAsync(TestMethods.FlakyCallWithSideEffects, new FlakyRequest { Key = key, Failures = 1 }, Options()));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(1, _host.Probe.Attempts(key));
    }

    [Fact]
    public async Task UnaryAsync_UnavailableMoreTimesThanAttempts_FailsAfterMaxAttempts()
    {
        var key = Guid.NewGuid().ToString();
        using var client = _host.CreateClient(configure: o => o.Retry = new RetryPolicy { MaxAttempts = 3, InitialBackoff = TimeSpan.FromMilliseconds(10) });
        var error = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(TestMethods.FlakyCall, new FlakyRequest { Key = key, Failures = 10 }, Options()));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(3, _host.Probe.Attempts(key));
    }

    [Fact]
    public async Task ServerStreamingAsync_UnavailableBeforeFirstMessage_IsRetried()
    {
        var key = Guid.NewGuid().ToString();
        var attempts = new List<int>();
        await foreach (var response in _client.ServerStreamingAsync(TestMethods.FlakyStream, new FlakyRequest { Key = key, Failures = 1, MessagesBeforeFailure = 0 }, Options()).WithCancellation(Ct))
        {
            attempts.Add(response.Attempt);
        }
        Assert.Empty(attempts);
        Assert.Equal(2, _host.Probe.Attempts(key));
    }

    [Fact]
    public async Task ServerStreamingAsync_UnavailableAfterAMessage_IsNotRetried()
    {
        var key = Guid.NewGuid().ToString();
        var received = new List<int>();
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var response in _client.ServerStreamingAsync(TestMethods.FlakyStream, new FlakyRequest { Key = key, Failures = 1, MessagesBeforeFailure = 2 }, Options()).WithCancellation(Ct))
            {
                received.Add(response.Attempt);
            }
        });
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal([1, 1], received);
        Assert.Equal(1, _host.Probe.Attempts(key));
    }

    [Fact]
    public async Task UnaryAsync_ResponseOverClientLimit_ThrowsResourceExhausted()
    {
        using var client = _host.CreateClient(configure: o => o.MaxReceiveMessageSize = 1024);
        var error = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(TestMethods.UnaryCall, new SimpleRequest { ResponseSize = 4096 }, Options()));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task UnaryAsync_NoServerListening_ThrowsUnavailable()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new GrpcClient(new Uri($"http://127.0.0.1:{port}"), new GrpcClientOptions { Retry = null });
        var error = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(TestMethods.EmptyCall, new Empty(), Options()));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }
}
