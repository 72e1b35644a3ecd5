namespace Targeting.Hotspot;

/// <summary>The hotspot service's settings (section <c>Hotspot</c>).</summary>
public sealed class HotspotOptions
{
    public const string SectionName = "Hotspot";

    /// <summary>
    /// Boundary files to load at start-up (GeoJSON in WGS84). Empty means the shipped sample
    /// under <c>data/boundaries</c> (Barking and Dagenham and Lambeth: boroughs, 2014 wards,
    /// 2011 LSOAs). For all London, list <c>../shared/data/boundaries/london_boroughs.geojson</c>
    /// and <c>london_wards_2014.geojson</c>. Relative paths are tried against the content root,
    /// then the data folder the service finds (see <see cref="DataLocator"/>).
    /// </summary>
    public List<BoundaryFile> Boundaries { get; set; } = [];

    /// <summary>
    /// The street gazetteer that names patrol areas (gzip CSV <c>latitude,longitude,street</c>, as
    /// <c>targeting gazetteer build</c> writes it). Empty means the shipped
    /// <c>data/gazetteer/london-street-points.csv.gz</c> when the data folder has it (else areas go
    /// unnamed); "none" turns naming off. A configured file that is missing fails start-up. Relative
    /// paths resolve as <see cref="Boundaries"/> do.
    /// </summary>
    public string Gazetteer { get; set; } = string.Empty;

    /// <summary>The projected CRS computation runs in, as an EPSG code (default 27700, British National Grid).</summary>
    public int ProjectedCrs { get; set; } = 27700;

    /// <summary>How often the locate index looks for plans stored by other replicas (default 15 s).</summary>
    public TimeSpan PlanRefreshInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the database is checked for the health service (default 5 s).</summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Most rejected rows an ImportIncidents summary lists (default 10,000, keeping it under the
    /// 4 MiB message limit); its <c>rejected</c> count is always complete.
    /// </summary>
    public int MaxRejectedRowsInSummary { get; set; } = 10_000;

    /// <summary>
    /// Most surface cells kept in memory across cached hotspot surfaces (default 1,000,000: about
    /// 20 London-wide surfaces of 100 m cells, roughly 150 MB); 0 turns the cache off.
    /// </summary>
    public long SurfaceCacheCells { get; set; } = 1_000_000;

    /// <summary>
    /// How long a cached surface is served (default 10 min): the most it can lag an import made by
    /// another replica or the command line (this replica's own imports clear the cache at once).
    /// </summary>
    public TimeSpan SurfaceCacheTtl { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>One boundary file and, optionally, the kind of every feature in it (else from GSS codes).</summary>
public sealed class BoundaryFile
{
    public string Path { get; set; } = string.Empty;

    public string? Kind { get; set; }
}

/// <summary>Where the service keeps its data (section <c>Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>"sqlite" (the embedded default) or "postgres".</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>The folder of the SQLite file <c>hotspot.db</c> (default <see cref="Targeting.Grpc.DataFolder.Default"/>, shared with stops and the command line).</summary>
    public string DataDirectory { get; set; } = Targeting.Grpc.DataFolder.Default;

    /// <summary>The PostgreSQL connection string (provider "postgres").</summary>
    public string? ConnectionString { get; set; }
}
