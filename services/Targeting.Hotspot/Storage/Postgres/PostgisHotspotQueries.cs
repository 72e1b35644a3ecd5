namespace Targeting.Hotspot.Storage.Postgres;

/// <summary>
/// All SQL of the PostGIS store, with its migrations. Everything lives in schema <c>hotspot</c>
/// (the stops service may share the database). Geometry is EPSG:27700, exchanged as NTS geometries (Npgsql.NetTopologySuite); the engine's
/// projected geometries carry no SRID, so the SQL sets it.
/// </summary>
internal static class PostgisHotspotQueries
{
    /// <summary>
    /// Serialises migrators across processes and across services: stops' migration takes the same
    /// key ("TargetPG" in ASCII), because both run CREATE EXTENSION postgis on the shared database
    /// and two at once fail one with a duplicate key on pg_extension.
    /// </summary>
    public const long MigrationLockKey = 0x5461_7267_6574_5047;

    public const string TakeMigrationLock = "SELECT pg_advisory_xact_lock(@key);";

    public static string CreateSchema(string schema) => $"CREATE SCHEMA IF NOT EXISTS {schema};";

    public const string CreateMigrationsTable = """
        CREATE TABLE IF NOT EXISTS hotspot.schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
        """;

    public const string IsApplied = "SELECT EXISTS (SELECT 1 FROM hotspot.schema_migrations WHERE version = @version);";

    public const string RecordMigration = "INSERT INTO hotspot.schema_migrations (version) VALUES (@version);";

    public static readonly IReadOnlyList<(int Version, string Sql)> Migrations =
    [
        (1, """
            CREATE EXTENSION IF NOT EXISTS postgis;

            CREATE TABLE hotspot.incidents (
                id text PRIMARY KEY,
                occurred_at timestamptz NOT NULL,
                time_precision smallint NOT NULL,
                longitude double precision NOT NULL,
                latitude double precision NOT NULL,
                geom geometry(Point, 27700) NOT NULL,
                crime_type text NOT NULL,
                provenance smallint NOT NULL,
                lsoa_code text NOT NULL,
                source text NOT NULL,
                row_number bigint NOT NULL
            );
            CREATE INDEX incidents_geom ON hotspot.incidents USING gist (geom);
            CREATE INDEX incidents_occurred_at ON hotspot.incidents (occurred_at);

            CREATE TABLE hotspot.plans (
                sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                plan_id text NOT NULL UNIQUE,
                area_name text NOT NULL,
                created_at timestamptz NOT NULL,
                valid_start timestamptz NOT NULL,
                valid_end timestamptz NOT NULL,
                plan bytea NOT NULL
            );
            CREATE INDEX plans_area_name ON hotspot.plans (area_name, sequence);
            CREATE INDEX plans_valid ON hotspot.plans (valid_start, valid_end);

            CREATE TABLE hotspot.patrol_areas (
                plan_id text NOT NULL REFERENCES hotspot.plans (plan_id),
                area_id text NOT NULL,
                rank integer NOT NULL,
                geom geometry(MultiPolygon, 27700) NOT NULL,
                PRIMARY KEY (plan_id, area_id)
            );
            CREATE INDEX patrol_areas_geom ON hotspot.patrol_areas USING gist (geom);

            CREATE FUNCTION hotspot.refuse_change() RETURNS trigger LANGUAGE plpgsql AS
                $$ BEGIN RAISE EXCEPTION 'plans are never overwritten or deleted'; END $$;
            CREATE TRIGGER plans_immutable BEFORE UPDATE OR DELETE ON hotspot.plans
                FOR EACH ROW EXECUTE FUNCTION hotspot.refuse_change();
            CREATE TRIGGER patrol_areas_immutable BEFORE UPDATE OR DELETE ON hotspot.patrol_areas
                FOR EACH ROW EXECUTE FUNCTION hotspot.refuse_change();
            """),
    ];

    /// <summary>A session-local staging table for binary COPY; ON COMMIT DROP keeps it per batch.</summary>
    public const string CreateStaging = """
        CREATE TEMP TABLE incidents_staging (
            id text, occurred_at timestamptz, time_precision smallint, longitude double precision, latitude double precision,
            x double precision, y double precision, crime_type text, provenance smallint, lsoa_code text, source text, row_number bigint
        ) ON COMMIT DROP;
        """;

    public const string CopyStaging =
        "COPY incidents_staging (id, occurred_at, time_precision, longitude, latitude, x, y, crime_type, provenance, lsoa_code, source, row_number) FROM STDIN (FORMAT BINARY)";

