using System.Collections.Concurrent;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using NetTopologySuite.IO;
using NetTopologySuite.Operation.Union;
using Targeting.Common.V1;
using Targeting.Engine.Geography;
using Targeting.Grpc;
using MultiPolygon = NetTopologySuite.Geometries.MultiPolygon;
using Polygon = NetTopologySuite.Geometries.Polygon;

namespace Targeting.Hotspot.Planning;

/// <summary>An area of interest, resolved: its name ("custom" for a shape given by the caller) and its projected geometry.</summary>
public sealed record ResolvedArea(string Name, string Code, string Kind, Geometry Geometry);

/// <summary>
/// The boundaries the service (or the command line) has loaded, the projection, and the
/// grids made for named areas (cached, since building the grid of all London takes a while).
/// Thread-safe.
/// </summary>
public sealed class BoundaryCatalog
{
    /// <summary>Custom areas larger than this (m²) are refused: about a large police force area, thirteen times Greater London.</summary>
    public const double MaxCustomAreaM2 = 20_000e6;

    private const int MaxCachedGrids = 64;

    private readonly ConcurrentDictionary<(string Code, string Name, double Cell, double X, double Y), AnalysisGrid> _grids = new();

    public BoundaryCatalog(BoundarySet boundaries, Projection projection)
    {
        All = boundaries;
        Projection = projection;
        Wards = new BoundarySet(boundaries.OfKind(BoundaryKinds.Ward));
    }

    public BoundarySet All { get; }

    public BoundarySet Wards { get; }

    public Projection Projection { get; }

    /// <summary>The shipped sample's boundary files (boroughs, wards and LSOAs of Barking and Dagenham and Lambeth).</summary>
    public static IReadOnlyList<BoundaryFile> SampleFiles(string dataDirectory) =>
    [
        new() { Path = Path.Combine(dataDirectory, "boundaries", "london_boroughs_barking_dagenham_lambeth.geojson"), Kind = BoundaryKinds.Borough },
        new() { Path = Path.Combine(dataDirectory, "boundaries", "wards_2014_barking_dagenham_lambeth.geojson"), Kind = BoundaryKinds.Ward },
        new() { Path = Path.Combine(dataDirectory, "boundaries", "lsoa_2011_barking_dagenham_lambeth.geojson"), Kind = BoundaryKinds.Lsoa },
    ];

    /// <summary>Reads and projects boundary files; throws <see cref="FileNotFoundException"/> or <see cref="GeoJsonException"/> naming the file.</summary>
    public static BoundaryCatalog Load(IEnumerable<BoundaryFile> files, Projection projection)
    {
        var sets = new List<BoundarySet>();
        foreach (var file in files)
        {
            if (!File.Exists(file.Path))
            {
                throw new FileNotFoundException($"boundary file {file.Path} not found", file.Path);
            }

            try
            {
                sets.Add(BoundarySet.FromGeoJson(File.ReadAllText(file.Path), projection, string.IsNullOrWhiteSpace(file.Kind) ? null : file.Kind));
            }
            catch (GeoJsonException e)
            {
                throw new GeoJsonException($"{file.Path}: {e.Message}");
            }
        }

        return new BoundaryCatalog(BoundarySet.Combine([.. sets]), projection);
    }

    /// <summary>
    /// Resolves an area of interest. Problems with the caller's input are added to
    /// <paramref name="violations"/> (under <paramref name="field"/>); an unknown boundary name
    /// throws NOT_FOUND. Returns null when a violation was added.
    /// </summary>
    public ResolvedArea? Resolve(AreaOfInterest? area, string field, FieldViolations violations)
    {
        switch (area?.AreaCase ?? AreaOfInterest.AreaOneofCase.None)
        {
            case AreaOfInterest.AreaOneofCase.None:
                violations.Add(field, "is required: a boundary_name, polygons, wkt or geojson");
                return null;
            case AreaOfInterest.AreaOneofCase.BoundaryName:
                return ResolveName(area!.BoundaryName, field + ".boundary_name", violations);
            case AreaOfInterest.AreaOneofCase.Polygons:
                return Custom(FromProto(area!.Polygons, field + ".polygons", violations), field + ".polygons", violations);
            case AreaOfInterest.AreaOneofCase.Wkt:
                return Custom(ReadWkt(area!.Wkt, field + ".wkt", violations), field + ".wkt", violations);
            default:
                return Custom(ReadGeoJson(area!.Geojson, field + ".geojson", violations), field + ".geojson", violations);
        }
    }

    /// <summary>The grid of an area, cached for named boundaries.</summary>
    public AnalysisGrid GridFor(ResolvedArea area, double cellSize, double offsetX, double offsetY)
    {
        if (area.Kind == BoundaryKinds.Custom)
        {
            return AnalysisGrid.Create(area.Geometry, cellSize, offsetX, offsetY);
        }

        var key = (area.Code, area.Name, cellSize, offsetX, offsetY);
        if (_grids.TryGetValue(key, out var grid))
        {
            return grid;
        }

        grid = AnalysisGrid.Create(area.Geometry, cellSize, offsetX, offsetY);
        if (_grids.Count >= MaxCachedGrids)
        {
            _grids.Clear();
        }

        return _grids.GetOrAdd(key, grid);
    }

