using Google.Protobuf.WellKnownTypes;
using Targeting.Common.V1;
using Targeting.Engine.Geography;
using Targeting.Hotspot.Storage;
using EngineIncident = Targeting.Engine.Hotspots.Incident;
using Incident = Targeting.Hotspot.V1.Incident;

namespace Targeting.Hotspot;

/// <summary>Maps incidents between the wire (proto, WGS84), the store (both CRSs) and the engine (projected).</summary>
public static class IncidentMapping
{
    /// <summary>Validated proto incidents to store records, projecting the batch in one pass.</summary>
    public static IncidentRecord[] ToRecords(IReadOnlyList<Incident> incidents, Projection projection)
    {
        var x = new double[incidents.Count];
        var y = new double[incidents.Count];
        for (var i = 0; i < incidents.Count; i++)
        {
            x[i] = incidents[i].Location.Longitude;
            y[i] = incidents[i].Location.Latitude;
        }

        projection.ProjectInPlace(x, y);
        var records = new IncidentRecord[incidents.Count];
        for (var i = 0; i < incidents.Count; i++)
        {
            var incident = incidents[i];
            records[i] = new IncidentRecord(
                incident.Id,
                incident.OccurredAt.ToDateTime(),
                incident.TimePrecision,
                incident.Location.Longitude,
                incident.Location.Latitude,
                x[i],
                y[i],
                incident.CrimeType,
                incident.Provenance,
                incident.LsoaCode,
                incident.Source,
                incident.RowNumber);
        }

        return records;
    }

    public static EngineIncident ToEngine(IncidentRecord record) => new(
        record.Id,
        record.OccurredAt,
        record.TimePrecision == V1.TimePrecision.Exact ? Engine.Hotspots.TimePrecision.Exact : Engine.Hotspots.TimePrecision.Month,
        record.X,
        record.Y,
        record.CrimeType,
        record.Provenance == V1.Provenance.Discovered ? Engine.Hotspots.Provenance.Discovered : Engine.Hotspots.Provenance.Reported);

    public static Incident ToProto(IncidentRecord record) => new()
    {
        Id = record.Id,
        OccurredAt = Timestamp.FromDateTime(DateTime.SpecifyKind(record.OccurredAt, DateTimeKind.Utc)),
        TimePrecision = record.TimePrecision,
        Location = new LatLng { Latitude = record.Latitude, Longitude = record.Longitude },
        CrimeType = record.CrimeType,
        Provenance = record.Provenance,
        LsoaCode = record.LsoaCode,
        Source = record.Source,
        RowNumber = record.RowNumber,
    };
}
