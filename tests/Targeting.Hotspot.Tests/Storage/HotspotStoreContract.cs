using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;
using NetTopologySuite.Geometries;
using TimeWindow = Targeting.Common.V1.TimeWindow;
using Targeting.Hotspot.Storage;
using Targeting.Hotspot.V1;

namespace Targeting.Hotspot.Tests.Storage;

/// <summary>
/// The behaviour every <see cref="IHotspotStore"/> must have; run against SQLite and PostGIS by
/// the two subclasses. Each test gets a fresh store (its own file or schema).
/// </summary>
public abstract class HotspotStoreContract
{
    protected static readonly GeometryFactory Factory = new(new PrecisionModel(), 27700);

    protected abstract Task<IHotspotStore> CreateStoreAsync();

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected static IncidentRecord Incident(string id, double x, double y, int month = 1, string type = "Robbery", Provenance provenance = Provenance.Reported) =>
        new(id, new DateTime(2022, month, 1, 0, 0, 0, DateTimeKind.Utc), TimePrecision.Month, -0.1 + (x / 1e6), 51.5 + (y / 1e7), x, y, type, provenance, "E01000001", "test.csv", 2);

    protected static async Task<List<IncidentRecord>> QueryAsync(IHotspotStore store, IncidentQuery query)
    {
        var result = new List<IncidentRecord>();
        await foreach (var incident in store.QueryIncidentsAsync(query, Ct))
        {
            result.Add(incident);
        }

        return result;
    }

    protected static Polygon Square(double minX, double minY, double size) =>
        Factory.CreatePolygon([new(minX, minY), new(minX + size, minY), new(minX + size, minY + size), new(minX, minY + size), new(minX, minY)]);

    protected static PatrolPlan Plan(string id, string area, int validMonth, params string[] areaIds)
    {
        var plan = new PatrolPlan
        {
            PlanId = id,
            AreaName = area,
            ValidWindow = new TimeWindow
            {
                Start = Timestamp.FromDateTime(new DateTime(2022, validMonth, 1, 0, 0, 0, DateTimeKind.Utc)),
                End = Timestamp.FromDateTime(new DateTime(2022, validMonth + 1, 1, 0, 0, 0, DateTimeKind.Utc)),
            },
            Provenance = new PlanProvenance { Method = Method.NaiveCounts, EngineVersion = "test", GeneratedAt = Timestamp.FromDateTime(DateTime.UtcNow) },
            Note = "contract test",
        };
        for (var i = 0; i < areaIds.Length; i++)
        {
            plan.Areas.Add(new PatrolArea { AreaId = areaIds[i], Rank = i + 1, AreaM2 = 10_000, HistoricalCount = 10 - i });
        }

        return plan;
    }

    private static Geometry[] Shapes(PatrolPlan plan) =>
        [.. plan.Areas.Select((_, i) => (Geometry)Factory.CreateMultiPolygon([Square(530_000 + (i * 200), 180_000, 100)]))];

    [Fact]
    public async Task MigrateAsync_Twice_IsHarmless()
    {
        var store = await CreateStoreAsync();

        await store.MigrateAsync(Ct);
        await store.AddIncidentsAsync([Incident("a", 1, 1)], Ct);
        await store.MigrateAsync(Ct);

        Assert.Single(await QueryAsync(store, new IncidentQuery()));
        Assert.True(await store.PingAsync(Ct));
    }

    [Fact]
    public async Task AddIncidentsAsync_RepeatedIds_CountedAsDuplicatesAndKeptOnce()
    {
        var store = await CreateStoreAsync();

        var first = await store.AddIncidentsAsync([Incident("a", 1, 1), Incident("b", 2, 2), Incident("b", 2, 2)], Ct);
        var second = await store.AddIncidentsAsync([Incident("a", 9, 9), Incident("c", 3, 3)], Ct);

        Assert.Equal(new IncidentWriteResult(2, 1), first);
        Assert.Equal(new IncidentWriteResult(1, 1), second);
        var all = await QueryAsync(store, new IncidentQuery());
        Assert.Equal(["a", "b", "c"], all.Select(i => i.Id));
        Assert.Equal(1, all[0].X); // the first write wins; a duplicate never overwrites
    }

