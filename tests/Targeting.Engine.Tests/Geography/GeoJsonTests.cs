using System.Text.Json;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using Targeting.Engine.Geography;
using Targeting.Engine.Tests.Support;

namespace Targeting.Engine.Tests.Geography;

public sealed class GeoJsonTests
{
    private static readonly WKTReader Wkt = new();

    [Fact]
    public void ReadFeatures_SampleBoroughs_ReadsTwoPolygonsWithProperties()
    {
        var features = GeoJson.ReadFeatures(File.ReadAllText(SampleBoundaries.Path("london_boroughs_barking_dagenham_lambeth.geojson")));

        Assert.Equal(2, features.Count);
        var lambeth = Assert.Single(features, f => f.GetText("NAME") == "Lambeth");
        Assert.Equal("E09000022", lambeth.GetText("GSS_CODE"));
        Assert.Equal(2724.94, (double)lambeth.Properties["HECTARES"]!, 6);
        Assert.Null(lambeth.Properties["SUB_2009"]);
        Assert.IsType<Polygon>(lambeth.Geometry);
        Assert.Equal("-0.128456", lambeth.Geometry.Coordinates[0].X.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("POINT (1.5 2.5)")]
    [InlineData("MULTIPOINT ((1 2), (3 4))")]
    [InlineData("LINESTRING (0 0, 1 1, 2 0)")]
    [InlineData("MULTILINESTRING ((0 0, 1 1), (2 2, 3 3))")]
    [InlineData("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 4 2, 2 2))")]
    [InlineData("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))")]
    [InlineData("GEOMETRYCOLLECTION (POINT (1 1), LINESTRING (0 0, 1 1))")]
    public void WriteGeometryThenRead_EachType_RoundTripsToTheSameNormalizedGeometry(string wkt)
    {
        var geometry = Wkt.Read(wkt);

        var back = GeoJson.ReadGeometry(GeoJson.WriteGeometry(geometry));

        Assert.True(geometry.Normalized().EqualsExact(back.Normalized()), $"{geometry} became {back}");
    }

    [Fact]
    public void WriteGeometry_ClockwiseShellAndCounterClockwiseHole_WritesRfc7946Winding()
    {
        // Shell clockwise, hole counter-clockwise: the opposite of RFC 7946's rule.
        var polygon = Wkt.Read("POLYGON ((0 0, 0 10, 10 10, 10 0, 0 0), (2 2, 4 2, 4 4, 2 4, 2 2))");

        using var json = JsonDocument.Parse(GeoJson.WriteGeometry(polygon));

        var rings = json.RootElement.GetProperty("coordinates");
        Assert.True(NetTopologySuite.Algorithm.Orientation.IsCCW(Ring(rings[0])), "shell must be counter-clockwise");
        Assert.False(NetTopologySuite.Algorithm.Orientation.IsCCW(Ring(rings[1])), "hole must be clockwise");
    }

    [Fact]
    public void WriteFeatureCollection_FeatureWithProperties_WritesTypedValuesAndRoundsCoordinates()
    {
        var feature = new GeoJsonFeature(
            Wkt.Read("POINT (-0.12345678 51.98765432)"),
            new Dictionary<string, object?>
            {
                ["area_id"] = "A1",
                ["rank"] = 1,
                ["share"] = 0.125,
                ["wards"] = new[] { "Abbey", "Gascoigne" },
                ["note"] = null,
                ["counts"] = new Dictionary<string, object?> { ["Robbery"] = 3L },
            },
            "A1");

        var text = GeoJson.WriteFeatureCollection([feature], coordinateDecimals: 6, new Dictionary<string, object?> { ["name"] = "plan" });
        using var json = JsonDocument.Parse(text);

        var root = json.RootElement;
        Assert.Equal("FeatureCollection", root.GetProperty("type").GetString());
        Assert.Equal("plan", root.GetProperty("name").GetString());
        var written = root.GetProperty("features")[0];
        Assert.Equal("A1", written.GetProperty("id").GetString());
        var properties = written.GetProperty("properties");
        Assert.Equal(1, properties.GetProperty("rank").GetInt32());
        Assert.Equal(0.125, properties.GetProperty("share").GetDouble());
        Assert.Equal("Gascoigne", properties.GetProperty("wards")[1].GetString());
        Assert.Equal(JsonValueKind.Null, properties.GetProperty("note").ValueKind);
        Assert.Equal(3, properties.GetProperty("counts").GetProperty("Robbery").GetInt64());
        var position = written.GetProperty("geometry").GetProperty("coordinates");
        Assert.Equal(-0.123457, position[0].GetDouble());
        Assert.Equal(51.987654, position[1].GetDouble());
    }

    [Fact]
    public void ReadFeatures_OpenRing_ClosesIt()
    {
        const string json = """{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}""";

        var polygon = GeoJson.ReadGeometry(json);

        Assert.Equal(1.0, polygon.Area, 12);
        Assert.True(polygon.IsValid);
    }

    [Theory]
    [InlineData("""{"type":"FeatureCollection"}""", "$.features")]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}}]}""", "$.features[0].geometry: not a valid Polygon: a linear ring needs at least 4 positions")]
    [InlineData("""{"type":"Point","coordinates":["a",1]}""", "$: not a valid Point", "'a'")] // the library's text names the token it did not expect
    [InlineData("""{"type":"Hexagon","coordinates":[]}""", "unknown geometry type \"Hexagon\"")]
    [InlineData("""{"type":"Feature","properties":{},"geometry":{"type":"Hexagon","coordinates":[]}}""", "$.geometry.type: unknown geometry type")]
    [InlineData("""{"type":"GeometryCollection","geometries":[{"type":"Hexagon","coordinates":[]}]}""", "$: not a valid GeometryCollection", "Hexagon")]
    [InlineData("""{"type":"GeometryCollection","geometries":[{"type":"7","coordinates":[1,2]}]}""", "$: not a valid GeometryCollection")]
    [InlineData("""{"type":"GeometryCollection","geometries":[{"type":"Feature","coordinates":[1,2]}]}""", "$: not a valid GeometryCollection")]
    [InlineData("""{"type":"GeometryCollection","geometries":[{"type":"99","coordinates":[1,2]}]}""", "$: not a valid GeometryCollection")]
    [InlineData("""{"type":"GeometryCollection","geometries":[null]}""", "$: not a valid GeometryCollection")]
    [InlineData("""{"type":"Feature","properties":{},"geometry":null}""", "$.geometry")]
    [InlineData("""{"type":"FeatureCollection","features":[{"properties":{},"geometry":{"type":"Point","coordinates":[1,2]}}]}""", "$.features[0].type")]
    [InlineData("""{"type":"LineString","coordinates":[[1,2]]}""", "$: not a valid LineString", "LineString")]
    [InlineData("""{"type":"Point","coordinates":[1e400,2]}""", "$: not a valid Point: ordinates must be finite")]
    [InlineData("""{"type":"GeometryCollection"}""", "$: not a valid GeometryCollection", "geometries")]
    [InlineData("""[1,2]""", "$: expected a GeoJSON object")]
    [InlineData("""{"type":""", "not valid JSON")]
    public void ReadFeatures_BadDocument_ThrowsNamingThePlace(string json, string expected, string? alsoExpected = null)
    {
        var error = Assert.Throws<GeoJsonException>(() => GeoJson.ReadFeatures(json));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(alsoExpected ?? expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFeatures_MangledDocuments_ReadOrThrowGeoJsonExceptionOnly()
    {
        // Bad input of any shape is a GeoJsonException (a FormatException), never a JsonException, an
        // ArgumentException from NTS or anything else from the library.
        const string valid = """
            {"type":"FeatureCollection","features":[
              {"type":"Feature","id":1,"properties":{"n":"a","v":1.5,"l":[1,2],"o":{"k":null}},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]],[[0.2,0.1],[0.3,0.1],[0.3,0.2],[0.2,0.1]]]}},
              {"type":"Feature","properties":null,"geometry":{"type":"MultiPolygon","coordinates":[[[[5,5],[6,5],[6,6],[5,5]]]]}},
              {"type":"Feature","properties":{},"geometry":{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},{"type":"LineString","coordinates":[[0,0],[1,1]]},{"type":"MultiPoint","coordinates":[[1,2]]},{"type":"MultiLineString","coordinates":[[[0,0],[1,1]]]}]}}]}
            """;
        Assert.Equal(3, GeoJson.ReadFeatures(valid).Count);
        string[] pieces = ["[", "]", "{", "}", ",", "null", "\"type\"", "\"Point\"", "\"Polygon\"", "\"x\"", "1", "-1e999", "[]", "[[]]", "true", ":"];
        var random = new Random(20240510);
        var other = new List<string>();
        for (var i = 0; i < 3000; i++)
        {
            var text = valid;
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                var at = random.Next(text.Length);
                var length = random.Next(0, 6);
                text = text[..at] + pieces[random.Next(pieces.Length)] + text[Math.Min(text.Length, at + length)..];
            }

            try
            {
                GeoJson.ReadFeatures(text);
            }
            catch (GeoJsonException)
            {
            }
            catch (Exception e)
            {
                other.Add($"{e.GetType().Name}: {e.Message} for {text}");
            }
        }

        Assert.Empty(other);
    }

    [Fact]
    public void ReadFeatures_ThirdOrdinateForeignMembersAndNumberId_ReadsPlanarGeometryOnTheCallersFactory()
    {
        const string json = """
            {"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[
              {"type":"Feature","id":42,"title":"foreign","properties":{"n":1},"geometry":{"type":"LineString","bbox":[0,0,1,1],"coordinates":[[0,0,5],[1,1,7]]}},
              {"type":"Feature","properties":{},"geometry":{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[]},{"type":"Polygon","coordinates":[]}]}}]}
            """;

        var features = GeoJson.ReadFeatures(json, Projection.Wgs84Factory);

        Assert.Equal("42", features[0].Id);
        var line = Assert.IsType<LineString>(features[0].Geometry);
        Assert.Equal(2, line.CoordinateSequence.Dimension);
        Assert.True(double.IsNaN(line.GetCoordinateN(1).Z));
        Assert.Equal(4326, line.SRID);
        Assert.Same(Projection.Wgs84Factory, line.Factory);
        var collection = Assert.IsType<GeometryCollection>(features[1].Geometry);
        Assert.All(collection.Geometries, part => Assert.Same(Projection.Wgs84Factory, part.Factory));
        Assert.True(collection.Geometries.All(part => part.IsEmpty));
    }

    [Fact]
    public void WriteFeatureCollection_MultiPolygonWithClockwiseShellAndHole_WritesShellsCounterClockwiseHolesClockwiseRounded()
    {
        // Both parts given the wrong way round; the first also has a hole given counter-clockwise.
        var shape = Wkt.Read("MULTIPOLYGON (((0 0, 0 10.123456789, 10 10, 10 0, 0 0), (2 2, 4 2, 4 4, 2 4, 2 2)), ((20 0, 20 1, 21 1, 20 0)))");

        var text = GeoJson.WriteFeatureCollection([new GeoJsonFeature(shape, new Dictionary<string, object?> { ["nan"] = double.NaN }, "P1")], coordinateDecimals: 3);
        using var json = JsonDocument.Parse(text);

        var feature = json.RootElement.GetProperty("features")[0];
        Assert.Equal("P1", feature.GetProperty("id").GetString());
        Assert.False(feature.GetProperty("properties").TryGetProperty(NetTopologySuite.IO.Converters.GeoJsonConverterFactory.DefaultIdPropertyName, out _));
        Assert.Equal(JsonValueKind.Null, feature.GetProperty("properties").GetProperty("nan").ValueKind);
        var polygons = feature.GetProperty("geometry").GetProperty("coordinates");
        Assert.True(NetTopologySuite.Algorithm.Orientation.IsCCW(Ring(polygons[0][0])), "first shell must be counter-clockwise");
        Assert.False(NetTopologySuite.Algorithm.Orientation.IsCCW(Ring(polygons[0][1])), "hole must be clockwise");
        Assert.True(NetTopologySuite.Algorithm.Orientation.IsCCW(Ring(polygons[1][0])), "second shell must be counter-clockwise");
        Assert.Contains("10.123", text, StringComparison.Ordinal);
        Assert.DoesNotContain("10.1234", text, StringComparison.Ordinal);
        var back = GeoJson.ReadGeometry(text);
        Assert.Equal(shape.Area, back.Area, 1);
        Assert.True(back.IsValid);
    }

    [Fact]
    public void ReadGeometry_CollectionOfTwoPolygonFeatures_ReturnsMultiPolygon()
    {
        const string json = """
            {"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"n":1},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},
              {"type":"Feature","properties":{"n":2},"geometry":{"type":"Polygon","coordinates":[[[5,5],[6,5],[6,6],[5,5]]]}}]}
            """;

        var geometry = GeoJson.ReadGeometry(json);

        Assert.IsType<MultiPolygon>(geometry);
        Assert.Equal(1.0, geometry.Area, 12);
    }

    [Fact]
    public void ReadFeatures_EmptyCollection_ReturnsNoFeatures()
    {
        Assert.Empty(GeoJson.ReadFeatures("""{"type":"FeatureCollection","features":[]}"""));
    }

    private static Coordinate[] Ring(JsonElement ring) =>
        ring.EnumerateArray().Select(p => new Coordinate(p[0].GetDouble(), p[1].GetDouble())).ToArray();
}
