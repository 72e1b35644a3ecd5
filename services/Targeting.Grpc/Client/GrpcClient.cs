using Dapr.Client;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;

namespace Targeting.Grpc;

/// <summary>
/// The client the services and the command line share, over Grpc.Net.Client: a
/// <see cref="GrpcChannel"/> to one address (or, with <see cref="GrpcClientOptions.DaprAppId"/>,
/// Dapr.Client's invocation invoker through the local sidecar), the caller's bearer token on every
/// call, a deadline on every unary call, and retries (a service-config retry policy) only for rpcs
/// whose proto says they are IDEMPOTENT or NO_SIDE_EFFECTS. Thread-safe; create one per server
/// address and reuse it, because it owns the connection.
/// </summary>
public sealed class GrpcClient : IDisposable
{
    /// <summary>The services whose idempotent rpcs are retried (more via <see cref="GrpcClientOptions.RetryableServices"/>).</summary>
    private static readonly ServiceDescriptor[] ProjectServices =
    [
        Targeting.Hotspot.V1.HotspotReflection.Descriptor.Services[0],
        Targeting.Stops.V1.StopsReflection.Descriptor.Services[0],
        Targeting.Feedback.V1.FeedbackReflection.Descriptor.Services[0],
    ];

    private readonly GrpcChannel? _channel;

