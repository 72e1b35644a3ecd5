using Npgsql;
using Targeting.Hotspot.Storage;
using Targeting.Hotspot.Storage.Postgres;
using Targeting.Testing;

namespace Targeting.Hotspot.Tests.Storage;

public sealed class PostgisHotspotStoreTests(PostgresDatabase database) : HotspotStoreContract, IClassFixture<PostgresDatabase>, IAsyncDisposable
{
    private NpgsqlDataSource? _dataSource;

    public async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }
    }

    private NpgsqlDataSource DataSource()
    {
        database.Require();
        return _dataSource ??= PostgisHotspotStore.CreateDataSource(database.ConnectionString);
    }

    /// <summary>Each test gets its own schema in the class's database, so no test sees another's rows.</summary>
    protected override async Task<IHotspotStore> CreateStoreAsync()
    {
        var store = new PostgisHotspotStore(DataSource(), "t_" + Guid.NewGuid().ToString("N")[..12]);
        await store.MigrateAsync(Ct);
        return store;
    }

    private async Task<string> ScalarAsync(string sql)
    {
        await using var command = DataSource().CreateCommand(sql);
        return Convert.ToString(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture)!;
    }

    [Fact]
    public async Task MigrateAsync_DefaultSchema_CreatesGeometryColumnsInBritishNationalGridWithGistIndexes()
    {
        var store = new PostgisHotspotStore(DataSource());
        await store.MigrateAsync(Ct);

        Assert.Equal("27700", await ScalarAsync("SELECT Find_SRID('hotspot', 'incidents', 'geom')"));
        Assert.Equal("27700", await ScalarAsync("SELECT Find_SRID('hotspot', 'patrol_areas', 'geom')"));
        Assert.Equal("2", await ScalarAsync("SELECT count(*) FROM pg_indexes WHERE schemaname = 'hotspot' AND indexdef LIKE '%USING gist (geom)%'"));
    }

    [Fact]
    public async Task MigrateAsync_ConcurrentStarts_ApplyEachMigrationOnce()
    {
        var schema = "t_" + Guid.NewGuid().ToString("N")[..12];
        var stores = Enumerable.Range(0, 4).Select(_ => new PostgisHotspotStore(DataSource(), schema)).ToArray();

        await Task.WhenAll(stores.Select(s => s.MigrateAsync(Ct)));

        Assert.Equal("1", await ScalarAsync($"SELECT count(*) FROM {schema}.schema_migrations"));
    }

    [Fact]
    public async Task SavePlanAsync_PatrolAreaGeometry_StoredAsMultiPolygonWithItsArea()
    {
        var schema = "t_" + Guid.NewGuid().ToString("N")[..12];
        var store = new PostgisHotspotStore(DataSource(), schema);
        await store.MigrateAsync(Ct);
        var plan = Plan("p", "Lambeth", 10, "A1");

        await store.SavePlanAsync(plan, [Square(530_000, 180_000, 100)], Ct);

        Assert.Equal("ST_MultiPolygon 10000", await ScalarAsync($"SELECT ST_GeometryType(geom) || ' ' || ST_Area(geom) FROM {schema}.patrol_areas"));
        var error = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync($"UPDATE {schema}.plans SET area_name = 'x'"));
        Assert.Contains("never overwritten", error.MessageText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("57P01", true)] // terminating connection due to administrator command: a restart
    [InlineData("57P03", true)] // the database system is starting up
    [InlineData("08006", true)] // connection failure
    [InlineData("53300", true)] // too many connections
    [InlineData("23505", false)] // a unique violation is a bug or a conflict, not an outage
    [InlineData("42P01", false)] // undefined table
    public void IsUnavailable_ServerErrors_OnlyConnectionLevelOnesCount(string sqlState, bool unavailable)
    {
        var store = new PostgisHotspotStore(PostgisHotspotStore.CreateDataSource("Host=127.0.0.1;Port=1;Database=none"));

        Assert.Equal(unavailable, store.IsUnavailable(new PostgresException("message", "FATAL", "FATAL", sqlState)));
        Assert.False(store.IsUnavailable(new InvalidOperationException("a bug")));
    }

    [Fact]
    public async Task MigrateAsync_DatabaseWithoutPostGis_GeometriesWorkAtOnceWithoutARestart()
    {
        database.Require();
        var name = "nopostgis_" + Guid.NewGuid().ToString("N")[..12];
        await using (var create = DataSource().CreateCommand($"CREATE DATABASE \"{name}\" TEMPLATE template0"))
        {
            await create.ExecuteNonQueryAsync(Ct);
        }
        try
        {
            var connection = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Database = name }.ConnectionString;
            await using var dataSource = PostgisHotspotStore.CreateDataSource(connection);
            var store = new PostgisHotspotStore(dataSource);
            await store.MigrateAsync(Ct);

            // The pool's first connection knew no geometry type; the plan's shapes are geometries.
            await store.SavePlanAsync(Plan("p", "Lambeth", 10, "A1"), [Square(530_000, 180_000, 100)], Ct);

            Assert.Equal("p", (await store.GetPlanAsync("p", Ct))?.PlanId);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var drop = DataSource().CreateCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
            await drop.ExecuteNonQueryAsync(Ct);
        }
    }

    [Fact]
    public async Task PingAsync_ServerNotListening_FalseAndCallsThrowStoreUnavailable()
    {
        database.Require();
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Port = 1, Timeout = 2 };
        await using var dataSource = PostgisHotspotStore.CreateDataSource(builder.ConnectionString);
        var store = new PostgisHotspotStore(dataSource);

        Assert.False(await store.PingAsync(Ct));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.GetPlanAsync("x", Ct));
    }
}
