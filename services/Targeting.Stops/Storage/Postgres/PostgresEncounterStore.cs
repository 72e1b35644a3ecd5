using System.Data.Common;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Npgsql;
using NpgsqlTypes;
using Targeting.Stops.V1;

namespace Targeting.Stops.Storage.Postgres;

/// <summary>
/// The PostgreSQL + PostGIS store. A recorded encounter is one autocommit statement on a pooled
/// connection; the other writes go through group-commit loops (several, since PostgreSQL takes
/// concurrent writers), each on its own connection. A commit returns only when the WAL is flushed
/// (synchronous_commit on, the server default), so a write is durable before its reply. One <see cref="NpgsqlDataSource"/> per store; statements are auto-prepared.
/// </summary>
public sealed class PostgresEncounterStore : IEncounterStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly StoreHealth _health;
    private readonly GroupCommitWriter<NpgsqlConnection> _writer;

    private readonly string _schema;

    /// <param name="connectionString">The database; the search path is set to the schema.</param>
    /// <param name="health">Told when the database is lost and found again.</param>
    /// <param name="writers">Group-commit loops, each with its own connection.</param>
    /// <param name="maxBatch">Most writes committed together.</param>
    /// <param name="schema">The schema holding the tables (the service's own, so services can share a database).</param>
    public PostgresEncounterStore(string connectionString, StoreHealth health, int writers = 4, int maxBatch = 64, string schema = "stops")
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(schema, "^[a-z_][a-z0-9_]{0,62}$"))
        {
            throw new ArgumentException("a schema name is lower-case letters, digits and underscores", nameof(schema));
        }

        _schema = schema;
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.SearchPath = $"{schema},public";
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 32;
        }

        // Each recorded encounter takes a pooled connection, and by default Npgsql resets a returned
        // connection with seven statements before its next command (RESET ALL, CLOSE ALL, UNLISTEN *,
        // pg_advisory_unlock_all() ...). The store never changes session state (the search path is in
        // the connection string, its one advisory lock is transaction-scoped), so there is nothing to reset.
        if (!connectionString.Contains("Reset", StringComparison.OrdinalIgnoreCase))
        {
            builder.ConnectionStringBuilder.NoResetOnClose = true;
        }

        // Fail fast while the database is down, so callers get UNAVAILABLE quickly and retry.
        if (!connectionString.Contains("Timeout", StringComparison.OrdinalIgnoreCase))
        {
            builder.ConnectionStringBuilder.Timeout = 5;
        }

        builder.UseNetTopologySuite();
        _dataSource = builder.Build();
        _health = health;
        _writer = new GroupCommitWriter<NpgsqlConnection>(
            async cancellationToken => await _dataSource.OpenConnectionAsync(cancellationToken), IsTransient, health, writers, maxBatch);
    }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand(PostgresQueries.LockMigrations, connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("key", PostgresQueries.MigrationLockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var prepare = new NpgsqlCommand($"CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public; CREATE SCHEMA IF NOT EXISTS {_schema}", connection, transaction))
        {
            await prepare.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var create = new NpgsqlCommand(PostgresQueries.CreateMigrationsTable, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var applied = new HashSet<int>();
        await using (var select = new NpgsqlCommand(PostgresQueries.AppliedVersions, connection, transaction))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        foreach (var (version, sql) in PostgresQueries.Migrations.Where(m => !applied.Contains(m.Version)))
        {
            await using var migrate = new NpgsqlCommand(sql, connection, transaction);
            await migrate.ExecuteNonQueryAsync(cancellationToken);
            await using var record = new NpgsqlCommand(PostgresQueries.RecordMigration, connection, transaction);
            record.Parameters.AddWithValue("version", version);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public Task PingAsync(CancellationToken cancellationToken) => ReadAsync(async connection =>
    {
        await using var ping = new NpgsqlCommand(PostgresQueries.Ping, connection);
        await ping.ExecuteScalarAsync(cancellationToken);
        return true;
    }, cancellationToken);

    // Not through the group-commit loops: the encounter and its audit row are one statement, so in
    // autocommit they commit together in a single round trip (no BEGIN, no COMMIT of our own, no
    // hand-off to a writer loop), and PostgreSQL itself lets one WAL flush cover the commits of
    // concurrent connections. CommandComplete arrives after the flush: replied means durable.
    public Task<RecordOutcome> RecordAsync(NewEncounter encounter, AuditEntry audit, CancellationToken cancellationToken) => ReadAsync(async connection =>
    {
        await using (var insert = new NpgsqlCommand(PostgresQueries.InsertEncounterWithAudit, connection))
        {
            AddEncounter(insert, encounter);
            AddAudit(insert, audit, withRanges: false);
            // Once sent, the write is not cancelled: the caller may be gone, but a commit is never half-done either way.
            if (await insert.ExecuteNonQueryAsync(CancellationToken.None) == 1)
            {
                return new RecordOutcome(RecordStatus.Created, StoredValues.FromNew(encounter));
            }
        }

        // Nothing inserted: the request id is taken (a concurrent insert of it was waited for, so it
        // is committed and this later statement sees it).
        await using var select = new NpgsqlCommand(PostgresQueries.SelectByRequestId, connection);
        select.Parameters.AddWithValue("request_id", NpgsqlDbType.Text, (object?)encounter.RequestId ?? DBNull.Value);
        var existing = await ReadOneAsync(select, connection, null, CancellationToken.None)
            ?? throw new InvalidOperationException($"encounter {encounter.EncounterId} was neither inserted nor found by request id");
        return existing.Fingerprint is { } fingerprint && encounter.Fingerprint is not null && fingerprint.AsSpan().SequenceEqual(encounter.Fingerprint)
            ? new RecordOutcome(RecordStatus.Replayed, existing)
            : new RecordOutcome(RecordStatus.Conflict, null);
    }, cancellationToken);

    public Task<ImportOutcome> ImportAsync(IReadOnlyList<NewEncounter> encounters, AuditEntry audit, CancellationToken cancellationToken) =>
        _writer.WriteAsync(async (connection, transaction) =>
        {
            // One round trip for the whole batch: the inserts are pipelined.
            await using var batch = new NpgsqlBatch(connection, (NpgsqlTransaction)transaction);
            foreach (var encounter in encounters)
            {
                var insert = new NpgsqlBatchCommand(PostgresQueries.InsertEncounter);
                AddEncounter(insert.Parameters, encounter);
                batch.BatchCommands.Add(insert);
            }

            var imported = new List<string>(encounters.Count);
            await using (var reader = await batch.ExecuteReaderAsync())
            {
                do
                {
                    while (await reader.ReadAsync())
                    {
                        imported.Add(reader.GetGuid(0).ToString());
                    }
                }
                while (await reader.NextResultAsync());
            }

            if (imported.Count > 0)
            {
                await using var insertAudit = new NpgsqlCommand(PostgresQueries.InsertAudit, connection, (NpgsqlTransaction)transaction);
                AddAudit(insertAudit, audit with { EncounterIds = imported.Take(1000).ToList(), EncounterCount = imported.Count });
                await insertAudit.ExecuteNonQueryAsync();
            }

            return new ImportOutcome(imported.Count, encounters.Count - imported.Count, imported);
        }, cancellationToken);

    public Task<StoredEncounter?> GetAsync(string encounterId, CancellationToken cancellationToken) => ReadAsync(async connection =>
    {
        if (!Guid.TryParse(encounterId, out var id))
        {
            return null;
        }

        await using var select = new NpgsqlCommand(PostgresQueries.SelectById, connection);
        select.Parameters.AddWithValue("encounter_id", id);
        return await ReadOneAsync(select, connection, null, cancellationToken);
    }, cancellationToken);

    public Task<AmendOutcome> AmendAsync(NewAmendment amendment, int expectedAmendments, AuditEntry audit, CancellationToken cancellationToken) =>
        _writer.WriteAsync(async (connection, transaction) =>
        {
            var npgsqlTransaction = (NpgsqlTransaction)transaction;
            if (!Guid.TryParse(amendment.EncounterId, out var id))
            {
                return new AmendOutcome(AmendStatus.NotFound, null);
            }

            await using (var previous = new NpgsqlCommand(PostgresQueries.SelectAmendmentByRequestId, connection, npgsqlTransaction))
            {
                previous.Parameters.AddWithValue("request_id", amendment.RequestId);
                Guid? previousEncounter = null;
                byte[]? previousFingerprint = null;
                await using (var reader = await previous.ExecuteReaderAsync())
                {
                    if (await reader.ReadAsync())
                    {
                        previousEncounter = reader.GetGuid(0);
                        previousFingerprint = (byte[])reader[1];
                    }
                }

                if (previousEncounter is { } encounterOfRequest)
                {
                    var sameRequest = encounterOfRequest == id && previousFingerprint!.AsSpan().SequenceEqual(amendment.Fingerprint);
                    return new AmendOutcome(sameRequest ? AmendStatus.Replayed : AmendStatus.Conflict,
                        sameRequest ? await GetInAsync(connection, transaction, id) : null);
                }
            }

            await using (var update = new NpgsqlCommand(PostgresQueries.UpdateCurrent, connection, npgsqlTransaction))
            {
                update.Parameters.AddWithValue("encounter_id", id);
                update.Parameters.AddWithValue("expected", expectedAmendments);
                update.Parameters.AddWithValue("current", amendment.NewCurrent.ToByteArray());
                AddQueryColumns(update.Parameters, amendment.NewCurrent, amendment.Link);
                if (await update.ExecuteNonQueryAsync() == 0)
                {
                    await using var exists = new NpgsqlCommand(PostgresQueries.EncounterExists, connection, npgsqlTransaction);
                    exists.Parameters.AddWithValue("encounter_id", id);
                    return new AmendOutcome(await exists.ExecuteScalarAsync() is null ? AmendStatus.NotFound : AmendStatus.Stale, null);
                }
            }

            var record = amendment.Amendment;
            await using (var insert = new NpgsqlCommand(PostgresQueries.InsertAmendment, connection, npgsqlTransaction))
            {
                insert.Parameters.AddWithValue("encounter_id", id);
                insert.Parameters.AddWithValue("sequence", record.Sequence);
                insert.Parameters.AddWithValue("request_id", amendment.RequestId);
                insert.Parameters.AddWithValue("fingerprint", amendment.Fingerprint);
                insert.Parameters.AddWithValue("amended_at", record.AmendedAt.ToDateTimeOffset());
                insert.Parameters.AddWithValue("author", record.Author);
                insert.Parameters.AddWithValue("reason", record.Reason);
                insert.Parameters.AddWithValue("update_mask", string.Join(",", record.UpdateMask.Paths));
                insert.Parameters.AddWithValue("changes", record.Changes.ToByteArray());
                await insert.ExecuteNonQueryAsync();
            }

            await using (var insertAudit = new NpgsqlCommand(PostgresQueries.InsertAudit, connection, npgsqlTransaction))
            {
                AddAudit(insertAudit, audit);
                await insertAudit.ExecuteNonQueryAsync();
            }

            return new AmendOutcome(AmendStatus.Appended, await GetInAsync(connection, transaction, id));
        }, cancellationToken);

    public async IAsyncEnumerable<StoredEncounter> QueryAsync(EncounterFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await GuardAsync(() => _dataSource.OpenConnectionAsync(cancellationToken).AsTask());
        NpgsqlConnection? amendmentConnection = null;
        try
        {
            await using var command = new NpgsqlCommand { Connection = connection };
            PostgresQueries.BuildQuery(command, filter);
            await using var reader = await GuardAsync(() => command.ExecuteReaderAsync(cancellationToken));
            while (await GuardAsync(() => reader.ReadAsync(cancellationToken)))
            {
                var row = ReadRow(reader);
                IReadOnlyList<Amendment> amendments = [];
                if (row.AmendmentCount > 0)
                {
                    // A connection runs one command at a time, so amendments come over a second one.
                    amendmentConnection ??= await GuardAsync(() => _dataSource.OpenConnectionAsync(cancellationToken).AsTask());
                    amendments = await GuardAsync(() => ReadAmendmentsAsync(amendmentConnection, null, row.Id, cancellationToken));
                }

                yield return row.ToStored(amendments);
            }
        }
        finally
        {
            if (amendmentConnection is not null)
            {
                await amendmentConnection.DisposeAsync();
            }
        }
    }

    public async IAsyncEnumerable<EncounterFactRow> QueryFactsAsync(EncounterFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await GuardAsync(() => _dataSource.OpenConnectionAsync(cancellationToken).AsTask());
        await using var command = new NpgsqlCommand { Connection = connection };
        PostgresQueries.BuildQuery(command, filter, PostgresQueries.FactColumns);
        await using var reader = await GuardAsync(() => command.ExecuteReaderAsync(cancellationToken));
        while (await GuardAsync(() => reader.ReadAsync(cancellationToken)))
        {
            yield return new EncounterFactRow(
                reader.GetGuid(0).ToString(),
                reader.GetFieldValue<byte[]>(1),
                (PatrolLinkStatus)reader.GetInt16(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetInt64(4));
        }
    }

    public Task<IReadOnlyList<string>> OfficerPseudonymsAsync(CancellationToken cancellationToken) => ReadAsync<IReadOnlyList<string>>(async connection =>
    {
        await using var select = new NpgsqlCommand(PostgresQueries.OfficerPseudonyms, connection);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        var pseudonyms = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            pseudonyms.Add(reader.GetString(0));
        }

        return pseudonyms;
    }, cancellationToken);

    public Task<IReadOnlyList<PendingLink>> DuePendingLinksAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<PendingLink>>(async connection =>
        {
            await using var select = new NpgsqlCommand(PostgresQueries.DuePendingLinks, connection);
            select.Parameters.AddWithValue("now", now);
            select.Parameters.AddWithValue("limit", limit);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            var due = new List<PendingLink>();
            while (await reader.ReadAsync(cancellationToken))
            {
                due.Add(new PendingLink(reader.GetGuid(0).ToString(), reader.GetDouble(1), reader.GetDouble(2),
                    reader.GetFieldValue<DateTimeOffset>(3), reader.GetInt32(4)));
            }

            return due;
        }, cancellationToken);

    public Task SetLinkAsync(string encounterId, PatrolLink link, CancellationToken cancellationToken) =>
        _writer.WriteAsync(async (connection, transaction) =>
        {
            await using var update = new NpgsqlCommand(PostgresQueries.SetLink, connection, (NpgsqlTransaction)transaction);
            update.Parameters.AddWithValue("encounter_id", Guid.Parse(encounterId));
            AddLink(update.Parameters, link);
            return await update.ExecuteNonQueryAsync();
        }, cancellationToken);

    public Task DeferLinkAsync(string encounterId, int attempts, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        _writer.WriteAsync(async (connection, transaction) =>
        {
            await using var update = new NpgsqlCommand(PostgresQueries.DeferLink, connection, (NpgsqlTransaction)transaction);
            update.Parameters.AddWithValue("encounter_id", Guid.Parse(encounterId));
            update.Parameters.AddWithValue("attempts", attempts);
            update.Parameters.AddWithValue("next", nextAttemptAt);
            return await update.ExecuteNonQueryAsync();
        }, cancellationToken);

    public Task AppendAuditAsync(AuditEntry audit, CancellationToken cancellationToken) =>
        _writer.WriteAsync(async (connection, transaction) =>
        {
            await using var insert = new NpgsqlCommand(PostgresQueries.InsertAudit, connection, (NpgsqlTransaction)transaction);
            AddAudit(insert, audit);
            return await insert.ExecuteNonQueryAsync();
        }, cancellationToken);

    public async IAsyncEnumerable<AuditEntry> ListAuditAsync(AuditFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await GuardAsync(() => _dataSource.OpenConnectionAsync(cancellationToken).AsTask());
        await using var command = new NpgsqlCommand { Connection = connection };
        PostgresQueries.BuildAuditQuery(command, filter);
        await using var reader = await GuardAsync(() => command.ExecuteReaderAsync(cancellationToken));
        while (await GuardAsync(() => reader.ReadAsync(cancellationToken)))
        {
            yield return new AuditEntry(reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.GetString(2),
                reader.GetString(3), reader.GetString(4), [.. reader.GetFieldValue<Guid[]>(5).Select(id => id.ToString())], reader.GetInt64(6), reader.GetString(7));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        await _dataSource.DisposeAsync();
    }

    private static void AddEncounter(NpgsqlCommand command, NewEncounter encounter) => AddEncounter(command.Parameters, encounter);

    private static void AddEncounter(NpgsqlParameterCollection p, NewEncounter encounter)
    {
        p.AddWithValue("encounter_id", Guid.Parse(encounter.EncounterId));
        p.AddWithValue("request_id", NpgsqlDbType.Text, (object?)encounter.RequestId ?? DBNull.Value);
        p.AddWithValue("fingerprint", NpgsqlDbType.Bytea, (object?)encounter.Fingerprint ?? DBNull.Value);
        p.AddWithValue("recorded_at", encounter.RecordedAt);
        p.AddWithValue("recorded_by", encounter.RecordedBy);
        p.AddWithValue("source", NpgsqlDbType.Text, (object?)encounter.Source ?? DBNull.Value);
        p.AddWithValue("source_row", NpgsqlDbType.Bigint, (object?)encounter.SourceRow ?? DBNull.Value);
        p.AddWithValue("original", encounter.Encounter.ToByteArray());
        AddQueryColumns(p, encounter.Encounter, encounter.Link);
    }

    private static void AddQueryColumns(NpgsqlParameterCollection p, Encounter encounter, PatrolLink link)
    {
        p.AddWithValue("occurred_at", encounter.OccurredAt.ToDateTimeOffset());
        p.AddWithValue("latitude", NpgsqlDbType.Double, (object?)encounter.Location?.Latitude ?? DBNull.Value);
        p.AddWithValue("longitude", NpgsqlDbType.Double, (object?)encounter.Location?.Longitude ?? DBNull.Value);
        p.AddWithValue("self_defined_ethnicity", (short)encounter.SelfDefinedEthnicity);
        p.AddWithValue("officer_defined_ethnicity", (short)encounter.OfficerDefinedEthnicity);
        p.AddWithValue("outcome", (short)encounter.Outcome);
        p.AddWithValue("officer_pseudonym", encounter.Officer?.Pseudonym ?? "");
        p.AddWithValue("team", encounter.Officer?.Team ?? "");
        AddLink(p, link);
        // A pending link is due at once; the linking job backs off from there.
        p.AddWithValue("next_link_at", NpgsqlDbType.TimestampTz,
            link.Status == PatrolLinkStatus.Pending ? DateTimeOffset.UtcNow : DBNull.Value);
    }

    private static void AddLink(NpgsqlParameterCollection p, PatrolLink link)
    {
        p.AddWithValue("link_status", (short)link.Status);
        p.AddWithValue("plan_id", NpgsqlDbType.Text, (object?)StoredValues.NullIfEmpty(link.PlanId) ?? DBNull.Value);
        p.AddWithValue("area_id", NpgsqlDbType.Text, (object?)StoredValues.NullIfEmpty(link.AreaId) ?? DBNull.Value);
        p.AddWithValue("linked_at", NpgsqlDbType.TimestampTz, (object?)link.LinkedAt?.ToDateTimeOffset() ?? DBNull.Value);
    }

    // withRanges: the statement is InsertAudit, which stores the entry's sequence ranges.
    private static void AddAudit(NpgsqlCommand command, AuditEntry audit, bool withRanges = true)
    {
        var p = command.Parameters;
        p.AddWithValue("at", audit.At);
        p.AddWithValue("actor", audit.Actor);
        p.AddWithValue("role", audit.Role);
        p.AddWithValue("action", audit.Action);
        p.AddWithValue("rpc", audit.Rpc);
        // Ranges when the entry has them: then the ids are not stored (nor parsed).
        p.AddWithValue("encounter_ids", withRanges && audit.Sequences is not null ? Array.Empty<Guid>() : audit.EncounterIds.Select(Guid.Parse).ToArray());
        if (withRanges)
        {
            p.AddWithValue("seq_first", audit.Sequences?.Select(r => r.First).ToArray() ?? []);
            p.AddWithValue("seq_last", audit.Sequences?.Select(r => r.Last).ToArray() ?? []);
        }
        p.AddWithValue("encounter_count", audit.EncounterCount);
        p.AddWithValue("fields", audit.Fields);
    }

    private static async Task<StoredEncounter?> GetInAsync(NpgsqlConnection connection, DbTransaction transaction, Guid id)
    {
        await using var select = new NpgsqlCommand(PostgresQueries.SelectById, connection, (NpgsqlTransaction)transaction);
        select.Parameters.AddWithValue("encounter_id", id);
        return await ReadOneAsync(select, connection, transaction, CancellationToken.None);
    }

    private static async Task<StoredEncounter?> ReadOneAsync(NpgsqlCommand select, NpgsqlConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        EncounterRow row;
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            row = ReadRow(reader);
        }

        var amendments = row.AmendmentCount > 0
            ? await ReadAmendmentsAsync(connection, transaction, row.Id, cancellationToken)
            : [];
        return row.ToStored(amendments);
    }

    private static async Task<IReadOnlyList<Amendment>> ReadAmendmentsAsync(NpgsqlConnection connection, DbTransaction? transaction, Guid id, CancellationToken cancellationToken)
    {
        await using var select = new NpgsqlCommand(PostgresQueries.SelectAmendments, connection, (NpgsqlTransaction?)transaction);
        select.Parameters.AddWithValue("encounter_id", id);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        var amendments = new List<Amendment>();
        while (await reader.ReadAsync(cancellationToken))
        {
            amendments.Add(StoredValues.ParseAmendment(reader.GetInt32(0), StoredValues.ToMicros(reader.GetFieldValue<DateTimeOffset>(1)),
                reader.GetString(2), reader.GetString(3), reader.GetString(4), (byte[])reader[5]));
        }

        return amendments;
    }

    private static EncounterRow ReadRow(NpgsqlDataReader reader) => new(
        reader.GetGuid(0),
        reader.IsDBNull(1) ? null : reader.GetString(1),
        reader.IsDBNull(2) ? null : (byte[])reader[2],
        reader.GetFieldValue<DateTimeOffset>(3),
        reader.GetString(4),
        (byte[])reader[5],
        reader.IsDBNull(6) ? null : (byte[])reader[6],
        reader.GetInt32(7),
        StoredValues.Link(reader.GetInt16(8), reader.IsDBNull(9) ? null : reader.GetString(9), reader.IsDBNull(10) ? null : reader.GetString(10),
            reader.IsDBNull(11) ? null : StoredValues.ToMicros(reader.GetFieldValue<DateTimeOffset>(11))),
        reader.IsDBNull(12) ? null : reader.GetString(12),
        reader.IsDBNull(13) ? null : reader.GetInt64(13));

    private async Task<T> ReadAsync<T>(Func<NpgsqlConnection, Task<T>> read, CancellationToken cancellationToken) =>
        await GuardAsync(async () =>
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            return await read(connection);
        });

    private async Task<T> GuardAsync<T>(Func<Task<T>> operation)
    {
        try
        {
            var result = await operation();
            _health.MarkAvailable();
            return result;
        }
        catch (Exception e) when (IsTransient(e))
        {
            _health.MarkUnavailable();
            throw new StoreUnavailableException("the database is unavailable: " + e.Message, e);
        }
    }

    /// <summary>
    /// Connection-level failures: the network (NpgsqlException that is not a server error),
    /// connection exceptions (SQLSTATE class 08), shutdown or recovery (57P01-57P03), too many
    /// connections (53300). Such a failure clears the pool, whose connections are then suspect.
    /// </summary>
    private bool IsTransient(Exception e)
    {
        var transient = e switch
        {
            PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal)
                || pg.SqlState is "57P01" or "57P02" or "57P03" or "53300",
            NpgsqlException => true,
            TimeoutException or System.Net.Sockets.SocketException or IOException => true,
            _ => false,
        };
        if (transient)
        {
            _dataSource.Clear();
        }

        return transient;
    }

    private sealed record EncounterRow(
        Guid Id, string? RequestId, byte[]? Fingerprint, DateTimeOffset RecordedAt, string RecordedBy,
        byte[] Original, byte[]? Current, int AmendmentCount, PatrolLink Link, string? Source, long? SourceRow)
    {
        public StoredEncounter ToStored(IReadOnlyList<Amendment> amendments)
        {
            // Unamended (current is NULL): one parse serves both, as stored encounters are never mutated.
            var original = StoredValues.ParseEncounter(Original);
            return new(Id.ToString(), RequestId, Fingerprint, RecordedAt, RecordedBy,
                original, Current is null ? original : StoredValues.ParseEncounter(Current), amendments, Link, Source, SourceRow);
        }
    }
}
