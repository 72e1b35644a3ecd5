using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using Google.Protobuf;

namespace Targeting.Grpc.Tests.Support;

/// <summary>
/// Hand-made HTTP/2 requests, to check the server's wire behaviour without our client in the way.
/// </summary>
internal static class RawGrpc
{
    public static byte[] Frame(IMessage message, byte flag = 0) => Frame(message.ToByteArray(), flag);

    public static byte[] Frame(byte[] payload, byte flag = 0, uint? announcedLength = null)
    {
        var framed = new byte[5 + payload.Length];
        framed[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), announcedLength ?? (uint)payload.Length);
        payload.CopyTo(framed, 5);
        return framed;
    }

    public static async Task<RawResponse> SendAsync(
        Uri address,
        string path,
        byte[] body,
        IEnumerable<(string Name, string Value)>? headers = null,
        string contentType = "application/grpc",
        string? token = null,
        CancellationToken cancellationToken = default)
    {
        using var handler = new SocketsHttpHandler();
        using var client = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.TryAddWithoutValidation("content-type", contentType);
        request.Headers.TryAddWithoutValidation("te", "trailers");
        request.Headers.TryAddWithoutValidation("authorization", "Bearer " + (token ?? DevelopmentTokens.Issue(Roles.Analyst)));
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        var started = Stopwatch.StartNew();
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var responseBody = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new RawResponse(
            response.StatusCode,
            Collect(response.Headers, response.Content.Headers),
            responseBody,
            Collect(response.TrailingHeaders),
            started.Elapsed);
    }

    private static Dictionary<string, string> Collect(params System.Net.Http.Headers.HttpHeaders[] sets)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var set in sets)
        {
            foreach (var (name, values) in set.NonValidated)
            {
                headers[name] = values.ToString();
            }
        }
        return headers;
    }
}

internal sealed record RawResponse(HttpStatusCode Status, Dictionary<string, string> Headers, byte[] Body, Dictionary<string, string> Trailers, TimeSpan Elapsed)
{
    public string? Header(string name) => Headers.GetValueOrDefault(name);

    public string? Trailer(string name) => Trailers.GetValueOrDefault(name);

    /// <summary>A trailers-only response: status in the headers, no body, no trailers.</summary>
    public bool IsTrailersOnly => Header("grpc-status") is not null && Body.Length == 0 && Trailers.Count == 0;

    /// <summary>The status from wherever it came (headers for trailers-only, else trailers).</summary>
    public string? GrpcStatus => Header("grpc-status") ?? Trailer("grpc-status");

    public string? GrpcMessage => Header("grpc-message") ?? Trailer("grpc-message");
}
