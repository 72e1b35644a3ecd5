using Npgsql;
using Targeting.Engine.Geography;
using Targeting.Engine.Tests.Support;
using Targeting.Testing;

namespace Targeting.Engine.Tests.Geography;

public sealed class ProjectionTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Project_ThousandSampleLondonPoints_AgreesWithPostGisTransformWithinOneMetre()
    {
        database.Require();
        var points = ThousandDistinctSamplePoints();
        var postgis = await PostGisTransformAsync(points.Select(p => p.Lon).ToArray(), points.Select(p => p.Lat).ToArray(), 4326, 27700);

        var worst = 0.0;
        for (var i = 0; i < points.Count; i++)
        {
            var (x, y) = Projection.BritishNationalGrid.Project(points[i].Lon, points[i].Lat);
            worst = Math.Max(worst, Math.Sqrt(Math.Pow(x - postgis[i].X, 2) + Math.Pow(y - postgis[i].Y, 2)));
        }

        Assert.Equal(1000, points.Count);
        // Same Helmert parameters as PROJ without the OSTN15 grid: millimetres, not metres.
        Assert.True(worst < 1.0, $"worst disagreement {worst} m");
        Assert.True(worst < 0.01, $"expected centimetre agreement with the same datum shift, worst {worst} m");
    }

    [Fact]
    public async Task Unproject_ThousandPostGisGridPoints_AgreesWithPostGisInverseWithinOneMetre()
    {
        database.Require();
        var points = ThousandDistinctSamplePoints();
        var grid = await PostGisTransformAsync(points.Select(p => p.Lon).ToArray(), points.Select(p => p.Lat).ToArray(), 4326, 27700);
        var back = await PostGisTransformAsync(grid.Select(g => g.X).ToArray(), grid.Select(g => g.Y).ToArray(), 27700, 4326);

        var worst = 0.0;
        for (var i = 0; i < grid.Length; i++)
        {
            var (lon, lat) = Projection.BritishNationalGrid.Unproject(grid[i].X, grid[i].Y);
            // Degrees to metres at London's latitude: 1° latitude ≈ 111.2 km, 1° longitude ≈ 69.4 km.
            var metres = Math.Sqrt(Math.Pow((lon - back[i].X) * 69_400, 2) + Math.Pow((lat - back[i].Y) * 111_200, 2));
            worst = Math.Max(worst, metres);
        }

        Assert.True(worst < 1.0, $"worst disagreement {worst} m");
    }

    [Fact]
    public void ProjectThenUnproject_LondonPoint_ReturnsWithinACentimetre()
    {
        var (x, y) = Projection.BritishNationalGrid.Project(-0.1114, 51.4908);
        var (lon, lat) = Projection.BritishNationalGrid.Unproject(x, y);

        // 1e-7 degrees is about 7 mm east-west and 11 mm north-south here.
        Assert.Equal(-0.1114, lon, 1e-7);
        Assert.Equal(51.4908, lat, 1e-7);
    }

    [Fact]
    public void Project_PostGisReferencePoint_MatchesItsEastingNorthing()
    {
        // ST_Transform(ST_SetSRID(ST_MakePoint(-0.1114, 51.4908), 4326), 27700) on PostGIS 3.3.2 / PROJ 9.1.1
        // gave POINT(531214.4567655036 178563.3640051057); kept so the check runs without a database.
        var (x, y) = Projection.BritishNationalGrid.Project(-0.1114, 51.4908);

        Assert.Equal(531214.4567655036, x, 0.01);
        Assert.Equal(178563.3640051057, y, 0.01);
    }

    [Fact]
    public void ProjectInPlace_Batch_EqualsPointByPoint()
    {
        double[] lon = [-0.1114, 0.0812, 0.1326];
        double[] lat = [51.4908, 51.5398, 51.5488];
        var expected = lon.Zip(lat, (a, b) => Projection.BritishNationalGrid.Project(a, b)).ToArray();

        Projection.BritishNationalGrid.ProjectInPlace(lon, lat);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(expected[i].X, lon[i], 1e-9);
            Assert.Equal(expected[i].Y, lat[i], 1e-9);
        }
    }

    [Fact]
    public void Project_Polygon_ProjectsEveryVertexAndKeepsSrid()
    {
        var wkt = "POLYGON ((-0.12 51.49, -0.11 51.49, -0.11 51.5, -0.12 51.5, -0.12 51.49))";
        var polygon = new NetTopologySuite.IO.WKTReader().Read(wkt);

        var projected = Projection.BritishNationalGrid.Project(polygon);

        Assert.Equal(27700, projected.SRID);
        var first = Projection.BritishNationalGrid.Project(-0.12, 51.49);
        Assert.Equal(first.X, projected.Coordinates[0].X, 1e-9);
        Assert.Equal(first.Y, projected.Coordinates[0].Y, 1e-9);
        // About 0.01° × 0.01° at 51.5°N: roughly 694 m × 1112 m.
        Assert.InRange(projected.Area, 0.74e6, 0.80e6);
    }

    [Fact]
    public void FromWkt_GeographicCrs_IsRefused()
    {
        const string wgs84 = "GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563]],PRIMEM[\"Greenwich\",0],UNIT[\"degree\",0.0174532925199433]]";

        var error = Assert.Throws<ArgumentException>(() => Projection.FromWkt(wgs84));

        Assert.Contains("projected", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEpsg_Utm30North_NamesItsCrsAndProjectsMetres()
    {
        var utm = Projection.FromEpsg(32630);

        var (x, y) = utm.Project(-3.0, 51.5);

        Assert.Equal("EPSG:32630", utm.Crs);
        Assert.Equal(500_000, x, 0.01);
        Assert.InRange(y, 5_700_000, 5_710_000);
    }

    [Fact]
    public void Crs_BritishNationalGrid_IsEpsg27700()
    {
        Assert.Equal("EPSG:27700", Projection.BritishNationalGrid.Crs);
        Assert.Equal(27700, Projection.BritishNationalGrid.Srid);
    }

    private static List<(double Lon, double Lat)> ThousandDistinctSamplePoints()
    {
        var distinct = StreetCrimes.Sample.Select(r => (r.Longitude, r.Latitude)).Distinct().OrderBy(p => p.Longitude).ThenBy(p => p.Latitude).ToList();
        var step = distinct.Count / 1000.0;
        return Enumerable.Range(0, 1000).Select(i => distinct[(int)(i * step)]).ToList();
    }

    private async Task<(double X, double Y)[]> PostGisTransformAsync(double[] xs, double[] ys, int from, int to)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT ST_X(g), ST_Y(g) FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(x, y), @from), @to) AS g, n " +
            "FROM unnest(@xs, @ys) WITH ORDINALITY AS t(x, y, n)) s ORDER BY n", connection);
        command.Parameters.AddWithValue("xs", xs);
        command.Parameters.AddWithValue("ys", ys);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        var result = new List<(double, double)>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            result.Add((reader.GetDouble(0), reader.GetDouble(1)));
        }

        return [.. result];
    }
}
