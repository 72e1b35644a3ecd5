using System.Collections;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;
using NetTopologySuite.Precision;

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

/// <summary>A GeoJSON document that could not be read: the message names where (a JSON path such as
/// <c>$.features[3].geometry</c>) and what is wrong.</summary>
public sealed class GeoJsonException(string message) : FormatException(message);

/// <summary>
/// Reads and writes GeoJSON (RFC 7946) with NetTopologySuite.IO.GeoJSON4STJ's
/// <see cref="GeoJsonConverterFactory"/> on System.Text.Json: FeatureCollection, Feature and the
/// geometry types Point, MultiPoint, LineString, MultiLineString, Polygon, MultiPolygon and
/// GeometryCollection.
/// </summary>
/// <remarks>
/// <para>
/// Reading: the library parses every geometry; this class checks the document's frame, which the
/// library accepts loosely (a FeatureCollection must have a "features" array, each feature must say
/// "type": "Feature" and have a geometry object, and a geometry must have a known type), and keeps
/// property types (numbers as <see cref="double"/>). Coordinates are read as given (x = first
/// ordinate, y = second; a third is dropped, so geometries are always 2D); an open polygon ring is
/// closed rather than refused; non-finite ordinates are refused. No CRS is assumed, so callers
/// project WGS84 input themselves with <see cref="Projection"/>. Geometries are made by the factory
/// passed in (default: floating precision, SRID 0). An empty FeatureCollection reads as an empty list.
/// </para>
/// <para>
/// Writing: features go through the library's feature and attribute-table converters. Polygon rings
/// are written with RFC 7946's winding (exterior counter-clockwise, holes clockwise: the library's
/// <see cref="RingOrientationOption.EnforceRfc9746"/>) and x and y rounded to a number of decimals
/// (default 6, about 0.1 m in degrees) with a fixed <see cref="PrecisionModel"/>, point by point
/// (<see cref="GeometryPrecisionReducer.ReducePointwise"/>: the shape is not re-noded, so rounding
/// can in principle make a sliver polygon invalid; at 6 or 7 decimals the engine's areas are far
/// larger than the grid). A non-finite double property is written as null.
/// </para>
/// <para>
/// Errors: <see cref="GeoJsonException"/> naming the JSON path of the object and the problem, e.g.
/// <c>$.features[3].geometry: not a valid Polygon: a linear ring needs at least 4 positions, found 3</c>;
/// no <see cref="JsonException"/> or library exception escapes for bad input.
/// Thread safety: stateless apart from cached serializer options; safe.
/// </para>
/// </remarks>
public static class GeoJson
{
    private static readonly GeometryFactory DefaultFactory = new(new PrecisionModel(), 0);

    private static readonly HashSet<string> GeometryTypes = new(StringComparer.Ordinal)
    {
        "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection",
    };

    /// <summary>Serializer options for reading, one per target factory.</summary>
    private static readonly ConditionalWeakTable<GeometryFactory, JsonSerializerOptions> ReadOptions = new();

    private static readonly JsonSerializerOptions WriteOptions = Options(DefaultFactory);

    /// <summary>Reads a FeatureCollection, a Feature, or a bare geometry (as one feature with no properties).</summary>
    /// <param name="json">The GeoJSON text.</param>
    /// <param name="factory">The factory for the geometries (default: floating precision, SRID 0).</param>
    /// <exception cref="GeoJsonException">The text is not JSON or not GeoJSON; the message names where.</exception>
    public static IReadOnlyList<GeoJsonFeature> ReadFeatures(string json, GeometryFactory? factory = null)
    {
        using var document = Parse(json);
        var target = factory ?? DefaultFactory;
        var options = ReadOptions.GetValue(target, f => Options(new ReadingFactory(f)));
        var root = document.RootElement;
        var type = RequireType(root, "$");
        switch (type)
        {
            case "FeatureCollection":
                if (!root.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Array)
                {
                    throw new GeoJsonException("$.features: a FeatureCollection needs a \"features\" array");
                }

                var list = new List<GeoJsonFeature>(features.GetArrayLength());
                foreach (var feature in features.EnumerateArray())
                {
                    list.Add(ReadFeature(feature, $"$.features[{list.Count.ToString(CultureInfo.InvariantCulture)}]", target, options));
                }

                return list;
            case "Feature":
                return [ReadFeature(root, "$", target, options)];
            default:
                return [new GeoJsonFeature(ReadGeometry(root, "$", target, options), new Dictionary<string, object?>())];
        }
    }

