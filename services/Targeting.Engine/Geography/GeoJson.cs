using System.Globalization;
using System.Text;
using System.Text.Json;
using NetTopologySuite.Algorithm;
using NetTopologySuite.Geometries;

namespace Targeting.Engine.Geography;

/// <summary>One GeoJSON feature: a geometry, its properties and its optional id.</summary>
/// <param name="Geometry">The geometry, in whatever CRS the document uses (WGS84 for RFC 7946).</param>
/// <param name="Properties">Property values: <see cref="string"/>, <see cref="double"/>, <see cref="bool"/>,
/// <see langword="null"/>, or a <see cref="JsonElement"/> for nested objects and arrays.</param>
/// <param name="Id">The feature's "id" member as text, if it had one.</param>
public sealed record GeoJsonFeature(Geometry Geometry, IReadOnlyDictionary<string, object?> Properties, string? Id = null)
{
    /// <summary>The property's value as text (numbers in invariant culture), or null when absent or null.</summary>
    public string? GetText(string name) => Properties.TryGetValue(name, out var value) ? value switch
    {
        null => null,
        string s => s,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        JsonElement e => e.GetRawText(),
        _ => System.Convert.ToString(value, CultureInfo.InvariantCulture),
    } : null;
}

/// <summary>A GeoJSON document that could not be read, with the JSON path of the problem.</summary>
public sealed class GeoJsonException(string message) : FormatException(message);

/// <summary>
/// Reads and writes GeoJSON (RFC 7946) with System.Text.Json: FeatureCollection, Feature and the
/// geometry types Point, MultiPoint, LineString, MultiLineString, Polygon, MultiPolygon and
/// GeometryCollection.
/// </summary>
/// <remarks>
/// Coordinates are read as given (x = first ordinate, y = second; a third is ignored); no CRS is
/// assumed, so callers project WGS84 input themselves with <see cref="Projection"/>. Polygon rings
/// are written with RFC 7946's winding (exterior counter-clockwise, holes clockwise) and
/// coordinates rounded to a number of decimals (default 6, about 0.1 m in degrees).
/// Empty input: an empty FeatureCollection reads as an empty list. Thread safety: stateless, safe.
/// Errors throw <see cref="GeoJsonException"/> naming the JSON path, e.g.
/// <c>$.features[3].geometry.coordinates[0]: a linear ring needs at least 4 positions</c>.
/// </remarks>
public static class GeoJson
{
    private static readonly GeometryFactory DefaultFactory = new(new PrecisionModel(), 0);

    /// <summary>Reads a FeatureCollection, a Feature, or a bare geometry (as one feature with no properties).</summary>
    public static IReadOnlyList<GeoJsonFeature> ReadFeatures(string json, GeometryFactory? factory = null)
    {
        using var document = Parse(json);
        var reader = new Reader(factory ?? DefaultFactory);
        return reader.ReadFeatures(document.RootElement);
    }

    /// <summary>
    /// Reads one geometry from a geometry, Feature or FeatureCollection document; several features
    /// become one geometry (a MultiPolygon when they are all polygonal, else a GeometryCollection).
    /// </summary>
    public static Geometry ReadGeometry(string json, GeometryFactory? factory = null)
    {
        var f = factory ?? DefaultFactory;
        var features = ReadFeatures(json, f);
        if (features.Count == 1)
        {
            return features[0].Geometry;
        }

        return f.BuildGeometry(features.Select(feature => feature.Geometry).ToList());
    }

