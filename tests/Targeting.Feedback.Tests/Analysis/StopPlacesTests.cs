using Targeting.Engine.Geography;
using Targeting.Feedback.Analysis;
using Targeting.Testing;

namespace Targeting.Feedback.Tests.Analysis;

/// <summary>
/// <see cref="StopPlaces"/> remembers points; what it answers must be what projecting and
/// locating each point afresh answers, remembered or not.
/// </summary>
public sealed class StopPlacesTests
{
    private static readonly BoundarySet Boroughs = BoundarySet.FromGeoJson(
        File.ReadAllText(RepoPaths.InRepo("data", "boundaries", "london_boroughs_barking_dagenham_lambeth.geojson")), Projection.BritishNationalGrid, BoundaryKinds.Borough);

    // Brixton (Lambeth), Barking (Barking and Dagenham), Camden (neither sample borough), and Brixton's
    // longitude at Camden's latitude (neither: the memo is keyed by both coordinates), each twice.
    private static readonly (double Longitude, double Latitude)[] Points =
        [(-0.1145, 51.4627), (0.0810, 51.5396), (-0.1426, 51.5390), (-0.1145, 51.5390), (-0.1145, 51.4627), (0.0810, 51.5396), (-0.1426, 51.5390), (-0.1145, 51.5390)];

    [Theory]
    [InlineData(StopPlaces.DefaultCapacity)]
    [InlineData(1)]
    [InlineData(0)]
    public void Locate_RepeatedPoints_SameAsProjectingAndLocatingAfresh(int capacity)
    {
        var places = new StopPlaces(Projection.BritishNationalGrid, Boroughs, capacity);

        var placed = Points.Select(p => places.Locate(p.Longitude, p.Latitude)).ToList();

        var expected = Points.Select(p =>
        {
            var (x, y) = Projection.BritishNationalGrid.Project(p.Longitude, p.Latitude);
            var borough = Boroughs.Locate(x, y);
            return (x, y, Name: borough?.Name);
        }).ToList();
        Assert.Equal(["Lambeth", "Barking and Dagenham", null, null, "Lambeth", "Barking and Dagenham", null, null], expected.Select(e => e.Name));
        Assert.Equal(expected.Select(e => (e.x, e.y)), placed.Select(p => (p.X, p.Y)));
        Assert.Equal(expected.Select(e => e.Name), placed.Select(p => p.Borough < 0 ? null : places.Boroughs[p.Borough].Name));
    }
}
