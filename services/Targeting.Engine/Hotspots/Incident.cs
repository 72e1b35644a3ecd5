namespace Targeting.Engine.Hotspots;

/// <summary>Who brought an incident to police attention.</summary>
public enum Provenance
{
    /// <summary>Reported by the public (victim-reported violence, robbery, burglary...).</summary>
    Reported = 1,

    /// <summary>Discovered by police activity (possession of weapons found in a search, drugs).</summary>
    Discovered = 2,
}

/// <summary>How exactly an incident's time is known.</summary>
public enum TimePrecision
{
    /// <summary>Only the month (data.police.uk street crime): <see cref="Incident.OccurredAt"/> is the month's first instant.</summary>
    Month = 1,

    /// <summary>The exact time.</summary>
    Exact = 2,
}

/// <summary>A crime incident as the engine sees it: already projected, already typed.</summary>
/// <param name="Id">A stable id (police.uk Crime ID or an importer's content hash); DBSCAN and
/// every tie-break order incidents by it (ordinal).</param>
/// <param name="OccurredAt">UTC; for <see cref="TimePrecision.Month"/>, the first instant of the month.</param>
/// <param name="TimePrecision">Month-level or exact.</param>
/// <param name="X">Easting in the projected CRS, metres.</param>
/// <param name="Y">Northing in the projected CRS, metres.</param>
/// <param name="CrimeType">The data.police.uk crime type, e.g. "Robbery" (see <see cref="CrimeTypes"/>).</param>
/// <param name="Provenance">Reported or discovered; <see cref="CrimeTypes.DefaultProvenance"/> gives the usual one.</param>
public sealed record Incident(
    string Id,
    DateTime OccurredAt,
    TimePrecision TimePrecision,
    double X,
    double Y,
    string CrimeType,
    Provenance Provenance)
{
    /// <summary>
    /// The time used for time decay: the exact time, or the middle of the month for month-level
    /// times (the expected time of an incident known only to fall in that month).
    /// </summary>
    public DateTime EffectiveTime => TimePrecision == TimePrecision.Exact
        ? OccurredAt
        : OccurredAt.AddTicks((OccurredAt.AddMonths(1) - OccurredAt).Ticks / 2);

    /// <summary>Makes an incident whose provenance follows from its crime type (<see cref="CrimeTypes.DefaultProvenance"/>).</summary>
    public static Incident WithDefaultProvenance(string id, DateTime occurredAt, TimePrecision precision, double x, double y, string crimeType) =>
        new(id, occurredAt, precision, x, y, crimeType, CrimeTypes.DefaultProvenance(crimeType));
}
