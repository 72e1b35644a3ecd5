using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using Targeting.Engine.Geography;
using Targeting.Engine.Hotspots;
using Targeting.Engine.Tests.Support;
using static Targeting.Engine.Tests.Support.Grids;

namespace Targeting.Engine.Tests.Hotspots;

public sealed class PatrolAreaBuilderTests
{
    private static readonly WKTReader Wkt = new();
    private static readonly TargetingOptions Unit = new() { HarmWeights = HarmWeights.Uniform([CrimeTypes.Robbery]) };

    [Fact]
    public void Build_TwoByTwoHotBlock_MakesOneSquareArea()
    {
        // 5 × 5 grid of 100 m cells; robberies: 3 in (1,1), 2 in (2,1), 2 in (1,2), 1 in (2,2).
        // Budget 20% of 250,000 m² = 50,000; areas 20,000–40,000 m². The seed (1,1) takes (2,1) (ties
        // with (1,2) broken by cell number), then (1,2), then (2,2), which shares two edges; at 40,000 m²
        // it is full, and the 10,000 m² of budget left cannot hold another area.
        var surface = Surface(FiveByFive(), (1, 1, 3), (2, 1, 2), (1, 2, 2), (2, 2, 1));

        var areas = PatrolAreaBuilder.Build(surface, Options(budget: 0.2, min: 20_000, max: 40_000));

        var area = Assert.Single(areas);
        AssertShape("MULTIPOLYGON (((100 100, 300 100, 300 300, 100 300, 100 100)))", area.Geometry);
        Assert.Equal(("A1", 1), (area.AreaId, area.Rank));
        Assert.Equal(40_000, area.AreaM2, 6);
        Assert.Equal(Math.PI / 4, area.Compactness, 9);
        Assert.Equal(8, area.HistoricalCount);
        Assert.Equal(8, area.HarmScore);
        Assert.Equal(1.0, area.ExpectedShare, 12);
        Assert.Equal(8, area.CountsByType[CrimeTypes.Robbery]);
        Assert.Empty(area.PeakHours);
        Assert.Equal((200.0, 200.0), (area.Centroid.X, area.Centroid.Y));
    }

    [Fact]
    public void Build_NotchCellBelowThreshold_IsPreferredToALongerArm()
    {
        // Scores A(1,1) 8, B(2,1) 6, C(1,2) 6, E(3,1) 4, D(2,2) 3. Capacity 4 cells, so τ = 4 (E's score).
        // After A, B, C the frontier holds D (shares 2 edges: v = 3 × 1.5 = 4.5) and E (1 edge: v = 4):
        // D fills the notch and the area is a square rather than a T.
        var surface = Surface(FiveByFive(), (1, 1, 8), (2, 1, 6), (1, 2, 6), (3, 1, 4), (2, 2, 3));

        var area = Assert.Single(PatrolAreaBuilder.Build(surface, Options(budget: 0.16, min: 20_000, max: 40_000)));

        AssertShape("MULTIPOLYGON (((100 100, 300 100, 300 300, 100 300, 100 100)))", area.Geometry);
    }

    [Fact]
    public void Build_CellCutByTheBoundary_ClipsTheAreaToIt()
    {
        // Triangle x + y ≤ 400. Cell (2,1) = [200,300] × [100,200] keeps only the triangle
        // (200,100) (300,100) (200,200); with (1,1) the area is a trapezoid of 15,000 m².
        var grid = AnalysisGrid.Create(Wkt.Read("POLYGON ((0 0, 400 0, 0 400, 0 0))"));
        var surface = Surface(grid, (1, 1, 5), (2, 1, 4));

        var area = Assert.Single(PatrolAreaBuilder.Build(surface, Options(budget: 0.2, min: 10_000, max: 15_000)));

        AssertShape("MULTIPOLYGON (((100 100, 300 100, 200 200, 100 200, 100 100)))", area.Geometry);
        Assert.Equal(15_000, area.AreaM2, 6);
    }

    [Fact]
    public void Build_TwoSeparateHotSpots_RanksByExpectedHarmAndKeepsThemApart()
    {
        // Hot pair at (0,0)+(1,0) with 2 + 2 robberies, hotter pair at (3,3)+(4,3) with 5 + 3.
        var surface = Surface(FiveByFive(), (0, 0, 2), (1, 0, 2), (3, 3, 5), (4, 3, 3));

        var areas = PatrolAreaBuilder.Build(surface, Options(budget: 0.2, min: 20_000, max: 20_000));

        Assert.Equal(2, areas.Count);
        AssertShape("MULTIPOLYGON (((300 300, 500 300, 500 400, 300 400, 300 300)))", areas[0].Geometry);
        AssertShape("MULTIPOLYGON (((0 0, 200 0, 200 100, 0 100, 0 0)))", areas[1].Geometry);
        Assert.Equal(["A1", "A2"], areas.Select(a => a.AreaId));
        Assert.Equal(8.0 / 12, areas[0].ExpectedShare, 12);
        Assert.Equal(4.0 / 12, areas[1].ExpectedShare, 12);
        Assert.False(areas[0].Geometry.Intersects(areas[1].Geometry));
    }

