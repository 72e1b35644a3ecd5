using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Targeting.Stops.V1;

namespace Targeting.Stops.Storage;

/// <summary>Conversions shared by both stores between stored columns and messages.</summary>
internal static class StoredValues
{
    private static readonly MessageParser<Encounter> CanonicalParser = Encounter.Parser.WithDiscardUnknownFields(true);

    /// <summary>Microseconds since the Unix epoch: the precision both databases keep.</summary>
    public static long ToMicros(DateTimeOffset value) => (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static DateTimeOffset FromMicros(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);

    /// <summary>Truncates to whole microseconds, so a time reads back exactly as written.</summary>
    public static DateTimeOffset TruncateToMicros(DateTimeOffset value) => FromMicros(ToMicros(value));

    public static Encounter ParseEncounter(byte[] bytes) => CanonicalParser.ParseFrom(bytes);

    /// <summary>
    /// A copy of the encounter without unknown fields (a newer client's extras are not stored).
    /// Google.Protobuf writes fields in number order, so equal canonical encounters give equal bytes.
    /// </summary>
    public static Encounter Canonical(Encounter encounter) => CanonicalParser.ParseFrom(encounter.ToByteArray());

    public static DateTimeOffset? OccurredAt(Encounter encounter) => encounter.OccurredAt?.ToDateTimeOffset();

    public static PatrolLink Link(int status, string? planId, string? areaId, long? linkedAtMicros) => new()
    {
        Status = (PatrolLinkStatus)status,
        PlanId = planId ?? "",
        AreaId = areaId ?? "",
        LinkedAt = linkedAtMicros is { } micros ? Timestamp.FromDateTimeOffset(FromMicros(micros)) : null,
    };

    public static long? LinkedAtMicros(PatrolLink link) => link.LinkedAt is null ? null : ToMicros(link.LinkedAt.ToDateTimeOffset());

    public static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    public static StoredEncounter FromNew(NewEncounter encounter) => new(
        encounter.EncounterId, encounter.RequestId, encounter.Fingerprint, encounter.RecordedAt, encounter.RecordedBy,
        encounter.Encounter, encounter.Encounter, [], encounter.Link, encounter.Source, encounter.SourceRow);

    public static Amendment ParseAmendment(int sequence, long amendedAtMicros, string author, string reason, string mask, byte[] changes) => new()
    {
        Sequence = sequence,
        AmendedAt = Timestamp.FromDateTimeOffset(FromMicros(amendedAtMicros)),
        Author = author,
        Reason = reason,
        UpdateMask = FieldMask.FromString(mask),
        Changes = ParseEncounter(changes),
    };
}
