using System.Net;

namespace Targeting.Grpc;

/// <summary>The body of a unary or server-streaming request: one framed message, reusable across retries.</summary>
internal sealed class FramedMessageContent : HttpContent
{
    private readonly byte[] _framed;

    public FramedMessageContent(byte[] framed)
    {
        _framed = framed;
        Headers.TryAddWithoutValidation("content-type", GrpcProtocol.ContentType);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        stream.WriteAsync(_framed).AsTask();

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        stream.WriteAsync(_framed, cancellationToken).AsTask();

    protected override bool TryComputeLength(out long length)
    {
        length = _framed.Length;
        return true;
    }
}

/// <summary>
/// The body of a client-streaming or duplex request. The HTTP handler calls SerializeToStreamAsync
/// once the stream is open; the call writes messages to that stream as the application produces
/// them, and the body ends (END_STREAM) when the call completes it.
/// </summary>
internal sealed class StreamingRequestContent : HttpContent
{
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StreamingRequestContent() => Headers.TryAddWithoutValidation("content-type", GrpcProtocol.ContentType);

    public Task<Stream> StreamTask => _stream.Task;

    public bool IsDone => _done.Task.IsCompleted;

    /// <summary>Ends the request body normally (half-close).</summary>
    public void Complete() => _done.TrySetResult();

    /// <summary>Abandons the request body: the HTTP handler resets the stream.</summary>
    public void Fail(Exception exception)
    {
        _stream.TrySetException(exception);
        _done.TrySetException(exception);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        _stream.TrySetResult(stream);
        await _done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
