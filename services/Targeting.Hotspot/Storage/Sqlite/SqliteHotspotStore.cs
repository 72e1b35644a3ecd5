using System.Globalization;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Microsoft.Data.Sqlite;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using SQLitePCL;
using Targeting.Engine.Geography;
using Targeting.Hotspot.V1;
using static Targeting.Hotspot.Storage.Sqlite.SqliteHotspotQueries;

namespace Targeting.Hotspot.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file (WAL, synchronous=FULL). Grid counts and DBSCAN run in
/// memory on the queried incidents, through the same code paths the engine uses.
/// </summary>
public sealed class SqliteHotspotStore : IHotspotStore
{
    private readonly string _connectionString;

    public SqliteHotspotStore(string databasePath)
    {
        DatabasePath = Path.GetFullPath(databasePath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        }.ToString();
    }

    public string DatabasePath { get; }

    public string Provider => "sqlite";

    /// <summary>Only failing to open the file counts (the embedded store has no server to lose).</summary>
    public bool IsUnavailable(Exception error) => error is StoreUnavailableException;

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, EnableWal, cancellationToken);
        await ExecuteAsync(connection, CreateMigrationsTable, cancellationToken);
        foreach (var (version, sql) in Migrations)
        {
            // BEGIN IMMEDIATE takes the write lock first, so two processes starting together
            // cannot both apply the same migration.
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, cancellationToken);
            await using var check = Command(connection, "SELECT count(*) FROM schema_migrations WHERE version = $version;", transaction);
            check.Parameters.AddWithValue("$version", version);
            if (Convert.ToInt64(await check.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) > 0)
            {
                continue;
            }

            await using (var migrate = Command(connection, sql, transaction))
            {
                await migrate.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var record = Command(connection, RecordMigration, transaction))
            {
                record.Parameters.AddWithValue("$version", version);
                record.Parameters.AddWithValue("$applied_at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var command = Command(connection, "SELECT 1;");
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 1;
        }
        catch (Exception e) when (e is SqliteException or StoreUnavailableException)
        {
            return false;
        }
    }

    public async Task<IncidentWriteResult> AddIncidentsAsync(IReadOnlyList<IncidentRecord> incidents, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var insert = Command(connection, InsertIncident, transaction);
        var p = insert.Parameters;
        var id = p.Add("$id", SqliteType.Text);
        var occurredAt = p.Add("$occurred_at", SqliteType.Integer);
        var precision = p.Add("$time_precision", SqliteType.Integer);
        var longitude = p.Add("$longitude", SqliteType.Real);
        var latitude = p.Add("$latitude", SqliteType.Real);
        var x = p.Add("$x", SqliteType.Real);
        var y = p.Add("$y", SqliteType.Real);
        var square = p.Add("$square", SqliteType.Integer);
        var crimeType = p.Add("$crime_type", SqliteType.Text);
        var provenance = p.Add("$provenance", SqliteType.Integer);
        var lsoa = p.Add("$lsoa_code", SqliteType.Text);
        var source = p.Add("$source", SqliteType.Text);
        var row = p.Add("$row_number", SqliteType.Integer);
        insert.Prepare();

        var imported = 0;
        foreach (var incident in incidents)
        {
            id.Value = incident.Id;
            occurredAt.Value = ToUnixMilliseconds(incident.OccurredAt);
            precision.Value = (int)incident.TimePrecision;
            longitude.Value = incident.Longitude;
            latitude.Value = incident.Latitude;
            x.Value = incident.X;
            y.Value = incident.Y;
            square.Value = SquareOf(incident.X, incident.Y);
            crimeType.Value = incident.CrimeType;
            provenance.Value = (int)incident.Provenance;
            lsoa.Value = incident.LsoaCode;
            source.Value = incident.Source;
            row.Value = incident.RowNumber;
            // SQLite does no real asynchronous I/O; the synchronous calls skip a task per row.
            cancellationToken.ThrowIfCancellationRequested();
            imported += insert.ExecuteNonQuery();
        }

        await transaction.CommitAsync(cancellationToken);
        return new IncidentWriteResult(imported, incidents.Count - imported);
    }

    public async IAsyncEnumerable<IncidentRecord> QueryIncidentsAsync(IncidentQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var area = query.Area is null ? null : new AreaLocator(query.Area);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = IncidentCommand(connection, query, points: false);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var record = new IncidentRecord(
                reader.GetString(0),
                FromUnixMilliseconds(reader.GetInt64(1)),
                (TimePrecision)reader.GetInt32(2),
                reader.GetDouble(3),
                reader.GetDouble(4),
                reader.GetDouble(5),
                reader.GetDouble(6),
                reader.GetString(7),
                (Provenance)reader.GetInt32(8),
                reader.GetString(9),
                reader.GetString(10),
                reader.GetInt64(11));
            if (area is null || area.Covers(record.X, record.Y))
            {
                yield return record;
            }
        }
    }

    public async IAsyncEnumerable<IncidentPoint> QueryIncidentPointsAsync(IncidentQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var area = query.Area is null ? null : new AreaLocator(query.Area);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = IncidentCommand(connection, query, points: true);

        // Straight through SQLitePCL rather than SqliteDataReader: for 600k rows the reader's
        // per-column type checks and a string per crime type cost twice what SQLite does
        // (bench/feedback). The command only carries the SQL and its bound values here.
        var rc = raw.sqlite3_prepare_v2(connection.Handle, command.CommandText, out var statement);
        using (statement)
        {
            Check(rc, connection);
            foreach (SqliteParameter parameter in command.Parameters)
            {
                var index = raw.sqlite3_bind_parameter_index(statement, parameter.ParameterName);
                Check(parameter.Value switch
                {
                    long value => raw.sqlite3_bind_int64(statement, index, value),
                    double value => raw.sqlite3_bind_double(statement, index, value),
                    string value => raw.sqlite3_bind_text(statement, index, value),
                    var other => throw new InvalidOperationException($"unexpected parameter type {other?.GetType().Name}"),
                }, connection);
            }

            var crimeTypes = new CrimeTypeNames();
            while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (x, y) = (raw.sqlite3_column_double(statement, 0), raw.sqlite3_column_double(statement, 1));
                if (area is null || area.Covers(x, y))
                {
                    yield return new IncidentPoint(x, y, FromUnixMilliseconds(raw.sqlite3_column_int64(statement, 2)),
                        crimeTypes.Of(raw.sqlite3_column_blob(statement, 3)), (Provenance)raw.sqlite3_column_int(statement, 4));
                }
            }

            if (rc != raw.SQLITE_DONE)
            {
                Check(rc, connection);
            }
        }
    }

    private static void Check(int rc, SqliteConnection connection)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException($"SQLite error {rc}: {raw.sqlite3_errmsg(connection.Handle).utf8_to_string()}", rc);
        }
    }

    // The crime types of a scan as strings, one instance per type: a handful of distinct values
    // repeated over every row, so the UTF-8 bytes are matched instead of decoded each time.
    private sealed class CrimeTypeNames
    {
        private readonly List<(byte[] Utf8, string Name)> _names = [];

        public string Of(ReadOnlySpan<byte> utf8)
        {
            foreach (var (bytes, name) in _names)
            {
                if (utf8.SequenceEqual(bytes))
                {
                    return name;
                }
            }

            var added = System.Text.Encoding.UTF8.GetString(utf8);
            _names.Add((utf8.ToArray(), added));
            return added;
        }
    }

    // The incident SELECT with its parameters bound (see SqliteHotspotQueries.SelectIncidents).
    private static SqliteCommand IncidentCommand(SqliteConnection connection, IncidentQuery query, bool points)
    {
        var envelope = query.Area?.EnvelopeInternal;
        var types = query.CrimeTypes?.ToArray() ?? [];
        var firstColumn = envelope is null ? 0 : (long)Math.Floor(envelope.MinX / SquareSize);
        var columns = envelope is null ? 0 : (int)((long)Math.Floor(envelope.MaxX / SquareSize) - firstColumn + 1);
        var command = Command(connection, SelectIncidents(columns, query.Start is not null, query.End is not null, types.Length, points));
        if (envelope is not null)
        {
            var (firstRow, lastRow) = ((long)Math.Floor(envelope.MinY / SquareSize), (long)Math.Floor(envelope.MaxY / SquareSize));
            for (var c = 0; c < columns; c++)
            {
                var column = (firstColumn + c) * RowsPerColumn;
                command.Parameters.AddWithValue($"$c{c}_lo", column + firstRow);
                command.Parameters.AddWithValue($"$c{c}_hi", column + lastRow);
            }

            command.Parameters.AddWithValue("$min_x", envelope.MinX);
            command.Parameters.AddWithValue("$max_x", envelope.MaxX);
            command.Parameters.AddWithValue("$min_y", envelope.MinY);
            command.Parameters.AddWithValue("$max_y", envelope.MaxY);
        }

        if (query.Start is { } start)
        {
            command.Parameters.AddWithValue("$start", ToUnixMilliseconds(start));
        }

        if (query.End is { } end)
        {
            command.Parameters.AddWithValue("$end", ToUnixMilliseconds(end));
        }

        for (var i = 0; i < types.Length; i++)
        {
            command.Parameters.AddWithValue("$type" + i.ToString(CultureInfo.InvariantCulture), types[i]);
        }

        return command;
    }

    public async Task<IReadOnlyList<CellCount>> CountByCellAsync(IncidentQuery query, GridFrame grid, IReadOnlyList<IncidentWeight> weights, CancellationToken cancellationToken)
    {
        var weightOf = weights.ToDictionary(w => (w.CrimeType, w.Provenance), w => w.Weight);
        var cells = new Dictionary<(int Column, int Row), (long Count, double Weighted)>();
        await foreach (var incident in QueryIncidentsAsync(query, cancellationToken))
        {
            if (weightOf.GetValueOrDefault((incident.CrimeType, incident.Provenance)) is > 0 and var weight &&
                GridCells.TryLocate(grid, incident.X, incident.Y, out var column, out var row))
            {
                cells.TryGetValue((column, row), out var sum);
                cells[(column, row)] = (sum.Count + 1, sum.Weighted + weight);
            }
        }

        return [.. cells.Select(c => new CellCount(c.Key.Column, c.Key.Row, c.Value.Count, c.Value.Weighted))
            .OrderBy(c => c.Row).ThenBy(c => c.Column)];
    }

    public async Task<IReadOnlyList<ClusterLabel>> ClusterDbscanAsync(IncidentQuery query, double epsMetres, int minPoints, CancellationToken cancellationToken)
    {
        var incidents = new List<IncidentRecord>();
        await foreach (var incident in QueryIncidentsAsync(query, cancellationToken))
        {
            incidents.Add(incident);
        }

        return InMemoryClustering.Dbscan(incidents, epsMetres, minPoints);
    }

    public async Task<long> SavePlanAsync(PatrolPlan plan, IReadOnlyList<Geometry> projectedAreas, CancellationToken cancellationToken)
    {
        if (projectedAreas.Count != plan.Areas.Count)
        {
            throw new ArgumentException($"{plan.Areas.Count} areas but {projectedAreas.Count} geometries", nameof(projectedAreas));
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        long sequence;
        try
        {
            await using var insert = Command(connection, InsertPlan, transaction);
            insert.Parameters.AddWithValue("$plan_id", plan.PlanId);
            insert.Parameters.AddWithValue("$area_name", plan.AreaName);
            insert.Parameters.AddWithValue("$created_at", ToUnixMilliseconds(plan.Provenance?.GeneratedAt?.ToDateTime() ?? DateTime.UtcNow));
            insert.Parameters.AddWithValue("$valid_start", ToUnixMilliseconds(plan.ValidWindow.Start.ToDateTime()));
            insert.Parameters.AddWithValue("$valid_end", ToUnixMilliseconds(plan.ValidWindow.End.ToDateTime()));
            insert.Parameters.AddWithValue("$plan", plan.ToByteArray());
            sequence = Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19) // SQLITE_CONSTRAINT: the plan id is taken
        {
            throw new PlanAlreadyExistsException(plan.PlanId);
        }

        var writer = new WKBWriter();
        await using var area = Command(connection, InsertPatrolArea, transaction);
        for (var i = 0; i < plan.Areas.Count; i++)
        {
            area.Parameters.Clear();
            area.Parameters.AddWithValue("$plan_id", plan.PlanId);
            area.Parameters.AddWithValue("$area_id", plan.Areas[i].AreaId);
            area.Parameters.AddWithValue("$rank", plan.Areas[i].Rank);
            area.Parameters.AddWithValue("$geometry_wkb", writer.Write(projectedAreas[i]));
            await area.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return sequence;
    }

    public async Task<PatrolPlan?> GetPlanAsync(string planId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, SelectPlan);
        command.Parameters.AddWithValue("$plan_id", planId);
        return await command.ExecuteScalarAsync(cancellationToken) is byte[] bytes ? PatrolPlan.Parser.ParseFrom(bytes) : null;
    }

    public async Task<PlanPage> ListPlansAsync(string? areaName, DateTime? activeAt, int pageSize, long? beforeSequence, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, ListPlans);
        command.Parameters.AddWithValue("$area_name", (object?)areaName ?? DBNull.Value);
        command.Parameters.AddWithValue("$active_at", activeAt is { } at ? ToUnixMilliseconds(at) : DBNull.Value);
        command.Parameters.AddWithValue("$before", (object?)beforeSequence ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", pageSize + 1);
        var plans = await ReadPlansAsync(command, cancellationToken);
        return plans.Count > pageSize
            ? new PlanPage(plans[..pageSize], plans[pageSize - 1].Sequence)
            : new PlanPage(plans, null);
    }

    public async Task<IReadOnlyList<StoredPlan>> PlansAfterAsync(long sequence, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, PlansAfter);
        command.Parameters.AddWithValue("$after", sequence);
        return await ReadPlansAsync(command, cancellationToken);
    }

    private static async Task<List<StoredPlan>> ReadPlansAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var plans = new List<StoredPlan>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            plans.Add(new StoredPlan(reader.GetInt64(0), PatrolPlan.Parser.ParseFrom((byte[])reader.GetValue(1))));
        }

        return plans;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, ConnectionPragmas, cancellationToken);
            return connection;
        }
        catch (SqliteException e)
        {
            await connection.DisposeAsync();
            throw new StoreUnavailableException($"cannot open the SQLite database {DatabasePath}: {e.Message}", e);
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static long ToUnixMilliseconds(DateTime time) =>
        new DateTimeOffset(DateTime.SpecifyKind(time.ToUniversalTime(), DateTimeKind.Utc)).ToUnixTimeMilliseconds();

    private static DateTime FromUnixMilliseconds(long milliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).UtcDateTime;
}
