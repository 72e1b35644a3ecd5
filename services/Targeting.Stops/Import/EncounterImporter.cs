using Targeting.Common.V1;
using Targeting.Stops.Storage;
using Targeting.Stops.Validation;
using Targeting.Stops.V1;

namespace Targeting.Stops.Import;

/// <summary>
/// Imports historical encounters (e.g. data.police.uk rows parsed by the client) into the store:
/// validates each row with the historical rules, rejects bad rows with every reason, keeps rows
/// without coordinates as unlocated, and writes the rest idempotently per (source, row).
/// Used by the gRPC ImportEncounters call and by the command line's embedded import.
/// </summary>
public sealed class EncounterImporter(IEncounterStore store, EncounterValidator validator, TimeProvider clock)
{
    /// <summary>Rows per transaction: large enough to amortise the commit, small enough to keep memory flat.</summary>
    public const int BatchSize = 1000;

    /// <summary>Validates and writes one batch of rows of <paramref name="source"/>, adding to <paramref name="summary"/>.</summary>
    public async Task ImportAsync(
        string source, IReadOnlyList<ImportedEncounter> rows, string actor, string role, string rpc,
        ImportEncountersSummary summary, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var recordedAt = StoredValues.TruncateToMicros(now);
        var accepted = new List<NewEncounter>(rows.Count);
        var unlocatedIds = new HashSet<string>();
        var errors = new List<FieldError>();
        summary.Received += rows.Count;
        foreach (var row in rows)
        {
            errors.Clear();
            if (row.RowNumber < 2)
            {
                errors.Add(new("row_number", "must be 2 or more (row 1 is the header)"));
            }

            validator.Validate(row.Encounter, "", ValidationMode.Historical, now, errors);
            if (errors.Count > 0)
            {
                summary.Rejected++;
                if (errors.Any(e => e.Field == "location" && e.Description.Contains(EncounterValidator.OutsideBoundary, StringComparison.Ordinal)))
                {
                    summary.OutsideBoundary++;
                }

                summary.RejectedRows.Add(new RejectedRow
                {
                    Source = source,
                    RowNumber = row.RowNumber,
                    Reason = string.Join("; ", errors.Select(e => $"{e.Field}: {e.Description}")),
                });
                continue;
            }

            var encounter = StoredValues.Canonical(row.Encounter);
            var id = Guid.CreateVersion7(now).ToString();
            var located = encounter.Location is not null;
            if (!located)
            {
                unlocatedIds.Add(id);
            }

            accepted.Add(new NewEncounter(id, null, null, recordedAt, actor, encounter,
                new PatrolLink { Status = located ? PatrolLinkStatus.Pending : PatrolLinkStatus.Unlocated },
                source, row.RowNumber));
        }

        if (accepted.Count == 0)
        {
            return;
        }

        var audit = new AuditEntry(now, actor, role, "import", rpc, [], 0, "");
        var outcome = await store.ImportAsync(accepted, audit, cancellationToken);
        summary.Imported += outcome.Imported;
        summary.Duplicates += outcome.Duplicates;
        summary.Unlocated += outcome.ImportedIds.Count(unlocatedIds.Contains);
    }
}