    /// <summary>Writes a FeatureCollection.</summary>
    /// <param name="features">The features, written in order.</param>
    /// <param name="coordinateDecimals">Decimals kept per ordinate (default 6).</param>
    /// <param name="members">Extra top-level members (e.g. "name"), written before "features".</param>
    public static string WriteFeatureCollection(IEnumerable<GeoJsonFeature> features, int coordinateDecimals = 6,
        IReadOnlyDictionary<string, object?>? members = null)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            WriteFeatureCollection(writer, features, coordinateDecimals, members);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Writes a FeatureCollection to a JSON writer.</summary>
    public static void WriteFeatureCollection(Utf8JsonWriter writer, IEnumerable<GeoJsonFeature> features, int coordinateDecimals = 6,
        IReadOnlyDictionary<string, object?>? members = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(features);
        writer.WriteStartObject();
        writer.WriteString("type", "FeatureCollection");
        if (members is not null)
        {
            foreach (var (name, value) in members)
            {
                writer.WritePropertyName(name);
                WriteValue(writer, value);
            }
        }

        writer.WriteStartArray("features");
        foreach (var feature in features)
        {
            WriteFeature(writer, feature, coordinateDecimals);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Writes one geometry as a GeoJSON geometry object.</summary>
    public static string WriteGeometry(Geometry geometry, int coordinateDecimals = 6)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteGeometry(writer, geometry, coordinateDecimals);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Writes one feature object.</summary>
    public static void WriteFeature(Utf8JsonWriter writer, GeoJsonFeature feature, int coordinateDecimals = 6)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(feature);
        writer.WriteStartObject();
        writer.WriteString("type", "Feature");
        if (feature.Id is not null)
        {
            writer.WriteString("id", feature.Id);
        }

        writer.WriteStartObject("properties");
        foreach (var (name, value) in feature.Properties)
        {
            writer.WritePropertyName(name);
            WriteValue(writer, value);
        }

        writer.WriteEndObject();
        writer.WritePropertyName("geometry");
        WriteGeometry(writer, feature.Geometry, coordinateDecimals);
        writer.WriteEndObject();
    }

    /// <summary>Writes one geometry object.</summary>
    public static void WriteGeometry(Utf8JsonWriter writer, Geometry geometry, int coordinateDecimals = 6)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentOutOfRangeException.ThrowIfNegative(coordinateDecimals);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(coordinateDecimals, 15);
        writer.WriteStartObject();
        switch (geometry)
        {
            case Point point:
                writer.WriteString("type", "Point");
                writer.WritePropertyName("coordinates");
                if (point.IsEmpty)
                {
                    writer.WriteStartArray();
                    writer.WriteEndArray();
                }
                else
                {
                    WritePosition(writer, point.X, point.Y, coordinateDecimals);
                }

                break;
            case MultiPoint multiPoint:
                writer.WriteString("type", "MultiPoint");
                writer.WriteStartArray("coordinates");
                foreach (var part in multiPoint.Geometries.Cast<Point>())
                {
                    WritePosition(writer, part.X, part.Y, coordinateDecimals);
                }

                writer.WriteEndArray();
                break;
            case LinearRing or LineString:
                writer.WriteString("type", "LineString");
                writer.WritePropertyName("coordinates");
                WritePositions(writer, ((LineString)geometry).CoordinateSequence, coordinateDecimals, reverse: false);
                break;
            case MultiLineString multiLine:
                writer.WriteString("type", "MultiLineString");
                writer.WriteStartArray("coordinates");
                foreach (var part in multiLine.Geometries.Cast<LineString>())
                {
                    WritePositions(writer, part.CoordinateSequence, coordinateDecimals, reverse: false);
                }

                writer.WriteEndArray();
                break;
            case Polygon polygon:
                writer.WriteString("type", "Polygon");
                writer.WritePropertyName("coordinates");
                WritePolygonRings(writer, polygon, coordinateDecimals);
                break;
            case MultiPolygon multiPolygon:
                writer.WriteString("type", "MultiPolygon");
                writer.WriteStartArray("coordinates");
                foreach (var part in multiPolygon.Geometries.Cast<Polygon>())
                {
                    WritePolygonRings(writer, part, coordinateDecimals);
                }

                writer.WriteEndArray();
                break;
            case GeometryCollection collection:
                writer.WriteString("type", "GeometryCollection");
                writer.WriteStartArray("geometries");
                foreach (var part in collection.Geometries)
                {
                    WriteGeometry(writer, part, coordinateDecimals);
                }

                writer.WriteEndArray();
                break;
            default:
                throw new ArgumentException($"unsupported geometry type {geometry.GeometryType}", nameof(geometry));
        }

        writer.WriteEndObject();
    }

