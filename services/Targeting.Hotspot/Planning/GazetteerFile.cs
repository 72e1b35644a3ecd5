using System.Globalization;
using System.IO.Compression;
using System.Text;
using Targeting.Engine.Geography;
using Targeting.Import;

namespace Targeting.Hotspot.Planning;

/// <summary>One row of a gazetteer file: a snap point's coordinates as the source wrote them (WGS84 degrees) and its street.</summary>
public sealed record GazetteerRow(string Latitude, string Longitude, string Street);

/// <summary>What building a gazetteer kept and skipped, and which boroughs (from the LSOA names) its points are in.</summary>
public sealed record GazetteerBuild(
    IReadOnlyList<GazetteerRow> Rows,
    long RecordsRead,
    long NoCoordinates,
    long NoStreet,
    long PlaceTypes,
    IReadOnlyDictionary<string, int> PointsByBorough);

/// <summary>
/// The gazetteer file: gzip CSV with header <c>latitude,longitude,street</c>, one row per
/// data.police.uk snap point, coordinates as data.police.uk rounds them (6 decimal places),
/// sorted by latitude then longitude. Built from data.police.uk's 12-column street files by
/// <c>targeting gazetteer build</c>; read by the hotspot service and the command line to name patrol
/// areas (the engine's <see cref="Gazetteer"/>).
/// </summary>
public static class GazetteerFile
{
    /// <summary>The shipped file, under the data folder.</summary>
    public static readonly string[] ShippedPath = ["gazetteer", "london-street-points.csv.gz"];

    public const string Header = "latitude,longitude,street";

    private const string OnOrNear = "On or near";

