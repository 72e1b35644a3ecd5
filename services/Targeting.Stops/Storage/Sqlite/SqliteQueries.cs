using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Targeting.Stops.Storage.Sqlite;

/// <summary>All SQL of the SQLite store, with its migrations. Times are microseconds since the Unix epoch.</summary>
internal static class SqliteQueries
{
    /// <summary>Schema versions, applied in order, each once.</summary>
    public static readonly IReadOnlyList<(int Version, string Sql)> Migrations =
    [
        (1, """
            CREATE TABLE encounters (
                seq INTEGER PRIMARY KEY,
                encounter_id TEXT NOT NULL UNIQUE,
                request_id TEXT UNIQUE,
                fingerprint BLOB,
                recorded_at INTEGER NOT NULL,
                recorded_by TEXT NOT NULL,
                source TEXT,
                source_row INTEGER,
                occurred_at INTEGER NOT NULL,
                latitude REAL,
                longitude REAL,
                self_defined_ethnicity INTEGER NOT NULL,
                officer_defined_ethnicity INTEGER NOT NULL,
                outcome INTEGER NOT NULL,
                officer_pseudonym TEXT NOT NULL,
                team TEXT NOT NULL,
                link_status INTEGER NOT NULL,
                plan_id TEXT,
                area_id TEXT,
                linked_at INTEGER,
                link_attempts INTEGER NOT NULL DEFAULT 0,
                next_link_at INTEGER,
                amendment_count INTEGER NOT NULL DEFAULT 0,
                original BLOB NOT NULL,
                -- NULL until the first amendment: the current values are the original ones.
                current BLOB,
                UNIQUE (source, source_row)
            );
            CREATE INDEX encounters_occurred_at ON encounters (occurred_at);
            CREATE INDEX encounters_officer ON encounters (officer_pseudonym, occurred_at);
            CREATE INDEX encounters_recorded_by ON encounters (recorded_by);
            CREATE INDEX encounters_team ON encounters (team, occurred_at);
            CREATE INDEX encounters_plan ON encounters (plan_id, area_id);
            CREATE INDEX encounters_location ON encounters (latitude, longitude);
            CREATE INDEX encounters_pending ON encounters (next_link_at) WHERE link_status = 1;

            CREATE TABLE amendments (
                encounter_id TEXT NOT NULL,
                sequence INTEGER NOT NULL,
                request_id TEXT NOT NULL UNIQUE,
                fingerprint BLOB NOT NULL,
                amended_at INTEGER NOT NULL,
                author TEXT NOT NULL,
                reason TEXT NOT NULL,
                update_mask TEXT NOT NULL,
                changes BLOB NOT NULL,
                PRIMARY KEY (encounter_id, sequence)
            );

            CREATE TABLE audit_events (
                seq INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,
                actor TEXT NOT NULL,
                role TEXT NOT NULL,
                action TEXT NOT NULL,
                rpc TEXT NOT NULL,
                encounter_ids TEXT NOT NULL,
                encounter_count INTEGER NOT NULL,
                fields TEXT NOT NULL
            );
            CREATE INDEX audit_events_at ON audit_events (at);
            CREATE INDEX audit_events_actor ON audit_events (actor, at);
            """),
    ];

