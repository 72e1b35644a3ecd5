using Google.Protobuf;

namespace Targeting.Grpc;

/// <summary>The request messages of a client-streaming or duplex call, read from Kestrel's request pipe.</summary>
internal sealed class RequestStream<T>(ServerCallContext context, MessageParser<T> parser) : IAsyncEnumerable<T>, IAsyncEnumerator<T>
    where T : IMessage<T>
{
    private bool _enumerated;

    public T Current { get; private set; } = default!;

    public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        // The request body can be read only once.
        if (_enumerated)
        {
            throw new InvalidOperationException("The request stream can be enumerated only once.");
        }
        _enumerated = true;
        return this;
    }

    public async ValueTask<bool> MoveNextAsync()
    {
        var reader = context.HttpContext.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(context.CancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            bool found;
            try
            {
                found = MessageFraming.TryReadFrame(ref buffer, context.MaxReceiveMessageSize, out var compressed, out var payload);
                if (found)
                {
                    Current = MessageFraming.Parse(parser, payload, compressed, context.RequestIsGzip, context.MaxReceiveMessageSize);
                    RequestLimits.ThrowIfTooLong(Current);
                }
            }
            catch
            {
                reader.AdvanceTo(result.Buffer.End);
                throw;
            }
            if (found)
            {
                // Consumed and examined only up to this message: more whole messages may already be buffered.
                reader.AdvanceTo(buffer.Start);
                return true;
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                if (!buffer.IsEmpty)
                {
                    throw new RpcException(StatusCode.Internal, "Incomplete message: the request stream ended inside a message.");
                }
                return false;
            }
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
