using Targeting.Feedback.Analysis;
using Targeting.Feedback.Tests.Support;
using Targeting.Feedback.V1;
using Targeting.Grpc;
using Targeting.Stops.V1;

namespace Targeting.Feedback.Tests.Service;

/// <summary>
/// The feedback service hosted for real, reading the hand-made world from stand-in hotspot and
/// stops services over gRPC, called through <see cref="FeedbackClient"/>.
/// </summary>
public sealed class FeedbackServiceTests : IAsyncLifetime
{
    private FakeSources _sources = null!;
    private FeedbackHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        var plans = new[]
        {
            World.ReferencePlan(),
            World.Plan("P-old", [(531800, 175800, 531900, 175900)], "2021-01-01T00:00:00Z", "2021-02-01T00:00:00Z"),
            World.Plan("P-broken", [], "2022-06-01T00:00:00Z", "2022-07-01T00:00:00Z"),
        };
        plans[2].Areas.Add(new Hotspot.V1.PatrolArea { AreaId = "A1", Geometry = new Common.V1.MultiPolygon { Polygons = { new Common.V1.Polygon { Exterior = new Common.V1.LinearRing { Points = { World.Point(530000, 174000) } } } } } });
        var stops = World.ReferenceStops().ToList();
        stops[0].Current.Officer = new Officer { Pseudonym = "pseudo-1", Team = "Alpha", PrecisionTrained = true };
        stops[1].Current.Officer = new Officer { Pseudonym = "pseudo-2", Team = "Bravo" };
        _sources = await FakeSources.StartAsync(plans, World.ReferenceIncidents("incidents").Concat(World.ReferenceIncidents("crime_change_incidents")), stops);
        var (xmin, ymin, xmax, ymax) = World.Rect(FeedbackReference.Fixture.GetProperty("aoi"));
        _host = await FeedbackHost.StartAsync(_sources.Address, _sources.Address, World.ReferencePopulation(), (xmin, ymin, xmax, ymax));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _sources.DisposeAsync();
    }

    // The stand-ins serve both incident sets of the reference world at once, so the figures through the
    // services are compared with the pure analysis of the same data (itself checked against the script).
    private static readonly IReadOnlyList<IncidentFact> AllIncidents =
        World.Facts(World.ReferenceIncidents("incidents").Concat(World.ReferenceIncidents("crime_change_incidents")));

    [Fact]
    public async Task EvaluatePlan_HotspotProjectsToAnotherCrs_FailedPreconditionNamingBoth()
    {
        _sources.Received.Crs = "EPSG:3857";

        var error = await Assert.ThrowsAsync<RpcException>(() => _host.Client(Roles.Analyst).EvaluatePlanAsync(new EvaluatePlanRequest { PlanId = "P1" }));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("EPSG:3857", error.Detail, StringComparison.Ordinal);
        Assert.Contains("EPSG:27700", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EvaluatePlan_ThroughTheServices_SameAsTheAnalysisOfTheSameData()
    {
        var plan = World.ReferencePlan();
        var expected = PlanEvaluator.Evaluate(PlanAreas.From(plan, World.Bng), AnalysisWindow.From(plan.ValidWindow),
            World.Facts(World.ReferenceStops(), World.ReferenceBorough()), World.ReferenceAreaOfInterest(), AllIncidents, PlanTargets.For(plan));

        var result = await _host.Client(Roles.Analyst).EvaluatePlanAsync(new EvaluatePlanRequest { PlanId = "P1" });

        Assert.Equal(expected, result);
        Assert.Equal(FeedbackReference.Expected("evaluation").L("stops_inside"), result.StopsInside);
        // The window defaulted to the plan's valid window, and the feedback service asked with its service token.
        Assert.Equal(World.Time("2022-06-01T00:00:00Z"), _sources.Received.EncounterQueries.Last().Window.Start);
        Assert.Contains("feedback", _sources.Received.Callers);
        Assert.Equal(World.BoroughName, _sources.Received.IncidentRequests.Last().Area.BoundaryName);
    }

    [Fact]
    public async Task AssessCrimeChange_DefaultsToThePlansWindows_SameAsTheAnalysisOfTheSameData()
    {
        var plan = World.ReferencePlan();
        var expected = CrimeChangeAnalysis.Assess(PlanAreas.From(plan, World.Bng), AnalysisWindow.From(plan.Provenance.DataWindow),
            AnalysisWindow.From(plan.ValidWindow), AllIncidents, PlanTargets.For(plan), 250, World.ReferenceAreaOfInterest());

        var result = await _host.Client(Roles.Planner).AssessCrimeChangeAsync(new CrimeChangeRequest { PlanId = "P1" });

        Assert.Equal(250, result.BufferM);
        Assert.Equal(expected, result);
        Assert.True(result.TargetedBefore > 0 && result.ControlCells > 0);
    }

    [Fact]
    public async Task AssessFairness_Borough_UsesEveryPlanActiveInTheWindowAcrossPages()
    {
        var expected = FeedbackReference.Expected("fairness");

        var result = await _host.Client(Roles.Analyst).AssessFairnessAsync(new FairnessRequest
        {
            Borough = World.BoroughCode,
            Window = World.TimeWindow("2022-05-01T00:00:00Z", "2022-07-01T00:00:00Z"),
        });

        Assert.Equal(World.BoroughName, result.Borough);
        Assert.Equal(expected.L("searches"), result.Searches);
        // P-old is not active in the window; P-broken (on the second page) has an unreadable area: skipped, and said so.
        Assert.Equal(["P1"], result.PlanIds);
        Assert.Contains("plan P-broken skipped", result.Notes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTransparencyReport_PublicRole_AggregatesWithoutOfficerFields()
    {
        var report = await _host.Client(Roles.Public).GetTransparencyReportAsync(new TransparencyRequest
        {
            Window = LondonMonths.Window(LondonMonths.Key(2022, 5), LondonMonths.Key(2022, 6)),
        });

        Assert.Equal(5, report.SuppressionThreshold);
        Assert.Equal(4, report.Rows.Count);
        var json = TransparencyFormats.ToJson(report);
        foreach (var secret in new[] { "pseudo-1", "pseudo-2", "Alpha", "Bravo" })
        {
            Assert.DoesNotContain(secret, json, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AssessProceduralJustice_SupervisorOnly_AsksStopsForTheirTeamAlone()
    {
        var report = await _host.Client(Roles.Supervisor, team: "Alpha").AssessProceduralJusticeAsync(new ProceduralJusticeRequest
        {
            Grouping = ComplianceGrouping.Team,
        });

        Assert.Equal("Alpha", _sources.Received.EncounterQueries.Last().Team);
        Assert.Equal(["Alpha"], report.Rows.Select(r => r.Group));
    }

    [Fact]
    public async Task AssessFairness_PublicRole_PermissionDenied()
    {
        var failure = await Assert.ThrowsAsync<RpcException>(() => _host.Client(Roles.Public).AssessFairnessAsync(new FairnessRequest()));

        Assert.Equal(StatusCode.PermissionDenied, failure.StatusCode);
    }

    [Fact]
    public async Task GetTransparencyReport_NoToken_Unauthenticated()
    {
        var failure = await Assert.ThrowsAsync<RpcException>(() => _host.Client(null).GetTransparencyReportAsync(new TransparencyRequest()));

        Assert.Equal(StatusCode.Unauthenticated, failure.StatusCode);
    }

    [Fact]
    public async Task EvaluatePlan_BadRequest_OneViolationPerField()
    {
        var failure = await Assert.ThrowsAsync<RpcException>(() => _host.Client(Roles.Analyst).EvaluatePlanAsync(new EvaluatePlanRequest
        {
            Window = World.TimeWindow("2022-07-01T00:00:00Z", "2022-06-01T00:00:00Z"),
        }));

        Assert.Equal(StatusCode.InvalidArgument, failure.StatusCode);
        Assert.Equal(["plan_id", "window.end"], failure.GetBadRequest()!.FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public async Task GetTransparencyReport_UnknownBoroughAndNegativeThreshold_OneViolationEach()
    {
        var failure = await Assert.ThrowsAsync<RpcException>(() => _host.Client(Roles.Public).GetTransparencyReportAsync(new TransparencyRequest
        {
            Boroughs = { "Testborough", "Atlantis" },
            SuppressionThreshold = -1,
        }));

        Assert.Equal(StatusCode.InvalidArgument, failure.StatusCode);
        Assert.Equal(["suppression_threshold", "boroughs[1]"], failure.GetBadRequest()!.FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public async Task EvaluatePlan_UnknownPlan_NotFoundFromHotspot()
    {
        var failure = await Assert.ThrowsAsync<RpcException>(() => _host.Client(Roles.Analyst).EvaluatePlanAsync(new EvaluatePlanRequest { PlanId = "nope" }));

        Assert.Equal(StatusCode.NotFound, failure.StatusCode);
        Assert.Contains("hotspot service", failure.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssessFairness_UnknownBorough_NotFound()
    {
        var failure = await Assert.ThrowsAsync<RpcException>(() => _host.Client(Roles.Analyst).AssessFairnessAsync(new FairnessRequest { Borough = "Atlantis" }));

        Assert.Equal(StatusCode.NotFound, failure.StatusCode);
    }

    [Fact]
    public async Task AssessFairness_LongUnknownBorough_NotFoundQuotingAtMost60Characters()
    {
        var borough = string.Concat(Enumerable.Repeat("Atlantis ", 10));

        var failure = await Assert.ThrowsAsync<RpcException>(() => _host.Client(Roles.Analyst).AssessFairnessAsync(new FairnessRequest { Borough = borough }));

        Assert.Equal(StatusCode.NotFound, failure.StatusCode);
        Assert.Contains($"'{borough[..60]}…' (90 characters)", failure.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(borough[..61], failure.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTransparencyReport_BoroughOverItsLimit_InvalidArgumentWithoutQuotingIt()
    {
        var failure = await Assert.ThrowsAsync<RpcException>(() => _host.Client(Roles.Public).GetTransparencyReportAsync(new TransparencyRequest
        {
            Boroughs = { "Testborough", new string('b', 6_000) },
        }));

        Assert.Equal(StatusCode.InvalidArgument, failure.StatusCode);
        Assert.Equal(["boroughs[1]"], failure.GetBadRequest()!.FieldViolations.Select(v => v.Field));
        Assert.Equal("is 6000 characters; at most 100", failure.GetBadRequest()!.FieldViolations[0].Description);
        Assert.DoesNotContain(new string('b', 61), failure.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EvaluatePlan_PlanWithAnUnreadableArea_FailedPrecondition()
    {
        var failure = await Assert.ThrowsAsync<RpcException>(() => _host.Client(Roles.Analyst).EvaluatePlanAsync(new EvaluatePlanRequest { PlanId = "P-broken" }));

        Assert.Equal(StatusCode.FailedPrecondition, failure.StatusCode);
    }

    [Fact]
    public async Task EvaluatePlan_StopsServiceDown_Unavailable()
    {
        // A port that was free a moment ago: nothing listens there.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var (xmin, ymin, xmax, ymax) = World.Rect(FeedbackReference.Fixture.GetProperty("aoi"));
        await using var host = await FeedbackHost.StartAsync(_sources.Address, new Uri($"http://127.0.0.1:{port}"), World.ReferencePopulation(), (xmin, ymin, xmax, ymax));

        var failure = await Assert.ThrowsAsync<RpcException>(() => host.Client(Roles.Analyst).EvaluatePlanAsync(new EvaluatePlanRequest { PlanId = "P1" }));

        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.Contains("stops service", failure.Detail, StringComparison.Ordinal);
    }
}
