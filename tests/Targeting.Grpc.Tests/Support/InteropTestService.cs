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

    /// <summary>
    /// True when the Sleep call with this probe id saw its cancellation within <paramref name="timeout"/>,
    /// or never reached its handler (a deadline or cancel on a loaded machine can come first: then
    /// there is nothing to cancel). False only for a handler that ran and was never told to stop.
    /// </summary>
    public async Task<bool> StoppedOrNeverStartedAsync(string probeId, TimeSpan timeout)
    {
        var cancelled = Cancelled(probeId);
        return await Task.WhenAny(cancelled, Task.Delay(timeout)).ConfigureAwait(false) == cancelled || !Started(probeId);
    }

    public void RecordCancelled(string probeId) => _cancelled.GetOrAdd(probeId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(true);

    public int NextAttempt(string key) => _attempts.AddOrUpdate(key, 1, (_, n) => n + 1);

    public int Attempts(string key) => _attempts.GetValueOrDefault(key);

    /// <summary>The dapr-app-id header a <see cref="DaprProbeService"/> call arrived with.</summary>
    public string? DaprAppId { get; set; }
}

/// <summary>
/// The interop TestService (protos/targeting/testing/v1/test.proto), served in-process: every
/// role may call it, except WhoAmI (planner only); UnimplementedCall is left to the generated
/// base, which answers UNIMPLEMENTED.
/// </summary>
public sealed class InteropTestService(CallProbe probe) : TestService.TestServiceBase
{
    public const string EchoInitialKey = "x-grpc-test-echo-initial";
    public const string EchoTrailingKey = "x-grpc-test-echo-trailing-bin";

    public static readonly Google.Protobuf.Reflection.ServiceDescriptor Descriptor = TestService.Descriptor;

    public static void Map(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder app) =>
        app.MapAuthorizedGrpcService<InteropTestService>(Descriptor, "UnimplementedCall");

    [AllowRoles]
    public override Task<Empty> EmptyCall(Empty request, ServerCallContext context) => Task.FromResult(new Empty());

    [AllowRoles(Roles.Planner)]
    public override Task<CallerInfo> WhoAmI(Empty request, ServerCallContext context) => Task.FromResult(new CallerInfo
    {
        Subject = context.Caller.Subject,
        Roles = { context.Caller.Roles },
        Team = context.Caller.Team ?? string.Empty,
    });

    [AllowRoles]
    public override Task<FlakyResponse> FlakyCallWithSideEffects(FlakyRequest request, ServerCallContext context) => FlakyCall(request, context);

