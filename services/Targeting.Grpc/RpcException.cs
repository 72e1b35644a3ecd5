using Google.Protobuf;
using Google.Rpc;

namespace Targeting.Grpc;

/// <summary>
/// A call that ended with a non-OK status. Thrown by handlers to choose the status a caller sees,
/// and by the client when a call fails.
/// </summary>
public class RpcException : Exception
{
    public RpcException(StatusCode statusCode, string detail)
        : this(statusCode, detail, statusDetails: null, trailers: null)
    {
    }

    /// <param name="statusCode">The gRPC status code.</param>
    /// <param name="detail">A message for the caller (sent percent-encoded as grpc-message).</param>
    /// <param name="statusDetails">Rich details, sent as grpc-status-details-bin; its code is set to <paramref name="statusCode"/>.</param>
    /// <param name="trailers">Extra trailing metadata.</param>
    /// <param name="innerException">The cause, for logs; never sent to the caller.</param>
    public RpcException(StatusCode statusCode, string detail, Google.Rpc.Status? statusDetails, Metadata? trailers = null, Exception? innerException = null)
        : base(FormatMessage(statusCode, detail), innerException)
    {
        StatusCode = statusCode;
        Detail = detail;
        StatusDetails = statusDetails;
        Trailers = trailers ?? [];
    }

    public StatusCode StatusCode { get; }

    /// <summary>The status message (grpc-message).</summary>
    public string Detail { get; }

    /// <summary>The google.rpc.Status carried in grpc-status-details-bin, if any.</summary>
    public Google.Rpc.Status? StatusDetails { get; }

    /// <summary>Trailing metadata: what a handler adds, or what the client received.</summary>
    public Metadata Trailers { get; }

    /// <summary>The google.rpc.BadRequest among the status details (INVALID_ARGUMENT), or null.</summary>
    public BadRequest? GetBadRequest() => GetDetail<BadRequest>();

    /// <summary>The first detail of type <typeparamref name="T"/> packed in the status details, or null.</summary>
    public T? GetDetail<T>() where T : class, Google.Protobuf.IMessage<T>, new()
    {
        if (StatusDetails is null)
        {
            return null;
        }
        var descriptor = new T().Descriptor;
        foreach (var any in StatusDetails.Details)
        {
            if (any.Is(descriptor))
            {
                return any.Unpack<T>();
            }
        }
        return null;
    }

    private static string FormatMessage(StatusCode code, string detail) => $"Status(StatusCode=\"{code}\", Detail=\"{detail}\")";
}

/// <summary>Helpers shared by the server and the client to carry google.rpc.Status.</summary>
internal static class StatusDetailsCodec
{
    public static string Encode(Google.Rpc.Status details) => GrpcProtocol.ToUnpaddedBase64(details.ToByteArray());

    public static Google.Rpc.Status? TryDecode(string? headerValue)
    {
        if (string.IsNullOrEmpty(headerValue))
        {
            return null;
        }
        try
        {
            return Google.Rpc.Status.Parser.ParseFrom(GrpcProtocol.FromBase64(headerValue));
        }
        catch (Exception ex) when (ex is FormatException or Google.Protobuf.InvalidProtocolBufferException)
        {
            // A peer's malformed details must not hide its status code.
            return null;
        }
    }
}