    [Fact]
    public void Build_MaxAreasOne_KeepsOnlyTheFirstSeedsArea()
    {
        var surface = Surface(FiveByFive(), (0, 0, 2), (1, 0, 2), (3, 3, 5), (4, 3, 3));

        var areas = PatrolAreaBuilder.Build(surface, Options(budget: 0.2, min: 20_000, max: 20_000) with { MaxAreas = 1 });

        AssertShape("MULTIPOLYGON (((300 300, 500 300, 500 400, 300 400, 300 300)))", Assert.Single(areas).Geometry);
    }

    [Fact]
    public void Build_BudgetBelowMinimumSize_MakesNoArea()
    {
        var surface = Surface(FiveByFive(), (1, 1, 3));

        Assert.Empty(PatrolAreaBuilder.Build(surface, Options(budget: 0.01, min: 20_000, max: 40_000)));
    }

    [Fact]
    public void Build_ExactTimes_ReportsPeakHoursInLocalTime()
    {
        // July (BST = UTC+1): a, b, c at 22:15 UTC and f at 22:10 UTC are 23:xx local; e at 21:45 UTC is
        // 22:45 local; d at 09:00 UTC is 10:00 local.
        var grid = FiveByFive();
        var july = new DateTime(2022, 7, 10, 22, 15, 0, DateTimeKind.Utc);
        Incident Exact(string id, DateTime at) => new(id, at, TimePrecision.Exact, 150, 150, CrimeTypes.Robbery, Provenance.Reported);
        Incident[] incidents = [Exact("a", july), Exact("b", july.AddDays(1)), Exact("c", july.AddDays(2)), Exact("d", july.AddHours(-13.25)),
            Exact("e", july.AddMinutes(30).AddHours(-1)), Exact("f", july.AddMinutes(-5))];
        var training = TrainingSet.Build(grid, incidents, july.AddMonths(-1), july.AddMonths(1), Unit);

        var area = Assert.Single(PatrolAreaBuilder.Build(NaiveCounts.Compute(training), Options(budget: 0.2, min: 10_000, max: 40_000)));

        // Hour 23 four times, then hours 10 and 22 once each (ties by hour).
        Assert.Equal([23, 10, 22], area.PeakHours);
    }

    [Fact]
    public void Build_LambethSampleWithDefaults_RespectsEveryLimit()
    {
        var lambeth = SampleBoundaries.Boroughs.Find("Lambeth")!;
        var grid = AnalysisGrid.Create(lambeth.Geometry);
        var training = TrainingSet.Build(grid, StreetCrimes.SampleIncidents, January, January.AddMonths(9));
        var surface = ProspectiveHotspots.Compute(training);

        var areas = PatrolAreaBuilder.Build(surface, PatrolAreaOptions.Default, SampleBoundaries.Wards);

        Assert.InRange(areas.Count, 1, 8);
        Assert.True(areas.Sum(a => a.AreaM2) <= 0.01 * lambeth.AreaM2 + 1e-6);
        Assert.All(areas, a => Assert.InRange(a.AreaM2, 20_000, 250_000));
        Assert.All(areas, a => Assert.True(lambeth.Geometry.Buffer(0.01).Covers(a.Geometry), $"{a.AreaId} leaves Lambeth"));
        Assert.All(areas, a => Assert.NotEmpty(a.Wards));
        Assert.All(areas, a => Assert.InRange(a.Compactness, 0.3, 0.79));
        Assert.Equal(Enumerable.Range(1, areas.Count), areas.Select(a => a.Rank));
        Assert.True(areas.Zip(areas.Skip(1)).All(p => p.First.ExpectedShare >= p.Second.ExpectedShare));
        for (var i = 0; i < areas.Count; i++)
        {
            for (var j = i + 1; j < areas.Count; j++)
            {
                Assert.False(areas[i].Geometry.Intersects(areas[j].Geometry), $"{areas[i].AreaId} touches {areas[j].AreaId}");
            }
        }
    }

    private static AnalysisGrid FiveByFive() => AnalysisGrid.Create(Wkt.Read("POLYGON ((0 0, 500 0, 500 500, 0 500, 0 0))"));

    private static PatrolAreaOptions Options(double budget, double min, double max) =>
        new() { BudgetFraction = budget, MinAreaM2 = min, MaxAreaM2 = max };

    private static HotspotSurface Surface(AnalysisGrid grid, params (int Column, int Row, int Robberies)[] cells)
    {
        var incidents = cells.SelectMany(c => Enumerable.Range(0, c.Robberies)
            .Select(i => At($"{c.Column}-{c.Row}-{i}", ((c.Column + 0.5) * 100) - 10 + i, ((c.Row + 0.5) * 100) - 10, CrimeTypes.Robbery)))
            .ToList();
        return NaiveCounts.Compute(TrainingSet.Build(grid, incidents, January, February, Unit));
    }

    private static void AssertShape(string expectedWkt, Geometry actual)
    {
        var expected = Wkt.Read(expectedWkt);
        expected.Normalize();
        var normalized = actual.Copy();
        normalized.Normalize();
        Assert.True(expected.EqualsExact(normalized), $"expected {expected}, got {normalized}");
    }
}