    [Fact]
    public async Task QueryIncidentsAsync_AllFields_RoundTripExactly()
    {
        var store = await CreateStoreAsync();
        var incident = new IncidentRecord("sha256:ab.0", new DateTime(2022, 3, 14, 15, 9, 26, 535, DateTimeKind.Utc), TimePrecision.Exact,
            -0.123456789, 51.987654321, 530_123.456789, 180_987.654321, "Possession of weapons", Provenance.Discovered, "E01003111", "file, with comma.csv", 123_456);

        await store.AddIncidentsAsync([incident], Ct);

        Assert.Equal(incident, Assert.Single(await QueryAsync(store, new IncidentQuery())));
    }

    [Fact]
    public async Task QueryIncidentsAsync_MixedCaseIds_OrderedOrdinally()
    {
        var store = await CreateStoreAsync();

        await store.AddIncidentsAsync([Incident("b", 1, 1), Incident("B", 1, 1), Incident("a", 1, 1), Incident("A", 1, 1), Incident("_", 1, 1)], Ct);

        Assert.Equal(["A", "B", "_", "a", "b"], (await QueryAsync(store, new IncidentQuery())).Select(i => i.Id));
    }

    [Fact]
    public async Task QueryIncidentsAsync_Window_IsHalfOpen()
    {
        var store = await CreateStoreAsync();
        await store.AddIncidentsAsync([Incident("jan", 1, 1, month: 1), Incident("feb", 1, 1, month: 2), Incident("mar", 1, 1, month: 3)], Ct);

        var feb = await QueryAsync(store, new IncidentQuery(Start: new DateTime(2022, 2, 1, 0, 0, 0, DateTimeKind.Utc), End: new DateTime(2022, 3, 1, 0, 0, 0, DateTimeKind.Utc)));
        var fromFeb = await QueryAsync(store, new IncidentQuery(Start: new DateTime(2022, 2, 1, 0, 0, 0, DateTimeKind.Utc)));

        Assert.Equal(["feb"], feb.Select(i => i.Id));
        Assert.Equal(["feb", "mar"], fromFeb.Select(i => i.Id));
    }

    [Fact]
    public async Task QueryIncidentsAsync_Area_KeepsInsideAndBoundaryPoints()
    {
        var store = await CreateStoreAsync();
        await store.AddIncidentsAsync(
        [
            Incident("inside", 530_050, 180_050),
            Incident("edge", 530_100, 180_050),
            Incident("corner", 530_000, 180_000),
            Incident("in-envelope-not-polygon", 530_010, 180_090),
            Incident("outside", 530_150, 180_050),
        ], Ct);
        // A triangle below the square's diagonal: its envelope holds (530010, 180090) but the
        // polygon does not; (530050, 180050) lies on its hypotenuse, so counts as inside.
        var triangle = Factory.CreatePolygon([new(530_000, 180_000), new(530_100, 180_000), new(530_100, 180_100), new(530_000, 180_000)]);
        var square = Square(530_000, 180_000, 100);

        var inTriangle = await QueryAsync(store, new IncidentQuery(Area: triangle));
        var inSquare = await QueryAsync(store, new IncidentQuery(Area: square));

        Assert.Equal(["corner", "edge", "inside"], inTriangle.Select(i => i.Id));
        Assert.Equal(["corner", "edge", "in-envelope-not-polygon", "inside"], inSquare.Select(i => i.Id));
    }

    [Fact]
    public async Task QueryIncidentsAsync_CrimeTypes_FiltersByType()
    {
        var store = await CreateStoreAsync();
        await store.AddIncidentsAsync([Incident("r", 1, 1, type: "Robbery"), Incident("b", 1, 1, type: "Burglary"), Incident("w", 1, 1, type: "Possession of weapons")], Ct);

        var result = await QueryAsync(store, new IncidentQuery(CrimeTypes: ["Robbery", "Possession of weapons"]));

        Assert.Equal(["r", "w"], result.Select(i => i.Id));
    }

