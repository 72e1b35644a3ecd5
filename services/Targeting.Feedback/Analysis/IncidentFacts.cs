using Targeting.Engine.Geography;
using Targeting.Hotspot.V1;

namespace Targeting.Feedback.Analysis;

/// <summary>One incident, projected: where, when and what.</summary>
/// <param name="X">Projected easting, metres.</param>
/// <param name="Y">Projected northing, metres.</param>
/// <param name="OccurredUtcTicks">Its time (month start for month-precision incidents), UTC ticks.</param>
/// <param name="CrimeType">The data.police.uk crime type.</param>
/// <param name="Provenance">Reported by the public or discovered by police activity.</param>
public readonly record struct IncidentFact(double X, double Y, long OccurredUtcTicks, string CrimeType, Provenance Provenance);

/// <summary>Reading incidents (as streamed by the hotspot service) into projected facts.</summary>
public static class IncidentFacts
{
    /// <summary>The incidents with a location, projected; those without one are skipped (the hotspot service never stores them).</summary>
    public static IReadOnlyList<IncidentFact> From(IEnumerable<Incident> incidents, Projection projection)
    {
        ArgumentNullException.ThrowIfNull(incidents);
        ArgumentNullException.ThrowIfNull(projection);
        var facts = new List<IncidentFact>();
        foreach (var incident in incidents)
        {
            if (Read(incident, projection) is { } fact)
            {
                facts.Add(fact);
            }
        }

        return facts;
    }

    /// <summary>
    /// Appends the incidents of one <see cref="IncidentPoints"/> batch (already projected by the
    /// hotspot service, in <see cref="IncidentPoints.Crs"/>, which the caller checks).
    /// </summary>
    /// <exception cref="ArgumentException">The batch's columns differ in length or an index names no crime type.</exception>
    public static void Add(List<IncidentFact> facts, IncidentPoints points)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(points);
        var count = points.X.Count;
        // occurred_at_nanos is empty from an older hotspot service (whole seconds then).
        if (points.Y.Count != count || points.OccurredAtSeconds.Count != count || points.CrimeTypeIndex.Count != count || points.Provenance.Count != count
            || (points.OccurredAtNanos.Count != 0 && points.OccurredAtNanos.Count != count))
        {
            throw new ArgumentException($"an incident batch's columns differ in length (x {count}, y {points.Y.Count}, occurred_at {points.OccurredAtSeconds.Count}, " +
                $"occurred_at_nanos {points.OccurredAtNanos.Count}, crime_type_index {points.CrimeTypeIndex.Count}, provenance {points.Provenance.Count})", nameof(points));
        }

        facts.EnsureCapacity(facts.Count + count);
        for (var i = 0; i < count; i++)
        {
            var type = points.CrimeTypeIndex[i];
            if ((uint)type >= (uint)points.CrimeTypes.Count)
            {
                throw new ArgumentException($"an incident batch's crime_type_index {type} names none of its {points.CrimeTypes.Count} crime types", nameof(points));
            }

            var occurred = DateTime.UnixEpoch.Ticks + (points.OccurredAtSeconds[i] * TimeSpan.TicksPerSecond)
                + (points.OccurredAtNanos.Count == 0 ? 0 : points.OccurredAtNanos[i] / 100);
            facts.Add(new IncidentFact(points.X[i], points.Y[i], occurred, points.CrimeTypes[type], points.Provenance[i]));
        }
    }

    private static IncidentFact? Read(Incident incident, Projection projection)
    {
        if (incident.Location is null)
        {
            return null;
        }

        var (x, y) = projection.Project(incident.Location.Longitude, incident.Location.Latitude);
        return new IncidentFact(x, y, incident.OccurredAt?.ToDateTime().Ticks ?? 0, incident.CrimeType, incident.Provenance);
    }
}
