using Targeting.Engine.Geography;
using Targeting.Stops.Geography;

namespace Targeting.Stops.Tests.Validation;

public sealed class ForceBoundaryTests
{
    [Theory]
    [InlineData(51.4627, -0.1145, true)] // Brixton, Lambeth
    [InlineData(51.5396, 0.0810, true)] // Barking
    [InlineData(51.471408, -0.096369, true)] // 92.8 m outside Lambeth (PostGIS), within 100 m
    [InlineData(51.488765, -0.103626, false)] // 110.8 m outside Lambeth (PostGIS)
    [InlineData(51.5390, -0.1426, false)] // Camden Town
    [InlineData(55.9533, -3.1883, false)] // Edinburgh
    public void Accepts_PointsAroundTheSampleBoroughs_AsPostGisDistancesSay(double latitude, double longitude, bool expected)
    {
        Assert.Equal(expected, TestEncounters.SampleBoundary.Accepts(latitude, longitude));
    }

    [Fact]
    public void Accepts_NoTolerance_PointJustOutsideRejected()
    {
        var strict = ForceBoundary.Load(TestEncounters.SampleBoundaryPath, 0);

        Assert.False(strict.Accepts(51.471408, -0.096369));
        Assert.True(strict.Accepts(51.4627, -0.1145));
    }

    [Theory]
    [InlineData("Lambeth")]
    [InlineData("lambeth")]
    [InlineData("E09000022")]
    public void Find_NameOrGssCode_ReturnsTheBorough(string key)
    {
        var lambeth = TestEncounters.SampleBoundary.Find(key);

        Assert.NotNull(lambeth);
        // PostGIS: ST_Area(ST_Transform(geom, 27700)) of Lambeth is 2,681.00 ha (the GLA's 2,724.94
        // ha less 43.93 ha of river, since the polygons exclude the Thames below high water).
        Assert.Equal(2_681.00, Projection.BritishNationalGrid.Project(lambeth!).Area / 10_000, 0.5);
    }

    [Fact]
    public void Find_UnknownName_Null()
    {
        Assert.Null(TestEncounters.SampleBoundary.Find("Camden"));
    }

}