    /// <summary>
    /// Reads one geometry from a geometry, Feature or FeatureCollection document; several features
    /// become one geometry (a MultiPolygon when they are all polygonal, else a GeometryCollection).
    /// </summary>
    /// <exception cref="GeoJsonException">The text is not JSON or not GeoJSON; the message names where.</exception>
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
    /// <param name="coordinateDecimals">Decimals kept per ordinate (default 6; 0 to 15).</param>
    /// <param name="members">Extra top-level members (e.g. "name"), written before "features".</param>
    public static string WriteFeatureCollection(IEnumerable<GeoJsonFeature> features, int coordinateDecimals = 6,
        IReadOnlyDictionary<string, object?>? members = null) =>
        Write(writer => WriteFeatureCollection(writer, features, coordinateDecimals, members));

    /// <summary>Writes a FeatureCollection to a JSON writer.</summary>
    /// <param name="writer">The writer; its own options (indentation, encoder) apply.</param>
    /// <param name="features">The features, written in order.</param>
    /// <param name="coordinateDecimals">Decimals kept per ordinate (default 6; 0 to 15).</param>
    /// <param name="members">Extra top-level members (e.g. "name"), written before "features".</param>
    public static void WriteFeatureCollection(Utf8JsonWriter writer, IEnumerable<GeoJsonFeature> features, int coordinateDecimals = 6,
        IReadOnlyDictionary<string, object?>? members = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(features);
        var precision = Precision(coordinateDecimals);

        // The library's FeatureCollection converter writes no foreign members, so the frame is written
        // here and each feature by the library.
        writer.WriteStartObject();
        writer.WriteString("type", "FeatureCollection");
        foreach (var (name, value) in members ?? new Dictionary<string, object?>())
        {
            writer.WritePropertyName(name);
            JsonSerializer.Serialize(writer, Plain(value), WriteOptions);
        }

        writer.WriteStartArray("features");
        foreach (var feature in features)
        {
            JsonSerializer.Serialize(writer, ToFeature(feature, precision), WriteOptions);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Writes one geometry as a GeoJSON geometry object.</summary>
    /// <param name="geometry">The geometry.</param>
    /// <param name="coordinateDecimals">Decimals kept per ordinate (default 6; 0 to 15).</param>
    public static string WriteGeometry(Geometry geometry, int coordinateDecimals = 6) =>
        Write(writer => WriteGeometry(writer, geometry, coordinateDecimals));

    /// <summary>Writes one feature object.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="feature">The feature; its id, when set, is written as the feature's "id".</param>
    /// <param name="coordinateDecimals">Decimals kept per ordinate (default 6; 0 to 15).</param>
    public static void WriteFeature(Utf8JsonWriter writer, GeoJsonFeature feature, int coordinateDecimals = 6)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(feature);
        JsonSerializer.Serialize(writer, ToFeature(feature, Precision(coordinateDecimals)), WriteOptions);
    }

    /// <summary>Writes one geometry object.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="geometry">The geometry.</param>
    /// <param name="coordinateDecimals">Decimals kept per ordinate (default 6; 0 to 15).</param>
    public static void WriteGeometry(Utf8JsonWriter writer, Geometry geometry, int coordinateDecimals = 6)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(geometry);
        JsonSerializer.Serialize(writer, Rounded(geometry, Precision(coordinateDecimals)), WriteOptions);
    }

