using Grpc.Health.V1;
using Targeting.Cli.Commands;
using Targeting.Feedback;
using Targeting.Feedback.V1;
using Targeting.Grpc;
using Targeting.Hotspot;
using Targeting.Hotspot.V1;

namespace Targeting.Cli.Tests;

public sealed class ServeCommandTests
{
    private static readonly GrpcMethod<HealthCheckRequest, HealthCheckResponse> HealthCheck =
        GrpcMethod<HealthCheckRequest, HealthCheckResponse>.For(HealthReflection.Descriptor.Services[0], "Check");

    [Fact]
    public async Task Serve_AllThreeServices_AnswerOnOnePortWithAuthentication()
    {
        var port = ServeTestSupport.FreeLoopbackPort();
        var url = $"http://127.0.0.1:{port}";
        var dataDirectory = Directory.CreateTempSubdirectory("targeting-serve-test-");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var output = new StringWriter();
        var serving = Task.Run(() => ServeCommand.RunAsync(url, dataDirectory.FullName, null, ["--environment", "Development"], output, stop.Token));
        try
        {
            using var anonymous = new GrpcClient(new Uri(url));
            await ServeTestSupport.WaitUntilServingAsync(new Uri(url), serving);

            foreach (var service in new[] { "targeting.hotspot.v1.HotspotService", "targeting.stops.v1.StopsService", "targeting.feedback.v1.FeedbackService" })
            {
                var health = await anonymous.UnaryAsync(HealthCheck, new HealthCheckRequest { Service = service });
                Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
            }

            // Every rpc but health needs a token: the same call is refused without one.
            var unauthenticated = await Assert.ThrowsAsync<RpcException>(
                () => new HotspotClient(anonymous).ListBoundariesAsync(new ListBoundariesRequest()));
            Assert.Equal(StatusCode.Unauthenticated, unauthenticated.StatusCode);

            using var planner = new GrpcClient(new Uri(url), new GrpcClientOptions { BearerToken = DevelopmentTokens.Issue(Roles.Planner, "serve-test") });
            var boundaries = await new HotspotClient(planner).ListBoundariesAsync(new ListBoundariesRequest { Kind = "borough" });
            Assert.Contains(boundaries.Boundaries, b => b.Name == "Lambeth");
            Assert.Contains(boundaries.Boundaries, b => b.Name == "Barking and Dagenham");

            // The public transparency report goes feedback -> stops over gRPC inside the same process.
            using var member = new GrpcClient(new Uri(url), new GrpcClientOptions { BearerToken = DevelopmentTokens.Issue(Roles.Public, "serve-test") });
            var report = await new FeedbackClient(member).GetTransparencyReportAsync(new TransparencyRequest());
            Assert.Equal(5, report.SuppressionThreshold);
            Assert.Contains("listening on " + url, output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await serving);
            dataDirectory.Delete(recursive: true);
        }
    }
}