    /// <summary>
    /// The projected point comes from the engine's projection, not ST_Transform, so that SQL
    /// grid counts and clusters see exactly the coordinates the in-memory engine sees.
    /// </summary>
    public const string InsertFromStaging = """
        INSERT INTO hotspot.incidents (id, occurred_at, time_precision, longitude, latitude, geom, crime_type, provenance, lsoa_code, source, row_number)
        SELECT id, occurred_at, time_precision, longitude, latitude, ST_SetSRID(ST_MakePoint(x, y), 27700), crime_type, provenance, lsoa_code, source, row_number
        FROM incidents_staging
        ON CONFLICT (id) DO NOTHING;
        """;

    /// <summary>
    /// The WHERE clause of incident queries, holding only the filters present (so that the
    /// planner sees a plain spatial predicate and uses the GiST index).
    /// </summary>
    public static string IncidentFilter(IncidentQuery query)
    {
        var conditions = new List<string> { "true" };
        if (query.Area is not null)
        {
            conditions.Add("ST_Intersects(i.geom, ST_SetSRID(@area, 27700))");
        }

        if (query.Start is not null)
        {
            conditions.Add("i.occurred_at >= @start");
        }

        if (query.End is not null)
        {
            conditions.Add("i.occurred_at < @end");
        }

        if (query.CrimeTypes is not null)
        {
            conditions.Add("i.crime_type = ANY (@types)");
        }

        return string.Join(" AND ", conditions);
    }

    public static string SelectIncidents(IncidentQuery query) => $"""
        SELECT i.id, i.occurred_at, i.time_precision, i.longitude, i.latitude, ST_X(i.geom), ST_Y(i.geom),
               i.crime_type, i.provenance, i.lsoa_code, i.source, i.row_number
        FROM hotspot.incidents i
        WHERE {IncidentFilter(query)}
        ORDER BY i.id COLLATE "C";
        """;

    /// <summary>Where, when and what of the matching incidents, in no particular order (no sort of the whole result).</summary>
    public static string SelectIncidentPoints(IncidentQuery query) => $"""
        SELECT ST_X(i.geom), ST_Y(i.geom), i.occurred_at, i.crime_type, i.provenance
        FROM hotspot.incidents i
        WHERE {IncidentFilter(query)};
        """;

    /// <summary>
    /// Grid counts by floor arithmetic on the cell size (the same formula as
    /// <see cref="GridCells"/>); weights per (crime type, provenance) come in as parallel arrays,
    /// and incidents without a positive weight are left out, as the engine's training set does.
    /// </summary>
    public static string CountByCell(IncidentQuery query) => $"""
        WITH cells AS (
            SELECT floor((ST_X(i.geom) - @origin_x) / @cell_size)::integer AS col,
                   floor((ST_Y(i.geom) - @origin_y) / @cell_size)::integer AS row,
                   w.weight
            FROM hotspot.incidents i
            JOIN unnest(@weight_types::text[], @weight_provenances::smallint[], @weight_values::double precision[])
                AS w (crime_type, provenance, weight)
                ON w.crime_type = i.crime_type AND w.provenance = i.provenance AND w.weight > 0
            WHERE {IncidentFilter(query)}
        )
        SELECT col, row, count(*), sum(weight)
        FROM cells
        WHERE col >= 0 AND row >= 0 AND col < @columns AND row < @rows
        GROUP BY col, row
        ORDER BY row, col;
        """;

    /// <summary>ST_ClusterDBSCAN visiting points in id order (byte order), which fixes its border-point ties.</summary>
    public static string ClusterDbscan(IncidentQuery query) => $"""
        SELECT i.id, ST_ClusterDBSCAN(i.geom, eps := @eps, minpoints := @min_points) OVER (ORDER BY i.id COLLATE "C")
        FROM hotspot.incidents i
        WHERE {IncidentFilter(query)}
        ORDER BY i.id COLLATE "C";
        """;

    public const string InsertPlan = """
        INSERT INTO hotspot.plans (plan_id, area_name, created_at, valid_start, valid_end, plan)
        VALUES (@plan_id, @area_name, @created_at, @valid_start, @valid_end, @plan)
        RETURNING sequence;
        """;

    public const string InsertPatrolArea = """
        INSERT INTO hotspot.patrol_areas (plan_id, area_id, rank, geom)
        VALUES (@plan_id, @area_id, @rank, ST_Multi(ST_SetSRID(@geometry, 27700)));
        """;

    public const string SelectPlan = "SELECT plan FROM hotspot.plans WHERE plan_id = @plan_id;";

    public const string ListPlans = """
        SELECT sequence, plan FROM hotspot.plans
        WHERE (@area_name::text IS NULL OR area_name = @area_name::text)
          AND (@active_at::timestamptz IS NULL OR (valid_start <= @active_at::timestamptz AND @active_at::timestamptz < valid_end))
          AND (@before::bigint IS NULL OR sequence < @before::bigint)
        ORDER BY sequence DESC
        LIMIT @limit;
        """;

    public const string PlansAfter = "SELECT sequence, plan FROM hotspot.plans WHERE sequence > @after ORDER BY sequence;";
}
