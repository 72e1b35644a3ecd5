using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Targeting.Grpc;

/// <summary>
/// A client's handle on one rpc, made from its descriptor: the Grpc.Core method (path, streaming
/// kind, protobuf marshallers) and the proto idempotency_level, which decides whether a failed
/// call may be retried. Create once (a static field of a typed client) and reuse.
/// </summary>
public sealed class GrpcMethod<TRequest, TResponse>
    where TRequest : class, IMessage<TRequest>, new()
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
        var type = (descriptor.IsClientStreaming, descriptor.IsServerStreaming) switch
        {
            (false, false) => MethodType.Unary,
            (true, false) => MethodType.ClientStreaming,
            (false, true) => MethodType.ServerStreaming,
            (true, true) => MethodType.DuplexStreaming,
        };
        Method = new Method<TRequest, TResponse>(type, descriptor.Service.FullName, descriptor.Name, Marshaller<TRequest>(), Marshaller<TResponse>());
        IdempotencyLevel = descriptor.GetOptions()?.IdempotencyLevel ?? MethodOptions.Types.IdempotencyLevel.IdempotencyUnknown;
    }

    /// <summary>The method named <paramref name="name"/> of <paramref name="service"/>.</summary>
    public static GrpcMethod<TRequest, TResponse> For(ServiceDescriptor service, string name) =>
        new(service.FindMethodByName(name) ?? throw new ArgumentException($"{service.FullName} has no rpc {name}.", nameof(name)));

    public MethodDescriptor Descriptor { get; }

    /// <summary>The method as Grpc.Core's call invokers take it.</summary>
    public Method<TRequest, TResponse> Method { get; }

    /// <summary>"/package.Service/Method".</summary>
    public string Path => Method.FullName;

    public MethodType Type => Method.Type;

    public MethodOptions.Types.IdempotencyLevel IdempotencyLevel { get; }

    /// <summary>True for IDEMPOTENT and NO_SIDE_EFFECTS rpcs: only these are retried.</summary>
    public bool IsRetryable => Idempotency.AllowsRetry(Descriptor);

    // Serialises straight into the transport's buffer, as Grpc.Tools' generated clients do.
    private static Marshaller<T> Marshaller<T>() where T : class, IMessage<T>, new()
    {
        var parser = new MessageParser<T>(() => new T());
        return Marshallers.Create<T>(
            (message, context) =>
            {
                context.SetPayloadLength(message.CalculateSize());
                message.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            context => parser.ParseFrom(context.PayloadAsReadOnlySequence()));
    }
}

/// <summary>Which rpcs a client may retry: those whose proto idempotency_level is IDEMPOTENT or NO_SIDE_EFFECTS.</summary>
internal static class Idempotency
{
    public static bool AllowsRetry(MethodDescriptor rpc) =>
        rpc.GetOptions()?.IdempotencyLevel is MethodOptions.Types.IdempotencyLevel.Idempotent or MethodOptions.Types.IdempotencyLevel.NoSideEffects;
}
