using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using NetTopologySuite.Index.Strtree;

namespace Targeting.Engine.Geography;

/// <summary>
/// A set of named areas (boroughs, wards, LSOAs...) in one projected CRS, with lookups by name or
/// GSS code and an STRtree for point-in-polygon and overlap queries.
/// </summary>
/// <remarks>
/// Invalid polygons (self-intersections in a boundary file) are repaired with NTS's
/// <see cref="GeometryFixer"/> on the way in. Lookups by name are case-insensitive; a name that
/// several areas share (ward "Abbey" exists in more than one borough) is reported as ambiguous
/// rather than resolved silently. Thread safety: immutable after construction and safe to share;
/// point-in-polygon locators are built lazily and thread-safely. An empty set answers every query
/// with nothing.
/// </remarks>
public sealed class BoundarySet
{
    private readonly Boundary[] _boundaries;
    private readonly Dictionary<string, List<Boundary>> _byKey = new(StringComparer.OrdinalIgnoreCase);
    private readonly STRtree<int> _index = new();
    private readonly Lazy<IndexedPointInAreaLocator>[] _locators;

    /// <summary>Makes a set from boundaries already in the projected CRS.</summary>
    public BoundarySet(IEnumerable<Boundary> boundaries)
    {
        ArgumentNullException.ThrowIfNull(boundaries);
        _boundaries = boundaries.Select(Repair).ToArray();
        _locators = new Lazy<IndexedPointInAreaLocator>[_boundaries.Length];
        for (var i = 0; i < _boundaries.Length; i++)
        {
            var boundary = _boundaries[i];
            var geometry = boundary.Geometry;
            _locators[i] = new Lazy<IndexedPointInAreaLocator>(() => new IndexedPointInAreaLocator(geometry), LazyThreadSafetyMode.ExecutionAndPublication);
            if (!geometry.IsEmpty)
            {
                _index.Insert(geometry.EnvelopeInternal, i);
            }

            Add(boundary.Name, boundary);
            if (!string.IsNullOrEmpty(boundary.Code) && !string.Equals(boundary.Code, boundary.Name, StringComparison.OrdinalIgnoreCase))
            {
                Add(boundary.Code, boundary);
            }
        }

        _index.Build();
    }

    /// <summary>Every boundary, in the order given.</summary>
    public IReadOnlyList<Boundary> All => _boundaries;

    /// <summary>How many boundaries the set holds.</summary>
    public int Count => _boundaries.Length;

    /// <summary>
    /// Reads boundaries from a GeoJSON FeatureCollection in WGS84 and projects them.
    /// </summary>
    /// <param name="json">The GeoJSON text.</param>
    /// <param name="projection">The projected CRS to hold them in.</param>
    /// <param name="kind">The kind for every feature; when null it comes from each feature's GSS code
    /// prefix (E09 borough, E05 ward, E01 LSOA...), else "area".</param>
    /// <remarks>
    /// Property names understood (the GLA / ONS boundary files): name from NAME, name, LSOA11NM,
    /// LSOA21NM, MSOA11NM, WD22NM, LAD22NM; code from GSS_CODE, code, LSOA11CD, LSOA21CD, MSOA11CD,
    /// WD22CD, LAD22CD; parent from BOROUGH, LAD11NM, LAD22NM, parent. A feature with no name takes
    /// its code as name; one with neither is rejected.
    /// </remarks>
    /// <exception cref="GeoJsonException">The document is not GeoJSON, or a feature has no name/code or is not polygonal.</exception>
    public static BoundarySet FromGeoJson(string json, Projection projection, string? kind = null)
    {
        ArgumentNullException.ThrowIfNull(projection);
        var features = GeoJson.ReadFeatures(json, Projection.Wgs84Factory);
        var boundaries = new List<Boundary>(features.Count);
        for (var i = 0; i < features.Count; i++)
        {
            var feature = features[i];
            if (feature.Geometry is not (Polygon or MultiPolygon))
            {
                throw new GeoJsonException($"$.features[{i}].geometry: a boundary must be a Polygon or MultiPolygon, found {feature.Geometry.GeometryType}");
            }

            var code = FirstText(feature, "GSS_CODE", "code", "LSOA11CD", "LSOA21CD", "MSOA11CD", "WD22CD", "LAD22CD") ?? "";
            var name = FirstText(feature, "NAME", "name", "LSOA11NM", "LSOA21NM", "MSOA11NM", "WD22NM", "LAD22NM");
            if (string.IsNullOrWhiteSpace(name))
            {
                name = code;
            }

            if (string.IsNullOrWhiteSpace(name))
            {
                throw new GeoJsonException($"$.features[{i}].properties: a boundary needs a name or a code");
            }

            var parent = FirstText(feature, "BOROUGH", "LAD11NM", "LAD22NM", "parent");
            var featureKind = kind ?? BoundaryKinds.FromGssCode(code) ?? "area";
            boundaries.Add(new Boundary(name.Trim(), code.Trim(), featureKind, parent?.Trim(), projection.Project(feature.Geometry)));
        }

        return new BoundarySet(boundaries);
    }

