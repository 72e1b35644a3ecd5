using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using Targeting.Engine.Geography;

namespace Targeting.Engine.Tests.Geography;

public sealed class GazetteerTests
{
    private static readonly WKTReader Wkt = new();

    // A 150 m square; the points are metres in the square's CRS.
    private static readonly Geometry Square = Wkt.Read("POLYGON ((0 -10, 150 -10, 150 150, 0 150, 0 -10))");

    private static readonly StreetPoint[] Points =
    [
        new(0, 0, "A Road"),        // on the square's edge: covered
        new(50, 0, "A Road"),
        new(100, 0, "B Street"),
        new(0, 100, "C Lane"),
        new(1000, 1000, "Far Road"), // outside
    ];

    [Fact]
    public void Describe_HandWorkedSquare_RanksByIncidentsThenPointsAndNamesTheFirstThree()
    {
        // (100, 2), (101, 0), (99, -3): 2, 1 and 3 m from B Street's point.  (0, 3): 3 m from A Road (0, 0).
        // (1, 99): 1.4 m from C Lane.  (75, 0): 25 m from both A Road (50, 0) and B Street: no street.
        // (1000, 1000): at Far Road's point but outside the square: no street of the square.
        Coordinate[] incidents = [new(100, 2), new(101, 0), new(99, -3), new(0, 3), new(1, 99), new(75, 0), new(1000, 1000)];

        var context = new Gazetteer(Points).Describe(Square, incidents);

        Assert.Equal(
            [new StreetCount("B Street", 3, 1), new StreetCount("A Road", 1, 2), new StreetCount("C Lane", 1, 1)],
            context.Streets);
        // A Road and C Lane tie on incidents; A Road has two points.
        Assert.Equal("B Street / A Road / C Lane", context.Name);
    }

    [Fact]
    public void Describe_NoIncidents_RanksByPointsThenName()
    {
        var context = new Gazetteer(Points).Describe(Square, []);

        Assert.Equal(["A Road", "B Street", "C Lane"], context.Streets.Select(s => s.Street));
        Assert.All(context.Streets, s => Assert.Equal(0, s.Incidents));
    }

    [Fact]
    public void Describe_IncidentNearerAnUncoveredPoint_CountsForTheNearestCoveredPointWithinReach()
    {
        // The square starts at x = 0; "Outside Row" at (-1, 40) is not covered. An incident at (2, 40)
        // is 3 m from it but 7 m from "D Way" (2, 47): only covered points name the area, so D Way.
        var points = Points.Append(new StreetPoint(-1, 40, "Outside Row")).Append(new StreetPoint(2, 47, "D Way"));

        var context = new Gazetteer(points).Describe(Square, [new Coordinate(2, 40)]);

        Assert.Equal(new StreetCount("D Way", 1, 1), context.Streets[0]);
        Assert.DoesNotContain(context.Streets, s => s.Street == "Outside Row");
    }

    [Fact]
    public void Describe_IncidentOutsideTheArea_CountsForNoStreet()
    {
        // (-3, 0) is 3 m from A Road's point (0, 0) on the edge, but outside the square.
        var context = new Gazetteer(Points).Describe(Square, [new Coordinate(-3, 0), new Coordinate(0, -11)]);

        Assert.All(context.Streets, s => Assert.Equal(0, s.Incidents));
    }

    [Theory]
    [InlineData(9.9, 1)]
    [InlineData(10.1, 0)]
    public void Describe_IncidentAtTheMatchDistance_CountsOnlyWithinIt(double offset, long expected)
    {
        var context = new Gazetteer([new StreetPoint(50, 50, "Mid Street")]).Describe(Square, [new Coordinate(50 + offset, 50)]);

        Assert.Equal(expected, context.Streets.Single().Incidents);
    }

    [Fact]
    public void Describe_ThreeLongNames_NamesTheAreaByTwo()
    {
        StreetPoint[] points = [new(10, 10, "Northumberland Park Avenue"), new(20, 20, "Queen Elizabeth Gardens"), new(30, 30, "Saint Margaret's Crescent")];

        var context = new Gazetteer(points).Describe(Square, [new Coordinate(10, 10), new Coordinate(10, 10), new Coordinate(20, 20)]);

        // All three joined would be 26 + 23 + 25 + 6 = 80 characters, over 60.
        Assert.Equal("Northumberland Park Avenue / Queen Elizabeth Gardens", context.Name);
        Assert.Equal(3, context.Streets.Count);
    }

    [Fact]
    public void Describe_AreaWithNoPoints_IsNone()
    {
        var gazetteer = new Gazetteer(Points);

        Assert.Same(StreetContext.None, gazetteer.Describe(Wkt.Read("POLYGON ((300 300, 400 300, 400 400, 300 400, 300 300))"), [new Coordinate(350, 350)]));
        Assert.Same(StreetContext.None, new Gazetteer([]).Describe(Square, []));
        Assert.Same(StreetContext.None, gazetteer.Describe(Wkt.Read("POLYGON EMPTY"), []));
    }

    [Fact]
    public void Constructor_BlankStreetsAndBadDistance_SkipsAndThrows()
    {
        Assert.Equal(1, new Gazetteer([new StreetPoint(0, 0, " "), new StreetPoint(1, 1, "Real Road")]).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Gazetteer(Points, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Gazetteer(Points, double.NaN));
    }
}
