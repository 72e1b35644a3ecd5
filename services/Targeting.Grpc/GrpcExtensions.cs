using Google.Rpc;

namespace Targeting.Grpc;

/// <summary>The few conveniences the services and their callers use over Grpc.Core's types.</summary>
public static class GrpcExtensions
{
    extension(ServerCallContext context)
    {
        /// <summary>Who made the call, from the validated bearer token (anonymous on health and reflection); read once per call.</summary>
        public CallerIdentity Caller
        {
            get
            {
                var features = context.GetHttpContext().Features;
                if (features.Get<CallerIdentity>() is { } known)
                {
                    return known;
                }
                var caller = CallerIdentity.From(context.GetHttpContext().User);
                features.Set(caller);
                return caller;
            }
        }
    }

    extension(RpcException exception)
    {
        /// <summary>The status message (grpc-message).</summary>
        public string Detail => exception.Status.Detail;

        /// <summary>The google.rpc.Status carried in grpc-status-details-bin, if any.</summary>
        public Google.Rpc.Status? StatusDetails => exception.GetRpcStatus();

        /// <summary>The google.rpc.BadRequest among the status details (INVALID_ARGUMENT), or null.</summary>
        public BadRequest? GetBadRequest() => exception.GetRpcStatus()?.GetDetail<BadRequest>();
    }

    /// <summary>
    /// Writes one message; <paramref name="bufferHint"/> lets the server gather several small
    /// messages into one HTTP/2 DATA frame (the next unbuffered write, or the end, flushes).
    /// </summary>
    public static async Task WriteAsync<T>(this IServerStreamWriter<T> writer, T message, bool bufferHint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var wanted = bufferHint ? BufferHint : null;
        if (!ReferenceEquals(writer.WriteOptions, wanted))
        {
            writer.WriteOptions = wanted;
        }
        await writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
    }

    private static readonly WriteOptions BufferHint = new(WriteFlags.BufferHint);
}
