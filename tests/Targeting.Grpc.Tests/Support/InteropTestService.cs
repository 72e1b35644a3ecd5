using System.Collections.Concurrent;
using Google.Protobuf;
using Targeting.Testing.V1;

namespace Targeting.Grpc.Tests.Support;

/// <summary>Records what the in-process server saw, for tests that check server-side effects.</summary>
public sealed class CallProbe
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<bool>> _cancelled = new();
    private readonly ConcurrentDictionary<string, int> _attempts = new();
    private readonly ConcurrentDictionary<string, bool> _started = new();

    /// <summary>Whether a Sleep call with this probe id reached its handler (under heavy load a short
    /// deadline can expire while the server still awaits the request, so the handler never runs).</summary>
    public bool Started(string probeId) => _started.ContainsKey(probeId);

    public void RecordStarted(string probeId) => _started[probeId] = true;

    /// <summary>Completes when the Sleep call with this probe id saw its cancellation token fire.</summary>
    public Task<bool> Cancelled(string probeId) => _cancelled.GetOrAdd(probeId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void RecordCancelled(string probeId) => _cancelled.GetOrAdd(probeId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(true);

    public int NextAttempt(string key) => _attempts.AddOrUpdate(key, 1, (_, n) => n + 1);

    public int Attempts(string key) => _attempts.GetValueOrDefault(key);
}

/// <summary>The interop TestService (protos/targeting/testing/v1/test.proto), served in-process.</summary>
public sealed class InteropTestService(CallProbe probe)
{
    public const string EchoInitialKey = "x-grpc-test-echo-initial";
    public const string EchoTrailingKey = "x-grpc-test-echo-trailing-bin";

    /// <summary>Maps the service with every role allowed, except WhoAmI (planner only).</summary>
    public static void Map(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder app)
    {
        var anyRole = Roles.All.ToArray();
        app.MapGrpcService<InteropTestService>(TestReflection.Descriptor.FindTypeByName<Google.Protobuf.Reflection.ServiceDescriptor>("TestService"), service => service
            .Unary<Empty, Empty>("EmptyCall", (s, request, context) => Task.FromResult(new Empty()), anyRole)
            .Unary<SimpleRequest, SimpleResponse>("UnaryCall", (s, request, context) => s.UnaryCallAsync(request, context), anyRole)
            .ServerStreaming<StreamingOutputCallRequest, StreamingOutputCallResponse>("StreamingOutputCall", (s, request, writer, context) => s.StreamingOutputCallAsync(request, writer, context), anyRole)
            .ClientStreaming<StreamingInputCallRequest, StreamingInputCallResponse>("StreamingInputCall", (s, requests, context) => s.StreamingInputCallAsync(requests, context), anyRole)
            .DuplexStreaming<StreamingOutputCallRequest, StreamingOutputCallResponse>("FullDuplexCall", (s, requests, writer, context) => s.FullDuplexCallAsync(requests, writer, context), anyRole)
            .Unary<SleepRequest, SleepResponse>("Sleep", (s, request, context) => s.SleepAsync(request, context), anyRole)
            .Unary<FlakyRequest, FlakyResponse>("FlakyCall", (s, request, context) => s.FlakyCallAsync(request, context), anyRole)
            .Unary<FlakyRequest, FlakyResponse>("FlakyCallWithSideEffects", (s, request, context) => s.FlakyCallAsync(request, context), anyRole)
            .ServerStreaming<FlakyRequest, FlakyResponse>("FlakyStream", (s, request, writer, context) => s.FlakyStreamAsync(request, writer, context), anyRole)
            .Unary<Empty, CallerInfo>("WhoAmI", (s, request, context) => Task.FromResult(WhoAmI(context)), Roles.Planner)
            .Unary<Empty, Empty>("UnimplementedCall", (s, request, context) => throw new RpcException(StatusCode.Unimplemented, "UnimplementedCall is never implemented."), anyRole));
    }

    public Task<SimpleResponse> UnaryCallAsync(SimpleRequest request, ServerCallContext context)
    {
        EchoMetadata(context);
        if (request.ResponseCompressed)
        {
            context.ResponseCompression = "gzip";
        }
        ThrowIfStatus(request.ResponseStatus);
        var encoding = context.HttpContext.Request.Headers["grpc-encoding"].ToString();
        return Task.FromResult(new SimpleResponse
        {
            Payload = Zeros(request.ResponseSize),
            RequestEncoding = encoding.Length == 0 ? "identity" : encoding,
        });
    }

    public async Task StreamingOutputCallAsync(StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> writer, ServerCallContext context)
    {
        EchoMetadata(context);
        if (request.ResponseCompressed)
        {
            context.ResponseCompression = "gzip";
        }
        await WriteResponsesAsync(request, writer, context);
        ThrowIfStatus(request.ResponseStatus);
    }

    public async Task<StreamingInputCallResponse> StreamingInputCallAsync(IAsyncEnumerable<StreamingInputCallRequest> requests, ServerCallContext context)
    {
        var total = 0;
        await foreach (var request in requests)
        {
            total += request.Payload?.Body.Length ?? 0;
        }
        return new StreamingInputCallResponse { AggregatedPayloadSize = total };
    }

    public async Task FullDuplexCallAsync(IAsyncEnumerable<StreamingOutputCallRequest> requests, IServerStreamWriter<StreamingOutputCallResponse> writer, ServerCallContext context)
    {
        EchoMetadata(context);
        await foreach (var request in requests)
        {
            ThrowIfStatus(request.ResponseStatus);
            await WriteResponsesAsync(request, writer, context);
        }
    }

    public async Task<SleepResponse> SleepAsync(SleepRequest request, ServerCallContext context)
    {
        if (request.ProbeId.Length > 0)
        {
            probe.RecordStarted(request.ProbeId);
        }

        try
        {
            await Task.Delay(request.DurationMs, context.CancellationToken);
        }
        catch (OperationCanceledException) when (request.ProbeId.Length > 0)
        {
            probe.RecordCancelled(request.ProbeId);
            throw;
        }
        return new SleepResponse { WokeAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow) };
    }

    public Task<FlakyResponse> FlakyCallAsync(FlakyRequest request, ServerCallContext context)
    {
        var attempt = probe.NextAttempt(request.Key);
        if (attempt <= request.Failures)
        {
            throw new RpcException(StatusCode.Unavailable, $"Attempt {attempt} fails on purpose.");
        }
        return Task.FromResult(new FlakyResponse { Attempt = attempt });
    }

    public async Task FlakyStreamAsync(FlakyRequest request, IServerStreamWriter<FlakyResponse> writer, ServerCallContext context)
    {
        var attempt = probe.NextAttempt(request.Key);
        for (var i = 0; i < request.MessagesBeforeFailure; i++)
        {
            await writer.WriteAsync(new FlakyResponse { Attempt = attempt }, context.CancellationToken);
        }
        if (attempt <= request.Failures)
        {
            throw new RpcException(StatusCode.Unavailable, $"Attempt {attempt} fails on purpose.");
        }
    }

    private static CallerInfo WhoAmI(ServerCallContext context) => new()
    {
        Subject = context.Caller.Subject,
        Roles = { context.Caller.Roles },
        Team = context.Caller.Team ?? string.Empty,
    };

    private static async Task WriteResponsesAsync(StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> writer, ServerCallContext context)
    {
        foreach (var parameters in request.ResponseParameters)
        {
            if (parameters.IntervalUs > 0)
            {
                await Task.Delay(TimeSpan.FromMicroseconds(parameters.IntervalUs), context.CancellationToken);
            }
            await writer.WriteAsync(new StreamingOutputCallResponse { Payload = Zeros(parameters.Size) }, context.CancellationToken);
        }
    }

    private static void EchoMetadata(ServerCallContext context)
    {
        if (context.RequestHeaders.GetValue(EchoInitialKey) is { } initial)
        {
            context.ResponseHeaders.Add(EchoInitialKey, initial);
        }
        if (context.RequestHeaders.GetValueBytes(EchoTrailingKey) is { } trailing)
        {
            context.ResponseTrailers.Add(EchoTrailingKey, trailing);
        }
    }

    private static void ThrowIfStatus(EchoStatus? status)
    {
        if (status is null || status.Code == 0)
        {
            return;
        }
        if (status.FieldViolations.Count > 0)
        {
            var violations = new FieldViolations();
            foreach (var field in status.FieldViolations)
            {
                violations.Add(field.Field, field.Description);
            }
            violations.ThrowIfAny();
        }
        throw new RpcException((StatusCode)status.Code, status.Message);
    }

    private static Payload Zeros(int size) => new() { Body = ByteString.CopyFrom(new byte[size]) };
}
