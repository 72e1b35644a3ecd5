using NetTopologySuite.Geometries;
using Targeting.Stops.V1;

namespace Targeting.Stops.Storage;

/// <summary>
/// Durable storage of encounters, their amendments and the audit log. Every write is committed
/// (fsynced) before its task completes. Both implementations (SQLite, PostgreSQL + PostGIS) pass
/// the same contract tests. A lost database surfaces as <see cref="StoreUnavailableException"/>.
/// </summary>
public interface IEncounterStore : IAsyncDisposable
{
    /// <summary>Creates the schema or brings it up to date.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>Cheap round trip to the database, for health.</summary>
    Task PingAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Writes a new encounter, idempotently on its request id: an existing encounter with the same
    /// request id and fingerprint is returned as replayed; one with a different fingerprint is a
    /// conflict. The audit event is written in the same transaction when the encounter is created.
    /// </summary>
    Task<RecordOutcome> RecordAsync(NewEncounter encounter, AuditEntry audit, CancellationToken cancellationToken);

    /// <summary>Imports a batch of rows in one transaction, skipping rows whose (source, row) exists.</summary>
    Task<ImportOutcome> ImportAsync(IReadOnlyList<NewEncounter> encounters, AuditEntry audit, CancellationToken cancellationToken);

    /// <summary>One encounter with its amendments, or null.</summary>
    Task<StoredEncounter?> GetAsync(string encounterId, CancellationToken cancellationToken);

    /// <summary>
    /// Appends an amendment if the encounter still has <paramref name="expectedAmendments"/>
    /// amendments (optimistic concurrency), replacing its current values.
    /// </summary>
    Task<AmendOutcome> AmendAsync(NewAmendment amendment, int expectedAmendments, AuditEntry audit, CancellationToken cancellationToken);

    /// <summary>Encounters matching the filter, oldest occurrence first (ties by insertion order).</summary>
    IAsyncEnumerable<StoredEncounter> QueryAsync(EncounterFilter filter, CancellationToken cancellationToken);

    /// <summary>The distinct officer pseudonyms on record (for resolving an analyst's keyed pseudonym).</summary>
    Task<IReadOnlyList<string>> OfficerPseudonymsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The filter's encounters as <see cref="QueryAsync"/> orders them, reading only what analyses
    /// need (id, current values, link status and plan): no original, no amendment history.
    /// </summary>
    IAsyncEnumerable<EncounterFactRow> QueryFactsAsync(EncounterFilter filter, CancellationToken cancellationToken);

    /// <summary>Encounters waiting to be linked whose next attempt is due, oldest due first.</summary>
    Task<IReadOnlyList<PendingLink>> DuePendingLinksAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>Sets the patrol link of a pending encounter (no-op if it is no longer pending).</summary>
    Task SetLinkAsync(string encounterId, PatrolLink link, CancellationToken cancellationToken);

    /// <summary>Records a failed link attempt and when to try again.</summary>
    Task DeferLinkAsync(string encounterId, int attempts, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken);

    /// <summary>Appends an audit event (durable before the task completes).</summary>
    Task AppendAuditAsync(AuditEntry audit, CancellationToken cancellationToken);

    /// <summary>Audit events matching the filter, oldest first.</summary>
    IAsyncEnumerable<AuditEntry> ListAuditAsync(AuditFilter filter, CancellationToken cancellationToken);
}

/// <summary>The database cannot be reached or failed transiently; the caller may retry.</summary>
public sealed class StoreUnavailableException(string message, Exception? inner) : Exception(message, inner);

/// <summary>An encounter to write.</summary>
public sealed record NewEncounter(
    string EncounterId,
    string? RequestId,
    byte[]? Fingerprint,
    DateTimeOffset RecordedAt,
    string RecordedBy,
    Encounter Encounter,
    PatrolLink Link,
    string? Source,
    long? SourceRow);

/// <summary>An encounter as stored: the original, the current values and every amendment.</summary>
public sealed record StoredEncounter(
    string EncounterId,
    string? RequestId,
    byte[]? Fingerprint,
    DateTimeOffset RecordedAt,
    string RecordedBy,
    Encounter Original,
    Encounter Current,
    IReadOnlyList<Amendment> Amendments,
    PatrolLink Link,
    string? Source,
    long? SourceRow);

