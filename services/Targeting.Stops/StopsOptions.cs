using System.ComponentModel.DataAnnotations;
using Targeting.Stops.Geography;

namespace Targeting.Stops;

/// <summary>Where the stops service keeps its data (section <c>Storage</c>, shared by the services).</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>"sqlite" (the embedded default) or "postgres".</summary>
    [RegularExpression("^(sqlite|postgres)$", ErrorMessage = "Storage:Provider must be 'sqlite' or 'postgres'")]
    public string Provider { get; set; } = "sqlite";

    /// <summary>The folder holding the SQLite file (stops.db); default <see cref="Targeting.Grpc.DataFolder.Default"/>, shared with hotspot and the command line.</summary>
    public string DataDirectory { get; set; } = Targeting.Grpc.DataFolder.Default;

    /// <summary>The PostgreSQL connection string, for Provider=postgres.</summary>
    public string? ConnectionString { get; set; }
}

/// <summary>The stops service's own settings (section <c>Stops</c>).</summary>
public sealed class StopsOptions
{
    public const string Section = "Stops";

    /// <summary>The force boundary: a GeoJSON file of polygons; defaults to the Metropolitan Police area (32 London boroughs) shipped with the service.</summary>
    public string BoundaryPath { get; set; } = Path.Combine(ForceAreas.Folder, ForceAreas.DefaultForce + ".geojson");

    /// <summary>
    /// Metres outside every boundary polygon a location is still accepted. The GLA borough
    /// polygons stop at the Thames high-water line, so without it a stop on a bridge is outside.
    /// </summary>
    [Range(0, 5000)]
    public double BoundaryToleranceMetres { get; set; } = 100;

    /// <summary>
    /// The key of the HMAC that turns officer pseudonyms into the analysts' keyed pseudonyms.
    /// Required outside Development; keep it secret, and stable, or analytic ids change.
    /// </summary>
    public string? PseudonymKey { get; set; }

    /// <summary>
    /// Group commit: writer connections (PostgreSQL; SQLite always has one). On PostgreSQL a
    /// recorded encounter does not use them: it is one autocommit statement on a pooled connection.
    /// </summary>
    [Range(1, 64)]
    public int Writers { get; set; } = 4;

    /// <summary>Group commit: most writes in one transaction.</summary>
    [Range(1, 10_000)]
    public int MaxBatch { get; set; } = 128;

    /// <summary>How long a write waits for the hotspot service before recording the link as pending.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:05")]
    public TimeSpan LinkDeadline { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>After a failed hotspot call, writes skip the call for this long (the link job catches up).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan LinkBreakerCooldown { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the link job looks for pending encounters when idle.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan LinkPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the health probe checks the database (faster while it is down).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan HealthProbeInterval { get; set; } = TimeSpan.FromSeconds(5);
}
