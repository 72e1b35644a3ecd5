namespace Targeting.Hotspot.Storage.Sqlite;

/// <summary>
/// All SQL of the SQLite store, with its migrations. Times are Unix milliseconds (UTC); points
/// are kept in WGS84 and in the projected CRS, indexed by the 1 km square that holds them.
/// </summary>
/// <remarks>
/// Why a square key rather than SQLite's R*Tree: an R*Tree insert cost as much again as the row
/// itself (measured: 40,000 sample rows took twice as long), and points need no more than a
/// b-tree over a cell number: an envelope becomes one key range per 1 km column.
/// </remarks>
internal static class SqliteHotspotQueries
{
    /// <summary>The side of the indexing squares, metres.</summary>
    public const double SquareSize = 1_000;

    /// <summary>The square key is column · 2^20 + row: rows up to 2^20 km, far beyond any northing (projected coordinates are non-negative in the CRSs used).</summary>
    public const long RowsPerColumn = 1 << 20;

    /// <summary>The square key of a projected point.</summary>
    public static long SquareOf(double x, double y) =>
        ((long)Math.Floor(x / SquareSize) * RowsPerColumn) + (long)Math.Floor(y / SquareSize);

    /// <summary>Per connection: durability over speed (a plan acknowledged is a plan kept).</summary>
    public const string ConnectionPragmas = "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;";

    public const string EnableWal = "PRAGMA journal_mode = WAL;";

