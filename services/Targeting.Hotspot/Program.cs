using Targeting.Grpc;
using Targeting.Hotspot;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddGrpcServer(builder.Configuration);
builder.Services.AddHotspotService(builder.Configuration);

var app = builder.Build();
app.UseGrpcServer();
app.MapHotspotService();
app.Run();
