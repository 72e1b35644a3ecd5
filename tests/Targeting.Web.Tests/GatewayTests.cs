using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Targeting.Grpc;
using Targeting.Web.Tests.Support;

namespace Targeting.Web.Tests;

/// <summary>The web's JSON routes over HTTP/1.1, as the browser calls them: the same roles as the services', statuses passed through.</summary>
[Collection(WebCollection.Name)]
public sealed class GatewayTests(WebWorld world)
{
    private HttpClient Client(string? role)
    {
        var client = new HttpClient { BaseAddress = world.Web, Timeout = TimeSpan.FromMinutes(5) };
        if (role is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DevelopmentTokens.Issue(role, "gateway-test-" + role));
        }
        return client;
    }

    [Fact]
    public async Task Healthz_Anonymous_Ok()
    {
        using var client = Client(null);
        var response = await client.GetAsync("/healthz", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Plans_NoToken_Unauthorized()
    {
        using var client = Client(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/plans", Ct)).StatusCode);
    }

    [Fact]
    public async Task GetPlan_Planner_IsThePlanHotspotStored()
    {
        using var client = Client(Roles.Planner);
        var response = await client.GetAsync("/api/v1/plans/" + world.Plan.PlanId, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var plan = Google.Protobuf.JsonParser.Default.Parse<Targeting.Hotspot.V1.PatrolPlan>(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(world.Plan, plan);
    }

    [Fact]
    public async Task PackedSurface_Planner_HoldsHotspotsCellsAsFloat32()
    {
        var plan = world.Plan;
        var request = new Targeting.Hotspot.V1.HotspotSurfaceRequest
        {
            Area = new Targeting.Common.V1.AreaOfInterest { BoundaryName = plan.AreaName },
            DataWindow = plan.Provenance.DataWindow,
            Method = plan.Provenance.Method,
            Parameters = plan.Provenance.Parameters,
        };
        var hotspot = world.HotspotClient(Roles.Planner);
        using var channel = hotspot.Channel;
        var expected = new List<float>();
        Targeting.Hotspot.V1.Grid? grid = null;
        await foreach (var chunk in hotspot.StreamHotspotSurfaceAsync(request))
        {
            grid ??= chunk.Grid;
            expected.AddRange(chunk.Cells.SelectMany(c => new[] { (float)c.Centre.Latitude, (float)c.Centre.Longitude, (float)c.Value }));
        }

        using var client = Client(Roles.Planner);
        var response = await client.PostAsync("/api/v1/surface:packed", new StringContent(Google.Protobuf.JsonFormatter.Default.Format(request), Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var packed = Google.Protobuf.JsonParser.Default.Parse<Targeting.Web.V1.PackedSurface>(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(grid, packed.Grid);
        Assert.True(packed.Count > 100, $"{packed.Count} cells");
        Assert.Equal(expected.Count / 3, packed.Count);
        var bytes = packed.Cells.ToByteArray();
        var actual = Enumerable.Range(0, bytes.Length / 4).Select(i => System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4))).ToList();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task Propose_Analyst_Forbidden()
    {
        using var client = Client(Roles.Analyst);
        var response = await client.PostAsync("/api/v1/plans", Json(new { area = new { boundaryName = "Lambeth" }, dataWindow = Window() }), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Propose_BudgetTooLarge_BadRequestWithTheServicesFieldViolation()
    {
        using var client = Client(Roles.Planner);
        var response = await client.PostAsync("/api/v1/plans", Json(new { area = new { boundaryName = "Lambeth" }, dataWindow = Window(), budgetFraction = 0.5 }), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(3, body.RootElement.GetProperty("code").GetInt32()); // INVALID_ARGUMENT
        Assert.Contains("budget_fraction", body.RootElement.GetRawText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Roles.Planner, false)]
    [InlineData(Roles.Analyst, true)]
    public async Task MapStops_PersonalFieldsOnlyForRolesThatMaySeeThem(string role, bool personal)
    {
        using var client = Client(role);
        var response = await client.PostAsync("/api/v1/stops:map", Json(new { window = Window(), area = new { boundaryName = "Lambeth" } }), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(Ct);
        var stops = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .SelectMany(line => JsonDocument.Parse(line).RootElement.GetProperty("stops").EnumerateArray().Select(s => s.Clone())).ToList();
        Assert.True(stops.Count > 100, $"{stops.Count} stops");
        Assert.All(stops, s => Assert.Equal(personal, s.TryGetProperty("person", out _)));
        Assert.All(stops, s => Assert.Equal(personal, s.TryGetProperty("encounterId", out _)));
        if (!personal)
        {
            // A planner sees months only: every time is the first instant of a London month.
            Assert.All(stops, s => Assert.Matches(@"^\d{4}-\d\d-(01T00|\d\dT23):00:00Z$", s.GetProperty("occurredAt").GetString()));
        }
    }

    [Fact]
    public async Task MapStops_Public_Unauthorized()
    {
        using var client = Client(null);
        var response = await client.PostAsync("/api/v1/stops:map", Json(new { window = Window() }), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var publicClient = Client(Roles.Public);
        Assert.Equal(HttpStatusCode.Forbidden, (await publicClient.PostAsync("/api/v1/stops:map", Json(new { window = Window() }), Ct)).StatusCode);
    }

    [Theory]
    [InlineData(Roles.Planner, "/api/v1/feedback/fairness", HttpStatusCode.Forbidden)]
    [InlineData(Roles.Officer, "/api/v1/feedback/evaluation", HttpStatusCode.Forbidden)]
    [InlineData(Roles.Planner, "/api/v1/feedback/procedural-justice", HttpStatusCode.Forbidden)]
    [InlineData(Roles.Supervisor, "/api/v1/feedback/vehicle-stops", HttpStatusCode.Forbidden)]
    [InlineData(null, "/api/v1/feedback/fairness", HttpStatusCode.Unauthorized)]
    [InlineData(Roles.Analyst, "/api/v1/feedback/fairness", HttpStatusCode.OK)]
    [InlineData(Roles.Analyst, "/api/v1/feedback/vehicle-stops", HttpStatusCode.OK)]
    public async Task FeedbackRoutes_TheFeedbackRolesApply(string? role, string path, HttpStatusCode expected)
    {
        using var client = Client(role);
        var response = await client.PostAsync(path, Json(new { borough = "Lambeth", window = Window(), planId = world.Plan.PlanId }), Ct);
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task FeedbackEvaluation_Planner_IsWhatFeedbackReturns()
    {
        using var client = Client(Roles.Planner);
        var response = await client.PostAsync("/api/v1/feedback/evaluation", Json(new { planId = world.Plan.PlanId, window = Window() }), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = Google.Protobuf.JsonParser.Default.Parse<Targeting.Feedback.V1.PlanEvaluation>(await response.Content.ReadAsStringAsync(Ct));
        using var grpc = new GrpcClient(world.Feedback, new GrpcClientOptions { BearerToken = DevelopmentTokens.Issue(Roles.Planner, "gateway-test") });
        var direct = await new Targeting.Feedback.FeedbackClient(grpc).EvaluatePlanAsync(new Targeting.Feedback.V1.EvaluatePlanRequest { PlanId = world.Plan.PlanId, Window = WebWorld.DataWindow });
        Assert.True(direct.StopsLocated > 100, $"{direct.StopsLocated} located");
        Assert.Equal(direct, page);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static object Window() => new { start = "2022-01-01T00:00:00Z", end = "2022-09-30T23:00:00Z" };

    private static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");
}