    private static JsonSerializerOptions Options(GeometryFactory factory) => new()
    {
        MaxDepth = 256,
        Converters =
        {
            new GeoJsonConverterFactory(factory, writeGeometryBBox: false, GeoJsonConverterFactory.DefaultIdPropertyName,
                RingOrientationOption.EnforceRfc9746),
        },
    };

    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
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

    private static GeoJsonFeature ReadFeature(JsonElement element, string path, GeometryFactory factory, JsonSerializerOptions options)
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

        var geometry = ReadGeometry(geometryElement, path + ".geometry", factory, options);
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

    /// <summary>One geometry object, parsed by the library; its failures become errors naming <paramref name="path"/>.</summary>
    private static Geometry ReadGeometry(JsonElement element, string path, GeometryFactory factory, JsonSerializerOptions options)
    {
        var type = RequireType(element, path);
        if (!GeometryTypes.Contains(type))
        {
            throw new GeoJsonException($"{path}.type: unknown geometry type \"{type}\"");
        }

        Geometry? geometry;
        try
        {
            geometry = element.Deserialize<Geometry>(options);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException
            or NotSupportedException or OverflowException)
        {
            // JsonException: the library's own complaint (or System.Text.Json's around a wrong token, whose
            // inner exception says which); ArgumentException: NTS refusing the shape or an unknown nested
            // type; NotSupportedException: a nested "type" that names no geometry (e.g. "Feature" or "7").
            throw new GeoJsonException($"{path}: not a valid {type}: {Detail(e)}");
        }

        if (geometry is null)
        {
            throw new GeoJsonException($"{path}: not a valid {type}");
        }

        // The reading factory builds through the caller's; an empty part made by a non-virtual factory
        // method may still name the reading factory, so copy then.
        return Owned(geometry, factory) ? geometry : factory.CreateGeometry(geometry);
    }

    /// <summary>What the library said; for a wrong token, System.Text.Json's inner message and where in
    /// the geometry's own text it was (line 1 is the line where the geometry object starts).</summary>
    private static string Detail(Exception e)
    {
        if (e is not JsonException { InnerException: { } inner } json)
        {
            return e.Message;
        }

        return json.LineNumber is { } line && json.BytePositionInLine is { } column
            ? $"{inner.Message} (line {(line + 1).ToString(CultureInfo.InvariantCulture)}, byte {column.ToString(CultureInfo.InvariantCulture)} of the geometry)"
            : inner.Message;
    }

