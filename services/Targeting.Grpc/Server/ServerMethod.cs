using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Targeting.Grpc;

/// <summary>One bound rpc: its path, kind, roles, and how to run it.</summary>
internal abstract class ServerMethod(MethodDescriptor descriptor, MethodType type, string[] roles, bool allowAnonymous)
{
    public MethodDescriptor Descriptor { get; } = descriptor;

    public string Path { get; } = "/" + descriptor.Service.FullName + "/" + descriptor.Name;

    public MethodType Type { get; } = type;

    public IReadOnlyList<string> Roles { get; } = roles;

    /// <summary>Health and reflection only: callable without a token.</summary>
    public bool AllowAnonymous { get; } = allowAnonymous;

    /// <summary>An empty role list on an authenticated method means any authenticated caller.</summary>
    public bool IsPermitted(CallerIdentity caller)
    {
        if (roles.Length == 0)
        {
            return true;
        }
        foreach (var role in roles)
        {
            if (caller.IsInRole(role))
            {
                return true;
            }
        }
        return false;
    }

    public abstract Task HandleAsync(HttpContext http, GrpcServerRuntime runtime);
}

/// <summary>The handler of one rpc with its message types; the service is resolved from DI per call.</summary>
internal sealed class ServerMethod<TService, TRequest, TResponse> : ServerMethod
    where TService : class
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>
{
    private static readonly MessageParser<TRequest> Parser = new(() => new TRequest());
    private static ObjectFactory? s_factory;

    private readonly Func<TService, TRequest, ServerCallContext, Task<TResponse>>? _unary;
    private readonly Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task>? _serverStreaming;
    private readonly Func<TService, IAsyncEnumerable<TRequest>, ServerCallContext, Task<TResponse>>? _clientStreaming;
    private readonly Func<TService, IAsyncEnumerable<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task>? _duplex;

    public ServerMethod(MethodDescriptor descriptor, Func<TService, TRequest, ServerCallContext, Task<TResponse>> handler, string[] roles, bool allowAnonymous)
        : base(descriptor, MethodType.Unary, roles, allowAnonymous) => _unary = handler;

    public ServerMethod(MethodDescriptor descriptor, Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler, string[] roles, bool allowAnonymous)
        : base(descriptor, MethodType.ServerStreaming, roles, allowAnonymous) => _serverStreaming = handler;

    public ServerMethod(MethodDescriptor descriptor, Func<TService, IAsyncEnumerable<TRequest>, ServerCallContext, Task<TResponse>> handler, string[] roles, bool allowAnonymous)
        : base(descriptor, MethodType.ClientStreaming, roles, allowAnonymous) => _clientStreaming = handler;

    public ServerMethod(MethodDescriptor descriptor, Func<TService, IAsyncEnumerable<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler, string[] roles, bool allowAnonymous)
        : base(descriptor, MethodType.DuplexStreaming, roles, allowAnonymous) => _duplex = handler;

    public override async Task HandleAsync(HttpContext http, GrpcServerRuntime runtime)
    {
        var context = new ServerCallContext(http, this, runtime);
        try
        {
            if (!await context.StartAsync().ConfigureAwait(false))
            {
                return;
            }
            var service = http.RequestServices.GetService<TService>();
            var created = service is null;
            service ??= CreateService(http.RequestServices);
            try
            {
                await InvokeAsync(service, context).ConfigureAwait(false);
            }
            finally
            {
                if (created)
                {
                    await DisposeServiceAsync(service).ConfigureAwait(false);
                }
            }
            await context.CompleteAsync(StatusCode.OK, detail: null).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await context.FailAsync(ex).ConfigureAwait(false);
        }
        finally
        {
            context.Release();
        }
    }

    private async Task InvokeAsync(TService service, ServerCallContext context)
    {
        switch (Type)
        {
            case MethodType.Unary:
            {
                var request = await ReadSingleRequestAsync(context).ConfigureAwait(false);
                RequestLimits.ThrowIfTooLong(request);
                var response = await _unary!(service, request, context).ConfigureAwait(false);
                await WriteSingleResponseAsync(context, response).ConfigureAwait(false);
                break;
            }
            case MethodType.ServerStreaming:
            {
                var request = await ReadSingleRequestAsync(context).ConfigureAwait(false);
                RequestLimits.ThrowIfTooLong(request);
                await _serverStreaming!(service, request, new ServerStreamWriter<TResponse>(context), context).ConfigureAwait(false);
                break;
            }
            case MethodType.ClientStreaming:
            {
                var response = await _clientStreaming!(service, new RequestStream<TRequest>(context, Parser), context).ConfigureAwait(false);
                await WriteSingleResponseAsync(context, response).ConfigureAwait(false);
                break;
            }
            default:
                await _duplex!(service, new RequestStream<TRequest>(context, Parser), new ServerStreamWriter<TResponse>(context), context).ConfigureAwait(false);
                break;
        }
    }

    private ValueTask WriteSingleResponseAsync(ServerCallContext context, TResponse? response)
    {
        if (response is null)
        {
            throw new InvalidOperationException($"The handler of {Path} returned no response message.");
        }
        // Not flushed: Kestrel sends the message and the trailers together when the call ends.
        return context.WriteMessageAsync(response, ResponseFlush.AtEnd, CancellationToken.None);
    }

    /// <summary>Reads the one request message of a unary or server-streaming call.</summary>
    private static async ValueTask<TRequest> ReadSingleRequestAsync(ServerCallContext context)
    {
        var reader = context.HttpContext.Request.BodyReader;
        var max = context.MaxReceiveMessageSize;
        while (true)
        {
            var result = await reader.ReadAsync(context.CancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            try
            {
                if (!result.IsCompleted)
                {
                    // Reject an oversize or over-long request before buffering all of it.
                    var probe = buffer;
                    if (MessageFraming.TryReadFrame(ref probe, max, out _, out _) && !probe.IsEmpty)
                    {
                        throw TooManyMessages();
                    }
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }
                if (!MessageFraming.TryReadFrame(ref buffer, max, out var compressed, out var payload))
                {
                    throw new RpcException(StatusCode.Internal, result.Buffer.IsEmpty
                        ? "The request has no message; this rpc takes exactly one."
                        : "Incomplete message: the request ended inside a message.");
                }
                if (!buffer.IsEmpty)
                {
                    throw TooManyMessages();
                }
                var message = MessageFraming.Parse(Parser, payload, compressed, context.RequestIsGzip, max);
                reader.AdvanceTo(result.Buffer.End);
                return message;
            }
            catch
            {
                reader.AdvanceTo(result.Buffer.End);
                throw;
            }
        }
    }

    private static RpcException TooManyMessages() =>
        new(StatusCode.Internal, "The request has more than one message; this rpc takes exactly one.");

    private static TService CreateService(IServiceProvider services)
    {
        var factory = s_factory ??= ActivatorUtilities.CreateFactory(typeof(TService), System.Type.EmptyTypes);
        return (TService)factory(services, null);
    }

    private static async ValueTask DisposeServiceAsync(TService service)
    {
        if (service is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else if (service is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }
}
