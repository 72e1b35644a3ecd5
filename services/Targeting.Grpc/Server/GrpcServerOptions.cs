namespace Targeting.Grpc;

/// <summary>Server settings, bound from configuration section <c>Grpc</c>.</summary>
public sealed class GrpcServerOptions
{
    public const string SectionName = "Grpc";

    /// <summary>The gRPC default largest message, 4 MiB.</summary>
    public const int DefaultMaxReceiveMessageSize = 4 * 1024 * 1024;

    /// <summary>Largest request message accepted, in bytes (after decompression). Default 4 MiB; larger gives RESOURCE_EXHAUSTED.</summary>
    public int MaxReceiveMessageSize { get; set; } = DefaultMaxReceiveMessageSize;

    /// <summary>Largest response message sent, in bytes. Default: no limit.</summary>
    public int MaxSendMessageSize { get; set; } = int.MaxValue;

    /// <summary>
    /// "gzip" to compress responses to clients that accept gzip; null (the default) sends them
    /// uncompressed unless a handler asks for compression on its call.
    /// </summary>
    public string? ResponseCompression { get; set; }

    /// <summary>
    /// Make every Kestrel endpoint speak HTTP/2 only (default true): cleartext gRPC needs HTTP/2 with
    /// prior knowledge, which Kestrel offers only on HTTP/2-only endpoints.
    /// </summary>
    public bool Http2OnlyEndpoints { get; set; } = true;

    /// <summary>How often grpc.health.v1 Watch streams see a changed status. Default 1 second; at least 1 second.</summary>
    public TimeSpan HealthWatchInterval { get; set; } = TimeSpan.FromSeconds(1);
}
