using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace Targeting.Stops.Storage.Postgres;

/// <summary>
/// All SQL of the PostgreSQL + PostGIS store, with its migrations. Locations are kept as WGS84
/// latitude/longitude (the values the caller sent, for lossless export) and as a point in British
/// National Grid (EPSG:27700) with a GiST index for spatial queries.
/// </summary>
internal static class PostgresQueries
{
    /// <summary>
    /// Serialises concurrent start-ups while they migrate, of this service's instances and of
    /// hotspot's, which takes the same key ("TargetPG" in ASCII): both run CREATE EXTENSION postgis
    /// on the shared database, and two at once fail one with a duplicate key on pg_extension.
    /// </summary>
    public const long MigrationLockKey = 0x5461_7267_6574_5047;

    public static readonly IReadOnlyList<(int Version, string Sql)> Migrations =
    [
        (1, """
            CREATE TABLE encounters (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                encounter_id uuid NOT NULL UNIQUE,
                request_id text UNIQUE,
                fingerprint bytea,
                recorded_at timestamptz NOT NULL,
                recorded_by text NOT NULL,
                source text,
                source_row bigint,
                occurred_at timestamptz NOT NULL,
                latitude double precision,
                longitude double precision,
                geom geometry(Point, 27700),
                self_defined_ethnicity smallint NOT NULL,
                officer_defined_ethnicity smallint NOT NULL,
                outcome smallint NOT NULL,
                officer_pseudonym text NOT NULL,
                team text NOT NULL,
                link_status smallint NOT NULL,
                plan_id text,
                area_id text,
                linked_at timestamptz,
                link_attempts integer NOT NULL DEFAULT 0,
                next_link_at timestamptz,
                amendment_count integer NOT NULL DEFAULT 0,
                original bytea NOT NULL,
                -- NULL until the first amendment: the current values are the original ones.
                current bytea,
                UNIQUE (source, source_row)
            );
            CREATE INDEX encounters_occurred_at ON encounters (occurred_at);
            CREATE INDEX encounters_officer ON encounters (officer_pseudonym, occurred_at);
            CREATE INDEX encounters_recorded_by ON encounters (recorded_by);
            CREATE INDEX encounters_team ON encounters (team, occurred_at);
            CREATE INDEX encounters_plan ON encounters (plan_id, area_id);
            CREATE INDEX encounters_geom ON encounters USING gist (geom);
            CREATE INDEX encounters_pending ON encounters (next_link_at) WHERE link_status = 1;

            CREATE TABLE amendments (
                encounter_id uuid NOT NULL REFERENCES encounters (encounter_id),
                sequence integer NOT NULL,
                request_id text NOT NULL UNIQUE,
                fingerprint bytea NOT NULL,
                amended_at timestamptz NOT NULL,
                author text NOT NULL,
                reason text NOT NULL,
                update_mask text NOT NULL,
                changes bytea NOT NULL,
                PRIMARY KEY (encounter_id, sequence)
            );

            CREATE TABLE audit_events (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at timestamptz NOT NULL,
                actor text NOT NULL,
                role text NOT NULL,
                action text NOT NULL,
                rpc text NOT NULL,
                encounter_ids text[] NOT NULL,
                encounter_count bigint NOT NULL,
                fields text NOT NULL
            );
            CREATE INDEX audit_events_at ON audit_events (at);
            CREATE INDEX audit_events_actor ON audit_events (actor, at);
            CREATE INDEX audit_events_encounters ON audit_events USING gin (encounter_ids);
            """),
        // An analysis audits its reads 4,096 ids a row. As uuid[] a row is 64 KB instead of 150 KB and
        // the GIN index compares 16-byte keys instead of text: the audit of a full read of the shared
        // data (240k ids) costs 0.8 s instead of 1.8 s. (A larger GIN pending list was cheaper still
        // per insert but made the occasional insert merge 64 MB in the foreground: a 7 s stall.)
        (2, """
            ALTER TABLE audit_events ALTER COLUMN encounter_ids TYPE uuid[] USING encounter_ids::uuid[];
            """),
        // An analysis's read is audited as runs of the encounters' sequence numbers (decision 057): a
        // chunk of 4,096 encounters read in time order is one range or a few, one GiST entry, where its
        // ids were 4,096 GIN entries (most of a PostGIS full evaluation's audit cost). Such rows keep no
        // ids ('{}'); "who read this encounter" looks its seq up in the ranges.
        (3, """
            ALTER TABLE audit_events ADD COLUMN encounter_seqs int8multirange;
            CREATE INDEX audit_events_seqs ON audit_events USING gist (encounter_seqs);
            """),
    ];