    private static JsonDocument Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new GeoJsonException($"not valid JSON: {e.Message}");
        }
    }

    private static void WritePolygonRings(Utf8JsonWriter writer, Polygon polygon, int decimals)
    {
        writer.WriteStartArray();
        if (!polygon.IsEmpty)
        {
            var shell = polygon.ExteriorRing.CoordinateSequence;
            WritePositions(writer, shell, decimals, reverse: !Orientation.IsCCW(shell));
            foreach (var hole in polygon.InteriorRings)
            {
                var sequence = hole.CoordinateSequence;
                WritePositions(writer, sequence, decimals, reverse: Orientation.IsCCW(sequence));
            }
        }

        writer.WriteEndArray();
    }

    private static void WritePositions(Utf8JsonWriter writer, CoordinateSequence sequence, int decimals, bool reverse)
    {
        writer.WriteStartArray();
        for (var k = 0; k < sequence.Count; k++)
        {
            var i = reverse ? sequence.Count - 1 - k : k;
            WritePosition(writer, sequence.GetX(i), sequence.GetY(i), decimals);
        }

        writer.WriteEndArray();
    }

    private static void WritePosition(Utf8JsonWriter writer, double x, double y, int decimals)
    {
        writer.WriteStartArray();
        writer.WriteNumberValue(Math.Round(x, decimals, MidpointRounding.AwayFromZero));
        writer.WriteNumberValue(Math.Round(y, decimals, MidpointRounding.AwayFromZero));
        writer.WriteEndArray();
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case double d when double.IsFinite(d):
                writer.WriteNumberValue(d);
                break;
            case double:
                writer.WriteNullValue();
                break;
            case float f:
                writer.WriteNumberValue(f);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case decimal m:
                writer.WriteNumberValue(m);
                break;
            case JsonElement element:
                element.WriteTo(writer);
                break;
            case IReadOnlyDictionary<string, object?> map:
                writer.WriteStartObject();
                foreach (var (k, v) in map)
                {
                    writer.WritePropertyName(k);
                    WriteValue(writer, v);
                }

                writer.WriteEndObject();
                break;
            case System.Collections.IEnumerable sequence:
                writer.WriteStartArray();
                foreach (var item in sequence)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(System.Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private sealed class Reader(GeometryFactory factory)
    {
        public IReadOnlyList<GeoJsonFeature> ReadFeatures(JsonElement root)
        {
            var type = RequireType(root, "$");
            switch (type)
            {
                case "FeatureCollection":
                    if (!root.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Array)
                    {
                        throw new GeoJsonException("$.features: a FeatureCollection needs a \"features\" array");
                    }

                    var list = new List<GeoJsonFeature>(features.GetArrayLength());
                    var index = 0;
                    foreach (var feature in features.EnumerateArray())
                    {
                        list.Add(ReadFeature(feature, $"$.features[{index.ToString(CultureInfo.InvariantCulture)}]"));
                        index++;
                    }

                    return list;
                case "Feature":
                    return [ReadFeature(root, "$")];
                default:
                    return [new GeoJsonFeature(ReadGeometry(root, "$"), new Dictionary<string, object?>())];
            }
        }

        private GeoJsonFeature ReadFeature(JsonElement element, string path)
        {
            var type = RequireType(element, path);
            if (type != "Feature")
            {
                throw new GeoJsonException($"{path}.type: expected \"Feature\", found \"{type}\"");
            }

            if (!element.TryGetProperty("geometry", out var geometryElement) || geometryElement.ValueKind != JsonValueKind.Object)
            {
                throw new GeoJsonException($"{path}.geometry: a feature needs a geometry object (null geometries are not supported)");
            }

            var geometry = ReadGeometry(geometryElement, path + ".geometry");
            var properties = new Dictionary<string, object?>(StringComparer.Ordinal);
            if (element.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in props.EnumerateObject())
                {
                    properties[property.Name] = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString(),
                        JsonValueKind.Number => property.Value.GetDouble(),
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        JsonValueKind.Null => null,
                        _ => property.Value.Clone(),
                    };
                }
            }

            string? id = null;
            if (element.TryGetProperty("id", out var idElement))
            {
                id = idElement.ValueKind switch
                {
                    JsonValueKind.String => idElement.GetString(),
                    JsonValueKind.Number => idElement.GetRawText(),
                    _ => null,
                };
            }

            return new GeoJsonFeature(geometry, properties, id);
        }

        private Geometry ReadGeometry(JsonElement element, string path)
        {
            var type = RequireType(element, path);
            if (type == "GeometryCollection")
            {
                if (!element.TryGetProperty("geometries", out var geometries) || geometries.ValueKind != JsonValueKind.Array)
                {
                    throw new GeoJsonException($"{path}.geometries: a GeometryCollection needs a \"geometries\" array");
                }

                var parts = new List<Geometry>();
                var i = 0;
                foreach (var part in geometries.EnumerateArray())
                {
                    parts.Add(ReadGeometry(part, $"{path}.geometries[{i.ToString(CultureInfo.InvariantCulture)}]"));
                    i++;
                }

                return factory.CreateGeometryCollection([.. parts]);
            }

            if (!element.TryGetProperty("coordinates", out var coordinates) || coordinates.ValueKind != JsonValueKind.Array)
            {
                throw new GeoJsonException($"{path}.coordinates: a {type} needs a \"coordinates\" array");
            }

            var at = path + ".coordinates";
            return type switch
            {
                "Point" => coordinates.GetArrayLength() == 0 ? factory.CreatePoint() : factory.CreatePoint(ReadPosition(coordinates, at)),
                "MultiPoint" => factory.CreateMultiPoint(Map(coordinates, at, (e, p) => factory.CreatePoint(ReadPosition(e, p)))),
                "LineString" => ReadLineString(coordinates, at),
                "MultiLineString" => factory.CreateMultiLineString(Map(coordinates, at, ReadLineString)),
                "Polygon" => ReadPolygon(coordinates, at),
                "MultiPolygon" => factory.CreateMultiPolygon(Map(coordinates, at, ReadPolygon)),
                _ => throw new GeoJsonException($"{path}.type: unknown geometry type \"{type}\""),
            };
        }

        private LineString ReadLineString(JsonElement element, string path)
        {
            var positions = ReadPositions(element, path);
            if (positions.Length < 2)
            {
                throw new GeoJsonException($"{path}: a line string needs at least 2 positions");
            }

            return factory.CreateLineString(positions);
        }

        private Polygon ReadPolygon(JsonElement element, string path)
        {
            RequireArray(element, path);
            var rings = new List<LinearRing>();
            var i = 0;
            foreach (var ringElement in element.EnumerateArray())
            {
                var ringPath = $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]";
                var positions = ReadPositions(ringElement, ringPath);
                if (positions.Length > 0 && !positions[0].Equals2D(positions[^1]))
                {
                    // RFC 7946 requires closed rings; close an open one rather than refuse a whole boundary file.
                    positions = [.. positions, positions[0].Copy()];
                }

                if (positions.Length < 4)
                {
                    throw new GeoJsonException($"{ringPath}: a linear ring needs at least 4 positions");
                }

                rings.Add(factory.CreateLinearRing(positions));
                i++;
            }

            if (rings.Count == 0)
            {
                return factory.CreatePolygon();
            }

            return factory.CreatePolygon(rings[0], [.. rings.Skip(1)]);
        }

        private Coordinate[] ReadPositions(JsonElement element, string path)
        {
            RequireArray(element, path);
            var result = new Coordinate[element.GetArrayLength()];
            var i = 0;
            foreach (var position in element.EnumerateArray())
            {
                result[i] = ReadPosition(position, $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]");
                i++;
            }

            return result;
        }

        private static Coordinate ReadPosition(JsonElement element, string path)
        {
            if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() < 2)
            {
                throw new GeoJsonException($"{path}: a position is an array of at least 2 numbers");
            }

            var x = element[0];
            var y = element[1];
            if (x.ValueKind != JsonValueKind.Number || y.ValueKind != JsonValueKind.Number)
            {
                throw new GeoJsonException($"{path}: a position's ordinates must be numbers");
            }

            var xv = x.GetDouble();
            var yv = y.GetDouble();
            if (!double.IsFinite(xv) || !double.IsFinite(yv))
            {
                throw new GeoJsonException($"{path}: ordinates must be finite");
            }

            return new Coordinate(xv, yv);
        }

        private static T[] Map<T>(JsonElement element, string path, Func<JsonElement, string, T> read)
        {
            RequireArray(element, path);
            var result = new T[element.GetArrayLength()];
            var i = 0;
            foreach (var item in element.EnumerateArray())
            {
                result[i] = read(item, $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]");
                i++;
            }

            return result;
        }

        private static void RequireArray(JsonElement element, string path)
        {
            if (element.ValueKind != JsonValueKind.Array)
            {
                throw new GeoJsonException($"{path}: expected an array");
            }
        }

        private static string RequireType(JsonElement element, string path)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw new GeoJsonException($"{path}: expected a GeoJSON object");
            }

            if (!element.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                throw new GeoJsonException($"{path}.type: a GeoJSON object needs a \"type\" string");
            }

            return type.GetString()!;
        }
    }
}
