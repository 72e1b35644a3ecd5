using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using NetTopologySuite.Index.Strtree;
using Targeting.Engine.Geography;

namespace Targeting.Stops.Geography;

/// <summary>A named polygon of the force boundary file (WGS84), with its NAME and GSS_CODE properties.</summary>
public sealed record BoundaryFeature(string Name, string Code, Geometry Geometry);

/// <summary>
/// The force's area, from a GeoJSON file of boundaries (boroughs by default): decides whether an
/// encounter's location is acceptable and resolves boundary names for area queries.
/// </summary>
/// <remarks>
/// A point is inside when a boundary polygon covers it, computed in WGS84 longitude/latitude with
/// straight edges as RFC 7946 defines them (the same predicate as PostGIS <c>ST_Covers</c> on
/// SRID 4326, which the tests compare against). Because the GLA borough polygons are clipped at the
/// Thames mean-high-water line, a stop on a bridge or the river bank lies in no polygon; a point
/// outside is therefore still accepted within <see cref="ToleranceMetres"/> of a boundary,
/// measured in British National Grid metres (EPSG:27700, <see cref="Projection.BritishNationalGrid"/>).
/// Thread-safe after construction.
/// </remarks>
public sealed class ForceBoundary
{
    private readonly STRtree<IPreparedGeometry> _wgs84 = new();
    private readonly STRtree<Geometry> _projected = new();
    private readonly Dictionary<string, Geometry> _byName = new(StringComparer.OrdinalIgnoreCase);

    public ForceBoundary(IReadOnlyList<BoundaryFeature> features, double toleranceMetres, string description)
        : this(features, toleranceMetres, description, allowEmpty: false)
    {
    }

    private ForceBoundary(IReadOnlyList<BoundaryFeature> features, double toleranceMetres, string description, bool allowEmpty)
    {
        if (features.Count == 0 && !allowEmpty)
        {
            throw new ArgumentException("a force boundary needs at least one polygon", nameof(features));
        }

        ToleranceMetres = toleranceMetres;
        Description = description;
        Features = features;
        foreach (var feature in features)
        {
            _wgs84.Insert(feature.Geometry.EnvelopeInternal, PreparedGeometryFactory.Prepare(feature.Geometry));
            var projected = Projection.BritishNationalGrid.Project(feature.Geometry);
            _projected.Insert(projected.EnvelopeInternal, projected);
            foreach (var key in new[] { feature.Name, feature.Code })
            {
                if (key.Length > 0)
                {
                    _byName[key] = feature.Geometry;
                }
            }
        }

        _wgs84.Build();
        _projected.Build();
    }

    /// <summary>
    /// A boundary that accepts no location: for importing a file with no force area (e.g. an
    /// open-policing file without coordinates), so that any located row is rejected, not let through.
    /// </summary>
    public static ForceBoundary AcceptingNone(string description) => new([], 0, description, allowEmpty: true);

    /// <summary>How far outside every polygon (metres, EPSG:27700) a location is still accepted.</summary>
    public double ToleranceMetres { get; }

    /// <summary>Where the boundary came from, for messages.</summary>
    public string Description { get; }

    public IReadOnlyList<BoundaryFeature> Features { get; }

    /// <summary>Reads the polygonal features of a GeoJSON file (WGS84); throws FormatException when it has none.</summary>
    public static ForceBoundary Load(string path, double toleranceMetres)
    {
        var features = GeoJson.ReadFeatures(File.ReadAllText(path), Projection.Wgs84Factory)
            .Where(f => f.Geometry is Polygon or MultiPolygon)
            .Select(f => new BoundaryFeature(f.GetText("NAME") ?? "", f.GetText("GSS_CODE") ?? "", f.Geometry))
            .ToList();
        return features.Count == 0
            ? throw new FormatException($"{path} has no Polygon or MultiPolygon features")
            : new ForceBoundary(features, toleranceMetres, Path.GetFileName(path));
    }

    /// <summary>Whether a WGS84 point lies inside a boundary polygon or within the tolerance of one.</summary>
    public bool Accepts(double latitude, double longitude)
    {
        var point = Projection.Wgs84Factory.CreatePoint(new Coordinate(longitude, latitude));
        foreach (var prepared in _wgs84.Query(point.EnvelopeInternal))
        {
            if (prepared.Covers(point))
            {
                return true;
            }
        }

        if (ToleranceMetres <= 0)
        {
            return false;
        }

        var (x, y) = Projection.BritishNationalGrid.Project(longitude, latitude);
        var projected = Projection.BritishNationalGrid.Factory.CreatePoint(new Coordinate(x, y));
        var search = projected.EnvelopeInternal.Copy();
        search.ExpandBy(ToleranceMetres);
        return _projected.Query(search).Any(polygon => polygon.IsWithinDistance(projected, ToleranceMetres));
    }

    /// <summary>A boundary by name or GSS code (case-insensitive), or null.</summary>
    public Geometry? Find(string nameOrCode) => _byName.GetValueOrDefault(nameOrCode.Trim());
}
