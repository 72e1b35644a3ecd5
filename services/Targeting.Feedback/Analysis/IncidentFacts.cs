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

    /// <summary>As <see cref="From"/>, reading a stream as it arrives.</summary>
    public static async Task<IReadOnlyList<IncidentFact>> FromAsync(IAsyncEnumerable<Incident> incidents, Projection projection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incidents);
        ArgumentNullException.ThrowIfNull(projection);
        var facts = new List<IncidentFact>();
        await foreach (var incident in incidents.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (Read(incident, projection) is { } fact)
            {
                facts.Add(fact);
            }
        }

        return facts;
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
