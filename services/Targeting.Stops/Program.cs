using Targeting.Grpc;
using Targeting.Stops;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddGrpcServer(builder.Configuration);
builder.Services.AddStopsService(builder.Configuration);

var app = builder.Build();
app.UseGrpcServer();
app.MapStopsService();
app.Run();
