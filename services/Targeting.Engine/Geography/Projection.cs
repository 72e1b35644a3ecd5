using System.Globalization;
using NetTopologySuite.Geometries;
using ProjNet.CoordinateSystems;
using ProjNet.CoordinateSystems.Transformations;

namespace Targeting.Engine.Geography;

/// <summary>
/// Converts between WGS84 longitude/latitude (EPSG:4326, degrees) and a projected metric CRS in
/// which the engine computes (by default British National Grid, EPSG:27700, metres).
/// </summary>
/// <remarks>
/// <para>
/// Algorithm: ProjNet's concatenated transform: WGS84 geographic → geocentric → inverse 7-parameter
/// Helmert (the CRS's <c>TOWGS84</c> clause, position-vector convention) → the target datum's
/// geographic → its map projection (Transverse Mercator for BNG), and the reverse.
/// </para>
/// <para>
/// Accuracy for <see cref="BritishNationalGrid"/>: the datum shift is the OSGB36 ↔ WGS84 Helmert
/// transformation EPSG:1314 (tx 446.448, ty −125.157, tz 542.06 m; rx 0.15, ry 0.247, rz 0.842″;
/// s −20.489 ppm), the same parameters PostGIS 3.3 / PROJ 9 use for <c>ST_Transform(geom, 27700)</c>
/// when the OSTN15 grid is not installed. The engine therefore agrees with PostGIS to within a
/// centimetre (ProjNet and PROJ invert the Helmert shift slightly differently: about 5 mm in London;
/// tested on 1,000 London points against the 1 m requirement); a projection followed by its inverse
/// returns within about 5 mm for the same reason. Against the definitive OSTN15 grid transformation the
/// Helmert shift is good to about 2 m in Great Britain (EPSG's stated accuracy for 1314; up to
/// ~3.5 m at the extremities), far below the 100 m grid cell and the tens of metres by which
/// data.police.uk already snaps every location.
/// </para>
/// <para>Thread safety: instances are immutable and safe to share; every thread gets its own
/// ProjNet transform objects, since ProjNet does not document its transforms as thread-safe.</para>
/// </remarks>
public sealed class Projection
{
    /// <summary>OGC WKT of EPSG:27700 as PostGIS 3.3 ships it in <c>spatial_ref_sys</c>.</summary>
    public const string BritishNationalGridWkt =
        "PROJCS[\"OSGB 1936 / British National Grid\",GEOGCS[\"OSGB 1936\",DATUM[\"OSGB_1936\"," +
        "SPHEROID[\"Airy 1830\",6377563.396,299.3249646,AUTHORITY[\"EPSG\",\"7001\"]]," +
        "TOWGS84[446.448,-125.157,542.06,0.15,0.247,0.842,-20.489],AUTHORITY[\"EPSG\",\"6277\"]]," +
        "PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]]," +
        "AUTHORITY[\"EPSG\",\"4277\"]],PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"latitude_of_origin\",49]," +
        "PARAMETER[\"central_meridian\",-2],PARAMETER[\"scale_factor\",0.9996012717],PARAMETER[\"false_easting\",400000]," +
        "PARAMETER[\"false_northing\",-100000],UNIT[\"metre\",1,AUTHORITY[\"EPSG\",\"9001\"]],AXIS[\"Easting\",EAST]," +
        "AXIS[\"Northing\",NORTH],AUTHORITY[\"EPSG\",\"27700\"]]";

    private readonly ProjectedCoordinateSystem _projected;
    private readonly ThreadLocal<(MathTransform Forward, MathTransform Inverse)> _transforms;

    private Projection(ProjectedCoordinateSystem projected, string crs, int srid)
    {
        _projected = projected;
        Crs = crs;
        Srid = srid;
        Factory = new GeometryFactory(new PrecisionModel(), srid);
        _transforms = new ThreadLocal<(MathTransform, MathTransform)>(CreateTransforms);
    }

    /// <summary>British National Grid (EPSG:27700) with the EPSG:1314 Helmert datum shift.</summary>
    public static Projection BritishNationalGrid { get; } = FromWkt(BritishNationalGridWkt);

    /// <summary>The CRS name, "EPSG:27700" when the WKT carries an EPSG authority, else the CRS's WKT name.</summary>
    public string Crs { get; }

    /// <summary>The SRID stamped on projected geometries (the EPSG code, or 0 when unknown).</summary>
    public int Srid { get; }

    /// <summary>The factory for geometries in the projected CRS (floating precision, <see cref="Srid"/>).</summary>
    public GeometryFactory Factory { get; }

    /// <summary>A factory for WGS84 geometries (SRID 4326).</summary>
    public static GeometryFactory Wgs84Factory { get; } = new(new PrecisionModel(), 4326);

