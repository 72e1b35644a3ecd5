using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Targeting.Grpc;

/// <summary>
/// A client's handle on one rpc, made from its descriptor: the path, the streaming kind, and the
/// proto idempotency_level, which decides whether a failed call may be retried. Create once
/// (a static field of a typed client) and reuse.
/// </summary>
public sealed class GrpcMethod<TRequest, TResponse>
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>, new()
{
    public GrpcMethod(MethodDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (descriptor.InputType.ClrType != typeof(TRequest) || descriptor.OutputType.ClrType != typeof(TResponse))
        {
            throw new ArgumentException(
                $"rpc {descriptor.FullName} is {descriptor.InputType.FullName} -> {descriptor.OutputType.FullName}, not {typeof(TRequest).Name} -> {typeof(TResponse).Name}.",
                nameof(descriptor));
        }
        Descriptor = descriptor;
        Path = "/" + descriptor.Service.FullName + "/" + descriptor.Name;
        Type = MethodTypes.Of(descriptor);
        IdempotencyLevel = descriptor.GetOptions()?.IdempotencyLevel ?? MethodOptions.Types.IdempotencyLevel.IdempotencyUnknown;
    }

    /// <summary>The method named <paramref name="name"/> of <paramref name="service"/>.</summary>
    public static GrpcMethod<TRequest, TResponse> For(ServiceDescriptor service, string name) =>
        new(service.FindMethodByName(name) ?? throw new ArgumentException($"{service.FullName} has no rpc {name}.", nameof(name)));

    public MethodDescriptor Descriptor { get; }

    /// <summary>"/package.Service/Method".</summary>
    public string Path { get; }

    public MethodType Type { get; }

    public MethodOptions.Types.IdempotencyLevel IdempotencyLevel { get; }

    /// <summary>True for IDEMPOTENT and NO_SIDE_EFFECTS rpcs: only these are retried.</summary>
    public bool IsRetryable => IdempotencyLevel is MethodOptions.Types.IdempotencyLevel.Idempotent or MethodOptions.Types.IdempotencyLevel.NoSideEffects;

    internal MessageParser<TResponse> ResponseParser { get; } = new(() => new TResponse());
}
