using Microsoft.AspNetCore.Http;

namespace Targeting.Grpc;

/// <summary>
/// Routes gRPC calls by path ("/package.Service/Method") straight from the method table, before
/// endpoint routing: one dictionary lookup per call. Anything that is not gRPC passes through.
/// </summary>
internal sealed class GrpcServerMiddleware(RequestDelegate next, GrpcServiceRegistry registry, GrpcServerRuntime runtime)
{
    public Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        var path = request.Path.Value ?? string.Empty;
        var isGrpc = GrpcProtocol.IsAnyGrpcContentType(request.ContentType);
        if (registry.TryGetMethod(path, out var method))
        {
            if (!HttpMethods.IsPost(request.Method))
            {
                http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                http.Response.Headers.Allow = "POST";
                return Task.CompletedTask;
            }
            if (!GrpcProtocol.IsGrpcContentType(request.ContentType))
            {
                return RejectContentTypeAsync(http);
            }
            if (!HttpProtocol.IsHttp2(request.Protocol) && !HttpProtocol.IsHttp3(request.Protocol))
            {
                return RejectHttpVersionAsync(http);
            }
            return method.HandleAsync(http, runtime);
        }
        if (isGrpc && HttpMethods.IsPost(request.Method))
        {
            return UnimplementedAsync(http, path);
        }
        return next(http);
    }

    private static Task RejectContentTypeAsync(HttpContext http)
    {
        // 415 so that plain HTTP clients do not read a 200 as success (PROTOCOL-HTTP2.md).
        http.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
        http.Response.ContentType = "text/plain; charset=utf-8";
        return http.Response.WriteAsync($"Content-Type '{http.Request.ContentType}' is not supported: gRPC calls need application/grpc (or application/grpc+proto).\n", http.RequestAborted);
    }

    private static Task RejectHttpVersionAsync(HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
        http.Response.Headers.Upgrade = "h2c";
        http.Response.Headers.Connection = "Upgrade";
        return Task.CompletedTask;
    }

    private Task UnimplementedAsync(HttpContext http, string path)
    {
        var slash = path.LastIndexOf('/');
        var service = slash > 1 ? path[1..slash] : path.TrimStart('/');
        var message = registry.ContainsService(service)
            ? $"Unknown method {path[(slash + 1)..]} for service {service}."
            : $"Unknown service {service}.";
        Log.UnknownMethod(runtime.Logger, path);
        var headers = http.Response.Headers;
        headers.ContentType = GrpcProtocol.ContentTypeValue;
        headers[GrpcProtocol.StatusHeader] = GrpcProtocol.StatusValue(StatusCode.Unimplemented);
        headers[GrpcProtocol.MessageHeader] = GrpcProtocol.PercentEncode(message);
        return Task.CompletedTask;
    }
}
