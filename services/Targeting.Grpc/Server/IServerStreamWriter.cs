namespace Targeting.Grpc;

/// <summary>Sends the messages of a server-streaming or duplex call, in order, one write at a time.</summary>
public interface IServerStreamWriter<in T>
{
    /// <summary>Sends one message and flushes it to the network.</summary>
    /// <exception cref="OperationCanceledException">The call was cancelled or its deadline passed.</exception>
    Task WriteAsync(T message, CancellationToken cancellationToken = default);
}

internal sealed class ServerStreamWriter<T>(ServerCallContext context) : IServerStreamWriter<T>
    where T : Google.Protobuf.IMessage
{
    public Task WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return context.WriteMessageAsync(message, flush: true, cancellationToken).AsTask();
    }
}