    public GrpcClient(Uri address, GrpcClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"The address must be http:// (cleartext HTTP/2) or https://, not {address}.", nameof(address));
        }
        Address = address;
        Options = options ?? new GrpcClientOptions();
        if (!string.IsNullOrEmpty(Options.DaprAppId))
        {
            // The address is the sidecar's gRPC endpoint; it routes on the dapr-app-id header.
            Invoker = DaprClient.CreateInvocationInvoker(Options.DaprAppId, address.ToString());
        }
        else
        {
            _channel = GrpcChannel.ForAddress(address, ChannelOptions(Options));
            Invoker = _channel.CreateCallInvoker();
        }
    }

    /// <summary>A client over a call invoker made elsewhere (a client factory's, a test's).</summary>
    public GrpcClient(CallInvoker invoker, Uri address, GrpcClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(invoker);
        ArgumentNullException.ThrowIfNull(address);
        Invoker = invoker;
        Address = address;
        Options = options ?? new GrpcClientOptions();
    }

    public Uri Address { get; }

    public GrpcClientOptions Options { get; }

    /// <summary>The Grpc.Core invoker every call goes through.</summary>
    public CallInvoker Invoker { get; }

    /// <summary>Calls a unary rpc. Failures throw <see cref="RpcException"/>.</summary>
    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(GrpcMethod<TRequest, TResponse> method, TRequest request, CallOptions? options = null)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        (await UnaryCallAsync(method, request, options).ConfigureAwait(false)).Response;

    /// <summary>Calls a unary rpc and returns the response with its header and trailer metadata.</summary>
    public async Task<UnaryResult<TResponse>> UnaryCallAsync<TRequest, TResponse>(GrpcMethod<TRequest, TResponse> method, TRequest request, CallOptions? options = null)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        Expect(method, MethodType.Unary);
        ArgumentNullException.ThrowIfNull(request);
        options ??= Default;
        var callOptions = await ToCallOptionsAsync(options, options.Deadline ?? DateTime.UtcNow + Options.UnaryDeadline).ConfigureAwait(false);
        using var call = Invoker.AsyncUnaryCall(method.Method, null, callOptions, request);
        var response = await call.ResponseAsync.ConfigureAwait(false);
        return new UnaryResult<TResponse>(response, await call.ResponseHeadersAsync.ConfigureAwait(false), call.GetTrailers());
    }

    /// <summary>Calls a server-streaming rpc; the responses arrive as they are enumerated. Leaving early cancels the call.</summary>
    /// <remarks><see cref="CallOptions.CancellationToken"/> cancels the call.</remarks>
    public async IAsyncEnumerable<TResponse> ServerStreamingAsync<TRequest, TResponse>(GrpcMethod<TRequest, TResponse> method, TRequest request, CallOptions? options = null)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        Expect(method, MethodType.ServerStreaming);
        ArgumentNullException.ThrowIfNull(request);
        options ??= Default;
        var callOptions = await ToCallOptionsAsync(options, options.Deadline).ConfigureAwait(false);
        using var call = Invoker.AsyncServerStreamingCall(method.Method, null, callOptions, request);
        while (await call.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false))
        {
            yield return call.ResponseStream.Current;
        }
    }

    /// <summary>Starts a client-streaming rpc: write the requests, then <c>CompleteAsync</c> for the response.</summary>
    public ClientStreamingCall<TRequest, TResponse> ClientStreaming<TRequest, TResponse>(GrpcMethod<TRequest, TResponse> method, CallOptions? options = null)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        Expect(method, MethodType.ClientStreaming);
        options ??= Default;
        return new ClientStreamingCall<TRequest, TResponse>(Invoker.AsyncClientStreamingCall(method.Method, null, ToCallOptions(options)));
    }

    /// <summary>Starts a bidirectional rpc: write requests and read responses independently.</summary>
    public DuplexStreamingCall<TRequest, TResponse> DuplexStreaming<TRequest, TResponse>(GrpcMethod<TRequest, TResponse> method, CallOptions? options = null)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        Expect(method, MethodType.DuplexStreaming);
        options ??= Default;
        return new DuplexStreamingCall<TRequest, TResponse>(Invoker.AsyncDuplexStreamingCall(method.Method, null, ToCallOptions(options)));
    }

    public void Dispose() => _channel?.Dispose();

    private static readonly CallOptions Default = new();

    private async ValueTask<global::Grpc.Core.CallOptions> ToCallOptionsAsync(CallOptions options, DateTime? deadline) =>
        ToCallOptions(options, deadline, Options.BearerTokenProvider is { } provider
            ? await provider(options.CancellationToken).ConfigureAwait(false)
            : Options.BearerToken);

    // Streaming calls start synchronously; a rotating token provider is asked synchronously too
    // (the project's providers answer from a cache).
    private global::Grpc.Core.CallOptions ToCallOptions(CallOptions options) =>
        ToCallOptions(options, options.Deadline, Options.BearerTokenProvider is { } provider
            ? provider(options.CancellationToken).AsTask().GetAwaiter().GetResult()
            : Options.BearerToken);

    private static global::Grpc.Core.CallOptions ToCallOptions(CallOptions options, DateTime? deadline, string? token)
    {
        var headers = new Metadata();
        if (options.Headers is { } extra)
        {
            foreach (var entry in extra)
            {
                headers.Add(entry);
            }
        }
        if (!string.IsNullOrEmpty(token))
        {
            headers.Add("authorization", "Bearer " + token);
        }
        if (options.Compression is { Length: > 0 } compression)
        {
            // Grpc.Net.Client's per-call request compression switch.
            headers.Add("grpc-internal-encoding-request", compression);
        }
        return new global::Grpc.Core.CallOptions(headers, deadline?.ToUniversalTime(), options.CancellationToken);
    }

    private static void Expect<TRequest, TResponse>(GrpcMethod<TRequest, TResponse> method, MethodType expected)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(method);
        if (method.Type != expected)
        {
            throw new ArgumentException($"{method.Path} is {method.Type}, not {expected}.", nameof(method));
        }
    }

    private static GrpcChannelOptions ChannelOptions(GrpcClientOptions options) => new()
    {
        HttpHandler = options.HttpHandler ?? CreateDefaultHandler(),
        DisposeHttpClient = options.HttpHandler is null || options.DisposeHttpHandler,
        MaxReceiveMessageSize = options.MaxReceiveMessageSize,
        MaxSendMessageSize = options.MaxSendMessageSize == int.MaxValue ? null : options.MaxSendMessageSize,
        ServiceConfig = options.Retry is { } retry ? RetryConfig(retry, options.RetryableServices) : null,
        MaxRetryAttempts = options.Retry?.MaxAttempts,
    };

    /// <summary>One method config naming every IDEMPOTENT / NO_SIDE_EFFECTS rpc: only these are retried, only on UNAVAILABLE.</summary>
    internal static ServiceConfig RetryConfig(RetryPolicy retry, IEnumerable<ServiceDescriptor> extraServices)
    {
        var config = new MethodConfig
        {
            RetryPolicy = new global::Grpc.Net.Client.Configuration.RetryPolicy
            {
                MaxAttempts = retry.MaxAttempts,
                InitialBackoff = retry.InitialBackoff,
                MaxBackoff = retry.MaxBackoff,
                BackoffMultiplier = retry.BackoffMultiplier,
                RetryableStatusCodes = { StatusCode.Unavailable },
            },
        };
        foreach (var service in ProjectServices.Concat(extraServices).Distinct())
        {
            foreach (var rpc in service.Methods)
            {
                if (Idempotency.AllowsRetry(rpc))
                {
                    config.Names.Add(new MethodName { Service = service.FullName, Method = rpc.Name });
                }
            }
        }
        return new ServiceConfig { MethodConfigs = { config } };
    }

    internal static SocketsHttpHandler CreateDefaultHandler() => new()
    {
        // One HTTP/2 connection allows ~100 concurrent streams; open more rather than queue calls.
        EnableMultipleHttp2Connections = true,
        UseProxy = false,
        UseCookies = false,
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        KeepAlivePingDelay = TimeSpan.FromSeconds(60),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };
}

/// <summary>A unary response with its metadata.</summary>
public sealed record UnaryResult<TResponse>(TResponse Response, Metadata ResponseHeaders, Metadata Trailers);
