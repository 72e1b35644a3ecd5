namespace Targeting.Grpc;

/// <summary>Sends the messages of a server-streaming or duplex call, in order, one write at a time.</summary>
public interface IServerStreamWriter<in T>
{
    /// <summary>Sends one message and flushes it to the network.</summary>
    /// <exception cref="OperationCanceledException">The call was cancelled or its deadline passed.</exception>
    Task WriteAsync(T message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends one message; with <paramref name="bufferHint"/> the flush may wait until about 32 KiB
    /// are queued or the call ends. For handlers that stream a large result as fast as they can
    /// read it (a store scan): one DATA frame per 32 KiB instead of one per message roughly halves
    /// the cost per message. Never use it between messages a client waits for (a watch, a reply to
    /// a duplex request).
    /// </summary>
    Task WriteAsync(T message, bool bufferHint, CancellationToken cancellationToken = default) => WriteAsync(message, cancellationToken);
}

/// <summary>When a response message written to the call's body is flushed to the network.</summary>
internal enum ResponseFlush
{
    /// <summary>At once (streamed messages).</summary>
    Now,

    /// <summary>With the trailers when the call ends (a unary response).</summary>
    AtEnd,

    /// <summary>Once <see cref="ServerCallContext.BufferedFlushBytes"/> are queued, or when the call ends.</summary>
    WhenBuffered,
}

internal sealed class ServerStreamWriter<T>(ServerCallContext context) : IServerStreamWriter<T>
    where T : Google.Protobuf.IMessage
{
    public Task WriteAsync(T message, CancellationToken cancellationToken = default) => WriteAsync(message, bufferHint: false, cancellationToken);

    public Task WriteAsync(T message, bool bufferHint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return context.WriteMessageAsync(message, bufferHint ? ResponseFlush.WhenBuffered : ResponseFlush.Now, cancellationToken).AsTask();
    }
}