    /// <summary>
    /// The grid over several named areas together (their union), cached by their codes: the region a force
    /// plan's boroughs share one learned model on (Targeting.Engine.Hotspots.LearnedRegion). Its cells are on the same
    /// lattice as each area's own grid.
    /// </summary>
    public AnalysisGrid RegionGridFor(IReadOnlyList<ResolvedArea> areas, double cellSize, double offsetX, double offsetY)
    {
        ArgumentNullException.ThrowIfNull(areas);
        var key = (string.Join(",", areas.Select(a => a.Code.Length > 0 ? a.Code : a.Name)), "region of " + areas.Count, cellSize, offsetX, offsetY);
        if (_grids.TryGetValue(key, out var grid))
        {
            return grid;
        }

        grid = AnalysisGrid.Create(UnaryUnionOp.Union(areas.Select(a => a.Geometry).ToList()), cellSize, offsetX, offsetY);
        if (_grids.Count >= MaxCachedGrids)
        {
            _grids.Clear();
        }

        return _grids.GetOrAdd(key, grid);
    }

    private ResolvedArea? ResolveName(string name, string field, FieldViolations violations)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            violations.Add(field, "must not be empty");
            return null;
        }

        Boundary? boundary;
        try
        {
            boundary = All.Find(name);
        }
        catch (ArgumentException e)
        {
            violations.Add(field, FieldText.Bound(e.Message.Split(" (Parameter", 2)[0]));
            return null;
        }

        return boundary is null
            ? throw new RpcException(new Status(StatusCode.NotFound, $"no boundary named {FieldText.Quote(name)} is loaded; ListBoundaries lists them ({All.Count} loaded)"))
            : new ResolvedArea(boundary.Name, boundary.Code, boundary.Kind, boundary.Geometry);
    }

    private ResolvedArea? Custom(Geometry? wgs84, string field, FieldViolations violations)
    {
        if (wgs84 is null)
        {
            return null;
        }

        if (wgs84 is not (Polygon or MultiPolygon) || wgs84.IsEmpty)
        {
            violations.Add(field, $"must be a non-empty Polygon or MultiPolygon, not {wgs84.GeometryType}");
            return null;
        }

        var envelope = wgs84.EnvelopeInternal;
        if (envelope.MinX < -180 || envelope.MaxX > 180 || envelope.MinY < -90 || envelope.MaxY > 90)
        {
            violations.Add(field, "has coordinates outside longitude -180..180, latitude -90..90 (WKT and GeoJSON give longitude first)");
            return null;
        }

        var projected = Projection.Project(wgs84);
        if (!projected.IsValid)
        {
            projected = GeometryFixer.Fix(projected);
        }

        if (!(projected.Area > 0))
        {
            violations.Add(field, "encloses no area");
            return null;
        }

        if (projected.Area > MaxCustomAreaM2)
        {
            violations.Add(field, $"is {projected.Area / 1e6:N0} km², larger than the {MaxCustomAreaM2 / 1e6:N0} km² allowed");
            return null;
        }

        return new ResolvedArea("custom", string.Empty, BoundaryKinds.Custom, projected);
    }

    private static Geometry? FromProto(Common.V1.MultiPolygon polygons, string field, FieldViolations violations)
    {
        var factory = Projection.Wgs84Factory;
        var result = new List<Polygon>();
        for (var p = 0; p < polygons.Polygons.Count; p++)
        {
            var polygon = polygons.Polygons[p];
            var shell = Ring(polygon.Exterior, $"{field}.polygons[{p}].exterior", violations, factory);
            var holes = polygon.Holes.Select((hole, h) => Ring(hole, $"{field}.polygons[{p}].holes[{h}]", violations, factory)).ToList();
            if (shell is not null && holes.All(h => h is not null))
            {
                result.Add(factory.CreatePolygon(shell, [.. holes!]));
            }
        }

        if (polygons.Polygons.Count == 0)
        {
            violations.Add(field, "must hold at least one polygon");
        }

        return result.Count == polygons.Polygons.Count && result.Count > 0 ? factory.CreateMultiPolygon([.. result]) : null;
    }

    private static NetTopologySuite.Geometries.LinearRing? Ring(Common.V1.LinearRing? ring, string field, FieldViolations violations, GeometryFactory factory)
    {
        var points = ring?.Points ?? [];
        var coordinates = points.Select(p => new Coordinate(p.Longitude, p.Latitude)).ToList();
        if (coordinates.Count > 0 && !coordinates[0].Equals2D(coordinates[^1]))
        {
            coordinates.Add(coordinates[0].Copy());
        }

        if (points.Any(p => !double.IsFinite(p.Latitude) || !double.IsFinite(p.Longitude) || p.Latitude is < -90 or > 90 || p.Longitude is < -180 or > 180))
        {
            violations.Add(field, "has a point outside latitude -90..90, longitude -180..180");
            return null;
        }

        if (coordinates.Count < 4)
        {
            violations.Add(field, "needs at least three distinct points");
            return null;
        }

        return factory.CreateLinearRing([.. coordinates]);
    }

    private static Geometry? ReadWkt(string wkt, string field, FieldViolations violations)
    {
        try
        {
            return new WKTReader(Projection.Wgs84Factory.GeometryServices).Read(wkt);
        }
        catch (ParseException e)
        {
            violations.Add(field, FieldText.Bound("is not valid WKT: " + e.Message));
            return null;
        }
    }

    private static Geometry? ReadGeoJson(string json, string field, FieldViolations violations)
    {
        try
        {
            return GeoJson.ReadGeometry(json, Projection.Wgs84Factory);
        }
        catch (GeoJsonException e)
        {
            violations.Add(field, FieldText.Bound("is not valid GeoJSON: " + e.Message));
            return null;
        }
    }
}
