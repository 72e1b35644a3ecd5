using System.Text.Json;
using NetTopologySuite.Geometries;

namespace Targeting.Stops.Geography;

/// <summary>A named feature from a GeoJSON file: a boundary with its NAME and GSS_CODE properties.</summary>
public sealed record BoundaryFeature(string Name, string Code, Geometry Geometry);

/// <summary>
/// Reads the GeoJSON the service needs (RFC 7946, WGS84 longitude/latitude): Polygon and
/// MultiPolygon geometries, bare or in a Feature or FeatureCollection. Written here because
/// NetTopologySuite.IO.GeoJSON4STJ cannot be restored (../shared/docs/ENVIRONMENT.md).
/// </summary>
public static class GeoJson
{
    /// <summary>WGS84 geometries: x is longitude, y is latitude (EPSG:4326).</summary>
    public static readonly GeometryFactory Wgs84 = new(new PrecisionModel(), 4326);

    /// <summary>Reads every polygonal feature with its name and code; throws FormatException on bad input.</summary>
    public static IReadOnlyList<BoundaryFeature> ReadFeatures(string json)
    {
        using var document = Parse(json);
        var root = document.RootElement;
        var features = new List<BoundaryFeature>();
        switch (TypeOf(root))
        {
            case "FeatureCollection":
                if (!root.TryGetProperty("features", out var list) || list.ValueKind != JsonValueKind.Array)
                {
                    throw new FormatException("a FeatureCollection needs a 'features' array");
                }

                foreach (var feature in list.EnumerateArray())
                {
                    features.Add(ReadFeature(feature, features.Count));
                }

                break;
            case "Feature":
                features.Add(ReadFeature(root, 0));
                break;
            default:
                features.Add(new BoundaryFeature("", "", ReadGeometry(root)));
                break;
        }

        return features;
    }

    /// <summary>Reads any of the accepted shapes as one (multi)polygon; throws FormatException on bad input.</summary>
    public static Geometry ReadArea(string json)
    {
        var features = ReadFeatures(json);
        if (features.Count == 0)
        {
            throw new FormatException("the FeatureCollection has no features");
        }

        return features.Count == 1
            ? features[0].Geometry
            : Wgs84.BuildGeometry(features.Select(f => f.Geometry).ToList()).Union();
    }

    private static JsonDocument Parse(string json)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new FormatException("not valid JSON: " + e.Message, e);
        }
    }

    private static string TypeOf(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
            ? type.GetString()!
            : throw new FormatException("a GeoJSON object needs a string 'type'");

    private static BoundaryFeature ReadFeature(JsonElement feature, int index)
    {
        if (TypeOf(feature) != "Feature")
        {
            throw new FormatException($"features[{index}] is not a Feature");
        }

        if (!feature.TryGetProperty("geometry", out var geometry) || geometry.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"features[{index}] has no geometry");
        }

        return new BoundaryFeature(Property(feature, "NAME"), Property(feature, "GSS_CODE"), ReadGeometry(geometry));
    }

    private static string Property(JsonElement feature, string name) =>
        feature.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object
            && properties.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : "";

    private static Geometry ReadGeometry(JsonElement geometry)
    {
        var type = TypeOf(geometry);
        if (!geometry.TryGetProperty("coordinates", out var coordinates) || coordinates.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"the {type} has no 'coordinates' array");
        }

        return type switch
        {
            "Polygon" => ReadPolygon(coordinates),
            "MultiPolygon" => Wgs84.CreateMultiPolygon(coordinates.EnumerateArray().Select(ReadPolygon).ToArray()),
            _ => throw new FormatException($"geometry type '{type}' is not a Polygon or MultiPolygon"),
        };
    }

    private static Polygon ReadPolygon(JsonElement rings)
    {
        if (rings.ValueKind != JsonValueKind.Array || rings.GetArrayLength() == 0)
        {
            throw new FormatException("a polygon needs at least one ring");
        }

        var linear = rings.EnumerateArray().Select(ReadRing).ToArray();
        return Wgs84.CreatePolygon(linear[0], linear[1..]);
    }

    private static LinearRing ReadRing(JsonElement ring)
    {
        if (ring.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("a ring must be an array of positions");
        }

        var points = new List<Coordinate>(ring.GetArrayLength() + 1);
        foreach (var position in ring.EnumerateArray())
        {
            if (position.ValueKind != JsonValueKind.Array || position.GetArrayLength() < 2
                || position[0].ValueKind != JsonValueKind.Number || position[1].ValueKind != JsonValueKind.Number)
            {
                throw new FormatException("a position must be [longitude, latitude]");
            }

            points.Add(new Coordinate(position[0].GetDouble(), position[1].GetDouble()));
        }

        return Rings.Close(points);
    }
}

/// <summary>Ring helpers shared by the GeoJSON reader and the proto polygon mapping.</summary>
public static class Rings
{
    /// <summary>Closes a ring if its last point is not its first; needs 3 distinct points.</summary>
    public static LinearRing Close(List<Coordinate> points)
    {
        foreach (var point in points)
        {
            if (!double.IsFinite(point.X) || !double.IsFinite(point.Y) || Math.Abs(point.X) > 180 || Math.Abs(point.Y) > 90)
            {
                throw new FormatException($"position ({point.X}, {point.Y}) is not a longitude/latitude in range");
            }
        }

        if (points.Count > 0 && !points[0].Equals2D(points[^1]))
        {
            points.Add(points[0].Copy());
        }

        if (points.Count < 4)
        {
            throw new FormatException("a ring needs at least 3 distinct points");
        }

        return GeoJson.Wgs84.CreateLinearRing(points.ToArray());
    }
}
