using System.Text.Json;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using Targeting.Engine.Statistics;
using Targeting.Import;

namespace Targeting.Engine.Tests.Statistics;

/// <summary>One data.police.uk stop-and-search row, as much of it as the fairness figures need.</summary>
internal sealed record StopSearchRow(double? Longitude, double? Latitude, string SelfDefined, string OfficerDefined, string Outcome);

/// <summary>
/// A minimal reader of the Met's 15-column stop-and-search files (../shared/data/README.md,
/// section 1): BOM detected, quoted fields allowed, the header checked, blank coordinates kept.
/// </summary>
internal static class StopSearchFiles
{
    private const string Header =
        "Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,Outcome linked to object of search,Removal of more than just outer clothing";

    public static List<StopSearchRow> ReadFolder(string folder)
    {
        var files = Directory.GetFiles(folder, "*-metropolitan-stop-and-search.csv").Order(StringComparer.Ordinal).ToArray();
        Assert.NotEmpty(files);
        return files.SelectMany(Read).ToList();
    }

    private static IEnumerable<StopSearchRow> Read(string path)
    {
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        var header = true;
        foreach (var record in CsvRecordReader.ReadAll(reader))
        {
            var f = record.Fields;
            if (header)
            {
                Assert.Equal(Header, string.Join(',', f));
                header = false;
                continue;
            }

            Assert.True(f.Length == 15, $"{Path.GetFileName(path)} line {record.RecordNumber}: {f.Length} columns");
            yield return new StopSearchRow(Coordinate(f[5]), Coordinate(f[4]), f[8], f[9], f[12]);
        }
    }

    private static double? Coordinate(string text) =>
        text.Length == 0 ? null : double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

}

/// <summary>Borough polygons from the GLA GeoJSON (WGS84 lon/lat), for point-in-polygon tests with NTS.</summary>
internal static class BoroughPolygons
{
    public static Dictionary<string, IPreparedGeometry> Load(string path)
    {
        var factory = new GeometryFactory();
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var result = new Dictionary<string, IPreparedGeometry>(StringComparer.Ordinal);
        foreach (var feature in document.RootElement.GetProperty("features").EnumerateArray())
        {
            var geometry = feature.GetProperty("geometry");
            var coordinates = geometry.GetProperty("coordinates");
            var polygons = geometry.GetProperty("type").GetString() == "MultiPolygon"
                ? coordinates.EnumerateArray().Select(p => Polygon(factory, p)).ToArray()
                : [Polygon(factory, coordinates)];
            result[feature.GetProperty("properties").GetProperty("NAME").GetString()!] =
                PreparedGeometryFactory.Prepare(factory.CreateMultiPolygon(polygons));
        }

        return result;
    }

    private static Polygon Polygon(GeometryFactory factory, JsonElement rings)
    {
        var linearRings = rings.EnumerateArray()
            .Select(ring => factory.CreateLinearRing(ring.EnumerateArray().Select(p => new Coordinate(p[0].GetDouble(), p[1].GetDouble())).ToArray()))
            .ToArray();
        return factory.CreatePolygon(linearRings[0], linearRings[1..]);
    }
}

/// <summary>Counting searches by broad group, officer- and self-defined, with the engine's mapping.</summary>
internal static class SearchCounts
{
    public static (Dictionary<BroadEthnicGroup, long> Counts, long Unknown) OfficerDefined(IEnumerable<StopSearchRow> rows) =>
        Count(rows, r => EthnicityMapping.TryParseOfficerDefined(r.OfficerDefined, out var g) ? g : null);

    public static (Dictionary<BroadEthnicGroup, long> Counts, long Unknown) SelfDefined(IEnumerable<StopSearchRow> rows) =>
        Count(rows, r =>
        {
            if (r.SelfDefined.Length == 0)
            {
                return null;
            }

            Assert.True(EthnicityMapping.TryParseSelfDefined(r.SelfDefined, out var detailed), $"unknown self-defined label '{r.SelfDefined}'");
            return EthnicityMapping.ToBroadGroup(detailed);
        });

    private static (Dictionary<BroadEthnicGroup, long>, long) Count(IEnumerable<StopSearchRow> rows, Func<StopSearchRow, BroadEthnicGroup?> group)
    {
        var counts = new Dictionary<BroadEthnicGroup, long>();
        long unknown = 0;
        foreach (var row in rows)
        {
            if (group(row) is { } g)
            {
                counts[g] = counts.GetValueOrDefault(g) + 1;
            }
            else
            {
                unknown++;
            }
        }

        return (counts, unknown);
    }
}