    /// <summary>
    /// data.police.uk's point-of-interest location types (the London extract's "Location type" values):
    /// a point "On or near Supermarket" names a kind of place, not a street, so it names no area.
    /// </summary>
    private static readonly HashSet<string> PlaceTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "Airport/Airfield", "Bus/Coach Station", "Conference/Exhibition Centre", "DLR Station", "Ferry Terminal",
        "Further/Higher Educational Building", "Hospital", "LU Station", "Motorway Service Area", "Nightclub",
        "Park/Open Space", "Parking Area", "Pedestrian Subway", "Petrol Station", "Police Station", "Prison",
        "Race Track", "Rail Station", "Shopping Area", "Sports/Recreation Area", "Supermarket", "Theatre/Concert Hall",
        "Theme/Adventure Park",
    };

    /// <summary>
    /// The snap points of data.police.uk 12-column street files (<c>Crime ID, Month, ..., Longitude,
    /// Latitude, Location, LSOA code, LSOA name, ...</c>): one row per distinct point with a street,
    /// its most frequent street where files disagree (ties: ordinal). Rows without coordinates, with
    /// a blank "On or near", or at a point-of-interest type are counted and skipped.
    /// </summary>
    /// <param name="files">The files' readers and names (for errors).</param>
    /// <exception cref="InvalidDataException">A file lacks the Latitude, Longitude or Location column.</exception>
    public static GazetteerBuild FromStreetFiles(IEnumerable<(string Name, TextReader Reader)> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var names = new Dictionary<(string, string), Dictionary<string, int>>();
        var boroughs = new Dictionary<(string, string), string>();
        long read = 0, noCoordinates = 0, noStreet = 0, places = 0;
        foreach (var (name, reader) in files)
        {
            int latitude = -1, longitude = -1, location = -1, lsoaName = -1;
            foreach (var record in CsvRecordReader.ReadAll(reader))
            {
                var fields = record.Fields;
                if (record.RecordNumber == 1)
                {
                    var columns = fields.Select(f => f.Trim()).ToList();
                    (latitude, longitude, location, lsoaName) = (columns.IndexOf("Latitude"), columns.IndexOf("Longitude"), columns.IndexOf("Location"), columns.IndexOf("LSOA name"));
                    if (latitude < 0 || longitude < 0 || location < 0)
                    {
                        throw new InvalidDataException($"{name}: not a data.police.uk street file (its header lacks Latitude, Longitude or Location): {string.Join(",", columns.Take(12))}");
                    }

                    continue;
                }

                read++;
                var lat = Field(fields, latitude);
                var lng = Field(fields, longitude);
                if (!Degrees(lat, 90) || !Degrees(lng, 180))
                {
                    noCoordinates++;
                    continue;
                }

                var text = Field(fields, location);
                // Field() trims, so a blank "On or near " arrives as "On or near".
                var street = text.StartsWith(OnOrNear, StringComparison.Ordinal) ? text[OnOrNear.Length..].Trim() : text;
                if (street.Length == 0)
                {
                    noStreet++;
                    continue;
                }

                if (PlaceTypes.Contains(street))
                {
                    places++;
                    continue;
                }

                street = Tidy(street);
                var key = (lat, lng);
                if (!names.TryGetValue(key, out var counts))
                {
                    names[key] = counts = new Dictionary<string, int>(StringComparer.Ordinal);
                    boroughs[key] = Borough(Field(fields, lsoaName));
                }

                counts[street] = counts.GetValueOrDefault(street) + 1;
            }
        }

        var rows = names
            .Select(p => new GazetteerRow(p.Key.Item1, p.Key.Item2,
                p.Value.OrderByDescending(n => n.Value).ThenBy(n => n.Key, StringComparer.Ordinal).First().Key))
            .OrderBy(r => double.Parse(r.Latitude, CultureInfo.InvariantCulture))
            .ThenBy(r => double.Parse(r.Longitude, CultureInfo.InvariantCulture))
            .ToList();
        var byBorough = boroughs.Values.GroupBy(b => b, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new GazetteerBuild(rows, read, noCoordinates, noStreet, places, byBorough);
    }

    /// <summary>Writes <paramref name="rows"/> as the gzip CSV file (replacing it).</summary>
    public static async Task WriteAsync(string path, IEnumerable<GazetteerRow> rows, CancellationToken cancellationToken)
    {
        await using var file = File.Create(path);
        await using var gzip = new GZipStream(file, CompressionLevel.SmallestSize);
        await using var text = new StreamWriter(gzip, new UTF8Encoding(false)) { NewLine = "\n" };
        await using var csv = CsvRecordWriter.Create(text, leaveOpen: true);
        csv.WriteRecord(Header.Split(','));
        foreach (var row in rows)
        {
            csv.WriteRecord(row.Latitude, row.Longitude, row.Street);
        }

        await csv.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Reads a gazetteer file (gzip, or plain CSV when the name does not end in .gz) and projects its
    /// points with <paramref name="projection"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The header is not <see cref="Header"/>, or a row's coordinates are not degrees.</exception>
    public static IReadOnlyList<StreetPoint> Read(string path, Projection projection)
    {
        ArgumentNullException.ThrowIfNull(projection);
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var text = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var points = new List<StreetPoint>();
        foreach (var record in CsvRecordReader.ReadAll(text))
        {
            if (record.RecordNumber == 1)
            {
                if (!string.Equals(string.Join(",", record.Fields), Header, StringComparison.Ordinal))
                {
                    throw new InvalidDataException($"{path}: not a gazetteer file: its header is not '{Header}'");
                }

                continue;
            }

            if (record.Fields.Length != 3
                || !double.TryParse(record.Fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var latitude)
                || !double.TryParse(record.Fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var longitude)
                || Math.Abs(latitude) > 90 || Math.Abs(longitude) > 180)
            {
                throw new InvalidDataException($"{path}: record {record.RecordNumber} is not latitude,longitude,street in degrees");
            }

            var (x, y) = projection.Project(longitude, latitude);
            points.Add(new StreetPoint(x, y, record.Fields[2]));
        }

        return points;
    }

    private static string Field(string[] fields, int index) => index >= 0 && index < fields.Length ? fields[index].Trim() : string.Empty;

    private static bool Degrees(string text, double limit) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && Math.Abs(value) <= limit;

    /// <summary>"Prince'S Plain" → "Prince's Plain": data.police.uk title-cases the letter after an apostrophe.</summary>
    private static string Tidy(string street)
    {
        var chars = street.ToCharArray();
        for (var i = 1; i < chars.Length; i++)
        {
            if (chars[i] == 'S' && chars[i - 1] == '\'' && (i + 1 == chars.Length || !char.IsLetter(chars[i + 1])))
            {
                chars[i] = 's';
            }
        }

        return new string(chars);
    }

    /// <summary>The borough of an LSOA name ("Lambeth 012A" → "Lambeth"); "unknown" when blank.</summary>
    private static string Borough(string lsoaName)
    {
        var space = lsoaName.LastIndexOf(' ');
        return space > 0 ? lsoaName[..space] : lsoaName.Length > 0 ? lsoaName : "unknown";
    }
}
