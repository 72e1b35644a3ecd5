using NetTopologySuite.IO;
using Targeting.Engine.Geography;
using Targeting.Engine.Tests.Support;

namespace Targeting.Engine.Tests.Geography;

public sealed class BoundarySetTests
{
    private static readonly WKTReader Wkt = new();

    [Fact]
    public void FromGeoJson_SampleWards_ReadsKindCodeParentAndProjectsToMetres()
    {
        var wards = SampleBoundaries.Wards;

        Assert.Equal(38, wards.Count);
        var abbey = wards.Find("Abbey");
        Assert.NotNull(abbey);
        Assert.Equal("E05000026", abbey.Code);
        Assert.Equal(BoundaryKinds.Ward, abbey.Kind);
        Assert.Equal("Barking and Dagenham", abbey.ParentName);
        Assert.Equal(17, wards.All.Count(w => w.ParentName == "Barking and Dagenham"));
    }

    [Fact]
    public void FromGeoJson_SampleBoroughs_AreaMatchesTheFilesLandHectares()
    {
        // The GLA file gives HECTARES (with the river) and NONLD_AREA (the non-land part); the polygons are
        // clipped at mean high water, so their area is the land area, 2724.94 − 43.927 ha. Not exact: the
        // GeoJSON went through a reprojection to 6-decimal degrees.
        var lambeth = SampleBoundaries.Boroughs.Find("E09000022");

        Assert.NotNull(lambeth);
        Assert.Equal("Lambeth", lambeth.Name);
        Assert.Equal(BoundaryKinds.Borough, lambeth.Kind);
        Assert.Equal((2724.94 - 43.927) * 10_000, lambeth.AreaM2, 2681.013 * 10_000 * 0.0005);
    }

    [Fact]
    public void Find_NameInOtherCase_FindsIt()
    {
        Assert.Equal("E09000002", SampleBoundaries.Boroughs.Find("barking AND dagenham")?.Code);
    }

    [Fact]
    public void Find_UnknownName_ReturnsNull()
    {
        Assert.Null(SampleBoundaries.Boroughs.Find("Atlantis"));
    }

    [Fact]
    public void Find_NameSharedByTwoWards_ThrowsListingThemUnlessGivenTheCode()
    {
        var set = new BoundarySet(
        [
            new Boundary("Abbey", "E05000026", BoundaryKinds.Ward, "Barking and Dagenham", Wkt.Read("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))")),
            new Boundary("Abbey", "E05000457", BoundaryKinds.Ward, "Merton", Wkt.Read("POLYGON ((20 0, 30 0, 30 10, 20 10, 20 0))")),
        ]);

        var error = Assert.Throws<ArgumentException>(() => set.Find("Abbey"));

        Assert.Contains("Merton", error.Message, StringComparison.Ordinal);
        Assert.Contains("Barking and Dagenham", error.Message, StringComparison.Ordinal);
        Assert.Equal("Merton", set.Find("E05000457")?.ParentName);
    }

    [Fact]
    public void Locate_PointInLambethWard_FindsTheWardAndBorough()
    {
        // A sample row: (-0.1114, 51.4908) is in Lambeth, ward Prince's (from the extract's own columns).
        var (x, y) = Projection.BritishNationalGrid.Project(-0.1114, 51.4908);
        var all = BoundarySet.Combine(SampleBoundaries.Boroughs, SampleBoundaries.Wards);

        Assert.Equal("Prince's", all.Locate(x, y, BoundaryKinds.Ward)?.Name);
        Assert.Equal("Lambeth", all.Locate(x, y, BoundaryKinds.Borough)?.Name);
        Assert.Equal("Lambeth", all.Locate(x, y)?.Name);
    }

    [Fact]
    public void Locate_SampleRows_AgreesWithTheExtractsWardColumnForNearlyAll()
    {
        // The extract's ward column was made by point-in-polygon on the same boundaries (before rounding
        // coordinates to 4 decimals), so a few points near edges may differ; nearly all must agree.
        var rows = StreetCrimes.Sample.Where((_, i) => i % 20 == 0).ToList();
        var incidents = StreetCrimes.ToIncidents(rows, Projection.BritishNationalGrid);
        var wards = SampleBoundaries.Wards;

        var agree = rows.Select((row, i) => wards.Locate(incidents[i].X, incidents[i].Y)?.Name == row.Ward).Count(same => same);

        Assert.True(agree >= rows.Count * 0.99, $"{agree} of {rows.Count} agree");
    }

    [Fact]
    public void Overlapping_SquareAcrossTwoAreas_ListsBothButNotTheOneOnlyTouching()
    {
        var set = new BoundarySet(
        [
            new Boundary("West", "W", "area", null, Wkt.Read("POLYGON ((0 0, 100 0, 100 100, 0 100, 0 0))")),
            new Boundary("East", "E", "area", null, Wkt.Read("POLYGON ((100 0, 200 0, 200 100, 100 100, 100 0))")),
            new Boundary("North", "N", "area", null, Wkt.Read("POLYGON ((0 100, 200 100, 200 200, 0 200, 0 100))")),
        ]);

        var hits = set.Overlapping(Wkt.Read("POLYGON ((50 0, 150 0, 150 100, 50 100, 50 0))"));

        Assert.Equal(["West", "East"], hits.Select(b => b.Name));
    }

    [Fact]
    public void Constructor_SelfIntersectingBowtie_RepairsIt()
    {
        var set = new BoundarySet([new Boundary("Bowtie", "", "area", null, Wkt.Read("POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0))"))]);

        Assert.True(set.All[0].Geometry.IsValid);
        Assert.Equal(50.0, set.All[0].AreaM2, 9);
    }

    [Fact]
    public void FromGeoJson_FeatureWithoutNameOrCode_IsRefused()
    {
        const string json = """{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"x":1},"geometry":{"type":"Polygon","coordinates":[[[0,51],[0.01,51],[0.01,51.01],[0,51]]]}}]}""";

        var error = Assert.Throws<GeoJsonException>(() => BoundarySet.FromGeoJson(json, Projection.BritishNationalGrid));

        Assert.Contains("needs a name or a code", error.Message, StringComparison.Ordinal);
    }
}
