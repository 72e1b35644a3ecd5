using System.Globalization;
using Targeting.Common.V1;
using Targeting.Grpc;
using Targeting.Hotspot.V1;

namespace Targeting.Hotspot.Import;

/// <summary>A WGS84 box that incident points must fall in.</summary>
/// <param name="South">Degrees north.</param>
/// <param name="West">Degrees east.</param>
/// <param name="North">Degrees north.</param>
/// <param name="East">Degrees east.</param>
public sealed record CoordinateBounds(double South, double West, double North, double East)
{
    /// <summary>The area of use of British National Grid (EPSG:27700): Great Britain and its waters.</summary>
    public static CoordinateBounds BritishNationalGrid { get; } = new(49.75, -9.01, 61.01, 2.01);

    public bool Contains(double latitude, double longitude) =>
        latitude >= South && latitude <= North && longitude >= West && longitude <= East;

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{South}..{North} N, {West}..{East} E");
}

/// <summary>
/// Checks one incident and puts it in canonical form (crime type spelling, provenance derived
/// from the type when unspecified). The CSV importer and the ImportIncidents rpc share it, so a
/// row is refused for the same reason whichever way it arrives.
/// </summary>
public static class IncidentValidator
{
    /// <summary>How far past the service's clock an incident time or a data window may start (the clock skew stops allows too).</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);

    // 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range google.protobuf.Timestamp allows.
    private const long MinTimestampSeconds = -62_135_596_800;
    private const long MaxTimestampSeconds = 253_402_300_799;

    /// <summary>Returns why the incident cannot be taken, or null after normalising it in place.</summary>
    /// <param name="incident">The incident, normalised in place when it is taken.</param>
    /// <param name="bounds">The box its point must fall in.</param>
    /// <param name="notAfter">The latest time an incident may have happened (now plus <see cref="ClockSkew"/>); null for no check.</param>
    public static string? Validate(Incident incident, CoordinateBounds bounds, DateTime? notAfter = null)
    {
        // Import rows are exempt from the stream-wide limits check, so each row meets them here.
        if (RequestLimits.FirstViolation(incident) is { } tooLong)
        {
            return tooLong;
        }

        if (string.IsNullOrWhiteSpace(incident.Id))
        {
            return "no id";
        }

        if (incident.OccurredAt is null)
        {
            return "no time (occurred_at)";
        }

        // Timestamp.ToDateTime throws outside 0001-9999; a caller's bad value is a rejected row.
        if (incident.OccurredAt.Seconds is < MinTimestampSeconds or > MaxTimestampSeconds || incident.OccurredAt.Nanos is < 0 or > 999_999_999)
        {
            return "occurred_at is not a valid timestamp";
        }

        if (notAfter is { } latest && incident.OccurredAt.ToDateTime() > latest)
        {
            return string.Create(CultureInfo.InvariantCulture, $"occurred_at {incident.OccurredAt.ToDateTime():yyyy-MM-dd HH:mm:ss}Z is in the future (after {latest:yyyy-MM-dd HH:mm:ss}Z)");
        }

        if (incident.TimePrecision == TimePrecision.Unspecified)
        {
            incident.TimePrecision = TimePrecision.Exact;
        }

        var reason = ValidatePoint(incident.Location, bounds);
        if (reason is not null)
        {
            return reason;
        }

        if (string.IsNullOrWhiteSpace(incident.CrimeType))
        {
            return "no crime type";
        }

        if (!KnownCrimeTypes.TryCanonicalise(incident.CrimeType, out var canonical))
        {
            return $"unknown crime type {FieldText.Quote(incident.CrimeType)}";
        }

        incident.CrimeType = canonical;
        if (incident.Provenance == Provenance.Unspecified)
        {
            incident.Provenance = KnownCrimeTypes.DefaultProvenance(canonical);
        }
        else if (!Enum.IsDefined(incident.Provenance))
        {
            return $"unknown provenance {(int)incident.Provenance}";
        }

        return null;
    }

    /// <summary>Why a point is unusable (missing, not finite, out of range), or null.</summary>
    public static string? ValidatePoint(LatLng? point, CoordinateBounds bounds)
    {
        if (point is null)
        {
            return "no coordinates";
        }

        var (lat, lon) = (point.Latitude, point.Longitude);
        if (!double.IsFinite(lat) || !double.IsFinite(lon))
        {
            return "coordinates are not finite numbers";
        }

        if (lat is < -90 or > 90 || lon is < -180 or > 180)
        {
            return string.Create(CultureInfo.InvariantCulture, $"coordinates ({lat}, {lon}) are not a valid latitude and longitude");
        }

        return bounds.Contains(lat, lon)
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"point ({lat}, {lon}) is outside the supported area ({bounds})");
    }
}
