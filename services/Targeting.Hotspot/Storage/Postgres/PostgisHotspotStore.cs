using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;
using Targeting.Hotspot.V1;
using static Targeting.Hotspot.Storage.Postgres.PostgisHotspotQueries;

namespace Targeting.Hotspot.Storage.Postgres;

/// <summary>
/// PostgreSQL + PostGIS store: points and patrol areas as EPSG:27700 geometry with GiST
/// indexes; grid counts, point-in-polygon and DBSCAN run in SQL. One <see cref="NpgsqlDataSource"/>
/// per database, shared (thread-safe).
/// </summary>
public sealed class PostgisHotspotStore : IHotspotStore
{
    public const string DefaultSchema = "hotspot";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _schema;

    /// <param name="dataSource">The database.</param>
    /// <param name="schema">The schema holding the tables (default "hotspot"; tests use one each).</param>
    public PostgisHotspotStore(NpgsqlDataSource dataSource, string schema = DefaultSchema)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(schema, "^[a-z_][a-z0-9_]{0,62}$"))
        {
            throw new ArgumentException($"'{schema}' is not a plain lower-case SQL identifier", nameof(schema));
        }

        _dataSource = dataSource;
        _schema = schema;
    }

    /// <summary>A data source for this store: NTS geometries travel as PostGIS geometry parameters.</summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.UseNetTopologySuite();
        return builder.Build();
    }

    public string Provider => "postgres";

    /// <summary>
    /// Connection-level failures: reaching the server (sockets, timeouts, an NpgsqlException that is
    /// not a server error), connection exceptions (SQLSTATE class 08), shutdown or recovery
    /// (57P01-57P03: a restart ends every session mid-query) and too many connections (53300).
    /// Such a failure clears the pool, whose other connections died with the server.
    /// </summary>
    public bool IsUnavailable(Exception error)
    {
        var unavailable = error switch
        {
            StoreUnavailableException => true,
            PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal)
                || pg.SqlState is "57P01" or "57P02" or "57P03" or "53300",
            NpgsqlException or SocketException or TimeoutException or IOException => true,
            _ => false,
        };
        if (unavailable && error is not StoreUnavailableException)
        {
            _dataSource.Clear();
        }

        return unavailable;
    }

    /// <summary>The SQL with its tables qualified by this store's schema.</summary>
    private string Sql(string sql) =>
        _schema == DefaultSchema ? sql : sql.Replace(DefaultSchema + ".", _schema + ".", StringComparison.Ordinal);

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand(TakeMigrationLock, connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("key", MigrationLockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var create = new NpgsqlCommand(CreateSchema(_schema) + Sql(CreateMigrationsTable), connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var (version, sql) in Migrations)
        {
            await using var check = new NpgsqlCommand(Sql(IsApplied), connection, transaction);
            check.Parameters.AddWithValue("version", version);
            if ((bool)(await check.ExecuteScalarAsync(cancellationToken))!)
            {
                continue;
            }

            await using var migrate = new NpgsqlCommand(Sql(sql), connection, transaction);
            await migrate.ExecuteNonQueryAsync(cancellationToken);
            await using var record = new NpgsqlCommand(Sql(RecordMigration), connection, transaction);
            record.Parameters.AddWithValue("version", version);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        // The pool loaded the database's types when this connection opened, before a first migration
        // created PostGIS: without a reload, geometry parameters fail ("Cannot resolve 'geometry'")
        // until the process restarts.
        await connection.ReloadTypesAsync(cancellationToken);
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            return await command.ExecuteScalarAsync(cancellationToken) is 1;
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            return false;
        }
    }

    public async Task<IncidentWriteResult> AddIncidentsAsync(IReadOnlyList<IncidentRecord> incidents, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var staging = new NpgsqlCommand(CreateStaging, connection, transaction))
        {
            await staging.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var copy = await connection.BeginBinaryImportAsync(CopyStaging, cancellationToken))
        {
            foreach (var incident in incidents)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(incident.Id, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(DateTime.SpecifyKind(incident.OccurredAt, DateTimeKind.Utc), NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync((short)incident.TimePrecision, NpgsqlDbType.Smallint, cancellationToken);
                await copy.WriteAsync(incident.Longitude, NpgsqlDbType.Double, cancellationToken);
                await copy.WriteAsync(incident.Latitude, NpgsqlDbType.Double, cancellationToken);
                await copy.WriteAsync(incident.X, NpgsqlDbType.Double, cancellationToken);
                await copy.WriteAsync(incident.Y, NpgsqlDbType.Double, cancellationToken);
                await copy.WriteAsync(incident.CrimeType, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync((short)incident.Provenance, NpgsqlDbType.Smallint, cancellationToken);
                await copy.WriteAsync(incident.LsoaCode, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(incident.Source, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(incident.RowNumber, NpgsqlDbType.Bigint, cancellationToken);
            }

            await copy.CompleteAsync(cancellationToken);
        }

        int imported;
        await using (var insert = new NpgsqlCommand(Sql(InsertFromStaging), connection, transaction))
        {
            imported = await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new IncidentWriteResult(imported, incidents.Count - imported);
    }

    public async IAsyncEnumerable<IncidentRecord> QueryIncidentsAsync(IncidentQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(Sql(SelectIncidents(query)), connection);
        AddFilterParameters(command, query);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new IncidentRecord(
                reader.GetString(0),
                reader.GetDateTime(1),
                (TimePrecision)reader.GetInt16(2),
                reader.GetDouble(3),
                reader.GetDouble(4),
                reader.GetDouble(5),
                reader.GetDouble(6),
                reader.GetString(7),
                (Provenance)reader.GetInt16(8),
                reader.GetString(9),
                reader.GetString(10),
                reader.GetInt64(11));
        }
    }

    public async IAsyncEnumerable<IncidentPoint> QueryIncidentPointsAsync(IncidentQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(Sql(SelectIncidentPoints(query)), connection);
        AddFilterParameters(command, query);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new IncidentPoint(reader.GetDouble(0), reader.GetDouble(1), reader.GetDateTime(2), reader.GetString(3), (Provenance)reader.GetInt16(4));
        }
    }

    public async Task<IReadOnlyList<CellCount>> CountByCellAsync(IncidentQuery query, GridFrame grid, IReadOnlyList<IncidentWeight> weights, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(Sql(CountByCell(query)), connection);
        AddFilterParameters(command, query);
        command.Parameters.AddWithValue("origin_x", grid.OriginX);
        command.Parameters.AddWithValue("origin_y", grid.OriginY);
        command.Parameters.AddWithValue("cell_size", grid.CellSize);
        command.Parameters.AddWithValue("columns", grid.Columns);
        command.Parameters.AddWithValue("rows", grid.Rows);
        command.Parameters.AddWithValue("weight_types", weights.Select(w => w.CrimeType).ToArray());
        command.Parameters.AddWithValue("weight_provenances", weights.Select(w => (short)w.Provenance).ToArray());
        command.Parameters.AddWithValue("weight_values", weights.Select(w => w.Weight).ToArray());
        var cells = new List<CellCount>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            cells.Add(new CellCount(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetDouble(3)));
        }

        return cells;
    }

    public async Task<IReadOnlyList<ClusterLabel>> ClusterDbscanAsync(IncidentQuery query, double epsMetres, int minPoints, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(Sql(ClusterDbscan(query)), connection);
        AddFilterParameters(command, query);
        command.Parameters.AddWithValue("eps", epsMetres);
        command.Parameters.AddWithValue("min_points", minPoints);
        var labels = new List<ClusterLabel>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            labels.Add(new ClusterLabel(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt32(1)));
        }

        return labels;
    }

    public async Task<long> SavePlanAsync(PatrolPlan plan, IReadOnlyList<Geometry> projectedAreas, CancellationToken cancellationToken)
    {
        if (projectedAreas.Count != plan.Areas.Count)
        {
            throw new ArgumentException($"{plan.Areas.Count} areas but {projectedAreas.Count} geometries", nameof(projectedAreas));
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long sequence;
        try
        {
            await using var insert = new NpgsqlCommand(Sql(InsertPlan), connection, transaction);
            insert.Parameters.AddWithValue("plan_id", plan.PlanId);
            insert.Parameters.AddWithValue("area_name", plan.AreaName);
            insert.Parameters.AddWithValue("created_at", plan.Provenance?.GeneratedAt?.ToDateTime() ?? DateTime.UtcNow);
            insert.Parameters.AddWithValue("valid_start", plan.ValidWindow.Start.ToDateTime());
            insert.Parameters.AddWithValue("valid_end", plan.ValidWindow.End.ToDateTime());
            insert.Parameters.AddWithValue("plan", plan.ToByteArray());
            sequence = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new PlanAlreadyExistsException(plan.PlanId);
        }

        var batch = new NpgsqlBatch(connection, transaction);
        await using (batch)
        {
            for (var i = 0; i < plan.Areas.Count; i++)
            {
                var command = new NpgsqlBatchCommand(Sql(InsertPatrolArea));
                command.Parameters.AddWithValue("plan_id", plan.PlanId);
                command.Parameters.AddWithValue("area_id", plan.Areas[i].AreaId);
                command.Parameters.AddWithValue("rank", plan.Areas[i].Rank);
                command.Parameters.AddWithValue("geometry", projectedAreas[i]);
                batch.BatchCommands.Add(command);
            }

            if (batch.BatchCommands.Count > 0)
            {
                await batch.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return sequence;
    }

    public async Task<PatrolPlan?> GetPlanAsync(string planId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(Sql(SelectPlan), connection);
        command.Parameters.AddWithValue("plan_id", planId);
        return await command.ExecuteScalarAsync(cancellationToken) is byte[] bytes ? PatrolPlan.Parser.ParseFrom(bytes) : null;
    }

    public async Task<PlanPage> ListPlansAsync(string? areaName, DateTime? activeAt, int pageSize, long? beforeSequence, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(Sql(ListPlans), connection);
        command.Parameters.Add(new NpgsqlParameter("area_name", NpgsqlDbType.Text) { Value = (object?)areaName ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("active_at", NpgsqlDbType.TimestampTz) { Value = activeAt is { } at ? DateTime.SpecifyKind(at, DateTimeKind.Utc) : DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("before", NpgsqlDbType.Bigint) { Value = (object?)beforeSequence ?? DBNull.Value });
        command.Parameters.AddWithValue("limit", pageSize + 1);
        var plans = await ReadPlansAsync(command, cancellationToken);
        return plans.Count > pageSize
            ? new PlanPage(plans[..pageSize], plans[pageSize - 1].Sequence)
            : new PlanPage(plans, null);
    }

    public async Task<IReadOnlyList<StoredPlan>> PlansAfterAsync(long sequence, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(Sql(PlansAfter), connection);
        command.Parameters.AddWithValue("after", sequence);
        return await ReadPlansAsync(command, cancellationToken);
    }

    private static async Task<List<StoredPlan>> ReadPlansAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var plans = new List<StoredPlan>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            plans.Add(new StoredPlan(reader.GetInt64(0), PatrolPlan.Parser.ParseFrom(reader.GetFieldValue<byte[]>(1))));
        }

        return plans;
    }

    private static void AddFilterParameters(NpgsqlCommand command, IncidentQuery query)
    {
        if (query.Area is not null)
        {
            command.Parameters.AddWithValue("area", query.Area);
        }

        if (query.Start is { } start)
        {
            command.Parameters.AddWithValue("start", DateTime.SpecifyKind(start, DateTimeKind.Utc));
        }

        if (query.End is { } end)
        {
            command.Parameters.AddWithValue("end", DateTime.SpecifyKind(end, DateTimeKind.Utc));
        }

        if (query.CrimeTypes is not null)
        {
            command.Parameters.AddWithValue("types", query.CrimeTypes.ToArray());
        }
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            throw new StoreUnavailableException($"cannot reach PostgreSQL: {e.Message}", e);
        }
    }
}
