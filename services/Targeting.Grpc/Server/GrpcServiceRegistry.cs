using System.Collections.Frozen;
using Google.Protobuf.Reflection;

namespace Targeting.Grpc;

/// <summary>Every bound rpc by path, and the descriptors reflection serves. Filled at start-up, read-only after.</summary>
internal sealed class GrpcServiceRegistry
{
    private readonly Dictionary<string, ServerMethod> _methods = new(StringComparer.Ordinal);
    private readonly List<ServiceDescriptor> _services = [];
    private FrozenDictionary<string, ServerMethod>? _frozen;

    public bool MiddlewareAdded { get; set; }

    public IReadOnlyList<ServiceDescriptor> Services => _services;

    public void Add(ServiceDescriptor service, IReadOnlyList<ServerMethod> methods)
    {
        if (_frozen is not null)
        {
            throw new InvalidOperationException($"gRPC service {service.FullName} was mapped after the server started handling calls.");
        }
        if (_services.Any(s => s.FullName == service.FullName))
        {
            throw new InvalidOperationException($"gRPC service {service.FullName} is mapped twice.");
        }
        _services.Add(service);
        foreach (var method in methods)
        {
            _methods.Add(method.Path, method);
        }
    }

    public bool ContainsService(string fullName) => _services.Any(s => s.FullName == fullName);

    public bool TryGetMethod(string path, out ServerMethod method)
    {
        // Frozen at the first call: lookups are on every request, mapping is over by then.
        var methods = _frozen ??= _methods.ToFrozenDictionary(StringComparer.Ordinal);
        return methods.TryGetValue(path, out method!);
    }
}

/// <summary>What every call needs from the host: options, the authenticator, the logger.</summary>
internal sealed class GrpcServerRuntime(
    Microsoft.Extensions.Options.IOptions<GrpcServerOptions> options,
    BearerTokenAuthenticator authenticator,
    Microsoft.Extensions.Logging.ILoggerFactory loggers)
{
    public GrpcServerOptions Options { get; } = options.Value;

    public BearerTokenAuthenticator Authenticator { get; } = authenticator;

    public Microsoft.Extensions.Logging.ILogger Logger { get; } = loggers.CreateLogger("Targeting.Grpc.Server");
}
