using System.Data.Common;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Microsoft.Data.Sqlite;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using Targeting.Stops.V1;

namespace Targeting.Stops.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode with synchronous=FULL, so a commit is on disk
/// (the WAL fsynced) before it returns. SQLite has one writer at a time, so every write goes
/// through one group-commit loop; reads use their own pooled connections and run beside it.
/// </summary>
public sealed class SqliteEncounterStore : IEncounterStore
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteIoError = 10;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;

    private readonly string _connectionString;
    private readonly StoreHealth _health;
    private readonly GroupCommitWriter<SqliteConnection> _writer;

    public SqliteEncounterStore(string path, StoreHealth health, int maxBatch = 256)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _health = health;
        _writer = new GroupCommitWriter<SqliteConnection>(OpenWriterAsync, IsTransient, health, writers: 1, maxBatch);
    }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "PRAGMA journal_mode=WAL", cancellationToken);
        await ExecuteAsync(connection, SqliteQueries.CreateMigrationsTable, cancellationToken);
        var applied = new HashSet<long>();
        await using (var select = new SqliteCommand(SqliteQueries.AppliedVersions, connection))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetInt64(0));
            }
        }

        foreach (var (version, sql) in SqliteQueries.Migrations.Where(m => !applied.Contains(m.Version)))
        {
            await using var transaction = connection.BeginTransaction();
            await using var migrate = new SqliteCommand(sql, connection, transaction);
            await migrate.ExecuteNonQueryAsync(cancellationToken);
            await using var record = new SqliteCommand(SqliteQueries.RecordMigration, connection, transaction);
            record.Parameters.AddWithValue("@version", version);
            record.Parameters.AddWithValue("@at", StoredValues.ToMicros(DateTimeOffset.UtcNow));
            await record.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }

    public Task PingAsync(CancellationToken cancellationToken) => ReadAsync(async connection =>
    {
        await ExecuteAsync(connection, SqliteQueries.Ping, cancellationToken);
        return true;
    }, cancellationToken);

    public Task<RecordOutcome> RecordAsync(NewEncounter encounter, AuditEntry audit, CancellationToken cancellationToken) =>
        _writer.WriteAsync(async (connection, transaction) =>
        {
            await using var insert = new SqliteCommand(SqliteQueries.InsertEncounter, connection, (SqliteTransaction)transaction);
            if (await InsertAsync(insert, encounter) == 1)
            {
                await InsertAuditAsync(connection, transaction, audit);
                return new RecordOutcome(RecordStatus.Created, StoredValues.FromNew(encounter));
            }

            await using var select = new SqliteCommand(SqliteQueries.SelectByRequestId, connection, (SqliteTransaction)transaction);
            select.Parameters.AddWithValue("@request_id", encounter.RequestId);
            var existing = await ReadOneAsync(select, connection, transaction, CancellationToken.None)
                ?? throw new InvalidOperationException($"encounter {encounter.EncounterId} was neither inserted nor found by request id");
            return existing.Fingerprint is { } fingerprint && encounter.Fingerprint is not null && fingerprint.AsSpan().SequenceEqual(encounter.Fingerprint)
                ? new RecordOutcome(RecordStatus.Replayed, existing)
                : new RecordOutcome(RecordStatus.Conflict, null);
        }, cancellationToken);

    public Task<ImportOutcome> ImportAsync(IReadOnlyList<NewEncounter> encounters, AuditEntry audit, CancellationToken cancellationToken) =>
        _writer.WriteAsync(async (connection, transaction) =>
        {
            var imported = new List<string>(encounters.Count);
            // One command for the batch: SQLite prepares the statement once, not per row.
            await using var insert = new SqliteCommand(SqliteQueries.InsertEncounter, connection, (SqliteTransaction)transaction);
            foreach (var encounter in encounters)
            {
                insert.Parameters.Clear();
                if (await InsertAsync(insert, encounter) == 1)
                {
                    imported.Add(encounter.EncounterId);
                }
            }

            if (imported.Count > 0)
            {
                await InsertAuditAsync(connection, transaction, audit with { EncounterIds = imported.Take(1000).ToList(), EncounterCount = imported.Count });
            }

            return new ImportOutcome(imported.Count, encounters.Count - imported.Count, imported);
        }, cancellationToken);

    public Task<StoredEncounter?> GetAsync(string encounterId, CancellationToken cancellationToken) => ReadAsync(async connection =>
    {
        await using var select = new SqliteCommand(SqliteQueries.SelectById, connection);
        select.Parameters.AddWithValue("@encounter_id", encounterId);
        return await ReadOneAsync(select, connection, null, cancellationToken);
    }, cancellationToken);

    public Task<AmendOutcome> AmendAsync(NewAmendment amendment, int expectedAmendments, AuditEntry audit, CancellationToken cancellationToken) =>
        _writer.WriteAsync(async (connection, transaction) =>
        {
            var sqliteTransaction = (SqliteTransaction)transaction;
            await using (var previous = new SqliteCommand(SqliteQueries.SelectAmendmentByRequestId, connection, sqliteTransaction))
            {
                previous.Parameters.AddWithValue("@request_id", amendment.RequestId);
                await using var reader = await previous.ExecuteReaderAsync();
                if (await reader.ReadAsync())
                {
                    var sameRequest = reader.GetString(0) == amendment.EncounterId
                        && ((byte[])reader[1]).AsSpan().SequenceEqual(amendment.Fingerprint);
                    return new AmendOutcome(sameRequest ? AmendStatus.Replayed : AmendStatus.Conflict,
                        sameRequest ? await GetInAsync(connection, sqliteTransaction, amendment.EncounterId) : null);
                }
            }

            var current = amendment.NewCurrent;
            await using (var update = new SqliteCommand(SqliteQueries.UpdateCurrent, connection, sqliteTransaction))
            {
                update.Parameters.AddWithValue("@encounter_id", amendment.EncounterId);
                update.Parameters.AddWithValue("@expected", expectedAmendments);
                update.Parameters.AddWithValue("@current", current.ToByteArray());
                AddQueryColumns(update, current, amendment.Link);
                if (await update.ExecuteNonQueryAsync() == 0)
                {
                    var exists = await GetInAsync(connection, sqliteTransaction, amendment.EncounterId) is not null;
                    return new AmendOutcome(exists ? AmendStatus.Stale : AmendStatus.NotFound, null);
                }
            }

            var record = amendment.Amendment;
            await using (var insert = new SqliteCommand(SqliteQueries.InsertAmendment, connection, sqliteTransaction))
            {
                insert.Parameters.AddWithValue("@encounter_id", amendment.EncounterId);
                insert.Parameters.AddWithValue("@sequence", record.Sequence);
                insert.Parameters.AddWithValue("@request_id", amendment.RequestId);
                insert.Parameters.AddWithValue("@fingerprint", amendment.Fingerprint);
                insert.Parameters.AddWithValue("@amended_at", StoredValues.ToMicros(record.AmendedAt.ToDateTimeOffset()));
                insert.Parameters.AddWithValue("@author", record.Author);
                insert.Parameters.AddWithValue("@reason", record.Reason);
                insert.Parameters.AddWithValue("@update_mask", string.Join(",", record.UpdateMask.Paths));
                insert.Parameters.AddWithValue("@changes", record.Changes.ToByteArray());
                await insert.ExecuteNonQueryAsync();
            }

            await InsertAuditAsync(connection, transaction, audit);
            return new AmendOutcome(AmendStatus.Appended, await GetInAsync(connection, sqliteTransaction, amendment.EncounterId));
        }, cancellationToken);

    public IAsyncEnumerable<StoredEncounter> QueryAsync(EncounterFilter filter, CancellationToken cancellationToken) =>
        QueryRowsAsync(filter, SqliteQueries.EncounterColumns, (reader, connection) => new ValueTask<StoredEncounter>(MapAsync(reader, connection, null, cancellationToken)), cancellationToken);

    public IAsyncEnumerable<EncounterFactRow> QueryFactsAsync(EncounterFilter filter, CancellationToken cancellationToken) =>
        QueryRowsAsync(filter, SqliteQueries.FactColumns, (reader, _) => ValueTask.FromResult(new EncounterFactRow(
            reader.GetString(0),
            (byte[])reader[1],
            (PatrolLinkStatus)reader.GetInt32(2),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.GetInt64(4))), cancellationToken);

    // The filter's rows, each mapped; latitude and longitude are the last two columns (see BuildQuery).
    // Rows are stepped synchronously (SQLite does no asynchronous I/O) and a map that completes at once
    // is not awaited, so a row costs no task: what a scan of 240k encounters spends otherwise.
    private async IAsyncEnumerable<T> QueryRowsAsync<T>(EncounterFilter filter, string columns, Func<SqliteDataReader, SqliteConnection, ValueTask<T>> map,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var area = filter.Area is null ? null : PreparedGeometryFactory.Prepare(filter.Area);
        await using var connection = await GuardAsync(() => OpenAsync(cancellationToken));
        await using var command = new SqliteCommand { Connection = connection };
        SqliteQueries.BuildQuery(command, filter, columns);

        await using var reader = await GuardAsync(() => command.ExecuteReaderAsync(cancellationToken));
        var latitude = reader.FieldCount - 2;
        bool NextRow()
        {
            while (reader.Read())
            {
                if (area is null || area.Covers(new Point(reader.GetDouble(latitude + 1), reader.GetDouble(latitude))))
                {
                    return true;
                }
            }

            return false;
        }

        long returned = 0;
        while (Guard(NextRow))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var mapped = map(reader, connection);
            yield return mapped.IsCompletedSuccessfully ? mapped.Result : await GuardAsync(mapped.AsTask);
            if (filter.Limit > 0 && ++returned >= filter.Limit)
            {
                yield break;
            }
        }
    }

    public Task<IReadOnlyList<string>> OfficerPseudonymsAsync(CancellationToken cancellationToken) => ReadAsync<IReadOnlyList<string>>(async connection =>
    {
        await using var select = new SqliteCommand(SqliteQueries.OfficerPseudonyms, connection);
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
            await using var select = new SqliteCommand(SqliteQueries.DuePendingLinks, connection);
            select.Parameters.AddWithValue("@now", StoredValues.ToMicros(now));
            select.Parameters.AddWithValue("@limit", limit);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            var due = new List<PendingLink>();
            while (await reader.ReadAsync(cancellationToken))
            {
                due.Add(new PendingLink(reader.GetString(0), reader.GetDouble(1), reader.GetDouble(2),
                    StoredValues.FromMicros(reader.GetInt64(3)), reader.GetInt32(4)));
            }

            return due;
        }, cancellationToken);

    public Task SetLinkAsync(string encounterId, PatrolLink link, CancellationToken cancellationToken) =>
        _writer.WriteAsync(async (connection, transaction) =>
        {
            await using var update = new SqliteCommand(SqliteQueries.SetLink, connection, (SqliteTransaction)transaction);
            update.Parameters.AddWithValue("@encounter_id", encounterId);
            update.Parameters.AddWithValue("@link_status", (int)link.Status);
            update.Parameters.AddWithValue("@plan_id", (object?)StoredValues.NullIfEmpty(link.PlanId) ?? DBNull.Value);
            update.Parameters.AddWithValue("@area_id", (object?)StoredValues.NullIfEmpty(link.AreaId) ?? DBNull.Value);
            update.Parameters.AddWithValue("@linked_at", (object?)StoredValues.LinkedAtMicros(link) ?? DBNull.Value);
            return await update.ExecuteNonQueryAsync();
        }, cancellationToken);

    public Task DeferLinkAsync(string encounterId, int attempts, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        _writer.WriteAsync(async (connection, transaction) =>
        {
            await using var update = new SqliteCommand(SqliteQueries.DeferLink, connection, (SqliteTransaction)transaction);
            update.Parameters.AddWithValue("@encounter_id", encounterId);
            update.Parameters.AddWithValue("@attempts", attempts);
            update.Parameters.AddWithValue("@next", StoredValues.ToMicros(nextAttemptAt));
            return await update.ExecuteNonQueryAsync();
        }, cancellationToken);

    public Task AppendAuditAsync(AuditEntry audit, CancellationToken cancellationToken) =>
        _writer.WriteAsync(async (connection, transaction) =>
        {
            await InsertAuditAsync(connection, transaction, audit);
            return true;
        }, cancellationToken);

    public async IAsyncEnumerable<AuditEntry> ListAuditAsync(AuditFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await GuardAsync(() => OpenAsync(cancellationToken));
        await using var command = new SqliteCommand { Connection = connection };
        SqliteQueries.BuildAuditQuery(command, filter);
        await using var reader = await GuardAsync(() => command.ExecuteReaderAsync(cancellationToken));
        while (await GuardAsync(() => reader.ReadAsync(cancellationToken)))
        {
            var ids = reader.GetString(5);
            yield return new AuditEntry(StoredValues.FromMicros(reader.GetInt64(0)), reader.GetString(1), reader.GetString(2),
                reader.GetString(3), reader.GetString(4), ids.Length == 0 ? [] : ids.Split(','), reader.GetInt64(6), reader.GetString(7));
        }
    }

    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    private static async Task<int> InsertAsync(SqliteCommand insert, NewEncounter encounter)
    {
        insert.Parameters.AddWithValue("@encounter_id", encounter.EncounterId);
        insert.Parameters.AddWithValue("@request_id", (object?)encounter.RequestId ?? DBNull.Value);
        insert.Parameters.AddWithValue("@fingerprint", (object?)encounter.Fingerprint ?? DBNull.Value);
        insert.Parameters.AddWithValue("@recorded_at", StoredValues.ToMicros(encounter.RecordedAt));
        insert.Parameters.AddWithValue("@recorded_by", encounter.RecordedBy);
        insert.Parameters.AddWithValue("@source", (object?)encounter.Source ?? DBNull.Value);
        insert.Parameters.AddWithValue("@source_row", (object?)encounter.SourceRow ?? DBNull.Value);
        insert.Parameters.AddWithValue("@original", encounter.Encounter.ToByteArray());
        AddQueryColumns(insert, encounter.Encounter, encounter.Link);
        return await insert.ExecuteNonQueryAsync();
    }

    private static void AddQueryColumns(SqliteCommand command, Encounter encounter, PatrolLink link)
    {
        command.Parameters.AddWithValue("@occurred_at", StoredValues.ToMicros(encounter.OccurredAt.ToDateTimeOffset()));
        command.Parameters.AddWithValue("@latitude", (object?)encounter.Location?.Latitude ?? DBNull.Value);
        command.Parameters.AddWithValue("@longitude", (object?)encounter.Location?.Longitude ?? DBNull.Value);
        command.Parameters.AddWithValue("@self_defined_ethnicity", (int)encounter.SelfDefinedEthnicity);
        command.Parameters.AddWithValue("@officer_defined_ethnicity", (int)encounter.OfficerDefinedEthnicity);
        command.Parameters.AddWithValue("@outcome", (int)encounter.Outcome);
        command.Parameters.AddWithValue("@officer_pseudonym", encounter.Officer?.Pseudonym ?? "");
        command.Parameters.AddWithValue("@team", encounter.Officer?.Team ?? "");
        command.Parameters.AddWithValue("@link_status", (int)link.Status);
        command.Parameters.AddWithValue("@plan_id", (object?)StoredValues.NullIfEmpty(link.PlanId) ?? DBNull.Value);
        command.Parameters.AddWithValue("@area_id", (object?)StoredValues.NullIfEmpty(link.AreaId) ?? DBNull.Value);
        command.Parameters.AddWithValue("@linked_at", (object?)StoredValues.LinkedAtMicros(link) ?? DBNull.Value);
        // A pending link is due at once; the linking job backs off from there.
        command.Parameters.AddWithValue("@next_link_at",
            link.Status == PatrolLinkStatus.Pending ? StoredValues.ToMicros(DateTimeOffset.UtcNow) : DBNull.Value);
    }

    private static async Task InsertAuditAsync(SqliteConnection connection, DbTransaction transaction, AuditEntry audit)
    {
        await using var insert = new SqliteCommand(SqliteQueries.InsertAudit, connection, (SqliteTransaction)transaction);
        insert.Parameters.AddWithValue("@at", StoredValues.ToMicros(audit.At));
        insert.Parameters.AddWithValue("@actor", audit.Actor);
        insert.Parameters.AddWithValue("@role", audit.Role);
        insert.Parameters.AddWithValue("@action", audit.Action);
        insert.Parameters.AddWithValue("@rpc", audit.Rpc);
        insert.Parameters.AddWithValue("@encounter_ids", string.Join(",", audit.EncounterIds));
        insert.Parameters.AddWithValue("@encounter_count", audit.EncounterCount);
        insert.Parameters.AddWithValue("@fields", audit.Fields);
        await insert.ExecuteNonQueryAsync();
    }

    private static async Task<StoredEncounter?> GetInAsync(SqliteConnection connection, SqliteTransaction transaction, string encounterId)
    {
        await using var select = new SqliteCommand(SqliteQueries.SelectById, connection, transaction);
        select.Parameters.AddWithValue("@encounter_id", encounterId);
        return await ReadOneAsync(select, connection, transaction, CancellationToken.None);
    }

    private static async Task<StoredEncounter?> ReadOneAsync(SqliteCommand select, SqliteConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? await MapAsync(reader, connection, transaction, cancellationToken) : null;
    }

    private static async Task<StoredEncounter> MapAsync(SqliteDataReader reader, SqliteConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        var encounterId = reader.GetString(0);
        var amendments = new List<Amendment>();
        if (reader.GetInt32(7) > 0)
        {
            await using var select = new SqliteCommand(SqliteQueries.SelectAmendments, connection, (SqliteTransaction?)transaction);
            select.Parameters.AddWithValue("@encounter_id", encounterId);
            await using var rows = await select.ExecuteReaderAsync(cancellationToken);
            while (await rows.ReadAsync(cancellationToken))
            {
                amendments.Add(StoredValues.ParseAmendment(rows.GetInt32(0), rows.GetInt64(1), rows.GetString(2), rows.GetString(3),
                    rows.GetString(4), (byte[])rows[5]));
            }
        }

        // Unamended (current is NULL): one parse serves both, as stored encounters are never mutated.
        var original = StoredValues.ParseEncounter((byte[])reader[5]);
        return new StoredEncounter(
            encounterId,
            reader.IsDBNull(1) ? null : reader.GetString(1),
            reader.IsDBNull(2) ? null : (byte[])reader[2],
            StoredValues.FromMicros(reader.GetInt64(3)),
            reader.GetString(4),
            original,
            reader.IsDBNull(6) ? original : StoredValues.ParseEncounter((byte[])reader[6]),
            amendments,
            StoredValues.Link(reader.GetInt32(8), reader.IsDBNull(9) ? null : reader.GetString(9),
                reader.IsDBNull(10) ? null : reader.GetString(10), reader.IsDBNull(11) ? null : reader.GetInt64(11)),
            reader.IsDBNull(12) ? null : reader.GetString(12),
            reader.IsDBNull(13) ? null : reader.GetInt64(13));
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "PRAGMA busy_timeout=30000", cancellationToken);
        return connection;
    }

    private async Task<SqliteConnection> OpenWriterAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        // FULL: the WAL is fsynced at every commit, so a committed write survives power loss.
        await ExecuteAsync(connection, "PRAGMA synchronous=FULL", cancellationToken);
        return connection;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new SqliteCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<T> ReadAsync<T>(Func<SqliteConnection, Task<T>> read, CancellationToken cancellationToken) =>
        await GuardAsync(async () =>
        {
            await using var connection = await OpenAsync(cancellationToken);
            return await read(connection);
        });

    private T Guard<T>(Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (Exception e) when (IsTransient(e))
        {
            _health.MarkUnavailable();
            throw new StoreUnavailableException("the database is unavailable: " + e.Message, e);
        }
    }

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

    private static bool IsTransient(Exception e) =>
        e is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked or SqliteIoError or SqliteFull or SqliteCantOpen };
}
