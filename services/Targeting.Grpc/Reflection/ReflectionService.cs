using Google.Protobuf;
using Google.Protobuf.Reflection;
using V1 = Grpc.Reflection.V1;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace Targeting.Grpc;

/// <summary>
/// gRPC server reflection (grpc.reflection.v1 and v1alpha) over the descriptors of every mapped
/// service, so grpcurl and Postman work without the .proto files. Anonymous. A file is answered
/// with its transitive dependencies, each sent once per stream (as grpc-go does).
/// </summary>
internal sealed class ReflectionService(GrpcServiceRegistry registry)
{
    private ReflectionIndex? _index;

    private ReflectionIndex Index => _index ??= new ReflectionIndex(registry.Services);

    public async Task InfoAsync(IAsyncEnumerable<V1.ServerReflectionRequest> requests, IServerStreamWriter<V1.ServerReflectionResponse> responses, ServerCallContext context)
    {
        var sentFiles = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var request in requests.WithCancellation(context.CancellationToken).ConfigureAwait(false))
        {
            await responses.WriteAsync(Answer(request, sentFiles), context.CancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>v1alpha is the same protocol on the wire: translate through the bytes and answer as v1.</summary>
    public async Task InfoV1AlphaAsync(IAsyncEnumerable<V1Alpha.ServerReflectionRequest> requests, IServerStreamWriter<V1Alpha.ServerReflectionResponse> responses, ServerCallContext context)
    {
        var sentFiles = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var request in requests.WithCancellation(context.CancellationToken).ConfigureAwait(false))
        {
            var answer = Answer(V1.ServerReflectionRequest.Parser.ParseFrom(request.ToByteString()), sentFiles);
            await responses.WriteAsync(V1Alpha.ServerReflectionResponse.Parser.ParseFrom(answer.ToByteString()), context.CancellationToken).ConfigureAwait(false);
        }
    }

    private V1.ServerReflectionResponse Answer(V1.ServerReflectionRequest request, HashSet<string> sentFiles)
    {
        var response = new V1.ServerReflectionResponse { ValidHost = request.Host, OriginalRequest = request };
        var index = Index;
        switch (request.MessageRequestCase)
        {
            case V1.ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                var list = new V1.ListServiceResponse();
                foreach (var service in registry.Services)
                {
                    list.Service.Add(new V1.ServiceResponse { Name = service.FullName });
                }
                response.ListServicesResponse = list;
                break;
            case V1.ServerReflectionRequest.MessageRequestOneofCase.FileByFilename:
                SetFile(response, index.FindFile(request.FileByFilename), $"File not found: {request.FileByFilename}.", sentFiles);
                break;
            case V1.ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol:
                SetFile(response, index.FindFileContainingSymbol(request.FileContainingSymbol), $"Symbol not found: {request.FileContainingSymbol}.", sentFiles);
                break;
            case V1.ServerReflectionRequest.MessageRequestOneofCase.FileContainingExtension:
                var extension = request.FileContainingExtension;
                SetFile(response, index.FindFileContainingExtension(extension.ContainingType, extension.ExtensionNumber),
                    $"Extension {extension.ExtensionNumber} of {extension.ContainingType} not found.", sentFiles);
                break;
            case V1.ServerReflectionRequest.MessageRequestOneofCase.AllExtensionNumbersOfType:
                var numbers = index.FindExtensionNumbers(request.AllExtensionNumbersOfType);
                if (numbers is null)
                {
                    SetError(response, StatusCode.NotFound, $"Type not found: {request.AllExtensionNumbersOfType}.");
                }
                else
                {
                    response.AllExtensionNumbersResponse = new V1.ExtensionNumberResponse { BaseTypeName = request.AllExtensionNumbersOfType, ExtensionNumber = { numbers } };
                }
                break;
            default:
                SetError(response, StatusCode.InvalidArgument, "The reflection request names no query.");
                break;
        }
        return response;
    }

    private static void SetFile(V1.ServerReflectionResponse response, FileDescriptor? file, string notFound, HashSet<string> sentFiles)
    {
        if (file is null)
        {
            SetError(response, StatusCode.NotFound, notFound);
            return;
        }
        var files = new V1.FileDescriptorResponse();
        // The asked-for file always goes first, even if this stream already had it.
        files.FileDescriptorProto.Add(file.SerializedData);
        sentFiles.Add(file.Name);
        AddDependencies(file, files, sentFiles);
        response.FileDescriptorResponse = files;
    }

    private static void AddDependencies(FileDescriptor file, V1.FileDescriptorResponse files, HashSet<string> sentFiles)
    {
        foreach (var dependency in file.Dependencies)
        {
            if (sentFiles.Add(dependency.Name))
            {
                files.FileDescriptorProto.Add(dependency.SerializedData);
                AddDependencies(dependency, files, sentFiles);
            }
        }
    }

    private static void SetError(V1.ServerReflectionResponse response, StatusCode code, string message) =>
        response.ErrorResponse = new V1.ErrorResponse { ErrorCode = (int)code, ErrorMessage = message };
}

/// <summary>Files, symbols and extensions reachable from the mapped services.</summary>
internal sealed class ReflectionIndex
{
    private readonly Dictionary<string, FileDescriptor> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileDescriptor> _symbols = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Type, int Number), FileDescriptor> _extensions = [];
    private readonly HashSet<string> _messageTypes = new(StringComparer.Ordinal);

