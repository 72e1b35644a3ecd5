namespace Targeting.Stops.Linking;

/// <summary>How a locate call ended.</summary>
public enum LocateStatus
{
    /// <summary>An active patrol area holds the point.</summary>
    Inside,

    /// <summary>No active patrol area holds the point.</summary>
    Outside,

    /// <summary>The hotspot service could not answer now (down, slow, overloaded): try again later.</summary>
    Unavailable,

    /// <summary>The hotspot service refused this point (e.g. out of range): retrying soon will not help.</summary>
    Refused,
}

public sealed record LocateResult(LocateStatus Status, string PlanId = "", string AreaId = "", string Detail = "");

/// <summary>Asks the hotspot service which active patrol area holds a point at a time (LocatePatrolArea).</summary>
public interface IPatrolAreaLocator
{
    /// <summary>Whether a hotspot service is configured at all.</summary>
    bool IsConfigured { get; }

    /// <summary>Never throws for the hotspot's failures: they come back as Unavailable or Refused.</summary>
    Task<LocateResult> LocateAsync(double latitude, double longitude, DateTimeOffset at, TimeSpan deadline, CancellationToken cancellationToken);
}
