using System.Globalization;
using System.IO.Compression;
using System.Text;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Union;
using Targeting.Engine.Geography;
using Targeting.Engine.Hotspots;

namespace HotspotBench;

/// <summary>
/// The benchmark's inputs: street crime (Jan–Sep 2022) as projected incidents, borough and ward
/// boundaries, from ../shared/data when present, else the shipped data/ sample (two boroughs only).
/// </summary>
internal sealed class BenchData
{
    public static readonly DateTime Start = new(2022, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    public static readonly DateTime End = new(2022, 10, 1, 0, 0, 0, DateTimeKind.Utc);

    private BenchData(string source, bool isFull, IReadOnlyList<Incident> incidents, BoundarySet boroughs, BoundarySet wards)
    {
        Source = source;
        IsFull = isFull;
        Incidents = incidents;
        Boroughs = boroughs;
        Wards = wards;
    }

    /// <summary>The crime file read.</summary>
    public string Source { get; }

    /// <summary>True for ../shared/data (all London), false for the two-borough sample.</summary>
    public bool IsFull { get; }

    /// <summary>Every located row, ids = row numbers padded to 8 digits (id order = file order).</summary>
    public IReadOnlyList<Incident> Incidents { get; }

    public BoundarySet Boroughs { get; }

    public BoundarySet Wards { get; }

    /// <summary>Loads from the shared data folder when it has the London file, else from the repository's sample.</summary>
    public static BenchData Load(string sharedData, string repoData)
    {
        var london = Path.Combine(sharedData, "police-uk", "london_street_crime_2022-01_to_2022-09.csv.gz");
        var full = File.Exists(london);
        var crimes = full ? london : Path.Combine(repoData, "police-uk", "street-crime-barking-dagenham-lambeth-2022-01-to-2022-09.csv.gz");
        var boroughFile = full ? Path.Combine(sharedData, "boundaries", "london_boroughs.geojson")
            : Path.Combine(repoData, "boundaries", "london_boroughs_barking_dagenham_lambeth.geojson");
        var wardFile = full ? Path.Combine(sharedData, "boundaries", "london_wards_2014.geojson")
            : Path.Combine(repoData, "boundaries", "wards_2014_barking_dagenham_lambeth.geojson");
        var projection = Projection.BritishNationalGrid;
        var boroughs = BoundarySet.FromGeoJson(File.ReadAllText(boroughFile), projection, BoundaryKinds.Borough);
        var wards = BoundarySet.FromGeoJson(File.ReadAllText(wardFile), projection, BoundaryKinds.Ward);
        return new BenchData(crimes, full, ReadIncidents(crimes, projection), boroughs, wards);
    }

    /// <summary>A borough's polygon.</summary>
    public Geometry Borough(string name) =>
        (Boroughs.Find(name, BoundaryKinds.Borough) ?? throw new InvalidOperationException($"no borough {name}")).Geometry;

    /// <summary>All London: the union of every borough polygon (the City included).</summary>
    public Geometry London() => CascadedPolygonUnion.Union(Boroughs.All.Select(b => b.Geometry).ToList());

    /// <summary>
    /// The incidents inside an area's bounding box: what a store's spatial query hands the planner
    /// (the store filters by box; the engine places them on the grid).
    /// </summary>
    public IReadOnlyList<Incident> InEnvelope(Geometry area)
    {
        var box = area.EnvelopeInternal;
        return Incidents.Where(i => box.Contains(i.X, i.Y)).ToList();
    }

    private static List<Incident> ReadIncidents(string path, Projection projection)
    {
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var header = Split(reader.ReadLine() ?? throw new InvalidDataException($"{path} is empty"));
        int Column(string name) => Array.IndexOf(header, name) is var i and >= 0 ? i : throw new InvalidDataException($"{path} has no column {name}");
        int month = Column("Month"), type = Column("Crime type"), lon = Column("Longitude"), lat = Column("Latitude");
        var rows = new List<(int Row, DateTime Month, string Type)>();
        var xs = new List<double>();
        var ys = new List<double>();
        var types = new Dictionary<string, string>();
        var row = 1;
        while (reader.ReadLine() is { } line)
        {
            row++;
            var fields = Split(line);
            if (!double.TryParse(fields[lon], NumberStyles.Float, CultureInfo.InvariantCulture, out var longitude)
                || !double.TryParse(fields[lat], NumberStyles.Float, CultureInfo.InvariantCulture, out var latitude))
            {
                continue;
            }

            var start = DateTime.ParseExact(fields[month], "yyyy-MM", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            // Intern the few crime-type strings, as an importer would.
            if (!types.TryGetValue(fields[type], out var crimeType))
            {
                crimeType = fields[type];
                types[crimeType] = crimeType;
            }

            rows.Add((row, start, crimeType));
            xs.Add(longitude);
            ys.Add(latitude);
        }

        var x = xs.ToArray();
        var y = ys.ToArray();
        projection.ProjectInPlace(x, y);
        var incidents = new List<Incident>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            incidents.Add(Incident.WithDefaultProvenance(rows[i].Row.ToString("D8", CultureInfo.InvariantCulture), rows[i].Month,
                TimePrecision.Month, x[i], y[i], rows[i].Type));
        }

        return incidents;
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