    [AllowRoles]
    public override async Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context)
    {
        await EchoMetadataAsync(context, request.ResponseCompressed);
        ThrowIfStatus(request.ResponseStatus);
        var encoding = context.GetHttpContext().Request.Headers["grpc-encoding"].ToString();
        return new SimpleResponse
        {
            Payload = Zeros(request.ResponseSize),
            RequestEncoding = encoding.Length == 0 ? "identity" : encoding,
        };
    }

    [AllowRoles]
    public override async Task StreamingOutputCall(StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> writer, ServerCallContext context)
    {
        await EchoMetadataAsync(context, request.ResponseCompressed);
        try
        {
            await WriteResponsesAsync(request, writer, context);
        }
        catch (OperationCanceledException)
        {
            probe.RecordCancelled(nameof(StreamingOutputCall));
            throw;
        }
        ThrowIfStatus(request.ResponseStatus);
    }

    [AllowRoles]
    public override async Task<StreamingInputCallResponse> StreamingInputCall(IAsyncStreamReader<StreamingInputCallRequest> requestStream, ServerCallContext context)
    {
        var total = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            total += request.Payload?.Body.Length ?? 0;
        }
        return new StreamingInputCallResponse { AggregatedPayloadSize = total };
    }

    [AllowRoles]
    public override async Task FullDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requestStream, IServerStreamWriter<StreamingOutputCallResponse> writer, ServerCallContext context)
    {
        await EchoMetadataAsync(context, compressResponse: false);
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            ThrowIfStatus(request.ResponseStatus);
            await WriteResponsesAsync(request, writer, context);
        }
    }

    [AllowRoles]
    public override async Task<SleepResponse> Sleep(SleepRequest request, ServerCallContext context)
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

    [AllowRoles]
    public override Task<FlakyResponse> FlakyCall(FlakyRequest request, ServerCallContext context)
    {
        var attempt = probe.NextAttempt(request.Key);
        if (attempt <= request.Failures)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"Attempt {attempt} fails on purpose."));
        }
        return Task.FromResult(new FlakyResponse { Attempt = attempt });
    }

    [AllowRoles]
    public override async Task FlakyStream(FlakyRequest request, IServerStreamWriter<FlakyResponse> writer, ServerCallContext context)
    {
        var attempt = probe.NextAttempt(request.Key);
        for (var i = 0; i < request.MessagesBeforeFailure; i++)
        {
            await writer.WriteAsync(new FlakyResponse { Attempt = attempt }, context.CancellationToken);
        }
        if (attempt <= request.Failures)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"Attempt {attempt} fails on purpose."));
        }
    }

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

    private static async Task EchoMetadataAsync(ServerCallContext context, bool compressResponse)
    {
        var headers = new Metadata();
        if (context.RequestHeaders.GetValue(EchoInitialKey) is { } initial)
        {
            headers.Add(EchoInitialKey, initial);
        }
        if (compressResponse)
        {
            // Grpc.AspNetCore's per-call switch for compressing the response.
            headers.Add("grpc-internal-encoding-request", "gzip");
        }
        if (context.RequestHeaders.GetValueBytes(EchoTrailingKey) is { } trailing)
        {
            context.ResponseTrailers.Add(EchoTrailingKey, trailing);
        }
        if (headers.Count > 0)
        {
            await context.WriteResponseHeadersAsync(headers);
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
        throw new RpcException(new Status((StatusCode)status.Code, status.Message));
    }

    private static Payload Zeros(int size) => new() { Body = ByteString.CopyFrom(new byte[size]) };
}

/// <summary>Handlers that misbehave on purpose: EmptyCall throws a secret, Sleep ignores its deadline; the rest are UNIMPLEMENTED.</summary>
public sealed class MisbehavingService : TestService.TestServiceBase
{
    public static void Map(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder app) =>
        app.MapAuthorizedGrpcService<MisbehavingService>(TestService.Descriptor,
            [.. TestService.Descriptor.Methods.Select(m => m.Name).Where(name => name is not ("EmptyCall" or "Sleep"))]);

    [AllowRoles(Roles.Analyst)]
    public override Task<Empty> EmptyCall(Empty request, ServerCallContext context) =>
        throw new InvalidOperationException("secret: Host=db.internal;Password=hunter2");

    [AllowRoles(Roles.Analyst)]
    public override async Task<SleepResponse> Sleep(SleepRequest request, ServerCallContext context)
    {
        // Ignores the call's token on purpose.
        await Task.Delay(request.DurationMs, CancellationToken.None);
        return new SleepResponse();
    }
}

/// <summary>Stands where a Dapr sidecar would: records the dapr-app-id header EmptyCall arrives with.</summary>
public sealed class DaprProbeService(CallProbe probe) : TestService.TestServiceBase
{
    public static void Map(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder app) =>
        app.MapAuthorizedGrpcService<DaprProbeService>(TestService.Descriptor,
            [.. TestService.Descriptor.Methods.Select(m => m.Name).Where(name => name != "EmptyCall")]);

    [AllowRoles(Roles.Service)]
    public override Task<Empty> EmptyCall(Empty request, ServerCallContext context)
    {
        probe.DaprAppId = context.RequestHeaders.GetValue("dapr-app-id");
        return Task.FromResult(new Empty());
    }
}