    public const string CreateMigrationsTable =
        "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())";

    public const string LockMigrations = "SELECT pg_advisory_xact_lock(@key)";

    public const string AppliedVersions = "SELECT version FROM schema_migrations";

    public const string RecordMigration = "INSERT INTO schema_migrations (version) VALUES (@version)";

    public const string Ping = "SELECT 1";

    private const string EncounterColumns =
        "encounter_id, request_id, fingerprint, recorded_at, recorded_by, original, current, amendment_count, " +
        "link_status, plan_id, area_id, linked_at, source, source_row";

    private const string Point =
        "CASE WHEN @latitude IS NULL THEN NULL ELSE ST_Transform(ST_SetSRID(ST_MakePoint(@longitude, @latitude), 4326), 27700) END";

    private const string InsertEncounterValues = $"""
        INSERT INTO encounters (encounter_id, request_id, fingerprint, recorded_at, recorded_by, source, source_row,
            occurred_at, latitude, longitude, geom, self_defined_ethnicity, officer_defined_ethnicity, outcome,
            officer_pseudonym, team, link_status, plan_id, area_id, linked_at, next_link_at, original, current)
        VALUES (@encounter_id, @request_id, @fingerprint, @recorded_at, @recorded_by, @source, @source_row,
            @occurred_at, @latitude, @longitude, {Point}, @self_defined_ethnicity, @officer_defined_ethnicity, @outcome,
            @officer_pseudonym, @team, @link_status, @plan_id, @area_id, @linked_at, @next_link_at, @original, NULL)
        ON CONFLICT DO NOTHING
        RETURNING encounter_id
        """;

    private const string AuditValues = "@at, @actor, @role, @action, @rpc, @encounter_ids, @encounter_count, @fields";

    private const string AuditColumns = "at, actor, role, action, rpc, encounter_ids, encounter_count, fields";

    // A row audited as ranges lists the ids of the encounters in them, in sequence order.
    private const string ListedAuditColumns = """
        at, actor, role, action, rpc,
        CASE WHEN encounter_seqs IS NULL THEN encounter_ids ELSE ARRAY(
            SELECT e.encounter_id FROM unnest(encounter_seqs) AS r, encounters AS e
            WHERE e.seq >= lower(r) AND e.seq < upper(r) ORDER BY e.seq) END,
        encounter_count, fields
        """;

    /// <summary>Inserts an encounter and, only if it was new, its audit event: one round trip.</summary>
    public const string InsertEncounterWithAudit = $"""
        WITH inserted AS ({InsertEncounterValues})
        INSERT INTO audit_events ({AuditColumns}) SELECT {AuditValues} FROM inserted
        """;

    public const string InsertEncounter = InsertEncounterValues;

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

    public const string UpdateCurrent = $"""
        UPDATE encounters SET current = @current, amendment_count = amendment_count + 1,
            occurred_at = @occurred_at, latitude = @latitude, longitude = @longitude, geom = {Point},
            self_defined_ethnicity = @self_defined_ethnicity, officer_defined_ethnicity = @officer_defined_ethnicity,
            outcome = @outcome, officer_pseudonym = @officer_pseudonym, team = @team,
            link_status = @link_status, plan_id = @plan_id, area_id = @area_id, linked_at = @linked_at, next_link_at = @next_link_at
        WHERE encounter_id = @encounter_id AND amendment_count = @expected
        """;

    public const string EncounterExists = "SELECT 1 FROM encounters WHERE encounter_id = @encounter_id";

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

    /// <summary>An audit row; its sequence ranges come as two arrays of first and last numbers (none: NULL).</summary>
    public const string InsertAudit = $"""
        INSERT INTO audit_events ({AuditColumns}, encounter_seqs)
        VALUES ({AuditValues}, (SELECT range_agg(int8range(f, l, '[]')) FROM unnest(@seq_first::bigint[], @seq_last::bigint[]) AS r (f, l)))
        """;

    /// <summary>What <see cref="IEncounterStore.QueryFactsAsync"/> reads of a row.</summary>
    public const string FactColumns = "encounter_id, COALESCE(current, original), link_status, plan_id, seq";