    [Fact]
    public async Task QueryIncidentPointsAsync_EveryFilter_TheSameIncidentsAsQueryIncidents()
    {
        var store = await CreateStoreAsync();
        // Inside, on the edge of and outside a 100 m square; three months; types with non-ASCII text and a shared prefix.
        await store.AddIncidentsAsync([
            Incident("in-jan", 150, 150, month: 1), Incident("edge-feb", 200, 120, month: 2, type: "Théft"), Incident("out-feb", 450, 150, month: 2, type: "Théft from the person"),
            Incident("in-mar", 120, 180, month: 3, type: "Possession of weapons", provenance: Provenance.Discovered), Incident("out-mar", 90, 150, month: 3)], Ct);
        var feb = new DateTime(2022, 2, 1, 0, 0, 0, DateTimeKind.Utc);
        IncidentQuery[] queries =
        [
            new(),
            new(Square(100, 100, 100)),
            new(Start: feb, End: feb.AddMonths(1)),
            new(CrimeTypes: ["Théft", "Possession of weapons"]),
            new(Square(100, 100, 100), feb, null, ["Théft", "Robbery"]),
        ];

        foreach (var query in queries)
        {
            var expected = (await QueryAsync(store, query)).Select(i => new IncidentPoint(i.X, i.Y, i.OccurredAt, i.CrimeType, i.Provenance)).ToList();
            var points = new List<IncidentPoint>();
            await foreach (var point in store.QueryIncidentPointsAsync(query, Ct))
            {
                points.Add(point);
            }

            Assert.NotEmpty(expected);
            Assert.Equal(expected.OrderBy(p => p.X).ThenBy(p => p.Y), points.OrderBy(p => p.X).ThenBy(p => p.Y));
        }
    }

    [Fact]
    public async Task CountByCellAsync_HandPlacedPoints_CountsAndWeighsPerCell()
    {
        var store = await CreateStoreAsync();
        // Grid: origin (1000, 2000), 100 m cells, 3 x 2.
        await store.AddIncidentsAsync(
        [
            Incident("a", 1_000, 2_000, type: "Robbery"),                      // cell (0,0): lower-left corner belongs to it
            Incident("b", 1_099.9, 2_099.9, type: "Burglary"),                 // cell (0,0)
            Incident("c", 1_100, 2_000, type: "Robbery"),                      // cell (1,0): a shared edge goes to the higher cell
            Incident("d", 1_250, 2_150, type: "Burglary"),                     // cell (2,1)
            Incident("w", 1_250, 2_150, type: "Possession of weapons", provenance: Provenance.Discovered), // no weight: left out
            Incident("r", 1_250, 2_150, type: "Robbery", provenance: Provenance.Discovered), // weight 0: left out
            Incident("e", 1_300, 2_150, type: "Robbery"),                      // column 3: outside the frame
            Incident("f", 999.99, 2_050, type: "Robbery"),                     // column -1: outside
        ], Ct);
        IncidentWeight[] weights = [new("Robbery", Provenance.Reported, 2.0), new("Burglary", Provenance.Reported, 0.5), new("Robbery", Provenance.Discovered, 0)];

        var cells = await store.CountByCellAsync(new IncidentQuery(), new GridFrame(1_000, 2_000, 100, 3, 2), weights, Ct);

        Assert.Equal(
            [new CellCount(0, 0, 2, 2.5), new CellCount(1, 0, 1, 2.0), new CellCount(2, 1, 1, 0.5)],
            cells);
    }

    [Fact]
    public async Task ClusterDbscanAsync_TwoGroupsAndNoise_LabelsEachGroupAlike()
    {
        var store = await CreateStoreAsync();
        await store.AddIncidentsAsync(
        [
            Incident("p1", 0, 0), Incident("p2", 5, 0), Incident("p3", 10, 0),
            Incident("q1", 100, 100), Incident("q2", 100, 108), Incident("q3", 108, 100),
            Incident("z", 50, 50),
        ], Ct);

        var labels = (await store.ClusterDbscanAsync(new IncidentQuery(), 10, 3, Ct)).ToDictionary(l => l.Id, l => l.Cluster);

        Assert.Null(labels["z"]);
        Assert.NotNull(labels["p1"]);
        Assert.Equal(labels["p1"], labels["p2"]);
        Assert.Equal(labels["p1"], labels["p3"]);
        Assert.NotNull(labels["q1"]);
        Assert.Equal(labels["q1"], labels["q2"]);
        Assert.Equal(labels["q1"], labels["q3"]);
        Assert.NotEqual(labels["p1"], labels["q1"]);
    }

