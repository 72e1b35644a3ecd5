using System.Runtime.CompilerServices;

namespace Targeting.Grpc;

/// <summary>A client-streaming call: write requests, then <see cref="CompleteAsync"/> for the one response.</summary>
public sealed class ClientStreamingCall<TRequest, TResponse>(AsyncClientStreamingCall<TRequest, TResponse> call) : IAsyncDisposable
{
    /// <summary>The response; completes after the request stream is completed (or fails with the call's status).</summary>
    public Task<TResponse> ResponseAsync => call.ResponseAsync;

    public Task<Metadata> ResponseHeadersAsync => call.ResponseHeadersAsync;

    /// <summary>The trailer metadata, once the call has ended.</summary>
    public Metadata Trailers => call.GetTrailers();

    /// <summary>Sends one request message. Throws the call's status if the server has already ended it.</summary>
    public Task WriteAsync(TRequest message, CancellationToken cancellationToken = default) => call.RequestStream.WriteAsync(message, cancellationToken);

    /// <summary>Ends the request stream and waits for the response.</summary>
    public async Task<TResponse> CompleteAsync()
    {
        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        return await call.ResponseAsync.ConfigureAwait(false);
    }

    /// <summary>Cancels the call (RST_STREAM) unless it has finished.</summary>
    public void Cancel() => call.Dispose();

    public ValueTask DisposeAsync()
    {
        call.Dispose();
        // Observe the response so a cancelled call does not surface as an unobserved exception.
        _ = call.ResponseAsync.Exception;
        return ValueTask.CompletedTask;
    }
}

/// <summary>A bidirectional call: write requests and read responses independently.</summary>
public sealed class DuplexStreamingCall<TRequest, TResponse>(AsyncDuplexStreamingCall<TRequest, TResponse> call) : IAsyncDisposable
{
    public Task<Metadata> ResponseHeadersAsync => call.ResponseHeadersAsync;

    /// <summary>The trailer metadata, once the response stream has ended.</summary>
    public Metadata Trailers => call.GetTrailers();

    public Task WriteAsync(TRequest message, CancellationToken cancellationToken = default) => call.RequestStream.WriteAsync(message, cancellationToken);

    /// <summary>Ends the request stream (half-close); responses may still arrive.</summary>
    public Task CompleteRequestAsync() => call.RequestStream.CompleteAsync();

    /// <summary>The next response, or null at the end of the stream.</summary>
    public async ValueTask<TResponse?> ReadAsync(CancellationToken cancellationToken = default) =>
        await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false) ? call.ResponseStream.Current : default;

    /// <summary>The responses, as they arrive.</summary>
    public async IAsyncEnumerable<TResponse> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            yield return call.ResponseStream.Current;
        }
    }

    /// <summary>Cancels the call (RST_STREAM) unless it has finished.</summary>
    public void Cancel() => call.Dispose();

    public ValueTask DisposeAsync()
    {
        call.Dispose();
        return ValueTask.CompletedTask;
    }
}
