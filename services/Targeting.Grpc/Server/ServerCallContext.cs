using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Targeting.Grpc;

/// <summary>
/// One server call: who is calling, its deadline and cancellation, its metadata. Also the call's
/// protocol state (what has been sent, whether the status is out), which the layer drives.
/// </summary>
public sealed class ServerCallContext
{
    private readonly HttpContext _http;
    private readonly ServerMethod _method;
    private readonly GrpcServerRuntime _runtime;
    private Metadata? _requestHeaders;
    private Metadata? _responseHeaders;
    private Metadata? _responseTrailers;
    private CancellationTokenSource? _deadlineSource;
    private CancellationTokenRegistration _deadlineRegistration;

    // Only a call with a deadline has two writers (the handler, and the deadline completing the
    // call); calls without one skip the lock entirely.
    private SemaphoreSlim? _writeLock;
    private bool _clientAcceptsGzip;
    private bool _responseGzip;
    private bool _messageWritten;
    private long _unflushedBytes;
    private bool _completed;

    internal ServerCallContext(HttpContext http, ServerMethod method, GrpcServerRuntime runtime)
    {
        _http = http;
        _method = method;
        _runtime = runtime;
        CancellationToken = http.RequestAborted;
    }

    /// <summary>The rpc's path, "/package.Service/Method".</summary>
    public string Method => _method.Path;

    /// <summary>Fires when the client cancels (RST_STREAM) or the deadline passes: pass it to all work of the call.</summary>
    public CancellationToken CancellationToken { get; private set; }

    /// <summary>The call's deadline in UTC, from grpc-timeout; null when the client set none.</summary>
    public DateTime? Deadline { get; private set; }

    /// <summary>The request metadata (custom headers; the protocol's own headers are left out).</summary>
    public Metadata RequestHeaders => _requestHeaders ??= ReadRequestHeaders();

    /// <summary>Metadata sent with the response headers; add to it before the first message is written.</summary>
    public Metadata ResponseHeaders => _responseHeaders ??= [];

    /// <summary>Metadata sent with the status at the end of the call.</summary>
    public Metadata ResponseTrailers => _responseTrailers ??= [];

    /// <summary>The authenticated caller; <see cref="CallerIdentity.Anonymous"/> on health and reflection.</summary>
    public CallerIdentity Caller { get; private set; } = CallerIdentity.Anonymous;

    /// <summary>
    /// "gzip" to compress this call's responses (when the client accepts gzip), "identity" to send them
    /// plain; null keeps the server default. Set it before the first message is written.
    /// </summary>
    public string? ResponseCompression { get; set; }

    public HttpContext HttpContext => _http;

    internal int MaxReceiveMessageSize => _runtime.Options.MaxReceiveMessageSize;

    internal bool RequestIsGzip { get; private set; }

    internal bool DeadlineExpired => _deadlineSource is { IsCancellationRequested: true } && !_http.RequestAborted.IsCancellationRequested;

    /// <summary>
    /// Checks the call's headers and caller before the handler runs. False when the call was
    /// already answered with an error (trailers-only).
    /// </summary>
    internal async ValueTask<bool> StartAsync()
    {
        var request = _http.Request;
        var headers = _http.Response.Headers;
        headers.ContentType = GrpcProtocol.ContentTypeValue;
        headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.SupportedEncodingsValue;

        var encoding = request.Headers[GrpcProtocol.EncodingHeader];
        if (encoding.Count > 0)
        {
            var name = encoding.ToString();
            if (string.Equals(name, GrpcProtocol.Gzip, StringComparison.OrdinalIgnoreCase))
            {
                RequestIsGzip = true;
            }
            else if (!string.Equals(name, GrpcProtocol.Identity, StringComparison.OrdinalIgnoreCase))
            {
                await CompleteAsync(StatusCode.Unimplemented, $"Unsupported grpc-encoding '{name}'. Supported: {GrpcProtocol.SupportedEncodings}.").ConfigureAwait(false);
                return false;
            }
        }
        _clientAcceptsGzip = GrpcProtocol.AcceptsGzip(request.Headers[GrpcProtocol.AcceptEncodingHeader]);

        var timeout = request.Headers[GrpcProtocol.TimeoutHeader];
        if (timeout.Count > 0)
        {
            if (!GrpcTimeout.TryParse(timeout.ToString(), out var duration))
            {
                await CompleteAsync(StatusCode.Internal, $"Malformed grpc-timeout '{timeout}'.").ConfigureAwait(false);
                return false;
            }
            StartDeadline(duration);
        }

        if (_method.Type is MethodType.ClientStreaming or MethodType.DuplexStreaming)
        {
            // Streams may be long and idle: Kestrel's 30 MB body limit and minimum data rate are
            // for ordinary HTTP requests, not for a call that lives as long as its client wants.
            if (_http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
            {
                bodySize.MaxRequestBodySize = null;
            }
            if (_http.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } dataRate)
            {
                dataRate.MinDataRate = null;
            }
        }

        if (!_method.AllowAnonymous)
        {
            var result = await _runtime.Authenticator.AuthenticateAsync(request.Headers.Authorization.ToString()).ConfigureAwait(false);
            if (result.Identity is null)
            {
                Log.Unauthenticated(_runtime.Logger, _method.Path, result.Failure!);
                await CompleteAsync(StatusCode.Unauthenticated, result.Failure!).ConfigureAwait(false);
                return false;
            }
            Caller = result.Identity;
            if (!_method.IsPermitted(result.Identity))
            {
                Log.PermissionDenied(_runtime.Logger, _method.Path, result.Identity.Subject);
                await CompleteAsync(StatusCode.PermissionDenied, $"The caller's roles do not allow {_method.Path}; it needs one of: {string.Join(", ", _method.Roles)}.").ConfigureAwait(false);
                return false;
            }
        }
        return true;
    }

