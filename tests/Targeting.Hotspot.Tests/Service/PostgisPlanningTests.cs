using Targeting.Common.V1;
using Targeting.Engine.Geography;
using Targeting.Engine.Hotspots;
using Targeting.Grpc;
using Targeting.Hotspot.Import;
using Targeting.Hotspot.V1;
using Targeting.Testing;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;
using TimeWindow = Targeting.Common.V1.TimeWindow;

namespace Targeting.Hotspot.Tests.Service;

/// <summary>ProposePatrolAreas and LocatePatrolArea with the PostGIS store: the plan is the engine's on the file's incidents.</summary>
public sealed class PostgisPlanningTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly DateTime January = new(2022, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task ProposePatrolAreas_LambethOnPostgis_SameAreasAsTheEngineOnTheFileAndLocatable()
    {
        database.Require();
        var ct = TestContext.Current.CancellationToken;
        var sample = RepoPaths.InRepo("data", "police-uk", "street-crime-barking-dagenham-lambeth-2022-01-to-2022-09.csv.gz");
        await using var host = await HotspotTestHost.StartAsync(database.ConnectionString);
        await StoreImporter.ImportFileAsync(host.Store, sample, Projection.BritishNationalGrid, _ => { }, cancellationToken: ct);
        var request = new ProposePatrolAreasRequest
        {
            Area = new AreaOfInterest { BoundaryName = "Lambeth" },
            DataWindow = new TimeWindow { Start = Timestamp.FromDateTime(January.AddMonths(3)), End = Timestamp.FromDateTime(January.AddMonths(9)) },
        };

        var plan = await host.CreateClient(Roles.Planner).ProposePatrolAreasAsync(request, new CallOptions { CancellationToken = ct });

        // The engine directly, on the incidents read from the file (not from the store), in id order.
        var incidents = new List<Engine.Hotspots.Incident>();
        await CrimeFileImporter.ReadAsync(sample, (batch, _) =>
        {
            incidents.AddRange(IncidentMapping.ToRecords(batch, Projection.BritishNationalGrid).Select(IncidentMapping.ToEngine));
            return ValueTask.CompletedTask;
        }, _ => { }, cancellationToken: ct);
        incidents.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        var boundaries = RepoPaths.InRepo("data", "boundaries");
        var lambeth = BoundarySet.FromGeoJson(File.ReadAllText(Path.Combine(boundaries, "london_boroughs_barking_dagenham_lambeth.geojson")), Projection.BritishNationalGrid).Find("Lambeth")!;
        var wards = BoundarySet.FromGeoJson(File.ReadAllText(Path.Combine(boundaries, "wards_2014_barking_dagenham_lambeth.geojson")), Projection.BritishNationalGrid, BoundaryKinds.Ward);
        var expected = PatrolPlanner.Propose(new PatrolPlanRequest
        {
            AreaOfInterest = lambeth.Geometry,
            Incidents = incidents,
            DataStart = January.AddMonths(3),
            DataEnd = January.AddMonths(9),
            // The request names no method, so the service chose one by backtest (auto); the engine is given that one.
            Method = (Engine.Hotspots.HotspotMethod)(int)plan.Provenance.Method,
            Wards = wards,
        });

        Assert.NotNull(plan.Provenance.MethodChoice);

        Assert.Equal(expected.Areas.Select(a => (a.AreaId, a.HistoricalCount, a.Wards.Count)), plan.Areas.Select(a => (a.AreaId, a.HistoricalCount, a.Wards.Count)));
        foreach (var (area, engine) in plan.Areas.Zip(expected.Areas))
        {
            Assert.Equal(engine.AreaM2, area.AreaM2, 1e-6);
            Assert.Equal(engine.ExpectedShare, area.ExpectedShare, 1e-12);
            Assert.Equal(engine.GiZ, area.GiZ, 1e-9);
            Assert.Equal(engine.Wards, area.Wards);
        }

        Assert.Equal(expected.Summary.CountsByType, plan.Provenance.CountsByType.ToDictionary());
        Assert.Equal(plan, await host.CreateClient(Roles.Analyst).GetPlanAsync(plan.PlanId, new CallOptions { CancellationToken = ct }));
        var located = await host.CreateClient(Roles.Service).LocatePatrolAreaAsync(
            new LocatePatrolAreaRequest { Point = plan.Areas[0].Centroid, At = Timestamp.FromDateTime(January.AddMonths(9).AddDays(3)) }, new CallOptions { CancellationToken = ct });
        Assert.Equal((true, plan.PlanId, "A1"), (located.Found, located.PlanId, located.AreaId));
    }
}
