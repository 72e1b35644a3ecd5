using Targeting.Engine.Hotspots;
using static Targeting.Engine.Tests.Support.Grids;

namespace Targeting.Engine.Tests.Hotspots;

public sealed class GetisOrdGiStarTests
{
    [Fact]
    public void Compute_SingleValueInTheCentre_GivesHandComputedZPAndQ()
    {
        // 3 × 3 grid, value 9 in the centre cell, 0 elsewhere; neighbourhood 100 m = the cell and its
        // rook neighbours. n = 9, x̄ = 1, S = √(81/9 − 1) = √8.
        //   centre: W = 5, Σx = 9:  z = (9 − 5)/(√8 · √((45 − 25)/8)) = 4/√20 = 0.894427
        //   edge:   W = 4, Σx = 9:  z = (9 − 4)/(√8 · √((36 − 16)/8)) = 5/√20 = 1.118034
        //   corner: W = 3, Σx = 0:  z = (0 − 3)/(√8 · √((27 − 9)/8)) = −3/√18 = −0.707107
        // One-sided p = 1 − Φ(z): 0.185547, 0.131776, 0.760250 (scipy.stats.norm.sf).
        // Benjamini-Hochberg over the 9 cells (4 edges rank 1–4, centre 5, corners 6–9):
        //   corners min(9·0.760250/9) = 0.760250; centre min(9·0.185547/5, 0.760250) = 0.333985;
        //   edges min(9·0.131776/4, 0.333985) = 0.296496.
        double[] values = [0, 0, 0, 0, 9, 0, 0, 0, 0];

        var result = GetisOrdGiStar.Compute(ThreeByThree(), values, neighbourhoodM: 100);

        Assert.Equal(0.894427, result.Z[4], 1e-6);
        Assert.All(new[] { 1, 3, 5, 7 }, c => Assert.Equal(1.118034, result.Z[c], 1e-6));
        Assert.All(new[] { 0, 2, 6, 8 }, c => Assert.Equal(-0.707107, result.Z[c], 1e-6));
        Assert.Equal(0.185547, result.P[4], 1e-6);
        Assert.Equal(0.131776, result.P[1], 1e-6);
        Assert.Equal(0.760250, result.P[0], 1e-6);
        Assert.Equal(0.333985, result.Q[4], 1e-6);
        Assert.Equal(0.296496, result.Q[1], 1e-6);
        Assert.Equal(0.760250, result.Q[0], 1e-6);
        Assert.Equal([3, 4, 3, 4, 5, 4, 3, 4, 3], result.NeighbourCount);
        Assert.Equal(Math.Sqrt(8), result.StandardDeviation, 12);
        Assert.False(result.IsHotSpot(4));
    }

    [Fact]
    public void Compute_TwoCellsWidthNeighbourhood_IncludesThirteenCellsOnALargeGrid()
    {
        var grid = Targeting.Engine.Geography.AnalysisGrid.Create(
            new NetTopologySuite.IO.WKTReader().Read("POLYGON ((0 0, 900 0, 900 900, 0 900, 0 0))"));

        var result = GetisOrdGiStar.Compute(grid, new double[grid.CellCount], neighbourhoodM: 200);

        Assert.Equal(13, result.NeighbourCount[grid.CellAt(4, 4)]);
        Assert.Equal(6, result.NeighbourCount[grid.CellAt(0, 0)]); // self, (1,0), (2,0), (0,1), (0,2), (1,1)
    }

    [Fact]
    public void Compute_AllValuesEqual_GivesZeroZAndNoHotSpots()
    {
        var result = GetisOrdGiStar.Compute(ThreeByThree(), [2, 2, 2, 2, 2, 2, 2, 2, 2], 100);

        Assert.All(result.Z, z => Assert.Equal(0, z));
        Assert.All(result.P, p => Assert.Equal(0.5, p, 12));
        Assert.DoesNotContain(Enumerable.Range(0, 9), result.IsHotSpot);
    }

    [Fact]
    public void Surface_StrongClusterOnLargeGrid_ScoresOnlySignificantCells()
    {
        // 20 × 20 grid; 30 robberies in one cell and 1 in a far corner: the cluster's neighbourhood is
        // significant after FDR control, the lone corner incident is not.
        var grid = Targeting.Engine.Geography.AnalysisGrid.Create(
            new NetTopologySuite.IO.WKTReader().Read("POLYGON ((0 0, 2000 0, 2000 2000, 0 2000, 0 0))"));
        var incidents = Enumerable.Range(0, 30).Select(i => At($"c{i:D2}", 1050, 1050, CrimeTypes.Robbery))
            .Append(At("lone", 50, 50, CrimeTypes.Robbery)).ToList();
        var training = TrainingSet.Build(grid, incidents, January, February);

        var surface = GetisOrdGiStar.Surface(training);

        var hot = grid.CellAt(10, 10);
        Assert.NotNull(surface.GiStar);
        Assert.True(surface.GiStar.IsHotSpot(hot));
        Assert.Equal(surface.GiStar.Z[hot], surface.Score[hot]);
        Assert.Equal(0, surface.Score[grid.CellAt(0, 0)]);
        Assert.Equal(365, surface.Intensity[grid.CellAt(0, 0)]);
        Assert.Equal(hot, surface.RankCells()[0]);
    }
}