    /// <summary>The set holding the boundaries of several sets (e.g. boroughs and wards).</summary>
    public static BoundarySet Combine(params BoundarySet[] sets) => new(sets.SelectMany(set => set.All));

    /// <summary>The boundaries of one kind, in order.</summary>
    public IEnumerable<Boundary> OfKind(string kind) =>
        _boundaries.Where(b => string.Equals(b.Kind, kind, StringComparison.OrdinalIgnoreCase));

    /// <summary>Every boundary whose name or code equals <paramref name="nameOrCode"/> (case-insensitive), optionally of one kind.</summary>
    public IReadOnlyList<Boundary> Lookup(string nameOrCode, string? kind = null)
    {
        ArgumentNullException.ThrowIfNull(nameOrCode);
        if (!_byKey.TryGetValue(nameOrCode.Trim(), out var matches))
        {
            return [];
        }

        return kind is null ? matches : matches.Where(b => string.Equals(b.Kind, kind, StringComparison.OrdinalIgnoreCase)).ToList();
    }

    /// <summary>
    /// The one boundary named <paramref name="nameOrCode"/> (or with that code), or null when there is none.
    /// A code match wins over name matches.
    /// </summary>
    /// <exception cref="ArgumentException">The name is shared by several boundaries; the message lists them.</exception>
    public Boundary? Find(string nameOrCode, string? kind = null)
    {
        var matches = Lookup(nameOrCode, kind);
        if (matches.Count <= 1)
        {
            return matches.Count == 1 ? matches[0] : null;
        }

        var byCode = matches.Where(b => string.Equals(b.Code, nameOrCode.Trim(), StringComparison.OrdinalIgnoreCase)).ToList();
        if (byCode.Count == 1)
        {
            return byCode[0];
        }

        throw new ArgumentException(
            $"'{nameOrCode}' names {matches.Count} boundaries: {string.Join("; ", matches.Select(Describe))}; give the code instead",
            nameof(nameOrCode));
    }

    /// <summary>The first boundary (in set order) containing the point, optionally of one kind; null when none does.</summary>
    /// <remarks>A point on a shared edge belongs to both neighbours; the first in set order is returned.</remarks>
    public Boundary? Locate(double x, double y, string? kind = null)
    {
        var coordinate = new Coordinate(x, y);
        var candidates = _index.Query(new Envelope(coordinate));
        var best = -1;
        foreach (var i in candidates)
        {
            if (best >= 0 && i > best)
            {
                continue;
            }

            if (kind is not null && !string.Equals(_boundaries[i].Kind, kind, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (_locators[i].Value.Locate(coordinate) != Location.Exterior)
            {
                best = i;
            }
        }

        return best >= 0 ? _boundaries[best] : null;
    }

    /// <summary>
    /// The boundaries that overlap <paramref name="geometry"/> by more than <paramref name="minimumOverlapM2"/>
    /// square metres (so that areas merely touching along an edge are left out), in set order.
    /// </summary>
    public IReadOnlyList<Boundary> Overlapping(Geometry geometry, string? kind = null, double minimumOverlapM2 = 1.0)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        var hits = new List<int>();
        foreach (var i in _index.Query(geometry.EnvelopeInternal))
        {
            var boundary = _boundaries[i];
            if (kind is not null && !string.Equals(boundary.Kind, kind, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!boundary.Geometry.Intersects(geometry))
            {
                continue;
            }

            if (boundary.Geometry.Intersection(geometry).Area > minimumOverlapM2)
            {
                hits.Add(i);
            }
        }

        hits.Sort();
        return hits.Select(i => _boundaries[i]).ToList();
    }

    private void Add(string key, Boundary boundary)
    {
        var trimmed = key.Trim();
        if (!_byKey.TryGetValue(trimmed, out var list))
        {
            list = [];
            _byKey[trimmed] = list;
        }

        list.Add(boundary);
    }

    private static Boundary Repair(Boundary boundary)
    {
        ArgumentNullException.ThrowIfNull(boundary);
        return boundary.Geometry.IsValid
            ? boundary
            : new Boundary(boundary.Name, boundary.Code, boundary.Kind, boundary.ParentName, GeometryFixer.Fix(boundary.Geometry));
    }

    private static string Describe(Boundary b) =>
        b.ParentName is null ? b.ToString() : $"{b} in {b.ParentName}";

    private static string? FirstText(GeoJsonFeature feature, params string[] names)
    {
        foreach (var name in names)
        {
            var text = feature.GetText(name);
            if (!string.IsNullOrWhiteSpace(text))
            {
                return text;
            }
        }

        return null;
    }
}