    [Fact]
    public async Task SavePlanAsync_ThenGet_RoundTripsThePlan()
    {
        var store = await CreateStoreAsync();
        var plan = Plan("plan-1", "Lambeth", 10, "A1", "A2");

        await store.SavePlanAsync(plan, Shapes(plan), Ct);

        Assert.Equal(plan, await store.GetPlanAsync("plan-1", Ct));
        Assert.Null(await store.GetPlanAsync("plan-2", Ct));
    }

    [Fact]
    public async Task SavePlanAsync_ExistingId_RefusedAndOriginalKept()
    {
        var store = await CreateStoreAsync();
        var original = Plan("plan-1", "Lambeth", 10, "A1");
        var impostor = Plan("plan-1", "Barking and Dagenham", 11, "A1", "A2");
        await store.SavePlanAsync(original, Shapes(original), Ct);

        var error = await Assert.ThrowsAsync<PlanAlreadyExistsException>(() => store.SavePlanAsync(impostor, Shapes(impostor), Ct));

        Assert.Equal("plan-1", error.PlanId);
        Assert.Equal(original, await store.GetPlanAsync("plan-1", Ct));
    }

    [Fact]
    public async Task ListPlansAsync_Pages_NewestFirstWithoutGapsOrRepeats()
    {
        var store = await CreateStoreAsync();
        for (var i = 1; i <= 5; i++)
        {
            var plan = Plan($"p{i}", "Lambeth", 10, "A1");
            await store.SavePlanAsync(plan, Shapes(plan), Ct);
        }

        var first = await store.ListPlansAsync(null, null, 2, null, Ct);
        var second = await store.ListPlansAsync(null, null, 2, first.NextBefore, Ct);
        var third = await store.ListPlansAsync(null, null, 2, second.NextBefore, Ct);

        Assert.Equal(["p5", "p4"], first.Plans.Select(p => p.Plan.PlanId));
        Assert.Equal(["p3", "p2"], second.Plans.Select(p => p.Plan.PlanId));
        Assert.Equal(["p1"], third.Plans.Select(p => p.Plan.PlanId));
        Assert.Null(third.NextBefore);
    }

    [Fact]
    public async Task ListPlansAsync_AreaAndActiveAt_Filter()
    {
        var store = await CreateStoreAsync();
        foreach (var plan in new[] { Plan("l-oct", "Lambeth", 10, "A1"), Plan("l-nov", "Lambeth", 11, "A1"), Plan("b-oct", "Barking and Dagenham", 10, "A1") })
        {
            await store.SavePlanAsync(plan, Shapes(plan), Ct);
        }

        var lambeth = await store.ListPlansAsync("Lambeth", null, 10, null, Ct);
        var activeMidOctober = await store.ListPlansAsync(null, new DateTime(2022, 10, 15, 0, 0, 0, DateTimeKind.Utc), 10, null, Ct);
        var activeAtNovemberStart = await store.ListPlansAsync(null, new DateTime(2022, 11, 1, 0, 0, 0, DateTimeKind.Utc), 10, null, Ct);

        Assert.Equal(["l-nov", "l-oct"], lambeth.Plans.Select(p => p.Plan.PlanId));
        Assert.Equal(["b-oct", "l-oct"], activeMidOctober.Plans.Select(p => p.Plan.PlanId));
        Assert.Equal(["l-nov"], activeAtNovemberStart.Plans.Select(p => p.Plan.PlanId));
    }

    [Fact]
    public async Task PlansAfterAsync_Sequence_ReturnsLaterPlansOldestFirst()
    {
        var store = await CreateStoreAsync();
        var a = Plan("a", "Lambeth", 10, "A1");
        var b = Plan("b", "Lambeth", 10, "A1");
        var c = Plan("c", "Lambeth", 10);
        var first = await store.SavePlanAsync(a, Shapes(a), Ct);
        await store.SavePlanAsync(b, Shapes(b), Ct);
        await store.SavePlanAsync(c, Shapes(c), Ct);

        var later = await store.PlansAfterAsync(first, Ct);

        Assert.Equal(["b", "c"], later.Select(p => p.Plan.PlanId));
        Assert.True(later[0].Sequence < later[1].Sequence);
    }
}
