namespace Targeting.Grpc;

/// <summary>Sends the messages of a server-streaming or duplex call, in order, one write at a time.</summary>
public interface IServerStreamWriter<in T>
{
    /// <summary>Sends one message and flushes it to the network.</summary>
    /// <exception cref="OperationCanceledException">The call was cancelled or its deadline passed.</exception>
    Task WriteAsync(T message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends one message; with <paramref name="bufferHint"/> the flush may wait until about
    /// <see cref="BufferedFlushBytes"/> are queued or the call ends. For handlers that stream a large
    /// result as fast as they can read it (a store scan): one DATA frame per 32 KiB instead of one
    /// per message roughly halves the cost per message. Never use it between messages a client
    /// waits for (a watch, a reply to a duplex request).
    /// </summary>
    Task WriteAsync(T message, bool bufferHint, CancellationToken cancellationToken = default) => WriteAsync(message, cancellationToken);

    /// <summary>Bytes queued under <c>bufferHint</c> before a flush (32 KiB).</summary>
    const int BufferedFlushBytes = 32 * 1024;
}

internal sealed class ServerStreamWriter<T>(ServerCallContext context) : IServerStreamWriter<T>
    where T : Google.Protobuf.IMessage
{
    public Task WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        _unflushedBytes = 0;
        return context.WriteMessageAsync(message, flush: true, cancellationToken).AsTask();
    }

    private long _unflushedBytes;

    public Task WriteAsync(T message, bool bufferHint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!bufferHint)
        {
            return WriteAsync(message, cancellationToken);
        }

        // 5 bytes of gRPC framing per message; the call's end flushes whatever is left.
        _unflushedBytes += message.CalculateSize() + 5;
        var flush = _unflushedBytes >= IServerStreamWriter<T>.BufferedFlushBytes;
        if (flush)
        {
            _unflushedBytes = 0;
        }

        return context.WriteMessageAsync(message, flush, cancellationToken).AsTask();
    }
}
