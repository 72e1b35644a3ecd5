using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace Targeting.Grpc;

/// <summary>
/// A server-streaming call. <see cref="ReadAllAsync"/> starts it; an UNAVAILABLE failure before the
/// first message is retried for idempotent rpcs.
/// </summary>
public sealed class ServerStreamingCall<TRequest, TResponse>
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>, new()
{
    private readonly GrpcClient _client;
    private readonly GrpcMethod<TRequest, TResponse> _method;
    private readonly byte[] _request;
    private readonly CallOptions _options;
    private readonly TaskCompletionSource<Metadata> _headers = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ClientCall<TRequest, TResponse>? _call;
    private bool _started;

    internal ServerStreamingCall(GrpcClient client, GrpcMethod<TRequest, TResponse> method, byte[] request, CallOptions options)
    {
        _client = client;
        _method = method;
        _request = request;
        _options = options;
    }

    /// <summary>The response header metadata (available once reading has begun).</summary>
    public Task<Metadata> ResponseHeadersAsync => _headers.Task;

    /// <summary>The trailer metadata, once the stream has ended.</summary>
    public Metadata Trailers => _call?.Trailers ?? [];

    /// <summary>The responses, as they arrive. Can be enumerated once.</summary>
    public async IAsyncEnumerable<TResponse> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (_started)
        {
            throw new InvalidOperationException("The response stream can be read only once.");
        }
        _started = true;
        var retry = new GrpcClient.RetryState(_client, _method.IsRetryable, _options.Deadline);
        var call = new ClientCall<TRequest, TResponse>(_client, _method, _options);
        try
        {
            TResponse? first;
            while (true)
            {
                try
                {
                    call.Start(_request);
                    first = await call.ReadMessageAsync(cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (RpcException ex) when (retry.ShouldRetry(ex, call.MessageReceived, out var delay))
                {
                    await call.DisposeAsync().ConfigureAwait(false);
                    await Task.Delay(delay, _options.CancellationToken).ConfigureAwait(false);
                    call = new ClientCall<TRequest, TResponse>(_client, _method, _options);
                }
                catch (RpcException)
                {
                    _call = call;
                    _headers.TrySetResult(await call.GetResponseHeadersAsync().ConfigureAwait(false));
                    throw;
                }
            }
            _call = call;
            _headers.TrySetResult(await call.GetResponseHeadersAsync().ConfigureAwait(false));
            if (first is null)
            {
                yield break;
            }
            yield return first;
            while (await call.ReadMessageAsync(cancellationToken).ConfigureAwait(false) is { } next)
            {
                yield return next;
            }
        }
        finally
        {
            // Leaving early (break, exception) cancels the call: RST_STREAM tells the server to stop.
            await call.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>A client-streaming call: write requests, then <see cref="CompleteAsync"/> for the one response.</summary>
public sealed class ClientStreamingCall<TRequest, TResponse> : IAsyncDisposable
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>, new()
{
    private readonly ClientCall<TRequest, TResponse> _call;

    internal ClientStreamingCall(ClientCall<TRequest, TResponse> call)
    {
        _call = call;
        // Read from the start, so an early error from the server is seen by writers too.
        ResponseAsync = ReadResponseAsync();
    }

    /// <summary>The response; completes after the request stream is completed (or fails with the call's status).</summary>
    public Task<TResponse> ResponseAsync { get; }

    public Task<Metadata> ResponseHeadersAsync => _call.GetResponseHeadersAsync();

    /// <summary>The trailer metadata, once the call has ended.</summary>
    public Metadata Trailers => _call.Trailers ?? [];

    /// <summary>Sends one request message. Throws the call's status if the server has already ended it.</summary>
    public Task WriteAsync(TRequest message, CancellationToken cancellationToken = default) => _call.WriteAsync(message, cancellationToken);

    /// <summary>Ends the request stream and waits for the response.</summary>
    public Task<TResponse> CompleteAsync()
    {
        _call.CompleteRequest();
        return ResponseAsync;
    }

    /// <summary>Cancels the call (RST_STREAM) unless it has finished.</summary>
    public void Cancel() => _call.Cancel();

    private async Task<TResponse> ReadResponseAsync()
    {
        var response = await _call.ReadMessageAsync().ConfigureAwait(false)
            ?? throw new RpcException(StatusCode.Internal, "The server ended a client-streaming call with OK but no response message.");
        if (await _call.ReadMessageAsync().ConfigureAwait(false) is not null)
        {
            throw new RpcException(StatusCode.Internal, "The server sent more than one response message in a client-streaming call.");
        }
        return response;
    }

    public async ValueTask DisposeAsync()
    {
        await _call.DisposeAsync().ConfigureAwait(false);
        // Observe the response task so a cancelled call does not surface as an unobserved exception.
        _ = ResponseAsync.Exception;
    }
}

/// <summary>A bidirectional call: write requests and read responses independently.</summary>
public sealed class DuplexStreamingCall<TRequest, TResponse> : IAsyncDisposable
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>, new()
{
    private readonly ClientCall<TRequest, TResponse> _call;
    private bool _reading;

    internal DuplexStreamingCall(ClientCall<TRequest, TResponse> call) => _call = call;

    public Task<Metadata> ResponseHeadersAsync => _call.GetResponseHeadersAsync();

    /// <summary>The trailer metadata, once the response stream has ended.</summary>
    public Metadata Trailers => _call.Trailers ?? [];

    /// <summary>Sends one request message.</summary>
    public Task WriteAsync(TRequest message, CancellationToken cancellationToken = default) => _call.WriteAsync(message, cancellationToken);

    /// <summary>Half-closes the request stream; responses can still be read.</summary>
    public Task CompleteRequestAsync()
    {
        _call.CompleteRequest();
        return Task.CompletedTask;
    }

    /// <summary>Reads the next response; null when the call ended with OK. Throws the status otherwise.</summary>
    public ValueTask<TResponse?> ReadAsync(CancellationToken cancellationToken = default) => _call.ReadMessageAsync(cancellationToken);

    /// <summary>The responses, as they arrive. Can be enumerated once.</summary>
    public async IAsyncEnumerable<TResponse> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (_reading)
        {
            throw new InvalidOperationException("The response stream can be read only once.");
        }
        _reading = true;
        while (await _call.ReadMessageAsync(cancellationToken).ConfigureAwait(false) is { } response)
        {
            yield return response;
        }
    }

    /// <summary>Cancels the call (RST_STREAM) unless it has finished.</summary>
    public void Cancel() => _call.Cancel();

    public ValueTask DisposeAsync() => _call.DisposeAsync();
}
