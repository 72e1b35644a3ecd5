using System.IO.Compression;
using System.Net;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Targeting.Grpc.Tests.Support;
using Targeting.Testing.V1;

namespace Targeting.Grpc.Tests;

/// <summary>
/// The server's wire behaviour, checked with hand-made HTTP/2 requests and nghttp, against
/// PROTOCOL-HTTP2.md and the gRPC status-code and compression docs.
/// </summary>
public sealed class ServerConformanceTests : IAsyncLifetime
{
    private const string UnaryCall = "/targeting.testing.v1.TestService/UnaryCall";
    private const string EmptyCall = "/targeting.testing.v1.TestService/EmptyCall";
    private const string Sleep = "/targeting.testing.v1.TestService/Sleep";
    private const string StreamingInputCall = "/targeting.testing.v1.TestService/StreamingInputCall";

    private GrpcTestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await GrpcTestHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<RawResponse> Send(string path, byte[] body, params (string, string)[] headers) =>
        RawGrpc.SendAsync(_host.Address, path, body, headers, cancellationToken: Ct);

    [Fact]
    public async Task Call_WrongContentType_Returns415()
    {
        var response = await RawGrpc.SendAsync(_host.Address, UnaryCall, RawGrpc.Frame(new SimpleRequest()), contentType: "application/json", cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.Status);
    }

