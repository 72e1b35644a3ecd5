using Targeting.Feedback;
using Targeting.Grpc;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddGrpcServer(builder.Configuration);
builder.Services.AddFeedbackService(builder.Configuration);

var app = builder.Build();
app.UseGrpcServer();
app.MapFeedbackService();
app.Run();
