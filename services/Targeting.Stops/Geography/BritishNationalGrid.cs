using NetTopologySuite.Geometries;
using ProjNet.CoordinateSystems;
using ProjNet.CoordinateSystems.Transformations;

namespace Targeting.Stops.Geography;

/// <summary>
/// WGS84 to British National Grid (EPSG:27700, metres) through ProjNet, with the OSGB36 datum
/// shift as the 7-parameter Helmert transformation EPSG publishes (accurate to a few metres,
/// enough for the boundary tolerance it is used for). Thread-safe.
/// </summary>
public static class BritishNationalGrid
{
    private const string Wkt =
        "PROJCS[\"OSGB 1936 / British National Grid\",GEOGCS[\"OSGB 1936\",DATUM[\"OSGB_1936\"," +
        "SPHEROID[\"Airy 1830\",6377563.396,299.3249646,AUTHORITY[\"EPSG\",\"7001\"]]," +
        "TOWGS84[446.448,-125.157,542.06,0.15,0.247,0.842,-20.489],AUTHORITY[\"EPSG\",\"6277\"]]," +
        "PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]]," +
        "AUTHORITY[\"EPSG\",\"4277\"]],PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"latitude_of_origin\",49]," +
        "PARAMETER[\"central_meridian\",-2],PARAMETER[\"scale_factor\",0.9996012717],PARAMETER[\"false_easting\",400000]," +
        "PARAMETER[\"false_northing\",-100000],UNIT[\"metre\",1,AUTHORITY[\"EPSG\",\"9001\"]],AUTHORITY[\"EPSG\",\"27700\"]]";

    public static readonly GeometryFactory Factory = new(new PrecisionModel(), 27700);

    private static readonly MathTransform Transform = new CoordinateTransformationFactory()
        .CreateFromCoordinateSystems(GeographicCoordinateSystem.WGS84, (CoordinateSystem)new CoordinateSystemFactory().CreateFromWkt(Wkt))
        .MathTransform;

    /// <summary>Projects a WGS84 longitude/latitude to easting/northing in metres.</summary>
    public static Coordinate Project(double longitude, double latitude)
    {
        var (x, y) = Transform.Transform(longitude, latitude);
        return new Coordinate(x, y);
    }

    /// <summary>Projects a WGS84 geometry (x longitude, y latitude) to EPSG:27700.</summary>
    public static Geometry Project(Geometry wgs84)
    {
        var projected = wgs84.Copy();
        projected.Apply(new ProjectFilter());
        projected.SRID = 27700;
        return Factory.CreateGeometry(projected);
    }

    private sealed class ProjectFilter : IEntireCoordinateSequenceFilter
    {
        public bool Done => false;

        public bool GeometryChanged => true;

        public void Filter(CoordinateSequence sequence)
        {
            for (var i = 0; i < sequence.Count; i++)
            {
                var (x, y) = Transform.Transform(sequence.GetX(i), sequence.GetY(i));
                sequence.SetX(i, x);
                sequence.SetY(i, y);
            }
        }
    }
}