    public const string CreateMigrationsTable =
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)";

    public const string AppliedVersions = "SELECT version FROM schema_migrations";

    public const string RecordMigration = "INSERT INTO schema_migrations (version, applied_at) VALUES (@version, @at)";

    public const string Ping = "SELECT 1";

    /// <summary>What a whole record reads of a row (see the store's MapAsync).</summary>
    public const string EncounterColumns =
        "encounter_id, request_id, fingerprint, recorded_at, recorded_by, original, current, amendment_count, " +
        "link_status, plan_id, area_id, linked_at, source, source_row";

    public const string InsertEncounter = """
        INSERT INTO encounters (encounter_id, request_id, fingerprint, recorded_at, recorded_by, source, source_row,
            occurred_at, latitude, longitude, self_defined_ethnicity, officer_defined_ethnicity, outcome,
            officer_pseudonym, team, link_status, plan_id, area_id, linked_at, next_link_at, original, current)
        VALUES (@encounter_id, @request_id, @fingerprint, @recorded_at, @recorded_by, @source, @source_row,
            @occurred_at, @latitude, @longitude, @self_defined_ethnicity, @officer_defined_ethnicity, @outcome,
            @officer_pseudonym, @team, @link_status, @plan_id, @area_id, @linked_at, @next_link_at, @original, NULL)
        ON CONFLICT DO NOTHING
        """;

    public const string SelectByRequestId = $"SELECT {EncounterColumns} FROM encounters WHERE request_id = @request_id";

    public const string SelectById = $"SELECT {EncounterColumns} FROM encounters WHERE encounter_id = @encounter_id";

    public const string SelectAmendments = """
        SELECT sequence, amended_at, author, reason, update_mask, changes
        FROM amendments WHERE encounter_id = @encounter_id ORDER BY sequence
        """;

    public const string SelectAmendmentByRequestId =
        "SELECT encounter_id, fingerprint FROM amendments WHERE request_id = @request_id";

    public const string InsertAmendment = """
        INSERT INTO amendments (encounter_id, sequence, request_id, fingerprint, amended_at, author, reason, update_mask, changes)
        VALUES (@encounter_id, @sequence, @request_id, @fingerprint, @amended_at, @author, @reason, @update_mask, @changes)
        """;

    /// <summary>Replaces the current values and their query columns, if no other amendment landed first.</summary>
    public const string UpdateCurrent = """
        UPDATE encounters SET current = @current, amendment_count = amendment_count + 1,
            occurred_at = @occurred_at, latitude = @latitude, longitude = @longitude,
            self_defined_ethnicity = @self_defined_ethnicity, officer_defined_ethnicity = @officer_defined_ethnicity,
            outcome = @outcome, officer_pseudonym = @officer_pseudonym, team = @team,
            link_status = @link_status, plan_id = @plan_id, area_id = @area_id, linked_at = @linked_at, next_link_at = @next_link_at
        WHERE encounter_id = @encounter_id AND amendment_count = @expected
        """;

    public const string OfficerPseudonyms = "SELECT DISTINCT officer_pseudonym FROM encounters WHERE officer_pseudonym <> ''";

    public const string DuePendingLinks = """
        SELECT encounter_id, latitude, longitude, occurred_at, link_attempts FROM encounters
        WHERE link_status = 1 AND next_link_at <= @now ORDER BY next_link_at LIMIT @limit
        """;

    public const string SetLink = """
        UPDATE encounters SET link_status = @link_status, plan_id = @plan_id, area_id = @area_id, linked_at = @linked_at, next_link_at = NULL
        WHERE encounter_id = @encounter_id AND link_status = 1
        """;

    public const string DeferLink =
        "UPDATE encounters SET link_attempts = @attempts, next_link_at = @next WHERE encounter_id = @encounter_id AND link_status = 1";

    public const string InsertAudit = """
        INSERT INTO audit_events (at, actor, role, action, rpc, encounter_ids, encounter_count, fields)
        VALUES (@at, @actor, @role, @action, @rpc, @encounter_ids, @encounter_count, @fields)
        """;

    /// <summary>What <see cref="IEncounterStore.QueryFactsAsync"/> reads of a row.</summary>
    public const string FactColumns = "encounter_id, COALESCE(current, original), link_status, plan_id, seq";

    /// <summary>
    /// A SELECT of the filter's rows: the columns asked for, then latitude and
    /// longitude last; the area is narrowed here to its bounding box and exactly by the caller.
    /// </summary>
    public static void BuildQuery(SqliteCommand command, EncounterFilter filter, string columns)
    {
        var sql = new StringBuilder($"SELECT {columns}, latitude, longitude FROM encounters WHERE 1 = 1");
        if (filter.From is { } from)
        {
            sql.Append(" AND occurred_at >= @from");
            command.Parameters.AddWithValue("@from", StoredValues.ToMicros(from));
        }

        if (filter.To is { } to)
        {
            sql.Append(" AND occurred_at < @to");
            command.Parameters.AddWithValue("@to", StoredValues.ToMicros(to));
        }

        In(sql, "self_defined_ethnicity", filter.SelfDefinedEthnicities.Select(e => (int)e));
        In(sql, "officer_defined_ethnicity", filter.OfficerDefinedEthnicities.Select(e => (int)e));
        In(sql, "outcome", filter.Outcomes.Select(e => (int)e));
        In(sql, "link_status", filter.LinkStatuses.Select(e => (int)e));
        if (filter.OfficerPseudonyms is { } pseudonyms)
        {
            sql.Append(" AND officer_pseudonym IN (SELECT value FROM json_each(@pseudonyms))");
            command.Parameters.AddWithValue("@pseudonyms", System.Text.Json.JsonSerializer.Serialize(pseudonyms));
        }

        Equal(command, sql, "team", filter.Team);
        Equal(command, sql, "plan_id", filter.PlanId);
        Equal(command, sql, "area_id", filter.AreaId);
        if (filter.OwnedBy is { } owner)
        {
            sql.Append(" AND (officer_pseudonym = @owner OR recorded_by = @owner)");
            command.Parameters.AddWithValue("@owner", owner);
        }

        if (filter.Area is { } area)
        {
            var box = area.EnvelopeInternal;
            sql.Append(" AND latitude BETWEEN @min_lat AND @max_lat AND longitude BETWEEN @min_lng AND @max_lng");
            command.Parameters.AddWithValue("@min_lat", box.MinY);
            command.Parameters.AddWithValue("@max_lat", box.MaxY);
            command.Parameters.AddWithValue("@min_lng", box.MinX);
            command.Parameters.AddWithValue("@max_lng", box.MaxX);
        }
        else if (filter.ExcludeUnlocated)
        {
            sql.Append(" AND latitude IS NOT NULL");
        }

        sql.Append(" ORDER BY occurred_at, seq");
        if (filter.Limit > 0 && filter.Area is null)
        {
            sql.Append(" LIMIT @limit");
            command.Parameters.AddWithValue("@limit", filter.Limit);
        }

        command.CommandText = sql.ToString();
    }

    public static void BuildAuditQuery(SqliteCommand command, AuditFilter filter)
    {
        var sql = new StringBuilder("SELECT at, actor, role, action, rpc, encounter_ids, encounter_count, fields FROM audit_events WHERE 1 = 1");
        if (filter.From is { } from)
        {
            sql.Append(" AND at >= @from");
            command.Parameters.AddWithValue("@from", StoredValues.ToMicros(from));
        }

        if (filter.To is { } to)
        {
            sql.Append(" AND at < @to");
            command.Parameters.AddWithValue("@to", StoredValues.ToMicros(to));
        }

        Equal(command, sql, "actor", filter.Actor);
        if (filter.EncounterId is { } id)
        {
            sql.Append(" AND instr(',' || encounter_ids || ',', ',' || @encounter_id || ',') > 0");
            command.Parameters.AddWithValue("@encounter_id", id);
        }

        sql.Append(" ORDER BY seq");
        if (filter.Limit > 0)
        {
            sql.Append(" LIMIT @limit");
            command.Parameters.AddWithValue("@limit", filter.Limit);
        }

        command.CommandText = sql.ToString();
    }

    private static void In(StringBuilder sql, string column, IEnumerable<int> values)
    {
        // Enum numbers are validated integers, so they are written inline.
        var list = string.Join(",", values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
        if (list.Length > 0)
        {
            sql.Append(CultureInfo.InvariantCulture, $" AND {column} IN ({list})");
        }
    }

    private static void Equal(SqliteCommand command, StringBuilder sql, string column, string? value)
    {
        if (value is not null)
        {
            sql.Append(CultureInfo.InvariantCulture, $" AND {column} = @{column}");
            command.Parameters.AddWithValue("@" + column, value);
        }
    }
}