/// <summary>An encounter's current values and patrol link, for analytics (see <see cref="IEncounterStore.QueryFactsAsync"/>).</summary>
/// <param name="EncounterId">The encounter's id (audited, never sent).</param>
/// <param name="Current">The current values as stored: protobuf bytes of an <see cref="Encounter"/>, left unparsed
/// (<see cref="Access.EncounterFactsBuilder"/> reads only the facts' fields off them).</param>
/// <param name="LinkStatus">The patrol link status.</param>
/// <param name="PlanId">The linked plan, or null.</param>
/// <param name="Seq">The row's insertion sequence number in the store (never changes; audited as ranges, never sent).</param>
public sealed record EncounterFactRow(string EncounterId, byte[] Current, PatrolLinkStatus LinkStatus, string? PlanId, long Seq);

public enum RecordStatus
{
    Created,
    Replayed,
    Conflict,
}

/// <summary>What a record call did; <see cref="Existing"/> is the stored encounter for Created and Replayed.</summary>
public sealed record RecordOutcome(RecordStatus Status, StoredEncounter? Existing);

public sealed record ImportOutcome(int Imported, int Duplicates, IReadOnlyList<string> ImportedIds);

/// <summary>
/// An amendment to append; <see cref="NewCurrent"/> is the encounter with it applied and
/// <see cref="Link"/> its patrol link (pending again when the time or place changed).
/// </summary>
public sealed record NewAmendment(
    string EncounterId,
    string RequestId,
    byte[] Fingerprint,
    Amendment Amendment,
    Encounter NewCurrent,
    PatrolLink Link);

public enum AmendStatus
{
    Appended,
    Replayed,
    Conflict,
    NotFound,

    /// <summary>Another amendment landed first; re-read and try again.</summary>
    Stale,
}

public sealed record AmendOutcome(AmendStatus Status, StoredEncounter? Encounter);

/// <summary>A query over encounters; null or empty members do not filter.</summary>
public sealed record EncounterFilter
{
    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    /// <summary>Only encounters whose location lies in this WGS84 (multi)polygon.</summary>
    public Geometry? Area { get; init; }

    public IReadOnlyList<SelfDefinedEthnicity> SelfDefinedEthnicities { get; init; } = [];

    public IReadOnlyList<OfficerDefinedEthnicity> OfficerDefinedEthnicities { get; init; } = [];

    public IReadOnlyList<Outcome> Outcomes { get; init; } = [];

    /// <summary>Any of these officer pseudonyms.</summary>
    public IReadOnlyList<string>? OfficerPseudonyms { get; init; }

    public string? Team { get; init; }

    /// <summary>Encounters recorded by, or carrying the pseudonym of, this subject (an officer's own).</summary>
    public string? OwnedBy { get; init; }

    public string? PlanId { get; init; }

    public string? AreaId { get; init; }

    public IReadOnlyList<PatrolLinkStatus> LinkStatuses { get; init; } = [];

    public bool ExcludeUnlocated { get; init; }

    /// <summary>At most this many (0: no limit).</summary>
    public long Limit { get; init; }
}

public sealed record PendingLink(string EncounterId, double Latitude, double Longitude, DateTimeOffset OccurredAt, int Attempts);

/// <summary>
/// One audit event: who did what to which encounters, and which personal fields it returned. When
/// <c>Sequences</c> is set it holds the same encounters as <c>EncounterIds</c>, as runs of their store
/// sequence numbers (<see cref="SeqRange.Runs"/>): a store may keep these instead of the ids (PostgreSQL
/// does, so an analysis's read of 4,096 encounters is one index entry, not 4,096); listing gives the ids either way.
/// </summary>
public sealed record AuditEntry(
    DateTimeOffset At,
    string Actor,
    string Role,
    string Action,
    string Rpc,
    IReadOnlyList<string> EncounterIds,
    long EncounterCount,
    string Fields,
    IReadOnlyList<SeqRange>? Sequences = null);

/// <summary>The store sequence numbers <see cref="First"/> to <see cref="Last"/>, both included.</summary>
public readonly record struct SeqRange(long First, long Last)
{
    /// <summary>
    /// The fewest ranges holding exactly these sequence numbers: a run of consecutive numbers is one
    /// range. Rows read in time order from a store written as they happened are a run or a few.
    /// </summary>
    public static IReadOnlyList<SeqRange> Runs(IEnumerable<long> seqs)
    {
        var sorted = seqs.ToArray();
        Array.Sort(sorted);
        var runs = new List<SeqRange>();
        for (var i = 0; i < sorted.Length;)
        {
            var j = i;
            while (j + 1 < sorted.Length && sorted[j + 1] <= sorted[j] + 1)
            {
                j++;
            }

            runs.Add(new SeqRange(sorted[i], sorted[j]));
            i = j + 1;
        }

        return runs;
    }
}

public sealed record AuditFilter(DateTimeOffset? From, DateTimeOffset? To, string? Actor, string? EncounterId, long Limit);
