using System.Security.Cryptography;
using Google.Protobuf;
using Targeting.Grpc;
using Targeting.Stops.Access;
using Targeting.Stops.Geography;
using Targeting.Stops.Import;
using Targeting.Stops.Linking;
using Targeting.Stops.Storage;
using Targeting.Stops.Validation;
using Targeting.Stops.V1;

namespace Targeting.Stops;

/// <summary>
/// targeting.stops.v1.StopsService: validates at the edge, applies the caller's scope, calls the
/// store and maps back. Every read of personal fields is audited before the data leaves; a lost
/// database is UNAVAILABLE (safe to retry), never INTERNAL.
/// </summary>
public sealed class StopsGrpcService(
    IEncounterStore store,
    EncounterValidator validator,
    PatrolLinker linker,
    EncounterImporter importer,
    Pseudonymiser pseudonymiser,
    TimeProvider clock)
    : StopsService.StopsServiceBase
{
    /// <summary>Request metadata a client sets to have its query audited as an export.</summary>
    public const string AuditPurposeHeader = "x-targeting-audit-purpose";

    private const int MaxIdLength = 100;
    private const int AuditChunk = 1000;

    // Encounters per EncounterFacts message, each audited as one entry: about 200 KB a batch.
    private const int FactsBatch = 4096;
    private const int MaxAmendAttempts = 5;
    // With descriptions of at most FieldText.MaxDescription characters, this keeps an error's
    // trailers under gRPC C-core's 16 KiB metadata limit; the last one says how many were left out.
    private const int MaxViolations = 16;

    [AllowRoles(Roles.Officer, Roles.Supervisor, Roles.Service)]
    public override async Task<EncounterReceipt> RecordEncounter(RecordEncounterRequest request, ServerCallContext context)
    {
        var now = clock.GetUtcNow();
        var errors = new List<FieldError>();
        Identifier(request.RequestId, "request_id", errors);
        validator.Validate(request.Encounter, "encounter.", ValidationMode.Live, now, errors);
        ThrowIfAny(errors);

        var caller = context.Caller;
        var encounter = StoredValues.Canonical(request.Encounter);
        if (!caller.IsInRole(Roles.Service))
        {
            // The team comes from the token: a record under another team would be hidden from the
            // officer's own supervisor and shown to the other team's.
            if (string.IsNullOrEmpty(caller.Team))
            {
                throw PermissionDenied("your token carries no team: an officer or supervisor records encounters of the team their token names");
            }
            if (encounter.Officer.Team != caller.Team)
            {
                throw PermissionDenied($"encounter.officer.team must be your token's team ({FieldText.Quote(caller.Team)}), not {FieldText.Quote(encounter.Officer.Team)}");
            }
            if (!caller.IsInRole(Roles.Supervisor) && encounter.Officer.Pseudonym != caller.Subject)
            {
                throw PermissionDenied("an officer records encounters as themself: encounter.officer.pseudonym must be your token's subject");
            }
        }

        var link = await linker.LinkAsync(encounter, context.CancellationToken);
        var bytes = encounter.ToByteArray();
        var record = new NewEncounter(
            Guid.CreateVersion7(now).ToString(), request.RequestId, SHA256.HashData(bytes), StoredValues.TruncateToMicros(now),
            caller.Subject, encounter, link, null, null);
        var audit = new AuditEntry(now, caller.Subject, RoleOf(caller), "record", "RecordEncounter", [record.EncounterId], 1, EncounterViews.PersonalFields);
        var outcome = await Guard(() => store.RecordAsync(record, audit, context.CancellationToken));
        return outcome.Status switch
        {
            RecordStatus.Created => EncounterViews.ToReceipt(outcome.Existing!, replayed: false),
            RecordStatus.Replayed => EncounterViews.ToReceipt(outcome.Existing!, replayed: true),
            _ => throw new RpcException(new Status(StatusCode.AlreadyExists,
                $"request_id '{request.RequestId}' was already used for a different encounter; use a new request_id for a new encounter")),
        };
    }

    [AllowRoles(Roles.Supervisor)]
    public override async Task<EncounterRecord> AmendEncounter(AmendEncounterRequest request, ServerCallContext context)
    {
        var now = clock.GetUtcNow();
        var errors = new List<FieldError>();
        Identifier(request.EncounterId, "encounter_id", errors);
        Identifier(request.RequestId, "request_id", errors);
        if (request.Reason.Trim().Length is < 3 or > EncounterValidator.MaxReason)
        {
            errors.Add(new("reason", $"is required: 3 to {EncounterValidator.MaxReason} characters saying why the record is amended"));
        }

        AmendmentMask.Validate(request.UpdateMask, errors);
        ThrowIfAny(errors);

        var scope = ScopeOf(context);
        var changes = StoredValues.Canonical(request.Changes ?? new Encounter());
        var mask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { request.UpdateMask.Paths.Distinct() } };
        var fingerprint = SHA256.HashData(new AmendEncounterRequest
        {
            EncounterId = request.EncounterId, Reason = request.Reason, UpdateMask = mask, Changes = changes,
        }.ToByteArray());

        for (var attempt = 0; attempt < MaxAmendAttempts; attempt++)
        {
            var stored = await Guard(() => store.GetAsync(request.EncounterId, context.CancellationToken));
            if (stored is null || !scope.CanSee(stored))
            {
                throw NotFound(request.EncounterId);
            }

            var current = AmendmentMask.Apply(stored.Current, mask, changes);
            validator.Validate(current, "changes.", stored.Source is null ? ValidationMode.Live : ValidationMode.Historical, stored.RecordedAt, errors);
            if (scope.Kind == ScopeKind.Team && current.Officer?.Team != scope.Team)
            {
                errors.Add(new("changes.officer.team", "a supervisor amends within their own team; the encounter would leave it"));
            }

            ThrowIfAny(errors);
            var amendment = new NewAmendment(request.EncounterId, request.RequestId, fingerprint, new Amendment
            {
                Sequence = stored.Amendments.Count + 1,
                AmendedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(StoredValues.TruncateToMicros(now)),
                Author = context.Caller.Subject,
                Reason = request.Reason.Trim(),
                UpdateMask = mask,
                Changes = changes,
            }, current, Relink(stored, current));
            var audit = new AuditEntry(now, context.Caller.Subject, scope.Role, "amend", "AmendEncounter", [request.EncounterId], 1, string.Join(",", mask.Paths));
            var outcome = await Guard(() => store.AmendAsync(amendment, stored.Amendments.Count, audit, context.CancellationToken));
            switch (outcome.Status)
            {
                case AmendStatus.Appended or AmendStatus.Replayed:
                    return EncounterViews.ToRecord(outcome.Encounter!, scope.Pseudonymised ? pseudonymiser : null);
                case AmendStatus.Conflict:
                    throw new RpcException(new Status(StatusCode.AlreadyExists,
                        $"request_id '{request.RequestId}' was already used for a different amendment; use a new request_id"));
                case AmendStatus.NotFound:
                    throw NotFound(request.EncounterId);
            }
        }

        throw new RpcException(new Status(StatusCode.Aborted, "the encounter was amended by someone else at the same time; read it again and retry"));
    }

    [AllowRoles(Roles.Officer, Roles.Supervisor, Roles.Analyst, Roles.Service)]
    public override async Task<EncounterRecord> GetEncounter(GetEncounterRequest request, ServerCallContext context)
    {
        var errors = new List<FieldError>();
        Identifier(request.EncounterId, "encounter_id", errors);
        ThrowIfAny(errors);
        var scope = ScopeOf(context);
        var stored = await Guard(() => store.GetAsync(request.EncounterId, context.CancellationToken));
        if (stored is null || !scope.CanSee(stored))
        {
            throw NotFound(request.EncounterId);
        }

        // Audited before the data leaves: if the audit cannot be written, nothing is disclosed.
        var audit = new AuditEntry(clock.GetUtcNow(), context.Caller.Subject, scope.Role, "read", "GetEncounter", [stored.EncounterId], 1, EncounterViews.PersonalFields);
        await Guard(async () =>
        {
            await store.AppendAuditAsync(audit, context.CancellationToken);
            return true;
        });
        return EncounterViews.ToRecord(stored, scope.Pseudonymised ? pseudonymiser : null);
    }

    [AllowRoles(Roles.Officer, Roles.Supervisor, Roles.Analyst, Roles.Service)]
    public override Task QueryEncounters(EncounterQuery request, IServerStreamWriter<EncounterRecord> responses, ServerCallContext context)
    {
        var scope = ScopeOf(context);
        return StreamAuditedAsync(request, scope, context, "QueryEncounters", EncounterViews.PersonalFields, AuditChunk,
            store.QueryAsync, stored => stored.EncounterId, null, async chunk =>
        {
            foreach (var stored in chunk)
            {
                await responses.WriteAsync(EncounterViews.ToRecord(stored, scope.Pseudonymised ? pseudonymiser : null), bufferHint: true, context.CancellationToken);
            }
        });
    }

    [AllowRoles(Roles.Analyst, Roles.Service)]
    public override Task StreamEncounterFacts(EncounterQuery request, IServerStreamWriter<EncounterFacts> responses, ServerCallContext context)
    {
        var scope = ScopeOf(context);
        return StreamAuditedAsync(request, scope, context, "StreamEncounterFacts", EncounterViews.FactFields, FactsBatch,
            store.QueryFactsAsync, row => row.EncounterId, row => row.Seq, chunk => responses.WriteAsync(EncounterViews.ToFacts(chunk), bufferHint: true, context.CancellationToken));
    }

    // The matching encounters in chunks, each audited before the caller's send sees it, so nothing
    // leaves unaudited. A chunk's audit commits while the next chunk is read from the store (the
    // audits themselves one after the other, in order), so the commit's flush costs no reading time.
    // With seqOf, each audit also carries the chunk as runs of sequence numbers (what PostgreSQL keeps).
    private async Task StreamAuditedAsync<T>(EncounterQuery request, CallerScope scope, ServerCallContext context, string rpc, string fields, int chunkSize,
        Func<EncounterFilter, CancellationToken, IAsyncEnumerable<T>> query, Func<T, string> idOf, Func<T, long>? seqOf, Func<IReadOnlyList<T>, Task> send)
    {
        var filter = await ToFilterAsync(request, scope, context.CancellationToken);
        var action = context.RequestHeaders.GetValue(AuditPurposeHeader) == "export" ? "export" : "query";
        var chunk = new List<T>(chunkSize);
        (Task Audit, List<T> Chunk)? pending = null;
        try
        {
            await using var rows = Guard(query(filter, context.CancellationToken)).GetAsyncEnumerator(context.CancellationToken);
            while (true)
            {
                var more = await rows.MoveNextAsync();
                if (more)
                {
                    chunk.Add(rows.Current);
                }

                if (chunk.Count == chunkSize || (!more && chunk.Count > 0))
                {
                    await SendAuditedAsync(pending, send);
                    var audit = new AuditEntry(clock.GetUtcNow(), context.Caller.Subject, scope.Role, action, rpc,
                        chunk.Select(idOf).ToList(), chunk.Count, fields, seqOf is null ? null : SeqRange.Runs(chunk.Select(seqOf)));
                    pending = (Guard(async () =>
                    {
                        await store.AppendAuditAsync(audit, context.CancellationToken);
                        return true;
                    }), chunk);
                    chunk = new List<T>(chunkSize);
                }

                if (!more)
                {
                    await SendAuditedAsync(pending, send);
                    pending = null;
                    return;
                }
            }
        }
        finally
        {
            // A read that failed leaves its last chunk unsent; its audit is still waited for, so no write outlives the call.
            if (pending is { } unsent)
            {
                await unsent.Audit.ContinueWith(static _ => { }, TaskScheduler.Default);
            }
        }
    }

    private static async Task SendAuditedAsync<T>((Task Audit, List<T> Chunk)? pending, Func<IReadOnlyList<T>, Task> send)
    {
        if (pending is { } audited)
        {
            await audited.Audit;
            await send(audited.Chunk);
        }
    }

    [AllowRoles(Roles.Supervisor, Roles.Service)]
    public override async Task<ImportEncountersSummary> ImportEncounters(IAsyncStreamReader<ImportEncountersRequest> requestStream, ServerCallContext context)
    {
        var summary = new ImportEncountersSummary();
        string? source = null;
        var role = context.Caller.IsInRole(Roles.Service) ? Roles.Service : Roles.Supervisor;
        await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken))
        {
            var errors = new List<FieldError>();
            if (source is null)
            {
                if (string.IsNullOrWhiteSpace(message.Source) || message.Source.Length > 500)
                {
                    errors.Add(new("source", "is required on the first message (e.g. the file name), at most 500 characters"));
                }
            }
            else if (message.Source.Length > 0 && message.Source != source)
            {
                errors.Add(new("source", $"must be empty or '{source}' (one source per call)"));
            }

            ThrowIfAny(errors);
            source ??= message.Source;
            for (var i = 0; i < message.Encounters.Count; i += EncounterImporter.BatchSize)
            {
                var batch = message.Encounters.Skip(i).Take(EncounterImporter.BatchSize).ToList();
                await Guard(async () =>
                {
                    await importer.ImportAsync(source, batch, context.Caller.Subject, role, "ImportEncounters", summary, context.CancellationToken);
                    return true;
                });
            }
        }

        if (source is null)
        {
            ThrowIfAny([new("source", "is required: the call had no messages")]);
        }

        return summary;
    }

    [AllowRoles(Roles.Supervisor)]
    public override async Task ListAuditEvents(AuditQuery request, IServerStreamWriter<AuditEvent> responses, ServerCallContext context)
    {
        var errors = new List<FieldError>();
        var (from, to) = Window(request.Window, "window", errors);
        if (request.Limit < 0)
        {
            errors.Add(new("limit", "must be 0 (no limit) or positive"));
        }

        Length(request.Actor, "actor", MaxIdLength, errors);
        Length(request.EncounterId, "encounter_id", MaxIdLength, errors);
        ThrowIfAny(errors);
        var filter = new AuditFilter(from, to, NullIfEmpty(request.Actor), NullIfEmpty(request.EncounterId), request.Limit);
        await foreach (var entry in Guard(store.ListAuditAsync(filter, context.CancellationToken)).WithCancellation(context.CancellationToken))
        {
            var message = new AuditEvent
            {
                At = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(entry.At),
                Actor = entry.Actor,
                Role = entry.Role,
                Action = entry.Action,
                Rpc = entry.Rpc,
                EncounterCount = entry.EncounterCount,
                Fields = entry.Fields,
            };
            message.EncounterIds.Add(entry.EncounterIds);
            await responses.WriteAsync(message, context.CancellationToken);
        }
    }

    private async Task<EncounterFilter> ToFilterAsync(EncounterQuery query, CallerScope scope, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        var (from, to) = Window(query.Window, "window", errors);
        var area = AreaOfInterestReader.Read(query.Area, "area", validator.Boundary, errors);
        Known(query.SelfDefinedEthnicities, "self_defined_ethnicities", errors);
        Known(query.OfficerDefinedEthnicities, "officer_defined_ethnicities", errors);
        Known(query.Outcomes, "outcomes", errors);
        Known(query.LinkStatuses, "link_statuses", errors);
        Length(query.OfficerPseudonym, "officer_pseudonym", EncounterValidator.MaxIdentifier, errors);
        Length(query.Team, "team", EncounterValidator.MaxIdentifier, errors);
        Length(query.PlanId, "plan_id", MaxIdLength, errors);
        Length(query.AreaId, "area_id", MaxIdLength, errors);
        if (query.AreaId.Length > 0 && query.PlanId.Length == 0)
        {
            errors.Add(new("area_id", "needs plan_id (area ids are per plan)"));
        }

        if (query.Limit < 0)
        {
            errors.Add(new("limit", "must be 0 (no limit) or positive"));
        }

        ThrowIfAny(errors);
        var filter = new EncounterFilter
        {
            From = from,
            To = to,
            Area = area,
            SelfDefinedEthnicities = query.SelfDefinedEthnicities,
            OfficerDefinedEthnicities = query.OfficerDefinedEthnicities,
            Outcomes = query.Outcomes,
            Team = NullIfEmpty(query.Team),
            PlanId = NullIfEmpty(query.PlanId),
            AreaId = NullIfEmpty(query.AreaId),
            LinkStatuses = query.LinkStatuses,
            ExcludeUnlocated = query.ExcludeUnlocated,
            Limit = query.Limit,
        };

        switch (scope.Kind)
        {
            case ScopeKind.Own:
                if (query.OfficerPseudonym.Length > 0 && query.OfficerPseudonym != scope.Subject)
                {
                    throw PermissionDenied("an officer queries only their own encounters");
                }

                return filter with { OwnedBy = scope.Subject };
            case ScopeKind.Team:
                if (query.Team.Length > 0 && query.Team != scope.Team)
                {
                    throw PermissionDenied($"a supervisor queries only their own team ('{scope.Team}')");
                }

                return filter with { Team = scope.Team, OfficerPseudonyms = query.OfficerPseudonym.Length > 0 ? [query.OfficerPseudonym] : null };
            default:
                if (query.OfficerPseudonym.Length == 0)
                {
                    return filter;
                }

                // Analysts know officers only by their keyed pseudonyms: find which real ones match.
                var known = await Guard(() => store.OfficerPseudonymsAsync(cancellationToken));
                return filter with { OfficerPseudonyms = known.Where(p => pseudonymiser.Pseudonymise(p) == query.OfficerPseudonym).ToList() };
        }
    }

    private static PatrolLink Relink(StoredEncounter stored, Encounter current)
    {
        var placeOrTimeChanged = !Equals(stored.Current.Location, current.Location) || !Equals(stored.Current.OccurredAt, current.OccurredAt);
        if (!placeOrTimeChanged)
        {
            return stored.Link;
        }

        return new PatrolLink { Status = current.Location is null ? PatrolLinkStatus.Unlocated : PatrolLinkStatus.Pending };
    }

    private static CallerScope ScopeOf(ServerCallContext context) =>
        CallerScope.For(context.Caller.Subject, context.Caller.Roles.ToList(), context.Caller.Team)
        ?? throw PermissionDenied(context.Caller.IsInRole(Roles.Supervisor)
            ? "a supervisor's token needs a team claim"
            : "this role may not read encounters");

    private static string RoleOf(CallerIdentity caller) =>
        caller.IsInRole(Roles.Service) ? Roles.Service : caller.IsInRole(Roles.Supervisor) ? Roles.Supervisor : Roles.Officer;

    private static (DateTimeOffset? From, DateTimeOffset? To) Window(Targeting.Common.V1.TimeWindow? window, string field, List<FieldError> errors)
    {
        if (window is null)
        {
            return (null, null);
        }

        DateTimeOffset? from = null, to = null;
        if (window.Start is not null)
        {
            if (EncounterValidator.TryInstant(window.Start, out var start))
            {
                from = start;
            }
            else
            {
                errors.Add(new(field + ".start", "is not a valid timestamp"));
            }
        }

        if (window.End is not null)
        {
            if (EncounterValidator.TryInstant(window.End, out var end))
            {
                to = end;
            }
            else
            {
                errors.Add(new(field + ".end", "is not a valid timestamp"));
            }
        }

        if (from is not null && to is not null && from >= to)
        {
            errors.Add(new(field, "start must be before end (the window is [start, end))"));
        }

        return (from, to);
    }

    private static void Known<TEnum>(IEnumerable<TEnum> values, string field, List<FieldError> errors)
        where TEnum : struct, System.Enum
    {
        var unknown = values.Where(v => !System.Enum.IsDefined(v)).Select(v => Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList();
        if (unknown.Count > 0)
        {
            var listed = string.Join(", ", unknown.Take(10)) + (unknown.Count > 10 ? $" and {unknown.Count - 10} more" : "");
            errors.Add(new(field, $"{listed} not known {typeof(TEnum).Name} values"));
        }
    }

    private static void Identifier(string value, string field, List<FieldError> errors)
    {
        if (value.Length == 0)
        {
            errors.Add(new(field, "is required"));
        }
        else if (value.Length > MaxIdLength || value.Any(char.IsControl))
        {
            errors.Add(new(field, $"must be 1 to {MaxIdLength} characters with no control characters"));
        }
    }

    private static void Length(string value, string field, int max, List<FieldError> errors)
    {
        if (value.Length > max)
        {
            errors.Add(new(field, $"is {value.Length} characters; at most {max}"));
        }
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static void ThrowIfAny(List<FieldError> errors)
    {
        if (errors.Count == 0)
        {
            return;
        }

        // One violation per field, each bounded: the details travel in trailers, which clients cap.
        var violations = new FieldViolations();
        var listed = errors.Count <= MaxViolations ? errors.Count : MaxViolations - 1;
        foreach (var error in errors.Take(listed))
        {
            violations.Add(error.Field, FieldText.Bound(error.Description));
        }

        if (listed < errors.Count)
        {
            violations.Add(errors[listed].Field, $"{FieldText.Bound(errors[listed].Description)} (and {errors.Count - listed - 1} more invalid fields not listed)");
        }

        violations.ThrowIfAny();
    }

    private static async Task<T> Guard<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (StoreUnavailableException e)
        {
            throw Unavailable(e);
        }
    }

    private static async IAsyncEnumerable<T> Guard<T>(IAsyncEnumerable<T> items)
    {
        await using var enumerator = items.GetAsyncEnumerator();
        while (true)
        {
            T item;
            try
            {
                if (!await enumerator.MoveNextAsync())
                {
                    yield break;
                }

                item = enumerator.Current;
            }
            catch (StoreUnavailableException e)
            {
                throw Unavailable(e);
            }

            yield return item;
        }
    }

    private static RpcException Unavailable(StoreUnavailableException e) =>
        new(new Status(StatusCode.Unavailable, "the encounter store is unavailable; the call is safe to retry", e));

    private static RpcException NotFound(string encounterId) =>
        new(new Status(StatusCode.NotFound, $"no encounter '{encounterId}' that you may see"));

    private static RpcException PermissionDenied(string why) => new(new Status(StatusCode.PermissionDenied, why));
}
