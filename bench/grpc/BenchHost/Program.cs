// Benchmark host for bench/grpc/run.sh. Usage:
//   Targeting.Grpc.Bench request <request.bin> <response-size> <payload-size>   writes the framed request h2load sends
//   Targeting.Grpc.Bench layer|layer-auth|plain|kestrel [port]                    serves, prints "LISTENING <port>"
using System.Net;
using Google.Protobuf;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Targeting.Grpc;
using Targeting.Grpc.Bench;
using Targeting.Testing.V1;

var mode = args.Length > 0 ? args[0] : "layer";
if (mode == "request")
{
    var request = new SimpleRequest
    {
        ResponseSize = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture),
        Payload = new Payload { Body = ByteString.CopyFrom(new byte[int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture)]) },
    };
    File.WriteAllBytes(args[1], BenchService.Frame(request));
    return 0;
}

var port = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], EnvironmentName = "Development" });
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2));
if (mode is "layer" or "layer-auth")
{
    builder.Services.AddGrpcServer(builder.Configuration);
}
else if (mode == "plain")
{
    // Grpc.AspNetCore with nothing of ours: the library's own ceiling for this rpc.
    builder.Services.AddGrpc();
}
var app = builder.Build();
switch (mode)
{
    case "layer":
        // The stack without authentication: the endpoint allows anonymous callers.
        app.UseGrpcServer();
        app.MapGrpcService<BenchService>().AllowAnonymous();
        break;
    case "layer-auth":
        app.UseGrpcServer();
        app.MapAuthorizedGrpcService<BenchService>(BenchService.Descriptor, [.. BenchService.Descriptor.Methods.Select(m => m.Name).Where(name => name != "UnaryCall")]);
        break;
    case "plain":
        app.MapGrpcService<PlainBenchService>();
        break;
    case "kestrel":
        app.Run(BenchService.BareKestrelAsync);
        break;
    default:
        Console.Error.WriteLine($"unknown mode {mode}");
        return 2;
}
await app.StartAsync();
var address = app.Urls.Single();
Console.WriteLine($"LISTENING {new Uri(address).Port}");
await app.WaitForShutdownAsync();
return 0;

namespace Targeting.Grpc.Bench
{
    /// <summary>The same UnaryCall with no attributes: nothing of ours (roles are authorization metadata).</summary>
    internal sealed class PlainBenchService : TestService.TestServiceBase
    {
        public override Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context) => Task.FromResult(BenchService.UnaryCall(request));
    }

    /// <summary>The interop UnaryCall, answered the way the grpc-js server answers it (tests/interop/server.js).</summary>
    internal sealed class BenchService : TestService.TestServiceBase
    {
        public static readonly Google.Protobuf.Reflection.ServiceDescriptor Descriptor = TestService.Descriptor;

        // The bare endpoint's answer: the same framed SimpleResponse the layer sends for the benchmark
        // request (response_size from run.sh), built once.
        private static byte[]? s_bareResponse;

        [AllowRoles]
        public override Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context) => Task.FromResult(UnaryCall(request));

        public static SimpleResponse UnaryCall(SimpleRequest request) =>
            new() { Payload = new Payload { Body = ByteString.CopyFrom(new byte[request.ResponseSize]) } };

        public static byte[] Frame(IMessage message)
        {
            var bytes = message.ToByteArray();
            var framed = new byte[5 + bytes.Length];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)bytes.Length);
            bytes.CopyTo(framed, 5);
            return framed;
        }

        /// <summary>The ceiling: read the request body, send the same response bytes and grpc-status trailer, nothing else.</summary>
        public static async Task BareKestrelAsync(HttpContext context)
        {
            var reader = context.Request.BodyReader;
            while (true)
            {
                var result = await reader.ReadAsync();
                if (result.IsCompleted)
                {
                    // Only the first request's size is parsed: every benchmark request is the same.
                    if (s_bareResponse is null)
                    {
                        var request = SimpleRequest.Parser.ParseFrom(result.Buffer.Slice(5));
                        s_bareResponse = Frame(UnaryCall(request));
                    }
                    reader.AdvanceTo(result.Buffer.End);
                    break;
                }
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            }
            context.Response.ContentType = "application/grpc";
            context.Response.AppendTrailer("grpc-status", "0");
            await context.Response.BodyWriter.WriteAsync(s_bareResponse);
        }
    }
}
