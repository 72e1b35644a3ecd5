using Google.Protobuf.WellKnownTypes;
using Targeting.Stops.V1;

namespace Targeting.Stops.Linking;

/// <summary>
/// Links an encounter to a patrol area at record time, without ever making the write wait long or
/// fail: one call with a short deadline; on any failure the link is PENDING (the link job retries)
/// and a breaker skips the call for a cool-down, so that while the hotspot service is down writes
/// do not each pay the deadline. Thread-safe.
/// </summary>
public sealed class PatrolLinker(IPatrolAreaLocator locator, TimeProvider clock, TimeSpan deadline, TimeSpan breakerCooldown)
{
    private long _skipUntilTicks;

    /// <summary>The link to record with a new encounter.</summary>
    public async Task<PatrolLink> LinkAsync(Encounter encounter, CancellationToken cancellationToken)
    {
        if (encounter.Location is null)
        {
            return new PatrolLink { Status = PatrolLinkStatus.Unlocated };
        }

        if (!locator.IsConfigured || clock.GetUtcNow().UtcTicks < Interlocked.Read(ref _skipUntilTicks))
        {
            return Pending();
        }

        var result = await locator.LocateAsync(
            encounter.Location.Latitude, encounter.Location.Longitude, encounter.OccurredAt.ToDateTimeOffset(), deadline, cancellationToken);
        switch (result.Status)
        {
            case LocateStatus.Inside:
            case LocateStatus.Outside:
                return ToLink(result, clock.GetUtcNow());
            case LocateStatus.Unavailable:
                Interlocked.Exchange(ref _skipUntilTicks, (clock.GetUtcNow() + breakerCooldown).UtcTicks);
                return Pending();
            default:
                return Pending();
        }
    }

    /// <summary>The link for a successful locate.</summary>
    public static PatrolLink ToLink(LocateResult result, DateTimeOffset linkedAt) => new()
    {
        Status = result.Status == LocateStatus.Inside ? PatrolLinkStatus.Inside : PatrolLinkStatus.Outside,
        PlanId = result.PlanId,
        AreaId = result.AreaId,
        LinkedAt = Timestamp.FromDateTimeOffset(Storage.StoredValues.TruncateToMicros(linkedAt)),
    };

    private static PatrolLink Pending() => new() { Status = PatrolLinkStatus.Pending };
}