    /// <summary>Makes a projection from the OGC WKT (WKT1) of a projected coordinate system.</summary>
    /// <exception cref="ArgumentException">The WKT does not parse or is not a projected CRS.</exception>
    public static Projection FromWkt(string projectedWkt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projectedWkt);
        CoordinateSystem parsed;
        try
        {
            parsed = new CoordinateSystemFactory().CreateFromWkt(projectedWkt);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or NotSupportedException)
        {
            throw new ArgumentException($"not a parsable WKT coordinate system: {e.Message}", nameof(projectedWkt), e);
        }

        if (parsed is not ProjectedCoordinateSystem projected)
        {
            throw new ArgumentException("the WKT must describe a projected (metric) coordinate system", nameof(projectedWkt));
        }

        var isEpsg = string.Equals(projected.Authority, "EPSG", StringComparison.OrdinalIgnoreCase) && projected.AuthorityCode > 0;
        var crs = isEpsg ? "EPSG:" + projected.AuthorityCode.ToString(CultureInfo.InvariantCulture) : projected.Name;
        return new Projection(projected, crs, isEpsg ? (int)projected.AuthorityCode : 0);
    }

    /// <summary>
    /// Makes a projection from an EPSG code: 27700 (British National Grid) or a WGS84 UTM zone
    /// (32601–32660 north, 32701–32760 south). Other codes need their WKT: <see cref="FromWkt"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The code is not one of those.</exception>
    public static Projection FromEpsg(int code)
    {
        if (code == 27700)
        {
            return BritishNationalGrid;
        }

        if (code is (>= 32601 and <= 32660) or (>= 32701 and <= 32760))
        {
            var utm = ProjectedCoordinateSystem.WGS84_UTM(code % 100, code < 32700);
            return new Projection(utm, "EPSG:" + code.ToString(CultureInfo.InvariantCulture), code);
        }

        throw new ArgumentOutOfRangeException(nameof(code), code, "known EPSG codes: 27700 and the WGS84 UTM zones; give other CRSs as WKT");
    }

    /// <summary>Projects a WGS84 longitude/latitude (degrees) to projected x/y (metres).</summary>
    public (double X, double Y) Project(double longitude, double latitude)
    {
        var (x, y) = _transforms.Value.Forward.Transform(longitude, latitude);
        return (x, y);
    }

    /// <summary>Converts projected x/y (metres) back to WGS84 longitude/latitude (degrees).</summary>
    public (double Longitude, double Latitude) Unproject(double x, double y)
    {
        var (longitude, latitude) = _transforms.Value.Inverse.Transform(x, y);
        return (longitude, latitude);
    }

    /// <summary>Projects many points in place: on entry longitudes and latitudes, on return x and y.</summary>
    public void ProjectInPlace(Span<double> longitudesToX, Span<double> latitudesToY)
    {
        if (longitudesToX.Length != latitudesToY.Length)
        {
            throw new ArgumentException("the two spans must have the same length");
        }

        // Point by point: ProjNet 2.0's span overload carries the datum shift's height from one point
        // to the next (millimetre drift), so the scalar path, which starts every point at height 0, is used.
        var forward = _transforms.Value.Forward;
        for (var i = 0; i < longitudesToX.Length; i++)
        {
            (longitudesToX[i], latitudesToY[i]) = forward.Transform(longitudesToX[i], latitudesToY[i]);
        }
    }

    /// <summary>Projects a WGS84 geometry (x = longitude, y = latitude) into the projected CRS.</summary>
    public Geometry Project(Geometry wgs84) => Convert(wgs84, _transforms.Value.Forward, Factory);

    /// <summary>Converts a projected geometry back to WGS84 (x = longitude, y = latitude).</summary>
    public Geometry Unproject(Geometry projected) => Convert(projected, _transforms.Value.Inverse, Wgs84Factory);

    private (MathTransform, MathTransform) CreateTransforms()
    {
        var factory = new CoordinateTransformationFactory();
        var forward = factory.CreateFromCoordinateSystems(GeographicCoordinateSystem.WGS84, _projected).MathTransform;
        var inverse = factory.CreateFromCoordinateSystems(_projected, GeographicCoordinateSystem.WGS84).MathTransform;
        return (forward, inverse);
    }

    private static Geometry Convert(Geometry geometry, MathTransform transform, GeometryFactory factory)
    {
        var copy = factory.CreateGeometry(geometry);
        copy.Apply(new TransformFilter(transform));
        copy.GeometryChanged();
        return copy;
    }

    private sealed class TransformFilter(MathTransform transform) : IEntireCoordinateSequenceFilter
    {
        public bool Done => false;

        public bool GeometryChanged => true;

        public void Filter(CoordinateSequence seq)
        {
            for (var i = 0; i < seq.Count; i++)
            {
                var (x, y) = transform.Transform(seq.GetX(i), seq.GetY(i));
                seq.SetX(i, x);
                seq.SetY(i, y);
            }
        }
    }
}
