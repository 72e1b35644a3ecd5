using NetTopologySuite.Geometries;
using Targeting.Hotspot.V1;

namespace Targeting.Hotspot.Storage;

/// <summary>An incident as stored: WGS84 as received, plus its point in the service's projected CRS.</summary>
/// <remarks>
/// OccurredAt is UTC (the month's first instant for month-precision records); X and Y are
/// easting and northing in metres (EPSG:27700 by default) from the engine's projection.
/// </remarks>
public sealed record IncidentRecord(
    string Id,
    DateTime OccurredAt,
    TimePrecision TimePrecision,
    double Longitude,
    double Latitude,
    double X,
    double Y,
    string CrimeType,
    Provenance Provenance,
    string LsoaCode,
    string Source,
    long RowNumber);

/// <summary>Which incidents to read. Every filter is optional; the window is half-open [Start, End).</summary>
/// <remarks>The area is a polygon in the projected CRS; incidents on its boundary are inside.</remarks>
public sealed record IncidentQuery(
    Geometry? Area = null,
    DateTime? Start = null,
    DateTime? End = null,
    IReadOnlyCollection<string>? CrimeTypes = null);

/// <summary>Where, when and what of one incident: all that analytics read (see <see cref="IHotspotStore.QueryIncidentPointsAsync"/>).</summary>
/// <param name="X">Projected easting, metres.</param>
/// <param name="Y">Projected northing, metres.</param>
/// <param name="OccurredAt">UTC; the month's start for month-precision incidents.</param>
/// <param name="CrimeType">The data.police.uk crime type.</param>
/// <param name="Provenance">Reported by the public or discovered by police activity.</param>
public readonly record struct IncidentPoint(double X, double Y, DateTime OccurredAt, string CrimeType, Provenance Provenance);

/// <summary>What a batch write did: new incidents, and incidents whose id was already held.</summary>
public readonly record struct IncidentWriteResult(int Imported, int Duplicates);

/// <summary>The weight an incident of a crime type and provenance carries in grid counts.</summary>
public readonly record struct IncidentWeight(string CrimeType, Provenance Provenance, double Weight);

/// <summary>
/// A square grid in the projected CRS: cell (column, row) covers
/// [OriginX + column·CellSize, OriginX + (column+1)·CellSize) × [OriginY + row·CellSize, …).
/// </summary>
public readonly record struct GridFrame(double OriginX, double OriginY, double CellSize, int Columns, int Rows);

/// <summary>Incidents in one grid cell: how many, and their summed weight.</summary>
public readonly record struct CellCount(int Column, int Row, long Count, double WeightedCount);

/// <summary>One incident's DBSCAN label: its cluster number, or null for noise.</summary>
public readonly record struct ClusterLabel(string Id, int? Cluster);

/// <summary>A stored plan with its insertion sequence (newest = highest).</summary>
public sealed record StoredPlan(long Sequence, PatrolPlan Plan);

/// <summary>A page of plans, newest first; <see cref="NextBefore"/> is null on the last page.</summary>
public sealed record PlanPage(IReadOnlyList<StoredPlan> Plans, long? NextBefore);

/// <summary>Thrown when a plan id is already stored: plans are never overwritten.</summary>
public sealed class PlanAlreadyExistsException(string planId)
    : InvalidOperationException($"plan {planId} already exists; plans are never overwritten")
{
    public string PlanId { get; } = planId;
}

/// <summary>Thrown when the database cannot be reached; the service answers UNAVAILABLE.</summary>
public sealed class StoreUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// The hotspot service's data: incidents, and patrol plans that are written once and never
/// changed. Two implementations pass the same contract tests: SQLite (embedded default) and
/// PostgreSQL + PostGIS, where grid counts and DBSCAN run in SQL.
/// </summary>
public interface IHotspotStore
{
    /// <summary>"sqlite" or "postgres", for logs and provenance.</summary>
    string Provider { get; }

    /// <summary>
    /// Whether an exception a store call threw means the database could not be reached or went away
    /// mid-call (a restart or crash), so the caller should hear UNAVAILABLE and try again, not INTERNAL.
    /// </summary>
    bool IsUnavailable(Exception error);

    /// <summary>Creates or upgrades the schema; safe to call from several processes at once.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>Whether the database answers now (for the health service).</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken);

    /// <summary>Adds incidents in one transaction; ids already held are counted as duplicates and left unchanged.</summary>
    Task<IncidentWriteResult> AddIncidentsAsync(IReadOnlyList<IncidentRecord> incidents, CancellationToken cancellationToken);

    /// <summary>The incidents matching a query, ordered by id (ordinal).</summary>
    IAsyncEnumerable<IncidentRecord> QueryIncidentsAsync(IncidentQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// The incidents matching a query as points, in no particular order: only the columns analytics
    /// need, and no sort of the whole result (the costs of <see cref="QueryIncidentsAsync"/> on 600k rows).
    /// </summary>
    IAsyncEnumerable<IncidentPoint> QueryIncidentPointsAsync(IncidentQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Counts and summed weights per grid cell of the matching incidents that carry a positive
    /// weight (the engine's naive harm-weighted counts); empty cells and cells outside the frame are left out.
    /// </summary>
    Task<IReadOnlyList<CellCount>> CountByCellAsync(IncidentQuery query, GridFrame grid, IReadOnlyList<IncidentWeight> weights, CancellationToken cancellationToken);

    /// <summary>DBSCAN over the matching incidents' projected points, visiting them in id order.</summary>
    Task<IReadOnlyList<ClusterLabel>> ClusterDbscanAsync(IncidentQuery query, double epsMetres, int minPoints, CancellationToken cancellationToken);

    /// <summary>Stores a new plan and its areas' projected geometries; throws <see cref="PlanAlreadyExistsException"/> if the id is taken.</summary>
    Task<long> SavePlanAsync(PatrolPlan plan, IReadOnlyList<Geometry> projectedAreas, CancellationToken cancellationToken);

    Task<PatrolPlan?> GetPlanAsync(string planId, CancellationToken cancellationToken);

    /// <summary>Plans newest first, optionally for one area name or active at a time, before a sequence (paging).</summary>
    Task<PlanPage> ListPlansAsync(string? areaName, DateTime? activeAt, int pageSize, long? beforeSequence, CancellationToken cancellationToken);

    /// <summary>Plans stored after a sequence, oldest first (to refresh the in-memory locate index).</summary>
    Task<IReadOnlyList<StoredPlan>> PlansAfterAsync(long sequence, CancellationToken cancellationToken);
}