    /// <summary>A SELECT of the filter's rows: the record's columns unless others are given.</summary>
    public static void BuildQuery(NpgsqlCommand command, EncounterFilter filter, string columns = EncounterColumns)
    {
        var sql = new StringBuilder($"SELECT {columns} FROM encounters WHERE true");
        var p = command.Parameters;
        if (filter.From is { } from)
        {
            sql.Append(" AND occurred_at >= @from");
            p.AddWithValue("from", from);
        }

        if (filter.To is { } to)
        {
            sql.Append(" AND occurred_at < @to");
            p.AddWithValue("to", to);
        }

        AnyOf(sql, p, "self_defined_ethnicity", filter.SelfDefinedEthnicities.Select(e => (short)e).ToArray());
        AnyOf(sql, p, "officer_defined_ethnicity", filter.OfficerDefinedEthnicities.Select(e => (short)e).ToArray());
        AnyOf(sql, p, "outcome", filter.Outcomes.Select(e => (short)e).ToArray());
        AnyOf(sql, p, "link_status", filter.LinkStatuses.Select(e => (short)e).ToArray());
        if (filter.OfficerPseudonyms is { } pseudonyms)
        {
            sql.Append(" AND officer_pseudonym = ANY(@pseudonyms)");
            p.AddWithValue("pseudonyms", pseudonyms.ToArray());
        }

        Equal(sql, p, "team", filter.Team);
        Equal(sql, p, "plan_id", filter.PlanId);
        Equal(sql, p, "area_id", filter.AreaId);
        if (filter.OwnedBy is { } owner)
        {
            sql.Append(" AND (officer_pseudonym = @owner OR recorded_by = @owner)");
            p.AddWithValue("owner", owner);
        }

        if (filter.Area is { } area)
        {
            // The GiST index narrows by the area's box in EPSG:27700 (expanded by 10 m because an
            // edge straight in longitude/latitude bows slightly in the grid); the exact test is
            // in WGS84, the same predicate as the SQLite store, so both stores agree at edges.
            sql.Append("""
                 AND geom && ST_Expand(ST_Transform(ST_SetSRID(@area, 4326), 27700), 10)
                 AND ST_Covers(ST_SetSRID(@area, 4326), ST_SetSRID(ST_MakePoint(longitude, latitude), 4326))
                """);
            p.AddWithValue("area", area);
        }
        else if (filter.ExcludeUnlocated)
        {
            sql.Append(" AND latitude IS NOT NULL");
        }

        sql.Append(" ORDER BY occurred_at, seq");
        if (filter.Limit > 0)
        {
            sql.Append(" LIMIT @limit");
            p.AddWithValue("limit", filter.Limit);
        }

        command.CommandText = sql.ToString();
    }

    public static void BuildAuditQuery(NpgsqlCommand command, AuditFilter filter)
    {
        var sql = new StringBuilder($"SELECT {ListedAuditColumns} FROM audit_events WHERE true");
        var p = command.Parameters;
        if (filter.From is { } from)
        {
            sql.Append(" AND at >= @from");
            p.AddWithValue("from", from);
        }

        if (filter.To is { } to)
        {
            sql.Append(" AND at < @to");
            p.AddWithValue("to", to);
        }

        Equal(sql, p, "actor", filter.Actor);
        if (filter.EncounterId is { } id)
        {
            // Every audited id is a stored encounter's uuid: any other text was never audited.
            if (Guid.TryParse(id, out var uuid))
            {
                sql.Append("""
                     AND (encounter_ids @> ARRAY[@encounter_id]
                      OR encounter_seqs @> (SELECT e.seq FROM encounters AS e WHERE e.encounter_id = @encounter_id))
                    """);
                p.AddWithValue("encounter_id", NpgsqlDbType.Uuid, uuid);
            }
            else
            {
                sql.Append(" AND false");
            }
        }

        sql.Append(" ORDER BY seq");
        if (filter.Limit > 0)
        {
            sql.Append(" LIMIT @limit");
            p.AddWithValue("limit", filter.Limit);
        }

        command.CommandText = sql.ToString();
    }

    private static void AnyOf(StringBuilder sql, NpgsqlParameterCollection parameters, string column, short[] values)
    {
        if (values.Length > 0)
        {
            sql.Append(" AND ").Append(column).Append(" = ANY(@").Append(column).Append(')');
            parameters.AddWithValue(column, values);
        }
    }

    private static void Equal(StringBuilder sql, NpgsqlParameterCollection parameters, string column, string? value)
    {
        if (value is not null)
        {
            sql.Append(" AND ").Append(column).Append(" = @").Append(column);
            parameters.AddWithValue(column, value);
        }
    }
}