    private static bool Owned(Geometry geometry, GeometryFactory factory)
    {
        if (!ReferenceEquals(geometry.Factory, factory))
        {
            return false;
        }

        if (geometry is GeometryCollection collection)
        {
            foreach (var part in collection.Geometries)
            {
                if (!Owned(part, factory))
                {
                    return false;
                }
            }
        }

        return true;
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

    private static PrecisionModel Precision(int decimals)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decimals, "coordinateDecimals");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(decimals, 15, "coordinateDecimals");
        return new PrecisionModel(Math.Pow(10, decimals));
    }

    private static Geometry Rounded(Geometry geometry, PrecisionModel precision) =>
        GeometryPrecisionReducer.ReducePointwise(geometry, precision);

    private static Feature ToFeature(GeoJsonFeature feature, PrecisionModel precision)
    {
        ArgumentNullException.ThrowIfNull(feature);
        var attributes = new AttributesTable();
        foreach (var (name, value) in feature.Properties)
        {
            attributes.Add(name, Plain(value));
        }

        if (feature.Id is not null)
        {
            // The library writes this attribute as the feature's "id", not as a property.
            attributes.Add(GeoJsonConverterFactory.DefaultIdPropertyName, feature.Id);
        }

        return new Feature(Rounded(feature.Geometry, precision), attributes);
    }

    /// <summary>A property value as System.Text.Json can write it: non-finite numbers become null, maps and
    /// sequences are walked, and values of other types become their invariant-culture text.</summary>
    private static object? Plain(object? value) => value switch
    {
        null or string or bool or JsonElement => value,
        double d => double.IsFinite(d) ? d : null,
        float f => float.IsFinite(f) ? f : null,
        int or long or short or byte or sbyte or uint or ulong or ushort or decimal => value,
        IReadOnlyDictionary<string, object?> map => map.ToDictionary(entry => entry.Key, entry => Plain(entry.Value), StringComparer.Ordinal),
        IEnumerable sequence => sequence.Cast<object?>().Select(Plain).ToList(),
        _ => System.Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// The factory the library reads with: it makes every geometry with the caller's factory, after
    /// dropping a third ordinate, refusing a non-finite one, and closing an open polygon ring (RFC 7946
    /// requires closed rings, but refusing a whole boundary file for one open ring helps nobody).
    /// </summary>
    private sealed class ReadingFactory(GeometryFactory target)
        : GeometryFactory(target.PrecisionModel, target.SRID, target.CoordinateSequenceFactory, target.GeometryServices)
    {
        public override Point CreatePoint(CoordinateSequence coordinates) => target.CreatePoint(Planar(coordinates));

        public override LineString CreateLineString(CoordinateSequence coordinates) => target.CreateLineString(Planar(coordinates));

        public override LinearRing CreateLinearRing(CoordinateSequence coordinates)
        {
            var ring = Planar(coordinates);
            if (ring is null || ring.Count == 0)
            {
                return target.CreateLinearRing(ring);
            }

            var last = ring.Count - 1;
            if (ring.GetX(0) != ring.GetX(last) || ring.GetY(0) != ring.GetY(last))
            {
                var closed = target.CoordinateSequenceFactory.Create(ring.Count + 1, 2, 0);
                CoordinateSequences.Copy(ring, 0, closed, 0, ring.Count);
                closed.SetX(ring.Count, ring.GetX(0));
                closed.SetY(ring.Count, ring.GetY(0));
                ring = closed;
            }

            if (ring.Count < 4)
            {
                throw new ArgumentException($"a linear ring needs at least 4 positions, found {ring.Count.ToString(CultureInfo.InvariantCulture)}");
            }

            return target.CreateLinearRing(ring);
        }

        public override Polygon CreatePolygon(LinearRing shell, LinearRing[] holes) => target.CreatePolygon(shell, holes);

        public override MultiPoint CreateMultiPoint(Point[] point) => target.CreateMultiPoint(point);

        public override MultiLineString CreateMultiLineString(LineString[] lineStrings) => target.CreateMultiLineString(lineStrings);

        public override MultiPolygon CreateMultiPolygon(Polygon[] polygons) => target.CreateMultiPolygon(polygons);

        public override GeometryCollection CreateGeometryCollection(Geometry[] geometries) => target.CreateGeometryCollection(geometries);

        /// <summary>x and y only, finite.</summary>
        private CoordinateSequence? Planar(CoordinateSequence? coordinates)
        {
            if (coordinates is null)
            {
                return null;
            }

            for (var i = 0; i < coordinates.Count; i++)
            {
                if (!double.IsFinite(coordinates.GetX(i)) || !double.IsFinite(coordinates.GetY(i)))
                {
                    throw new ArgumentException("ordinates must be finite");
                }
            }

            if (coordinates.Dimension == 2 && coordinates.Measures == 0)
            {
                return coordinates;
            }

            var planar = target.CoordinateSequenceFactory.Create(coordinates.Count, 2, 0);
            for (var i = 0; i < coordinates.Count; i++)
            {
                planar.SetX(i, coordinates.GetX(i));
                planar.SetY(i, coordinates.GetY(i));
            }

            return planar;
        }
    }
}
