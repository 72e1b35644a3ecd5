using System.Globalization;
using System.IO.Compression;
using System.Text;
using Targeting.Engine.Geography;
using Targeting.Engine.Hotspots;
using Targeting.Testing;

namespace Targeting.Engine.Tests.Support;

/// <summary>A row of the 10-column London street-crime extract (test-only reader; the real importer lives in the hotspot service).</summary>
internal sealed record StreetCrimeRow(int RowNumber, DateTime Month, string CrimeType, double Longitude, double Latitude, string Borough, string Ward);

/// <summary>Reads the London street-crime extracts for tests: plain or gzipped, rows without coordinates skipped.</summary>
internal static class StreetCrimes
{
    private static readonly Lazy<IReadOnlyList<StreetCrimeRow>> SampleRows = new(() =>
        Read(RepoPaths.InRepo("data", "police-uk", "street-crime-barking-dagenham-lambeth-2022-01-to-2022-09.csv.gz")));

    private static readonly Lazy<IReadOnlyList<Incident>> SampleIncidentsLazy = new(() => ToIncidents(SampleRows.Value, Projection.BritishNationalGrid));

    /// <summary>The shipped sample's rows (Barking and Dagenham and Lambeth, Jan–Sep 2022).</summary>
    public static IReadOnlyList<StreetCrimeRow> Sample => SampleRows.Value;

    /// <summary>The shipped sample as projected incidents, ids = row numbers padded to 8 digits (so id order is row order).</summary>
    public static IReadOnlyList<Incident> SampleIncidents => SampleIncidentsLazy.Value;

    public static IReadOnlyList<StreetCrimeRow> Read(string path)
    {
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var header = Split(reader.ReadLine() ?? throw new InvalidDataException("empty file"));
        int Column(string name) => Array.IndexOf(header, name) is var i and >= 0 ? i : throw new InvalidDataException($"no column {name}");
        int month = Column("Month"), type = Column("Crime type"), lon = Column("Longitude"), lat = Column("Latitude");
        var borough = Array.IndexOf(header, "Borough");
        var ward = Array.IndexOf(header, "Ward name (2014)");
        var rows = new List<StreetCrimeRow>();
        var rowNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            rowNumber++;
            var fields = Split(line);
            if (!double.TryParse(fields[lon], NumberStyles.Float, CultureInfo.InvariantCulture, out var longitude)
                || !double.TryParse(fields[lat], NumberStyles.Float, CultureInfo.InvariantCulture, out var latitude))
            {
                continue;
            }

            var start = DateTime.ParseExact(fields[month], "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            rows.Add(new StreetCrimeRow(rowNumber, start, fields[type], longitude, latitude,
                borough >= 0 ? fields[borough] : "", ward >= 0 ? fields[ward] : ""));
        }

        return rows;
    }

    public static IReadOnlyList<Incident> ToIncidents(IReadOnlyList<StreetCrimeRow> rows, Projection projection)
    {
        var x = rows.Select(r => r.Longitude).ToArray();
        var y = rows.Select(r => r.Latitude).ToArray();
        projection.ProjectInPlace(x, y);
        return rows.Select((r, i) => Incident.WithDefaultProvenance(
            r.RowNumber.ToString("D8", CultureInfo.InvariantCulture), r.Month, TimePrecision.Month, x[i], y[i], r.CrimeType)).ToList();
    }

    private static string[] Split(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return [.. fields];
    }
}
