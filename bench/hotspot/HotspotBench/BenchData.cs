using System.Globalization;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Union;
using Targeting.Engine.Geography;
using Targeting.Engine.Hotspots;
using Targeting.Hotspot;
using Targeting.Hotspot.Import;
using WireIncident = Targeting.Hotspot.V1.Incident;

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

    /// <summary>
    /// Reads the crime file with the hotspot service's own CSV reader (as <c>targeting import crimes</c>
    /// and <c>brief</c> do) and projects it as the service does; rows it refuses (no coordinates) are
    /// left out.
    /// </summary>
    private static List<Incident> ReadIncidents(string path, Projection projection)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var text = CrimeFileImporter.OpenText(file);
        var accepted = new List<WireIncident>();
        foreach (var row in CrimeCsvReader.Open(text, Path.GetFileName(path)).ReadRows())
        {
            if (row.Incident is { } incident)
            {
                accepted.Add(incident);
            }
        }

        // The service's ids are content hashes; the benchmark keeps row numbers so that id order is file order.
        var records = IncidentMapping.ToRecords(accepted, projection);
        var incidents = new List<Incident>(records.Length);
        foreach (var record in records)
        {
            incidents.Add(IncidentMapping.ToEngine(record) with { Id = record.RowNumber.ToString("D8", CultureInfo.InvariantCulture) });
        }

        return incidents;
    }
}
