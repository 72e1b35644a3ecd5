using NetTopologySuite.Geometries;
using Targeting.Engine.Geography;

namespace Targeting.Engine.Tests.Geography;

public sealed class AreaLocatorTests
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 27700);

    // An L: the square (0,0)-(200,200) without its top-right quarter, so (150,150) is inside the box but outside the area.
    private static readonly Polygon L = Factory.CreatePolygon(
        [new(0, 0), new(200, 0), new(200, 100), new(100, 100), new(100, 200), new(0, 200), new(0, 0)]);

    [Theory]
    [InlineData(50, 50, true)]    // inside
    [InlineData(200, 50, true)]   // on the outer edge
    [InlineData(100, 150, true)]  // on the inner edge
    [InlineData(150, 150, false)] // in the bounding box, outside the area
    [InlineData(250, 50, false)]  // outside the bounding box
    [InlineData(-1e6, 1e6, false)]
    public void Covers_PointsAroundAnL_InsideOrOnTheBoundaryOnly(double x, double y, bool covered)
    {
        var locator = new AreaLocator(L);

        Assert.Equal(covered, locator.Covers(x, y));
        Assert.Equal(L.Covers(Factory.CreatePoint(new Coordinate(x, y))), locator.Covers(x, y));
    }

    [Fact]
    public void Covers_EmptyArea_Nothing()
    {
        var locator = new AreaLocator(Factory.CreatePolygon());

        Assert.False(locator.Covers(0, 0));
    }
}