    public const string CreateMigrationsTable =
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);";

    public const string AppliedVersions = "SELECT version FROM schema_migrations;";

    public const string RecordMigration = "INSERT INTO schema_migrations (version, applied_at) VALUES ($version, $applied_at);";

    /// <summary>Numbered migrations, applied in order, each once, each in its own transaction.</summary>
    public static readonly IReadOnlyList<(int Version, string Sql)> Migrations =
    [
        (1, """
            CREATE TABLE incidents (
                seq INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                occurred_at INTEGER NOT NULL,
                time_precision INTEGER NOT NULL,
                longitude REAL NOT NULL,
                latitude REAL NOT NULL,
                x REAL NOT NULL,
                y REAL NOT NULL,
                square INTEGER NOT NULL,
                crime_type TEXT NOT NULL,
                provenance INTEGER NOT NULL,
                lsoa_code TEXT NOT NULL,
                source TEXT NOT NULL,
                row_number INTEGER NOT NULL
            );
            CREATE INDEX incidents_occurred_at ON incidents (occurred_at);
            CREATE INDEX incidents_square ON incidents (square);

            CREATE TABLE plans (
                sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                plan_id TEXT NOT NULL UNIQUE,
                area_name TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                valid_start INTEGER NOT NULL,
                valid_end INTEGER NOT NULL,
                plan BLOB NOT NULL
            );
            CREATE INDEX plans_area_name ON plans (area_name, sequence);
            CREATE INDEX plans_valid ON plans (valid_start, valid_end);

            CREATE TABLE patrol_areas (
                plan_id TEXT NOT NULL REFERENCES plans (plan_id),
                area_id TEXT NOT NULL,
                rank INTEGER NOT NULL,
                geometry_wkb BLOB NOT NULL,
                PRIMARY KEY (plan_id, area_id)
            );

            CREATE TRIGGER plans_never_updated BEFORE UPDATE ON plans
                BEGIN SELECT RAISE(ABORT, 'plans are never overwritten'); END;
            CREATE TRIGGER plans_never_deleted BEFORE DELETE ON plans
                BEGIN SELECT RAISE(ABORT, 'plans are never deleted'); END;
            CREATE TRIGGER patrol_areas_never_updated BEFORE UPDATE ON patrol_areas
                BEGIN SELECT RAISE(ABORT, 'plans are never overwritten'); END;
            CREATE TRIGGER patrol_areas_never_deleted BEFORE DELETE ON patrol_areas
                BEGIN SELECT RAISE(ABORT, 'plans are never deleted'); END;
            """),
        // The analytics scan (StreamIncidentPoints) reads five columns of every incident in a window:
        // from a covering index it never touches the wide table rows (0.32 s instead of 0.50 s for
        // the 595k shared crimes). The index leads with occurred_at, so it replaces the old one.
        (2, """
            CREATE INDEX incidents_points ON incidents (occurred_at, crime_type, provenance, x, y);
            DROP INDEX incidents_occurred_at;
            """),
    ];

    public const string InsertIncident = """
        INSERT INTO incidents (id, occurred_at, time_precision, longitude, latitude, x, y, square, crime_type, provenance, lsoa_code, source, row_number)
        VALUES ($id, $occurred_at, $time_precision, $longitude, $latitude, $x, $y, $square, $crime_type, $provenance, $lsoa_code, $source, $row_number)
        ON CONFLICT (id) DO NOTHING;
        """;

    private const string IncidentPointColumns = "i.x, i.y, i.occurred_at, i.crime_type, i.provenance";

    private const string IncidentColumns =
        "i.id, i.occurred_at, i.time_precision, i.longitude, i.latitude, i.x, i.y, i.crime_type, i.provenance, i.lsoa_code, i.source, i.row_number";

    /// <summary>
    /// The incident query (whole records in id order, or points in any order), built from the filters present. An envelope becomes one range of
    /// square keys per 1 km column (parameters $c0_lo, $c0_hi, ...); the exact x/y test and the
    /// polygon test follow in the store.
    /// </summary>
    public static string SelectIncidents(int squareColumns, bool start, bool end, int crimeTypes, bool points = false)
    {
        var sql = new System.Text.StringBuilder("SELECT ").Append(points ? IncidentPointColumns : IncidentColumns).Append(" FROM incidents i WHERE 1 = 1");
        if (squareColumns > 0)
        {
            sql.Append(" AND (")
                .AppendJoin(" OR ", Enumerable.Range(0, squareColumns).Select(c => $"i.square BETWEEN $c{c}_lo AND $c{c}_hi"))
                .Append(") AND i.x BETWEEN $min_x AND $max_x AND i.y BETWEEN $min_y AND $max_y");
        }

        if (start)
        {
            sql.Append(" AND i.occurred_at >= $start");
        }

        if (end)
        {
            sql.Append(" AND i.occurred_at < $end");
        }

        if (crimeTypes > 0)
        {
            sql.Append(" AND i.crime_type IN (")
                .AppendJoin(", ", Enumerable.Range(0, crimeTypes).Select(i => "$type" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                .Append(')');
        }

        return sql.Append(points ? ";" : " ORDER BY i.id;").ToString();
    }

    public const string InsertPlan = """
        INSERT INTO plans (plan_id, area_name, created_at, valid_start, valid_end, plan)
        VALUES ($plan_id, $area_name, $created_at, $valid_start, $valid_end, $plan)
        RETURNING sequence;
        """;

    public const string PlanExists = "SELECT 1 FROM plans WHERE plan_id = $plan_id;";

    public const string InsertPatrolArea = """
        INSERT INTO patrol_areas (plan_id, area_id, rank, geometry_wkb) VALUES ($plan_id, $area_id, $rank, $geometry_wkb);
        """;

    public const string SelectPlan = "SELECT plan FROM plans WHERE plan_id = $plan_id;";

    public const string ListPlans = """
        SELECT sequence, plan FROM plans
        WHERE ($area_name IS NULL OR area_name = $area_name)
          AND ($active_at IS NULL OR (valid_start <= $active_at AND $active_at < valid_end))
          AND ($before IS NULL OR sequence < $before)
        ORDER BY sequence DESC
        LIMIT $limit;
        """;

    public const string PlansAfter = "SELECT sequence, plan FROM plans WHERE sequence > $after ORDER BY sequence;";
}
