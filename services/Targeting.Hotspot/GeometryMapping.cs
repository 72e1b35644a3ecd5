using NetTopologySuite.Geometries;
using Targeting.Common.V1;
using Targeting.Engine.Geography;
using NtsMultiPolygon = NetTopologySuite.Geometries.MultiPolygon;
using NtsPolygon = NetTopologySuite.Geometries.Polygon;
using ProtoMultiPolygon = Targeting.Common.V1.MultiPolygon;

namespace Targeting.Hotspot;

/// <summary>Converts WGS84 geometry between NTS (x = longitude) and the proto's typed rings.</summary>
public static class GeometryMapping
{
    /// <summary>A proto multipolygon as an NTS MultiPolygon in WGS84 (rings closed if the proto left them open).</summary>
    public static NtsMultiPolygon ToNts(ProtoMultiPolygon? multiPolygon)
    {
        var factory = Projection.Wgs84Factory;
        if (multiPolygon is null)
        {
            return factory.CreateMultiPolygon();
        }

        return factory.CreateMultiPolygon([.. multiPolygon.Polygons.Select(p =>
            factory.CreatePolygon(Ring(p.Exterior, factory), [.. p.Holes.Select(h => Ring(h, factory))]))]);
    }

    /// <summary>A WGS84 Polygon or MultiPolygon as the proto's multipolygon (rings closed, exterior first).</summary>
    public static ProtoMultiPolygon ToProto(Geometry wgs84, int decimals = 7)
    {
        var result = new ProtoMultiPolygon();
        for (var i = 0; i < wgs84.NumGeometries; i++)
        {
            if (wgs84.GetGeometryN(i) is not NtsPolygon polygon || polygon.IsEmpty)
            {
                continue;
            }

            var proto = new Common.V1.Polygon { Exterior = ToProto(polygon.ExteriorRing, decimals) };
            proto.Holes.AddRange(polygon.InteriorRings.Select(r => ToProto(r, decimals)));
            result.Polygons.Add(proto);
        }

        return result;
    }

    public static LatLng ToLatLng(Coordinate wgs84, int decimals = 7) =>
        new() { Latitude = Math.Round(wgs84.Y, decimals), Longitude = Math.Round(wgs84.X, decimals) };

    private static Common.V1.LinearRing ToProto(LineString ring, int decimals)
    {
        var proto = new Common.V1.LinearRing();
        proto.Points.AddRange(ring.Coordinates.Select(c => ToLatLng(c, decimals)));
        return proto;
    }

    private static NetTopologySuite.Geometries.LinearRing Ring(Common.V1.LinearRing? ring, GeometryFactory factory)
    {
        var coordinates = (ring?.Points ?? []).Select(p => new Coordinate(p.Longitude, p.Latitude)).ToList();
        if (coordinates.Count > 0 && !coordinates[0].Equals2D(coordinates[^1]))
        {
            coordinates.Add(coordinates[0].Copy());
        }

        return coordinates.Count >= 4 ? factory.CreateLinearRing([.. coordinates]) : factory.CreateLinearRing();
    }
}
