using Google.Protobuf;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace Targeting.Grpc;

/// <summary>
/// The one place between Grpc.AspNetCore and the handlers: every request message is checked
/// against its proto string limits (<see cref="RequestLimits"/>) before a handler sees it, and an
/// exception that is not an <see cref="RpcException"/> becomes INTERNAL with no detail (its text
/// stays in the server log: it may hold internals). Grpc.AspNetCore's own default would be
/// UNKNOWN.
/// </summary>
internal sealed class ServerInterceptor(ILogger<ServerInterceptor> logger) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Task<TResponse> response;
        try
        {
            Check(request);
            response = continuation(request, context);
        }
        catch (Exception ex) when (ShouldMask(ex, context))
        {
            throw Masked(ex, context);
        }

        // A handler that finished synchronously needs no async frame of ours (the unary hot path).
        return response.IsCompletedSuccessfully ? response : AwaitedAsync(response, context);
    }

    private async Task<TResponse> AwaitedAsync<TResponse>(Task<TResponse> response, ServerCallContext context)
    {
        try
        {
            return await response.ConfigureAwait(false);
        }
        catch (Exception ex) when (ShouldMask(ex, context))
        {
            throw Masked(ex, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(new CheckedReader<TRequest>(requestStream), context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ShouldMask(ex, context))
        {
            throw Masked(ex, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            Check(request);
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ShouldMask(ex, context))
        {
            throw Masked(ex, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(new CheckedReader<TRequest>(requestStream), responseStream, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ShouldMask(ex, context))
        {
            throw Masked(ex, context);
        }
    }

    private static void Check<TRequest>(TRequest request)
    {
        if (request is IMessage message)
        {
            RequestLimits.ThrowIfTooLong(message);
        }
    }

    // A cancelled or expired call ends as Grpc.AspNetCore decides (CANCELLED / DEADLINE_EXCEEDED).
    private static bool ShouldMask(Exception ex, ServerCallContext context) =>
        ex is not RpcException && !(ex is OperationCanceledException or IOException && context.CancellationToken.IsCancellationRequested);

    private RpcException Masked(Exception ex, ServerCallContext context)
    {
        Log.UnhandledException(logger, context.Method, ex);
        return new RpcException(new Status(StatusCode.Internal, "Exception was thrown by handler."));
    }

    /// <summary>Checks each request of a client stream as it is read.</summary>
    private sealed class CheckedReader<T>(IAsyncStreamReader<T> inner) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            try
            {
                if (!await inner.MoveNext(cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }
            }
            catch (Exception ex) when (ex is not (RpcException or OperationCanceledException))
            {
                // The caller's bytes (bad framing, bad gzip, not protobuf): the spec's status for a
                // message that cannot be parsed, with a message that says so.
                throw new RpcException(new Status(StatusCode.Internal, $"A request message could not be read as a {typeof(T).Name}."));
            }
            Check(inner.Current);
            return true;
        }
    }
}
