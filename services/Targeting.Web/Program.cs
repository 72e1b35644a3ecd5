using Microsoft.Extensions.Configuration.Memory;
using Targeting.Web;

var builder = WebApplication.CreateBuilder(args);
// Lowest precedence: browsers speak HTTP/1.1, so the web's endpoints take both HTTP/1.1 and HTTP/2
// (the services' default is HTTP/2 only, for cleartext gRPC).
builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
{
    InitialData = new Dictionary<string, string?> { ["Grpc:Http2OnlyEndpoints"] = "false" },
});
builder.Services.AddWebHost(builder.Configuration);

var app = builder.Build();
app.UseWebHost();
app.Run();