    [Fact]
    public async Task Call_GrpcProtoContentTypeWithParameters_IsAccepted()
    {
        var response = await RawGrpc.SendAsync(_host.Address, EmptyCall, RawGrpc.Frame(new Empty()), contentType: "application/grpc+proto; charset=utf-8", cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("0", response.Trailer("grpc-status"));
    }

    [Fact]
    public async Task Call_UnknownService_IsTrailersOnlyUnimplemented()
    {
        var response = await Send("/no.such.Service/Method", RawGrpc.Frame(new Empty()));
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(response.IsTrailersOnly);
        Assert.Equal("12", response.GrpcStatus);
        Assert.StartsWith("application/grpc", response.Header("content-type"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_UnknownMethodOfKnownService_IsUnimplemented()
    {
        var response = await Send("/targeting.testing.v1.TestService/NoSuchMethod", RawGrpc.Frame(new Empty()));
        Assert.Equal("12", response.GrpcStatus);
    }

    [Fact]
    public async Task Call_Ok_SendsHeadersMessageThenStatusInTrailers()
    {
        var response = await Send(UnaryCall, RawGrpc.Frame(new SimpleRequest { ResponseSize = 3 }));
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Null(response.Header("grpc-status"));
        Assert.Equal("0", response.Trailer("grpc-status"));
        Assert.Equal(RawGrpc.Frame(new SimpleResponse { Payload = new Payload { Body = ByteString.CopyFrom(new byte[3]) }, RequestEncoding = "identity" }), response.Body);
    }

    [Fact]
    public async Task Call_ErrorBeforeFirstMessage_IsOneHeadersFrameWithEndStream()
    {
        var request = new SimpleRequest { ResponseStatus = new EchoStatus { Code = (int)StatusCode.NotFound, Message = "nope" } };
        var frames = await Nghttp.PostAsync(_host.Address, UnaryCall, RawGrpc.Frame(request), "authorization: Bearer " + DevelopmentTokens.Issue(Roles.Analyst));
        var single = Assert.Single(frames, f => f.Type is "HEADERS" or "DATA");
        Assert.Equal("HEADERS", single.Type);
        Assert.True(single.EndStream);
    }

    [Fact]
    public async Task Call_OkResponse_IsHeadersDataThenTrailersWithEndStream()
    {
        var frames = await Nghttp.PostAsync(_host.Address, EmptyCall, RawGrpc.Frame(new Empty()), "authorization: Bearer " + DevelopmentTokens.Issue(Roles.Analyst));
        var sequence = frames.Where(f => f.Type is "HEADERS" or "DATA").ToList();
        Assert.Equal("HEADERS", sequence[0].Type);
        Assert.False(sequence[0].EndStream);
        Assert.Contains(sequence, f => f.Type == "DATA");
        Assert.Equal("HEADERS", sequence[^1].Type);
        Assert.True(sequence[^1].EndStream);
    }

    [Fact]
    public async Task Call_NonAsciiStatusMessage_IsPercentEncodedUtf8()
    {
        var request = new SimpleRequest { ResponseStatus = new EchoStatus { Code = (int)StatusCode.FailedPrecondition, Message = "résumé 100%\n😀" } };
        var response = await Send(UnaryCall, RawGrpc.Frame(request));
        Assert.Equal("9", response.GrpcStatus);
        Assert.Equal("r%C3%A9sum%C3%A9 100%25%0A%F0%9F%98%80", response.GrpcMessage);
    }

    [Fact]
    public async Task Call_InvalidArgument_CarriesStatusDetailsWithBadRequest()
    {
        var request = new SimpleRequest
        {
            ResponseStatus = new EchoStatus { Code = 3, FieldViolations = { new BadField { Field = "area.name", Description = "is required" } } },
        };
        var response = await Send(UnaryCall, RawGrpc.Frame(request));
        Assert.Equal("3", response.GrpcStatus);
        var details = Google.Rpc.Status.Parser.ParseFrom(Convert.FromBase64String(Pad(response.Header("grpc-status-details-bin")!)));
        Assert.Equal(3, details.Code);
        var badRequest = Assert.Single(details.Details).Unpack<Google.Rpc.BadRequest>();
        var violation = Assert.Single(badRequest.FieldViolations);
        Assert.Equal(("area.name", "is required"), (violation.Field, violation.Description));
    }

    [Fact]
    public async Task Call_CompressedFlagTwo_FailsBeforeTheHandler()
    {
        // The spec's status is INTERNAL; Grpc.AspNetCore answers its generic UNKNOWN for some framing errors.
        var response = await Send(UnaryCall, RawGrpc.Frame(new SimpleRequest { ResponseSize = 1 }, flag: 2));
        Assert.Contains(response.GrpcStatus, new[] { "13", "2" });
        Assert.True(response.IsTrailersOnly);
    }

    [Fact]
    public async Task Call_MessageCutShort_IsInternal()
    {
        var framed = RawGrpc.Frame(new SimpleRequest { ResponseSize = 100, Payload = new Payload { Body = ByteString.CopyFrom(new byte[50]) } });
        var response = await Send(UnaryCall, framed[..^10]);
        Assert.Equal("13", response.GrpcStatus);
        Assert.Contains("Incomplete message", response.GrpcMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_TwoMessagesToUnaryRpc_IsInternal()
    {
        var one = RawGrpc.Frame(new SimpleRequest { ResponseSize = 1 });
        var response = await Send(UnaryCall, [.. one, .. one]);
        Assert.Equal("13", response.GrpcStatus);
    }

    [Fact]
    public async Task Call_NoMessageToUnaryRpc_IsInternal()
    {
        var response = await Send(UnaryCall, []);
        Assert.Equal("13", response.GrpcStatus);
    }

    [Fact]
    public async Task Call_BytesThatAreNotProtobuf_FailsBeforeTheHandler()
    {
        // Grpc.AspNetCore parses the request before any interceptor: UNKNOWN, "Exception was thrown by handler.".
        var response = await Send(UnaryCall, RawGrpc.Frame([0xff, 0xff, 0xff, 0xff, 0xff]));
        Assert.Contains(response.GrpcStatus, new[] { "13", "2" });
        Assert.DoesNotContain("Protobuf", response.GrpcMessage ?? string.Empty, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Call_MessageAnnouncedOverFourMiB_IsResourceExhaustedWithoutReadingIt()
    {
        var response = await Send(UnaryCall, RawGrpc.Frame(new byte[16], announcedLength: 4 * 1024 * 1024 + 1));
        Assert.Equal("8", response.GrpcStatus);
    }

    [Fact]
    public async Task Call_MessageOfExactlyFourMiB_IsAccepted()
    {
        // A bytes field of n bytes inside Payload inside SimpleRequest: pick n so the whole request is 4 MiB.
        var body = 4 * 1024 * 1024 - 10;
        var request = new SimpleRequest { Payload = new Payload { Body = ByteString.CopyFrom(new byte[body]) } };
        Assert.Equal(4 * 1024 * 1024, request.CalculateSize());
        var response = await Send(UnaryCall, RawGrpc.Frame(request));
        Assert.Equal("0", response.GrpcStatus);
    }

    [Fact]
    public async Task Call_GzipThatInflatesOverTheLimit_IsResourceExhausted()
    {
        var request = new SimpleRequest { Payload = new Payload { Body = ByteString.CopyFrom(new byte[5 * 1024 * 1024]) } };
        var response = await Send(UnaryCall, RawGrpc.Frame(Gzip(request.ToByteArray()), flag: 1), ("grpc-encoding", "gzip"));
        Assert.Equal("8", response.GrpcStatus);
    }

    [Fact]
    public async Task Call_UnknownEncoding_IsUnimplementedAndListsSupportedEncodings()
    {
        var response = await Send(UnaryCall, RawGrpc.Frame(Gzip(new SimpleRequest().ToByteArray()), flag: 1), ("grpc-encoding", "snappy"));
        Assert.Equal("12", response.GrpcStatus);
        Assert.Contains("gzip", response.Header("grpc-accept-encoding"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_CompressedFlagWithoutEncoding_IsInternal()
    {
        var response = await Send(UnaryCall, RawGrpc.Frame(Gzip(new SimpleRequest().ToByteArray()), flag: 1));
        Assert.Equal("13", response.GrpcStatus);
    }

    [Fact]
    public async Task Call_GzipRequest_IsDecoded()
    {
        var request = new SimpleRequest { ResponseSize = 1000 };
        var response = await Send(UnaryCall, RawGrpc.Frame(Gzip(request.ToByteArray()), flag: 1), ("grpc-encoding", "gzip"), ("grpc-accept-encoding", "gzip"));
        Assert.Equal("0", response.Trailer("grpc-status"));
        var body = response.Body[0] == 1 ? Gunzip(response.Body[5..]) : response.Body[5..];
        var message = SimpleResponse.Parser.ParseFrom(body);
        Assert.Equal(1000, message.Payload.Body.Length);
        Assert.Equal("gzip", message.RequestEncoding);
    }

    [Fact]
    public async Task Call_ResponseCompressionAsked_IsAnsweredInGzip()
    {
        var request = new SimpleRequest { ResponseSize = 1000, ResponseCompressed = true };
        var response = await Send(UnaryCall, RawGrpc.Frame(request), ("grpc-accept-encoding", "gzip"));
        Assert.Equal("0", response.Trailer("grpc-status"));
        Assert.Equal("gzip", response.Header("grpc-encoding"));
        Assert.Equal(1, response.Body[0]);
        Assert.Equal(1000, SimpleResponse.Parser.ParseFrom(Gunzip(response.Body[5..])).Payload.Body.Length);
    }

    [Fact]
    public async Task Call_GrpcTimeout_EndsWithDeadlineExceededAndCancelsTheHandler()
    {
        var probeId = Guid.NewGuid().ToString();
        var response = await Send(Sleep, RawGrpc.Frame(new SleepRequest { DurationMs = 20_000, ProbeId = probeId }), ("grpc-timeout", "200m"));
        Assert.Equal("4", response.GrpcStatus);
        Assert.True(await _host.Probe.StoppedOrNeverStartedAsync(probeId, TimeSpan.FromSeconds(20)), "the Sleep handler started but was never cancelled");
        // The lower bound is the check (the deadline was honoured, not answered at once); the upper
        // one only catches a call that waited for the 20 s sleep.
        Assert.InRange(response.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Call_MalformedGrpcTimeout_IsAnsweredWithAStatus()
    {
        // Grpc.AspNetCore ignores a grpc-timeout it cannot parse (the call runs without a deadline).
        var response = await Send(EmptyCall, RawGrpc.Frame(new Empty()), ("grpc-timeout", "123456789S"));
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.NotNull(response.GrpcStatus);
    }

    [Fact]
    public async Task Call_BinaryMetadataPaddedOrNot_IsDecodedAndEchoed()
    {
        var unpadded = await Send(UnaryCall, RawGrpc.Frame(new SimpleRequest()), (InteropTestService.EchoTrailingKey, "AAE"));
        var padded = await Send(UnaryCall, RawGrpc.Frame(new SimpleRequest()), (InteropTestService.EchoTrailingKey, "AAE="));
        Assert.Equal(new byte[] { 0, 1 }, Convert.FromBase64String(Padded(unpadded.Trailer(InteropTestService.EchoTrailingKey)!)));
        Assert.Equal(new byte[] { 0, 1 }, Convert.FromBase64String(Padded(padded.Trailer(InteropTestService.EchoTrailingKey)!)));
    }

    private static string Padded(string base64) => base64.PadRight(base64.Length + ((4 - base64.Length % 4) % 4), '=');

    [Fact]
    public async Task Call_AsciiMetadata_IsEchoedInResponseHeaders()
    {
        var response = await Send(UnaryCall, RawGrpc.Frame(new SimpleRequest()), (InteropTestService.EchoInitialKey, "value with spaces"));
        Assert.Equal("value with spaces", response.Header(InteropTestService.EchoInitialKey));
    }

    [Fact]
    public async Task Call_ClientStreamOfManyMessages_IsReadAcrossDataFrames()
    {
        var messages = Enumerable.Range(0, 200).SelectMany(i => RawGrpc.Frame(new StreamingInputCallRequest { Payload = new Payload { Body = ByteString.CopyFrom(new byte[i]) } })).ToArray();
        var response = await Send(StreamingInputCall, messages);
        Assert.Equal("0", response.Trailer("grpc-status"));
        var sum = StreamingInputCallResponse.Parser.ParseFrom(response.Body[5..]);
        Assert.Equal(Enumerable.Range(0, 200).Sum(), sum.AggregatedPayloadSize);
    }

    private static string Pad(string base64) => base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }

    private static byte[] Gunzip(byte[] data)
    {
        using var gzip = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }
}

/// <summary>Handlers that misbehave on purpose: throwing, ignoring their deadline.</summary>
public sealed class MisbehavingHandlerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<GrpcTestHost> StartAsync() => GrpcTestHost.StartAsync(map: MisbehavingService.Map);

    [Fact]
    public async Task Call_HandlerThrows_IsInternalWithGenericMessageAndLogsTheException()
    {
        await using var host = await StartAsync();
        var response = await RawGrpc.SendAsync(host.Address, "/targeting.testing.v1.TestService/EmptyCall", RawGrpc.Frame(new Empty()), cancellationToken: Ct);
        Assert.Equal("13", response.GrpcStatus);
        Assert.Equal("Exception was thrown by handler.", response.GrpcMessage);
        Assert.DoesNotContain(response.Headers.Concat(response.Trailers), h => h.Value.Contains("hunter2", StringComparison.Ordinal) || h.Value.Contains("at ", StringComparison.Ordinal));
        var logged = Assert.Single(host.Logs.Entries, e => e.Level == LogLevel.Error);
        Assert.IsType<InvalidOperationException>(logged.Exception);
    }

    [Fact]
    public async Task Call_HandlerIgnoresDeadline_ClientStillGetsDeadlineExceededOnTime()
    {
        await using var host = await StartAsync();
        var response = await RawGrpc.SendAsync(host.Address, "/targeting.testing.v1.TestService/Sleep", RawGrpc.Frame(new SleepRequest { DurationMs = 2_000 }),
            [("grpc-timeout", "200m")], cancellationToken: Ct);
        Assert.Equal("4", response.GrpcStatus);
        Assert.InRange(response.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromMilliseconds(1_500));
    }

    [Fact]
    public async Task Call_MethodBoundAsUnimplemented_IsUnimplementedForAuthenticatedCallers()
    {
        await using var host = await StartAsync();
        var response = await RawGrpc.SendAsync(host.Address, "/targeting.testing.v1.TestService/UnaryCall", RawGrpc.Frame(new SimpleRequest()), cancellationToken: Ct);
        Assert.Equal("12", response.GrpcStatus);
        var anonymous = await RawGrpc.SendAsync(host.Address, "/targeting.testing.v1.TestService/UnaryCall", RawGrpc.Frame(new SimpleRequest()), token: "not-a-token", cancellationToken: Ct);
        Assert.Equal("16", anonymous.GrpcStatus);
    }
}
