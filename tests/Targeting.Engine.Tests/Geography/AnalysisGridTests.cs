using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using Targeting.Engine.Geography;
using Targeting.Engine.Tests.Support;

namespace Targeting.Engine.Tests.Geography;

public sealed class AnalysisGridTests
{
    private static readonly WKTReader Wkt = new();

    [Fact]
    public void Create_SquareOfThreeByThreeCells_MakesNineFullCellsInRowMajorOrder()
    {
        var grid = AnalysisGrid.Create(Wkt.Read("POLYGON ((1000 2000, 1300 2000, 1300 2300, 1000 2300, 1000 2000))"));

        Assert.Equal(9, grid.CellCount);
        Assert.Equal((1000.0, 2000.0, 3, 3), (grid.OriginX, grid.OriginY, grid.Columns, grid.Rows));
        Assert.Equal(0, grid.PartialCellCount);
        Assert.All(Enumerable.Range(0, 9), c => Assert.Equal(10_000, grid.CellAreaM2(c)));
        // Cell 5 is row 1, column 2: centre (1250, 2150).
        Assert.Equal((2, 1), (grid.Column(5), grid.Row(5)));
        Assert.Equal((1250.0, 2150.0), (grid.CentreX(5), grid.CentreY(5)));
    }

    [Fact]
    public void Create_TriangleOverTwoByTwoCells_KeepsThreeCellsWithHandComputedAreas()
    {
        // Triangle (0,0) (200,0) (0,200): the hypotenuse x + y = 200 runs through cells (0,1) and (1,0)
        // diagonally and misses (1,1) except at its corner.
        //   (0,0): wholly inside, 10,000 m².  (1,0): below the diagonal of its square, 5,000 m².
        //   (0,1): 5,000 m².                  (1,1): only the point (100,100): not a cell.
        var grid = AnalysisGrid.Create(Wkt.Read("POLYGON ((0 0, 200 0, 0 200, 0 0))"));

        Assert.Equal(3, grid.CellCount);
        Assert.Equal(2, grid.PartialCellCount);
        Assert.Equal(10_000, grid.CellAreaM2(grid.CellAt(0, 0)), 6);
        Assert.Equal(5_000, grid.CellAreaM2(grid.CellAt(1, 0)), 6);
        Assert.Equal(5_000, grid.CellAreaM2(grid.CellAt(0, 1)), 6);
        Assert.Equal(-1, grid.CellAt(1, 1));
        Assert.True(grid.IsPartial(grid.CellAt(1, 0)));
        Assert.True(grid.CellGeometry(grid.CellAt(1, 0)).Normalized().EqualsExact(Wkt.Read("POLYGON ((100 0, 200 0, 100 100, 100 0))").Normalized()));
    }

    [Fact]
    public void Locate_PointsInsideOutsideAndOnEdges_FollowTheHalfOpenRule()
    {
        var grid = AnalysisGrid.Create(Wkt.Read("POLYGON ((0 0, 200 0, 0 200, 0 0))"));

        Assert.Equal(grid.CellAt(0, 0), grid.Locate(50, 50));
        Assert.Equal(grid.CellAt(1, 0), grid.Locate(100, 0));     // west edge of column 1 belongs to column 1
        Assert.Equal(grid.CellAt(1, 0), grid.Locate(120, 30));    // partial cell, inside the triangle
        Assert.Equal(-1, grid.Locate(180, 90));                   // partial cell's square, outside the triangle
        Assert.Equal(-1, grid.Locate(-1, 50));                    // west of the grid
        Assert.Equal(-1, grid.Locate(150, 150));                  // the square that is not a cell
    }

    [Fact]
    public void Create_OriginOffset_ShiftsTheLatticeAndStaysAlignedToIt()
    {
        var area = Wkt.Read("POLYGON ((1000 2000, 1300 2000, 1300 2300, 1000 2300, 1000 2000))");

        var shifted = AnalysisGrid.Create(area, cellSizeM: 100, originOffsetXM: 50, originOffsetYM: 25);

        // West edge 1000 → origin 950 (= 9·100 + 50); south edge 2000 → 1925 (= 19·100 + 25).
        Assert.Equal((950.0, 1925.0, 4, 4), (shifted.OriginX, shifted.OriginY, shifted.Columns, shifted.Rows));
        Assert.Equal(16, shifted.CellCount);
        Assert.Equal(12, shifted.PartialCellCount); // the ring of border cells; the inner 2 × 2 are full
        Assert.Equal(90_000, Enumerable.Range(0, shifted.CellCount).Sum(shifted.CellAreaM2), 6);
        // The corner cell (0,0) spans x 950–1050, y 1925–2025: 50 × 25 m of it is inside.
        Assert.Equal(1_250, shifted.CellAreaM2(shifted.CellAt(0, 0)), 6);
    }

    [Fact]
    public void Create_Lambeth_CellAreasSumToTheBoroughArea()
    {
        var lambeth = SampleBoundaries.Boroughs.Find("Lambeth")!;

        var grid = AnalysisGrid.Create(lambeth.Geometry);

        var total = Enumerable.Range(0, grid.CellCount).Sum(grid.CellAreaM2);
        Assert.Equal(lambeth.AreaM2, total, lambeth.AreaM2 * 1e-9);
        Assert.InRange(grid.CellCount, 2_724, 2_724 + grid.PartialCellCount + 1);
        Assert.Equal(0, grid.OriginX % 100);
        Assert.All(Enumerable.Range(0, grid.CellCount).Where(grid.IsPartial), c => Assert.InRange(grid.CellAreaM2(c), 0, 10_000));
    }

    [Fact]
    public void Locate_SampleIncidents_InLambethCellsIffInsideTheBorough()
    {
        var lambeth = SampleBoundaries.Boroughs.Find("Lambeth")!;
        var grid = AnalysisGrid.Create(lambeth.Geometry);
        var locator = new NetTopologySuite.Algorithm.Locate.IndexedPointInAreaLocator(lambeth.Geometry);

        var disagreements = StreetCrimes.SampleIncidents.Where((_, i) => i % 7 == 0)
            .Count(incident => grid.Locate(incident.X, incident.Y) >= 0
                != (locator.Locate(new Coordinate(incident.X, incident.Y)) != Location.Exterior));

        Assert.Equal(0, disagreements);
    }

    [Theory]
    [InlineData("LINESTRING (0 0, 10 10)")]
    [InlineData("POLYGON EMPTY")]
    public void Create_NotAnArea_IsRefused(string wkt)
    {
        Assert.Throws<ArgumentException>(() => AnalysisGrid.Create(Wkt.Read(wkt)));
    }

    [Fact]
    public void CountPoints_ThreePoints_CountsPerCellIgnoringOutside()
    {
        var grid = AnalysisGrid.Create(Wkt.Read("POLYGON ((0 0, 200 0, 200 100, 0 100, 0 0))"));

        var counts = grid.CountPoints([(10, 10), (20, 20), (150, 50), (500, 500)]);

        Assert.Equal([2.0, 1.0], counts);
    }
}
