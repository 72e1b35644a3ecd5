using Google.Protobuf.Reflection;

namespace Targeting.Grpc;

/// <summary>Settings of a <see cref="GrpcClient"/>.</summary>
public sealed class GrpcClientOptions
{
    /// <summary>A fixed bearer token sent as "authorization: Bearer ..." on every call.</summary>
    public string? BearerToken { get; set; }

    /// <summary>Gets a token per call (for tokens that rotate); wins over <see cref="BearerToken"/>.</summary>
    public Func<CancellationToken, ValueTask<string?>>? BearerTokenProvider { get; set; }

    /// <summary>
    /// The Dapr app id of the service: calls then go through the local sidecar at the client's
    /// address (Dapr.Client's invocation invoker sends the dapr-app-id header it routes on).
    /// </summary>
    public string? DaprAppId { get; set; }

    /// <summary>Largest response message accepted, in bytes (after decompression). Default 4 MiB; larger gives RESOURCE_EXHAUSTED.</summary>
    public int MaxReceiveMessageSize { get; set; } = GrpcServerOptions.DefaultMaxReceiveMessageSize;

    /// <summary>Largest request message sent, in bytes. Default: no limit.</summary>
    public int MaxSendMessageSize { get; set; } = int.MaxValue;

    /// <summary>Retries of idempotent calls failing with UNAVAILABLE; null disables retries.</summary>
    public RetryPolicy? Retry { get; set; } = new();

    /// <summary>Services besides hotspot, stops and feedback whose idempotent rpcs may be retried.</summary>
    public IReadOnlyList<ServiceDescriptor> RetryableServices { get; set; } = [];

    /// <summary>The deadline of a unary call that names none. Default 2 minutes: no call waits forever.</summary>
    public TimeSpan UnaryDeadline { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The HTTP handler, e.g. to trust a test certificate; by default a SocketsHttpHandler
    /// made for gRPC (HTTP/2, several connections when streams run out, no proxy, keep-alive pings).
    /// </summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>Whether disposing the client disposes <see cref="HttpHandler"/>. Default true.</summary>
    public bool DisposeHttpHandler { get; set; } = true;
}

/// <summary>
/// Exponential backoff with full jitter (gRFC A6), as Grpc.Net.Client's service-config retry policy
/// runs it: before attempt n+1 the client waits a random time in
/// [0, min(InitialBackoff * BackoffMultiplier^(n-1), MaxBackoff)). Only UNAVAILABLE is retried, only
/// for IDEMPOTENT or NO_SIDE_EFFECTS rpcs, and only before the response headers arrived.
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>Attempts in all, the first included (2 to 5). Default 4.</summary>
    public int MaxAttempts { get; init; } = 4;

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(2);

    public double BackoffMultiplier { get; init; } = 2;
}

/// <summary>Per-call settings.</summary>
public sealed record CallOptions
{
    /// <summary>When the call must be over, in UTC; sent as grpc-timeout, enforced locally too (DEADLINE_EXCEEDED).</summary>
    public DateTime? Deadline { get; init; }

    /// <summary>Cancels the call (the client sends RST_STREAM; the call fails with CANCELLED).</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Request metadata.</summary>
    public Metadata? Headers { get; init; }

    /// <summary>"gzip" to compress request messages (responses are accepted gzipped anyway).</summary>
    public string? Compression { get; init; }

    /// <summary>Options with a deadline <paramref name="timeout"/> from now.</summary>
    public static CallOptions WithTimeout(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        new() { Deadline = DateTime.UtcNow + timeout, CancellationToken = cancellationToken };
}