    private void StartDeadline(TimeSpan timeout)
    {
        var now = DateTime.UtcNow;
        Deadline = timeout >= DateTime.MaxValue - now ? DateTime.MaxValue : now + timeout;
        _writeLock = new SemaphoreSlim(1, 1);
        _deadlineSource = CancellationTokenSource.CreateLinkedTokenSource(_http.RequestAborted);
        CancellationToken = _deadlineSource.Token;
        // CancelAfter accepts at most uint.MaxValue - 1 ms (~49 days); longer means never in practice.
        if (timeout.TotalMilliseconds < uint.MaxValue - 1)
        {
            _deadlineSource.CancelAfter(timeout);
        }
        _deadlineRegistration = _deadlineSource.Token.UnsafeRegister(static state => ((ServerCallContext)state!).OnDeadlineOrAbort(), this);
    }

    private void OnDeadlineOrAbort()
    {
        if (_http.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        // Tell the client now, even if the handler ignores the token; the layer still awaits the
        // handler before giving the HttpContext back to Kestrel.
        _ = CompleteOnDeadlineAsync();
    }

    private async Task CompleteOnDeadlineAsync()
    {
        try
        {
            Log.DeadlineExceeded(_runtime.Logger, _method.Path);
            if (await CompleteAsync(StatusCode.DeadlineExceeded, "Deadline exceeded.").ConfigureAwait(false))
            {
                await _http.Response.CompleteAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            Log.DeadlineCompletionFailed(_runtime.Logger, _method.Path, ex);
        }
    }

    /// <summary>Bytes a <see cref="ResponseFlush.WhenBuffered"/> write lets queue before it flushes (32 KiB).</summary>
    internal const int BufferedFlushBytes = 32 * 1024;

    internal async ValueTask WriteMessageAsync(IMessage message, ResponseFlush flush, CancellationToken cancellationToken)
    {
        CancellationToken.ThrowIfCancellationRequested();
        if (_writeLock is not null)
        {
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        try
        {
            if (_completed)
            {
                // The deadline completed the call while the handler was still producing.
                throw new OperationCanceledException("The call is already complete.", CancellationToken);
            }
            if (!_messageWritten)
            {
                SendResponseHeaders();
            }
            var writer = _http.Response.BodyWriter;
            _unflushedBytes += GrpcProtocol.HeaderSize + MessageFraming.WriteMessage(writer, message, _responseGzip, _runtime.Options.MaxSendMessageSize);
            if (flush == ResponseFlush.Now || (flush == ResponseFlush.WhenBuffered && _unflushedBytes >= BufferedFlushBytes))
            {
                _unflushedBytes = 0;
                await writer.FlushAsync(cancellationToken.CanBeCanceled ? cancellationToken : CancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _writeLock?.Release();
        }
    }

    private void SendResponseHeaders()
    {
        _messageWritten = true;
        var compression = ResponseCompression ?? _runtime.Options.ResponseCompression ?? (RequestIsGzip ? GrpcProtocol.Gzip : null);
        _responseGzip = _clientAcceptsGzip && string.Equals(compression, GrpcProtocol.Gzip, StringComparison.OrdinalIgnoreCase);
        var headers = _http.Response.Headers;
        if (_responseGzip)
        {
            headers[GrpcProtocol.EncodingHeader] = GrpcProtocol.GzipValue;
        }
        AppendMetadata(headers, _responseHeaders);
    }

    /// <summary>
    /// Sends the status: in the trailers, or as a trailers-only response when no message was sent.
    /// False when the call was already complete or the client is gone.
    /// </summary>
    internal async ValueTask<bool> CompleteAsync(StatusCode code, string? detail, Google.Rpc.Status? details = null, Metadata? trailers = null)
    {
        if (_writeLock is not null)
        {
            await _writeLock.WaitAsync().ConfigureAwait(false);
        }
        try
        {
            if (_completed || _http.RequestAborted.IsCancellationRequested)
            {
                return false;
            }
            _completed = true;
            IHeaderDictionary target;
            if (_messageWritten || _http.Response.HasStarted)
            {
                target = _http.Features.Get<IHttpResponseTrailersFeature>()?.Trailers
                    ?? throw new InvalidOperationException("The server does not support HTTP trailers, which gRPC needs (is the endpoint HTTP/2?).");
            }
            else
            {
                target = _http.Response.Headers;
                AppendMetadata(target, _responseHeaders);
            }
            target[GrpcProtocol.StatusHeader] = GrpcProtocol.StatusValue(code);
            if (!string.IsNullOrEmpty(detail))
            {
                target[GrpcProtocol.MessageHeader] = GrpcProtocol.PercentEncode(detail);
            }
            if (details is not null)
            {
                if (details.Code != (int)code)
                {
                    details = details.Clone();
                    details.Code = (int)code;
                }
                target[GrpcProtocol.StatusDetailsHeader] = StatusDetailsCodec.Encode(details);
            }
            AppendMetadata(target, _responseTrailers);
            AppendMetadata(target, trailers);
            return true;
        }
        finally
        {
            _writeLock?.Release();
        }
    }

    /// <summary>Turns whatever ended the handler into the status the client sees.</summary>
    internal ValueTask FailAsync(Exception exception)
    {
        switch (exception)
        {
            case RpcException rpc:
                if (rpc.StatusCode is StatusCode.Internal or StatusCode.Unknown or StatusCode.DataLoss)
                {
                    Log.ErrorStatus(_runtime.Logger, _method.Path, rpc.StatusCode, rpc.Detail, rpc.InnerException);
                }
                return Discard(CompleteAsync(rpc.StatusCode, rpc.Detail, rpc.StatusDetails, rpc.Trailers));
            case OperationCanceledException when DeadlineExpired:
                return Discard(CompleteAsync(StatusCode.DeadlineExceeded, "Deadline exceeded."));
            case OperationCanceledException or IOException when _http.RequestAborted.IsCancellationRequested:
                Log.CancelledByClient(_runtime.Logger, _method.Path);
                return ValueTask.CompletedTask;
            default:
                if (_http.RequestAborted.IsCancellationRequested)
                {
                    Log.CancelledByClient(_runtime.Logger, _method.Path);
                    return ValueTask.CompletedTask;
                }
                // The exception stays in the server log: its message and stack may hold internals.
                Log.UnhandledException(_runtime.Logger, _method.Path, exception);
                return Discard(CompleteAsync(StatusCode.Internal, "Exception was thrown by handler."));
        }
    }

    private static async ValueTask Discard(ValueTask<bool> completion) => await completion.ConfigureAwait(false);

    internal void Release()
    {
        if (_deadlineSource is not null)
        {
            _deadlineRegistration.Dispose();
            _deadlineSource.Dispose();
        }
    }

    private static void AppendMetadata(IHeaderDictionary headers, Metadata? metadata)
    {
        if (metadata is null)
        {
            return;
        }
        foreach (var entry in metadata)
        {
            headers.Append(entry.Key, entry.HeaderValue);
        }
    }

    private Metadata ReadRequestHeaders()
    {
        var metadata = new Metadata();
        foreach (var (key, values) in _http.Request.Headers)
        {
            if (Metadata.IsReservedHeader(key))
            {
                continue;
            }
            var name = key.ToLowerInvariant();
            var binary = Metadata.IsBinaryKey(name);
            foreach (var value in values)
            {
                if (value is null)
                {
                    continue;
                }
                if (!binary)
                {
                    AddAscii(metadata, name, value);
                    continue;
                }
                // Several binary values may arrive joined by commas; each is base64 on its own.
                foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    try
                    {
                        metadata.Add(name, GrpcProtocol.FromBase64(part));
                    }
                    catch (FormatException)
                    {
                        Log.MalformedBinaryHeader(_runtime.Logger, _method.Path, name);
                    }
                }
            }
        }
        return metadata;
    }

    private void AddAscii(Metadata metadata, string name, string value)
    {
        try
        {
            metadata.Add(name, value);
        }
        catch (ArgumentException)
        {
            // Valid HTTP but outside gRPC's ASCII range: the spec lets us drop it rather than fail.
            Log.MalformedHeader(_runtime.Logger, _method.Path, name);
        }
    }
}