    public ReflectionIndex(IEnumerable<ServiceDescriptor> services)
    {
        foreach (var service in services)
        {
            AddFile(service.File);
        }
    }

    public FileDescriptor? FindFile(string name) => _files.GetValueOrDefault(name);

    public FileDescriptor? FindFileContainingSymbol(string symbol) => _symbols.GetValueOrDefault(symbol.TrimStart('.'));

    public FileDescriptor? FindFileContainingExtension(string type, int number) => _extensions.GetValueOrDefault((type.TrimStart('.'), number));

    public IReadOnlyList<int>? FindExtensionNumbers(string type)
    {
        var name = type.TrimStart('.');
        if (!_messageTypes.Contains(name))
        {
            return null;
        }
        return _extensions.Keys.Where(key => key.Type == name).Select(key => key.Number).Order().ToList();
    }

    private void AddFile(FileDescriptor file)
    {
        if (!_files.TryAdd(file.Name, file))
        {
            return;
        }
        foreach (var dependency in file.Dependencies)
        {
            AddFile(dependency);
        }
        foreach (var service in file.Services)
        {
            _symbols.TryAdd(service.FullName, file);
            foreach (var method in service.Methods)
            {
                _symbols.TryAdd(method.FullName, file);
            }
        }
        foreach (var message in file.MessageTypes)
        {
            AddMessage(message, file);
        }
        foreach (var enumType in file.EnumTypes)
        {
            _symbols.TryAdd(enumType.FullName, file);
        }
        AddExtensions(file.Extensions.UnorderedExtensions, file);
    }

    private void AddMessage(MessageDescriptor message, FileDescriptor file)
    {
        _symbols.TryAdd(message.FullName, file);
        _messageTypes.Add(message.FullName);
        foreach (var field in message.Fields.InDeclarationOrder())
        {
            _symbols.TryAdd(field.FullName, file);
        }
        foreach (var oneof in message.Oneofs)
        {
            _symbols.TryAdd(oneof.FullName, file);
        }
        foreach (var nested in message.NestedTypes)
        {
            AddMessage(nested, file);
        }
        foreach (var enumType in message.EnumTypes)
        {
            _symbols.TryAdd(enumType.FullName, file);
        }
        AddExtensions(message.Extensions.UnorderedExtensions, file);
    }

    private void AddExtensions(IEnumerable<FieldDescriptor> extensions, FileDescriptor file)
    {
        foreach (var extension in extensions)
        {
            _symbols.TryAdd(extension.FullName, file);
            _extensions.TryAdd((extension.ExtendeeType.FullName, extension.FieldNumber), file);
        }
    }
}
