using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace Targeting.Grpc;

/// <summary>
/// One HTTP/2 exchange of a call (one attempt, when retried): sends the request, checks the
/// response headers, reads framed messages, and turns trailers or transport failures into a status.
/// </summary>
internal sealed class ClientCall<TRequest, TResponse> : IAsyncDisposable
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>, new()
{
    private readonly GrpcClient _client;
    private readonly GrpcMethod<TRequest, TResponse> _method;
    private readonly CallOptions _options;
    private readonly CancellationTokenSource _cancellation;
    private readonly CancellationTokenRegistration _userCancellation;
    private readonly CancellationTokenRegistration _abortOnCancel;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _hasDeadline;
    private volatile bool _cancelledByUser;
    private Task<HttpResponseMessage>? _sendTask;
    private HttpResponseMessage? _response;
    private PipeReader? _reader;
    private StreamingRequestContent? _streamingContent;
    private bool _responseGzip;
    private Metadata? _responseHeaders;
    private Metadata? _trailers;
    private RpcException? _failure;
    private int _writing;

    public ClientCall(GrpcClient client, GrpcMethod<TRequest, TResponse> method, CallOptions options)
    {
        _client = client;
        _method = method;
        _options = options;
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken);
        _userCancellation = options.CancellationToken.UnsafeRegister(static state => ((ClientCall<TRequest, TResponse>)state!)._cancelledByUser = true, this);
        if (options.Deadline is { } deadline)
        {
            _hasDeadline = true;
            var remaining = deadline.ToUniversalTime() - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                _cancellation.Cancel();
            }
            else if (remaining.TotalMilliseconds < uint.MaxValue - 1)
            {
                _cancellation.CancelAfter(remaining);
            }
        }
        // Cancelling must reset the HTTP/2 stream even when nothing is being read or written.
        _abortOnCancel = _cancellation.Token.UnsafeRegister(static state => ((ClientCall<TRequest, TResponse>)state!).Abort(), this);
    }

    /// <summary>True once a response message arrived: from then on the call is never retried.</summary>
    public bool MessageReceived { get; private set; }

    public bool IsFinished => _finished.Task.IsCompleted;

    public Metadata? Trailers => _trailers;

    public RpcException? Failure => _failure;

    private CancellationToken Token => _cancellation.Token;

    private bool DeadlineExceeded => _hasDeadline && !_cancelledByUser && _cancellation.IsCancellationRequested;

    /// <summary>Starts a call whose request is one framed message.</summary>
    public void Start(byte[] framedRequest) => _sendTask = SendAsync(new FramedMessageContent(framedRequest));

    /// <summary>Starts a call whose request messages are written later.</summary>
    public void StartStreaming()
    {
        _streamingContent = new StreamingRequestContent();
        _sendTask = SendAsync(_streamingContent);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpContent content)
    {
        try
        {
            if (_cancellation.IsCancellationRequested)
            {
                throw new OperationCanceledException(Token);
            }
            using var request = await CreateRequestAsync(content).ConfigureAwait(false);
            var response = await _client.Invoker.SendAsync(request, Token).ConfigureAwait(false);
            _response = response;
            ReadResponseHeaders(response);
            return response;
        }
        catch (Exception ex)
        {
            var failure = Fail(Translate(ex));
            _streamingContent?.Fail(failure);
            throw failure;
        }
    }

    private async ValueTask<HttpRequestMessage> CreateRequestAsync(HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _client.GetUri(_method.Path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        var headers = request.Headers;
        headers.TryAddWithoutValidation(GrpcProtocol.TeHeader, "trailers");
        if (_options.Deadline is { } deadline)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeout.Format(deadline.ToUniversalTime() - DateTime.UtcNow));
        }
        if (RequestIsGzip)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.EncodingHeader, GrpcProtocol.Gzip);
        }
        headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, GrpcProtocol.SupportedEncodings);
        headers.TryAddWithoutValidation("user-agent", GrpcClient.UserAgent);
        var token = _client.Options.BearerTokenProvider is { } provider
            ? await provider(Token).ConfigureAwait(false)
            : _client.Options.BearerToken;
        if (!string.IsNullOrEmpty(token))
        {
            headers.TryAddWithoutValidation("authorization", "Bearer " + token);
        }
        if (!string.IsNullOrEmpty(_client.Options.DaprAppId))
        {
            headers.TryAddWithoutValidation(GrpcProtocol.DaprAppIdHeader, _client.Options.DaprAppId);
        }
        if (_options.Headers is { } metadata)
        {
            foreach (var entry in metadata)
            {
                headers.TryAddWithoutValidation(entry.Key, entry.HeaderValue);
            }
        }
        return request;
    }

    internal bool RequestIsGzip => string.Equals(_options.Compression, GrpcProtocol.Gzip, StringComparison.OrdinalIgnoreCase);

    private void ReadResponseHeaders(HttpResponseMessage response)
    {
        _responseHeaders = ToMetadata(response.Headers);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var code = FromHttpStatus(response.StatusCode);
            Finish(new RpcException(code, $"Bad gRPC response. HTTP status code: {(int)response.StatusCode}.", null, _responseHeaders));
            return;
        }
        var contentType = GetHeader(response.Content.Headers, "content-type");
        if (!GrpcProtocol.IsAnyGrpcContentType(contentType))
        {
            Finish(new RpcException(StatusCode.Internal, $"Bad gRPC response. Invalid content-type: '{contentType}'."));
            return;
        }
        if (GetHeader(response.Headers, GrpcProtocol.StatusHeader) is not null)
        {
            // Trailers-only: the status came in the headers and no body follows.
            FinishWithStatus(response.Headers);
            return;
        }
        var encoding = GetHeader(response.Headers, GrpcProtocol.EncodingHeader);
        _responseGzip = string.Equals(encoding, GrpcProtocol.Gzip, StringComparison.OrdinalIgnoreCase);
        if (encoding is not null && !_responseGzip && !string.Equals(encoding, GrpcProtocol.Identity, StringComparison.OrdinalIgnoreCase))
        {
            Finish(new RpcException(StatusCode.Internal, $"The server used grpc-encoding '{encoding}', which this client does not support."));
        }
    }

    public async Task<Metadata> GetResponseHeadersAsync()
    {
        await EnsureResponseAsync().ConfigureAwait(false);
        return _responseHeaders ?? [];
    }

    private async ValueTask<HttpResponseMessage?> EnsureResponseAsync()
    {
        try
        {
            return await _sendTask!.ConfigureAwait(false);
        }
        catch (RpcException)
        {
            return null;
        }
    }

    /// <summary>The next response message; null when the call ended with OK. Throws the status otherwise.</summary>
    public async ValueTask<TResponse?> ReadMessageAsync(CancellationToken cancellationToken = default)
    {
        var response = await EnsureResponseAsync().ConfigureAwait(false);
        if (response is null || IsFinished)
        {
            ThrowIfFailed();
            return null;
        }
        using var readCancellation = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static state => ((ClientCall<TRequest, TResponse>)state!).Cancel(), this)
            : default;
        try
        {
            _reader ??= PipeReader.Create(await response.Content.ReadAsStreamAsync(Token).ConfigureAwait(false), new StreamPipeReaderOptions(leaveOpen: true));
            var max = _client.Options.MaxReceiveMessageSize;
            while (true)
            {
                var result = await _reader.ReadAsync(Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                TResponse? message = null;
                try
                {
                    if (MessageFraming.TryReadFrame(ref buffer, max, out var compressed, out var payload))
                    {
                        message = MessageFraming.Parse(_method.ResponseParser, payload, compressed, _responseGzip, max);
                    }
                }
                catch
                {
                    _reader.AdvanceTo(result.Buffer.End);
                    throw;
                }
                if (message is not null)
                {
                    _reader.AdvanceTo(buffer.Start);
                    MessageReceived = true;
                    return message;
                }
                _reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        throw new RpcException(StatusCode.Internal, "Incomplete message: the response ended inside a message.");
                    }
                    FinishWithStatus(response.TrailingHeaders);
                    ThrowIfFailed();
                    return null;
                }
            }
        }
        catch (Exception ex)
        {
            var failure = Fail(Translate(ex));
            // A protocol error on our side (oversize, bad frame) must also stop the server.
            Abort();
            throw failure;
        }
    }

    /// <summary>Writes one request message of a streaming call.</summary>
    public async Task WriteAsync(TRequest message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var content = _streamingContent ?? throw new InvalidOperationException("This call has no request stream.");
        if (content.IsDone)
        {
            ThrowIfFailed();
            throw new InvalidOperationException("The request stream is already complete.");
        }
        if (Interlocked.Exchange(ref _writing, 1) == 1)
        {
            throw new InvalidOperationException("A write is already in progress: wait for it before writing again.");
        }
        try
        {
            using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(Token, cancellationToken) : null;
            var token = linked?.Token ?? Token;
            var stream = await content.StreamTask.WaitAsync(token).ConfigureAwait(false);
            var framed = MessageFraming.ToFramedArray(message, RequestIsGzip, _client.Options.MaxSendMessageSize);
            await stream.WriteAsync(framed, token).ConfigureAwait(false);
            await stream.FlushAsync(token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException || !IsFinished)
        {
            // The server may have ended the call (its status explains why the write failed).
            if (!IsFinished && !_cancellation.IsCancellationRequested)
            {
                await Task.WhenAny(_finished.Task, Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None)).ConfigureAwait(false);
            }
            if (_failure is not null)
            {
                throw _failure;
            }
            if (IsFinished)
            {
                throw new InvalidOperationException("The call is already complete.", ex);
            }
            throw Fail(Translate(ex));
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
        }
    }

    /// <summary>Half-closes the request stream.</summary>
    public void CompleteRequest() => _streamingContent?.Complete();

    /// <summary>Cancels the call from the client's side.</summary>
    public void Cancel()
    {
        _cancelledByUser = true;
        _cancellation.Cancel();
    }

    private void Abort()
    {
        if (!IsFinished)
        {
            Fail(Translate(new OperationCanceledException(Token)));
        }
        _streamingContent?.Fail(_failure ?? new RpcException(StatusCode.Cancelled, "Call cancelled."));
        // Disposing an unfinished response makes the handler send RST_STREAM(CANCEL).
        _response?.Dispose();
    }

    private void FinishWithStatus(HttpHeaders headers)
    {
        var trailers = ToMetadata(headers);
        _trailers = trailers;
        var statusText = GetHeader(headers, GrpcProtocol.StatusHeader);
        if (statusText is null)
        {
            Finish(new RpcException(StatusCode.Internal, "The response ended without a grpc-status.", null, trailers));
            return;
        }
        if (!int.TryParse(statusText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code))
        {
            Finish(new RpcException(StatusCode.Internal, $"Invalid grpc-status '{statusText}'.", null, trailers));
            return;
        }
        var statusCode = code is >= 0 and <= 16 ? (StatusCode)code : StatusCode.Unknown;
        if (statusCode == StatusCode.OK)
        {
            Finish(null);
            return;
        }
        var message = GetHeader(headers, GrpcProtocol.MessageHeader) is { } encoded ? GrpcProtocol.PercentDecode(encoded) : string.Empty;
        var details = StatusDetailsCodec.TryDecode(GetHeader(headers, GrpcProtocol.StatusDetailsHeader));
        Finish(new RpcException(statusCode, message, details, trailers));
    }

    private void Finish(RpcException? failure)
    {
        if (IsFinished)
        {
            return;
        }
        _failure ??= failure;
        _streamingContent?.Complete();
        _finished.TrySetResult();
    }

    private RpcException Fail(RpcException failure)
    {
        Finish(failure);
        return _failure ?? failure;
    }

    private void ThrowIfFailed()
    {
        if (_failure is not null)
        {
            throw _failure;
        }
    }

    private RpcException Translate(Exception exception)
    {
        if (exception is RpcException rpc)
        {
            return rpc;
        }
        if (_cancellation.IsCancellationRequested)
        {
            return DeadlineExceeded
                ? new RpcException(StatusCode.DeadlineExceeded, "Deadline exceeded.")
                : new RpcException(StatusCode.Cancelled, "Call cancelled by the client.");
        }
        if (FindInner<HttpProtocolException>(exception) is { } protocol)
        {
            // RST_STREAM / GOAWAY error codes, as PROTOCOL-HTTP2.md maps them.
            var code = protocol.ErrorCode switch
            {
                0x7 => StatusCode.Unavailable,
                0x8 => StatusCode.Cancelled,
                0xb => StatusCode.ResourceExhausted,
                0xc => StatusCode.PermissionDenied,
                _ => StatusCode.Internal,
            };
            return new RpcException(code, $"HTTP/2 error {protocol.ErrorCode} from {_client.Address}: {protocol.Message}", null, null, exception);
        }
        return exception switch
        {
            HttpRequestException or IOException => new RpcException(StatusCode.Unavailable, $"Error talking to {_client.Address}: {exception.Message}", null, null, exception),
            OperationCanceledException => new RpcException(StatusCode.Cancelled, "Call cancelled.", null, null, exception),
            _ => new RpcException(StatusCode.Internal, $"Error in the gRPC call to {_client.Address}: {exception.Message}", null, null, exception),
        };
    }

    private static T? FindInner<T>(Exception? exception) where T : Exception
    {
        while (exception is not null)
        {
            if (exception is T match)
            {
                return match;
            }
            exception = exception.InnerException;
        }
        return null;
    }

    /// <summary>HTTP status to gRPC status, for responses that are not gRPC (doc/http-grpc-status-mapping.md).</summary>
    private static StatusCode FromHttpStatus(HttpStatusCode status) => (int)status switch
    {
        400 => StatusCode.Internal,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.Unimplemented,
        429 or 502 or 503 or 504 => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    private static string? GetHeader(HttpHeaders headers, string name) =>
        headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null;

    private static Metadata ToMetadata(HttpHeaders headers)
    {
        var metadata = new Metadata();
        foreach (var (name, values) in headers.NonValidated)
        {
            if (Metadata.IsReservedHeader(name))
            {
                continue;
            }
            var key = name.ToLowerInvariant();
            var binary = Metadata.IsBinaryKey(key);
            foreach (var value in values)
            {
                try
                {
                    if (!binary)
                    {
                        metadata.Add(key, value);
                        continue;
                    }
                    foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                    {
                        metadata.Add(key, GrpcProtocol.FromBase64(part));
                    }
                }
                catch (Exception ex) when (ex is ArgumentException or FormatException)
                {
                    // A header that is valid HTTP but not valid gRPC metadata is dropped, as the spec allows.
                }
            }
        }
        return metadata;
    }

    public async ValueTask DisposeAsync()
    {
        if (!IsFinished)
        {
            Cancel();
        }
        await _abortOnCancel.DisposeAsync().ConfigureAwait(false);
        await _userCancellation.DisposeAsync().ConfigureAwait(false);
        if (_reader is not null)
        {
            await _reader.CompleteAsync().ConfigureAwait(false);
        }
        _response?.Dispose();
        _cancellation.Dispose();
    }
}
