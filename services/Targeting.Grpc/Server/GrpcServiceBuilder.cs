using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Targeting.Grpc;

/// <summary>
/// Binds the rpcs of one proto service to handlers of <typeparamref name="TService"/>, with the
/// roles allowed to call each. <see cref="GrpcServerExtensions.MapGrpcService{TService}"/> checks
/// the result against the service descriptor: every rpc bound once, with its own message types
/// and streaming kind, and at least one role.
/// </summary>
public sealed class GrpcServiceBuilder<TService> where TService : class
{
    private readonly ServiceDescriptor _service;
    private readonly bool _anonymous;
    private readonly List<ServerMethod> _methods = [];
    private readonly List<string> _problems = [];

    internal GrpcServiceBuilder(ServiceDescriptor service, bool anonymous)
    {
        _service = service;
        _anonymous = anonymous;
    }

    public GrpcServiceBuilder<TService> Unary<TRequest, TResponse>(string method, Func<TService, TRequest, ServerCallContext, Task<TResponse>> handler, params string[] roles)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse> =>
        Add<TRequest, TResponse>(method, MethodType.Unary, roles, handler, descriptor => new ServerMethod<TService, TRequest, TResponse>(descriptor, handler, roles, _anonymous));

    public GrpcServiceBuilder<TService> ServerStreaming<TRequest, TResponse>(string method, Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler, params string[] roles)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse> =>
        Add<TRequest, TResponse>(method, MethodType.ServerStreaming, roles, handler, descriptor => new ServerMethod<TService, TRequest, TResponse>(descriptor, handler, roles, _anonymous));

    public GrpcServiceBuilder<TService> ClientStreaming<TRequest, TResponse>(string method, Func<TService, IAsyncEnumerable<TRequest>, ServerCallContext, Task<TResponse>> handler, params string[] roles)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse> =>
        Add<TRequest, TResponse>(method, MethodType.ClientStreaming, roles, handler, descriptor => new ServerMethod<TService, TRequest, TResponse>(descriptor, handler, roles, _anonymous));

    public GrpcServiceBuilder<TService> DuplexStreaming<TRequest, TResponse>(string method, Func<TService, IAsyncEnumerable<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler, params string[] roles)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse> =>
        Add<TRequest, TResponse>(method, MethodType.DuplexStreaming, roles, handler, descriptor => new ServerMethod<TService, TRequest, TResponse>(descriptor, handler, roles, _anonymous));

    /// <summary>
    /// Binds an rpc whose work has not landed yet: authenticated callers (any role) get
    /// UNIMPLEMENTED. It still counts as bound, so the start-up check passes.
    /// </summary>
    public GrpcServiceBuilder<TService> Unimplemented(string method)
    {
        var descriptor = _service.FindMethodByName(method);
        if (descriptor is null)
        {
            _problems.Add($"rpc {method} does not exist in {_service.FullName}.");
            return this;
        }
        if (_methods.Any(m => m.Descriptor.Name == method))
        {
            _problems.Add($"rpc {method} is bound more than once.");
            return this;
        }
        _methods.Add(new UnimplementedMethod(descriptor, _anonymous));
        return this;
    }

    private GrpcServiceBuilder<TService> Add<TRequest, TResponse>(string method, MethodType type, string[] roles, Delegate handler, Func<MethodDescriptor, ServerMethod> create)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var descriptor = _service.FindMethodByName(method);
        if (descriptor is null)
        {
            _problems.Add($"rpc {method} does not exist in {_service.FullName}.");
            return this;
        }
        var problemsBefore = _problems.Count;
        var actualType = MethodTypes.Of(descriptor);
        if (actualType != type)
        {
            _problems.Add($"rpc {method} is {MethodTypes.Describe(actualType)} but was bound as {MethodTypes.Describe(type)}.");
        }
        if (descriptor.InputType.ClrType != typeof(TRequest))
        {
            _problems.Add($"rpc {method} takes {descriptor.InputType.FullName} ({descriptor.InputType.ClrType?.FullName}) but was bound with request type {typeof(TRequest).FullName}.");
        }
        if (descriptor.OutputType.ClrType != typeof(TResponse))
        {
            _problems.Add($"rpc {method} returns {descriptor.OutputType.FullName} ({descriptor.OutputType.ClrType?.FullName}) but was bound with response type {typeof(TResponse).FullName}.");
        }
        if (!_anonymous)
        {
            if (roles.Length == 0)
            {
                _problems.Add($"rpc {method} has no role: declare who may call it (Roles.*).");
            }
            foreach (var role in roles)
            {
                if (!Roles.IsKnown(role))
                {
                    _problems.Add($"rpc {method} names unknown role '{role}'; roles are: {string.Join(", ", Roles.All)}.");
                }
            }
        }
        if (_methods.Any(m => m.Descriptor.Name == method))
        {
            _problems.Add($"rpc {method} is bound more than once.");
        }
        if (_problems.Count == problemsBefore)
        {
            _methods.Add(create(descriptor));
        }
        return this;
    }

    /// <summary>The bound methods, or an exception listing every problem with the binding.</summary>
    internal IReadOnlyList<ServerMethod> Build()
    {
        foreach (var method in _service.Methods)
        {
            if (!_methods.Any(m => m.Descriptor == method) && !_problems.Any(p => p.StartsWith($"rpc {method.Name} ", StringComparison.Ordinal)))
            {
                _problems.Add($"rpc {method.Name} ({MethodTypes.Describe(MethodTypes.Of(method))}, {method.InputType.FullName} -> {method.OutputType.FullName}) is not bound to a handler.");
            }
        }
        if (_problems.Count > 0)
        {
            throw new InvalidOperationException(
                $"The gRPC service {_service.FullName} ({typeof(TService).Name}) is not bound correctly, so the host cannot start:"
                + Environment.NewLine + string.Join(Environment.NewLine, _problems.Select(p => "  - " + p)));
        }
        return _methods;
    }
}

/// <summary>An rpc bound with <see cref="GrpcServiceBuilder{TService}.Unimplemented"/>.</summary>
internal sealed class UnimplementedMethod(MethodDescriptor descriptor, bool allowAnonymous)
    : ServerMethod(descriptor, MethodTypes.Of(descriptor), [], allowAnonymous)
{
    public override async Task HandleAsync(Microsoft.AspNetCore.Http.HttpContext http, GrpcServerRuntime runtime)
    {
        var context = new ServerCallContext(http, this, runtime);
        try
        {
            if (await context.StartAsync().ConfigureAwait(false))
            {
                await context.CompleteAsync(StatusCode.Unimplemented, $"{Path} is not implemented yet.").ConfigureAwait(false);
            }
        }
        finally
        {
            context.Release();
        }
    }
}
