using System.Collections.Concurrent;
using Google.Protobuf;

namespace Targeting.Grpc;

/// <summary>
/// A gRPC client over HttpClient's SocketsHttpHandler: HTTP/2 with prior knowledge for http://
/// addresses (h2c), ALPN for https://. Thread-safe; create one per server address and reuse it,
/// because it owns the connection pool.
/// </summary>
public sealed class GrpcClient : IDisposable
{
    internal const string UserAgent = "grpc-dotnet-targeting/0.1";

    private readonly ConcurrentDictionary<string, Uri> _uris = new(StringComparer.Ordinal);

    public GrpcClient(Uri address, GrpcClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"The address must be http:// (cleartext HTTP/2) or https://, not {address}.", nameof(address));
        }
        Address = address;
        Options = options ?? new GrpcClientOptions();
        var handler = Options.HttpHandler ?? CreateDefaultHandler();
        Invoker = new HttpMessageInvoker(handler, disposeHandler: Options.HttpHandler is null || Options.DisposeHttpHandler);
    }

    public Uri Address { get; }

    public GrpcClientOptions Options { get; }

    internal HttpMessageInvoker Invoker { get; }

    /// <summary>Calls a unary rpc. Failures throw <see cref="RpcException"/>.</summary>
    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(GrpcMethod<TRequest, TResponse> method, TRequest request, CallOptions? options = null)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>, new() =>
        (await UnaryCallAsync(method, request, options).ConfigureAwait(false)).Response;

    /// <summary>Calls a unary rpc and returns the response with its header and trailer metadata.</summary>
    public async Task<UnaryResult<TResponse>> UnaryCallAsync<TRequest, TResponse>(GrpcMethod<TRequest, TResponse> method, TRequest request, CallOptions? options = null)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>, new()
    {
        ExpectType(method, MethodType.Unary);
        options ??= Default;
        var framed = Frame(request, options);
        var retry = new RetryState(this, method.IsRetryable, options.Deadline);
        while (true)
        {
            var call = new ClientCall<TRequest, TResponse>(this, method, options);
            await using (call.ConfigureAwait(false))
            {
                try
                {
                    call.Start(framed);
                    var response = await call.ReadMessageAsync().ConfigureAwait(false)
                        ?? throw new RpcException(StatusCode.Internal, "The server ended a unary call with OK but no response message.");
                    if (await call.ReadMessageAsync().ConfigureAwait(false) is not null)
                    {
                        throw new RpcException(StatusCode.Internal, "The server sent more than one response message in a unary call.");
                    }
                    return new UnaryResult<TResponse>(response, await call.GetResponseHeadersAsync().ConfigureAwait(false), call.Trailers ?? []);
                }
                catch (RpcException ex) when (retry.ShouldRetry(ex, call.MessageReceived, out var delay))
                {
                    await Task.Delay(delay, options.CancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Calls a server-streaming rpc; the responses arrive as they are enumerated.</summary>
    public IAsyncEnumerable<TResponse> ServerStreamingAsync<TRequest, TResponse>(GrpcMethod<TRequest, TResponse> method, TRequest request, CallOptions? options = null)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>, new() =>
        ServerStreaming(method, request, options).ReadAllAsync();

    /// <summary>Calls a server-streaming rpc, with access to its metadata.</summary>
    public ServerStreamingCall<TRequest, TResponse> ServerStreaming<TRequest, TResponse>(GrpcMethod<TRequest, TResponse> method, TRequest request, CallOptions? options = null)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>, new()
    {
        ExpectType(method, MethodType.ServerStreaming);
        options ??= Default;
        return new ServerStreamingCall<TRequest, TResponse>(this, method, Frame(request, options), options);
    }

    /// <summary>Starts a client-streaming rpc: write the requests, then <c>CompleteAsync</c> for the response.</summary>
    public ClientStreamingCall<TRequest, TResponse> ClientStreaming<TRequest, TResponse>(GrpcMethod<TRequest, TResponse> method, CallOptions? options = null)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>, new()
    {
        ExpectType(method, MethodType.ClientStreaming);
        var call = new ClientCall<TRequest, TResponse>(this, method, options ?? Default);
        call.StartStreaming();
        return new ClientStreamingCall<TRequest, TResponse>(call);
    }

    /// <summary>Starts a bidirectional rpc: write requests and read responses independently.</summary>
    public DuplexStreamingCall<TRequest, TResponse> DuplexStreaming<TRequest, TResponse>(GrpcMethod<TRequest, TResponse> method, CallOptions? options = null)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>, new()
    {
        ExpectType(method, MethodType.DuplexStreaming);
        var call = new ClientCall<TRequest, TResponse>(this, method, options ?? Default);
        call.StartStreaming();
        return new DuplexStreamingCall<TRequest, TResponse>(call);
    }

    public void Dispose() => Invoker.Dispose();

    private static readonly CallOptions Default = new();

    internal Uri GetUri(string path) => _uris.GetOrAdd(path, static (p, address) => new Uri(address, p), Address);

    private byte[] Frame(IMessage request, CallOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        return MessageFraming.ToFramedArray(request, string.Equals(options.Compression, GrpcProtocol.Gzip, StringComparison.OrdinalIgnoreCase), Options.MaxSendMessageSize);
    }

    private static void ExpectType<TRequest, TResponse>(GrpcMethod<TRequest, TResponse> method, MethodType expected)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(method);
        if (method.Type != expected)
        {
            throw new ArgumentException($"{method.Path} is {MethodTypes.Describe(method.Type)}, not {MethodTypes.Describe(expected)}.", nameof(method));
        }
    }

    private static SocketsHttpHandler CreateDefaultHandler() => new()
    {
        // One HTTP/2 connection allows ~100 concurrent streams; open more rather than queue calls.
        EnableMultipleHttp2Connections = true,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        KeepAlivePingDelay = TimeSpan.FromSeconds(60),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>The retry decision of one call: idempotent rpc, UNAVAILABLE, no message yet, attempts and deadline left.</summary>
    internal sealed class RetryState(GrpcClient client, bool retryable, DateTime? deadline)
    {
        private int _attempt = 1;
        private TimeSpan _backoff = client.Options.Retry?.InitialBackoff ?? TimeSpan.Zero;

        public bool ShouldRetry(RpcException failure, bool messageReceived, out TimeSpan delay)
        {
            delay = TimeSpan.Zero;
            var policy = client.Options.Retry;
            if (policy is null || !retryable || messageReceived || failure.StatusCode != StatusCode.Unavailable || _attempt >= policy.MaxAttempts)
            {
                return false;
            }
            // The server may ask for a delay (or, with a negative or invalid value, for no retry): gRFC A6.
            if (failure.Trailers.GetValue(GrpcProtocol.RetryPushbackHeader) is { } pushback)
            {
                if (!int.TryParse(pushback, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var milliseconds))
                {
                    return false;
                }
                delay = TimeSpan.FromMilliseconds(milliseconds);
                _backoff = policy.InitialBackoff;
            }
            else
            {
                delay = _backoff * Random.Shared.NextDouble();
                _backoff = TimeSpan.FromTicks(Math.Min((long)(_backoff.Ticks * policy.BackoffMultiplier), policy.MaxBackoff.Ticks));
            }
            if (deadline is { } end && DateTime.UtcNow + delay >= end.ToUniversalTime())
            {
                return false;
            }
            _attempt++;
            return true;
        }
    }
}

/// <summary>A unary response with its metadata.</summary>
public sealed record UnaryResult<TResponse>(TResponse Response, Metadata ResponseHeaders, Metadata Trailers);
