using Google.Protobuf.WellKnownTypes;
using Targeting.Stops.Storage;
using Targeting.Stops.V1;

namespace Targeting.Stops.Access;

/// <summary>Maps stored encounters to the wire record a caller may see.</summary>
public static class EncounterViews
{
    /// <summary>The personal fields an encounter record returns, as the audit log names them.</summary>
    public const string PersonalFields =
        "location,occurred_at,sex,age_range,self_defined_ethnicity,officer_defined_ethnicity,vehicle,officer,grounds,outcome";

    /// <summary>The fields <see cref="ToFacts"/> returns, as the audit log names them (no person's id, no free text).</summary>
    public const string FactFields =
        "location,occurred_at,type,sex,age_range,self_defined_ethnicity,officer_defined_ethnicity,outcome,object_of_search,vehicle,patrol_link,source";

    /// <summary>The analytic columns of a chunk of encounters (current values); see EncounterFacts in stops.proto.</summary>
    public static EncounterFacts ToFacts(IReadOnlyList<EncounterFactRow> chunk)
    {
        var builder = new EncounterFactsBuilder();
        foreach (var row in chunk)
        {
            builder.Add(row.Current, row.LinkStatus, row.PlanId);
        }

        return builder.Build();
    }

    /// <summary>
    /// The record; with a pseudonymiser, every person's id (officer pseudonym, recorder, amending
    /// author) is replaced by its keyed pseudonym, in the current values, the original and each amendment.
    /// </summary>
    public static EncounterRecord ToRecord(StoredEncounter stored, Pseudonymiser? pseudonymiser)
    {
        var record = new EncounterRecord
        {
            EncounterId = stored.EncounterId,
            RequestId = stored.RequestId ?? "",
            RecordedAt = Timestamp.FromDateTimeOffset(stored.RecordedAt),
            RecordedBy = stored.RecordedBy,
            Current = stored.Current.Clone(),
            Original = stored.Original.Clone(),
            PatrolLink = stored.Link.Clone(),
            Source = stored.Source ?? "",
            SourceRow = stored.SourceRow ?? 0,
        };
        record.Amendments.Add(stored.Amendments.Select(a => a.Clone()));
        if (pseudonymiser is not null)
        {
            record.RecordedBy = pseudonymiser.Pseudonymise(record.RecordedBy);
            Pseudonymise(record.Current, pseudonymiser);
            Pseudonymise(record.Original, pseudonymiser);
            foreach (var amendment in record.Amendments)
            {
                amendment.Author = pseudonymiser.Pseudonymise(amendment.Author);
                Pseudonymise(amendment.Changes, pseudonymiser);
            }
        }

        return record;
    }

    public static EncounterReceipt ToReceipt(StoredEncounter stored, bool replayed) => new()
    {
        EncounterId = stored.EncounterId,
        RecordedAt = Timestamp.FromDateTimeOffset(stored.RecordedAt),
        Replayed = replayed,
        PatrolLink = stored.Link.Clone(),
    };

    private static void Pseudonymise(Encounter? encounter, Pseudonymiser pseudonymiser)
    {
        if (encounter?.Officer is { } officer)
        {
            officer.Pseudonym = pseudonymiser.Pseudonymise(officer.Pseudonym);
        }
    }
}
