using NetTopologySuite.Geometries;
using MultiPolygon = NetTopologySuite.Geometries.MultiPolygon;
using Polygon = NetTopologySuite.Geometries.Polygon;
using NetTopologySuite.IO;
using Targeting.Common.V1;
using Targeting.Engine.Geography;
using Targeting.Grpc;
using Targeting.Stops.Validation;

namespace Targeting.Stops.Geography;

/// <summary>
/// Turns a query's <see cref="AreaOfInterest"/> into a WGS84 (multi)polygon: a boundary of the
/// force file by name or GSS code, typed polygons, WKT, or GeoJSON. Bad input becomes a field error.
/// </summary>
public static class AreaOfInterestReader
{
    /// <summary>Most vertices accepted in a caller's area, to bound the cost of one query.</summary>
    public const int MaxVertices = 100_000;

    public static Geometry? Read(AreaOfInterest? area, string field, ForceBoundary boundary, List<FieldError> errors)
    {
        if (area is null || area.AreaCase == AreaOfInterest.AreaOneofCase.None)
        {
            return null;
        }

        Geometry? geometry;
        try
        {
            geometry = area.AreaCase switch
            {
                AreaOfInterest.AreaOneofCase.BoundaryName => boundary.Find(area.BoundaryName)
                    ?? throw new FormatException($"{FieldText.Quote(area.BoundaryName)} is not a boundary name or GSS code of {boundary.Description} " +
                        $"(known: {string.Join(", ", boundary.Features.Select(f => f.Name).Where(n => n.Length > 0).Take(40))})"),
                AreaOfInterest.AreaOneofCase.Polygons => FromProto(area.Polygons),
                AreaOfInterest.AreaOneofCase.Wkt => new WKTReader(Projection.Wgs84Factory.GeometryServices).Read(area.Wkt),
                AreaOfInterest.AreaOneofCase.Geojson => GeoJson.ReadGeometry(area.Geojson, Projection.Wgs84Factory),
                _ => throw new FormatException("unknown area kind"),
            };
        }
        catch (Exception e) when (e is FormatException or ParseException or ArgumentException or InvalidOperationException)
        {
            // Parser messages may quote the input: bounded.
            errors.Add(new(field + "." + FieldName(area.AreaCase), FieldText.Bound(e.Message)));
            return null;
        }

        var path = field + "." + FieldName(area.AreaCase);
        if (geometry is not (Polygon or MultiPolygon) && !(geometry is GeometryCollection c && c.Geometries.All(g => g is Polygon or MultiPolygon)))
        {
            errors.Add(new(path, $"must be a polygon or multipolygon, not a {geometry.GeometryType}"));
            return null;
        }

        if (geometry.NumPoints > MaxVertices)
        {
            errors.Add(new(path, $"has {geometry.NumPoints} vertices; at most {MaxVertices}"));
            return null;
        }

        if (geometry.Coordinates.Any(p => !double.IsFinite(p.X) || !double.IsFinite(p.Y) || Math.Abs(p.X) > 180 || Math.Abs(p.Y) > 90))
        {
            errors.Add(new(path, "has a point outside longitude -180..180 / latitude -90..90"));
            return null;
        }

        if (!geometry.IsValid)
        {
            var reason = new NetTopologySuite.Operation.Valid.IsValidOp(geometry).ValidationError;
            errors.Add(new(path, $"is not a valid polygon: {reason?.Message} at ({reason?.Coordinate?.X}, {reason?.Coordinate?.Y})"));
            return null;
        }

        return geometry;
    }

    private static Geometry FromProto(Targeting.Common.V1.MultiPolygon polygons)
    {
        if (polygons.Polygons.Count == 0)
        {
            throw new FormatException("needs at least one polygon");
        }

        var built = polygons.Polygons.Select(p => Projection.Wgs84Factory.CreatePolygon(
            Ring(p.Exterior), p.Holes.Select(Ring).ToArray())).ToArray();
        return built.Length == 1 ? built[0] : Projection.Wgs84Factory.CreateMultiPolygon(built);
    }

    private static NetTopologySuite.Geometries.LinearRing Ring(Targeting.Common.V1.LinearRing? ring)
    {
        var points = (ring?.Points ?? []).Select(p => new Coordinate(p.Longitude, p.Latitude)).ToList();
        if (points.Count > 0 && !points[0].Equals2D(points[^1]))
        {
            points.Add(points[0].Copy());
        }

        return points.Count < 4
            ? throw new FormatException("a ring needs at least 3 distinct points")
            : Projection.Wgs84Factory.CreateLinearRing(points.ToArray());
    }

    private static string FieldName(AreaOfInterest.AreaOneofCase kind) => kind switch
    {
        AreaOfInterest.AreaOneofCase.BoundaryName => "boundary_name",
        AreaOfInterest.AreaOneofCase.Polygons => "polygons",
        AreaOfInterest.AreaOneofCase.Wkt => "wkt",
        _ => "geojson",
    };
}
