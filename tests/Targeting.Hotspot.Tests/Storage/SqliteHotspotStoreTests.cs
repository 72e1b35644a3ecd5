using Microsoft.Data.Sqlite;
using Targeting.Hotspot.Storage;
using Targeting.Hotspot.Storage.Sqlite;

namespace Targeting.Hotspot.Tests.Storage;

public sealed class SqliteHotspotStoreTests : HotspotStoreContract, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hotspot-sqlite-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    protected override async Task<IHotspotStore> CreateStoreAsync()
    {
        var store = new SqliteHotspotStore(Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".db"));
        await store.MigrateAsync(Ct);
        return store;
    }

    [Fact]
    public async Task MigrateAsync_NewFile_UsesWriteAheadLogAndFullSync()
    {
        var store = (SqliteHotspotStore)await CreateStoreAsync();
        await using var connection = new SqliteConnection($"Data Source={store.DatabasePath}");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";

        Assert.Equal("wal", await command.ExecuteScalarAsync(Ct));
        Assert.Equal("FULL", SqliteHotspotQueries.ConnectionPragmas.Split("synchronous = ")[1][..4]);
    }

    [Fact]
    public async Task Plans_UpdateOrDeleteBySql_RefusedByTrigger()
    {
        var store = (SqliteHotspotStore)await CreateStoreAsync();
        var plan = Plan("p", "Lambeth", 10, "A1");
        await store.SavePlanAsync(plan, [Factory.CreateMultiPolygon([Square(0, 0, 10)])], Ct);
        await using var connection = new SqliteConnection($"Data Source={store.DatabasePath}");
        await connection.OpenAsync(Ct);

        foreach (var sql in new[] { "UPDATE plans SET area_name = 'x';", "DELETE FROM plans;", "UPDATE patrol_areas SET rank = 9;" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            var error = await Assert.ThrowsAsync<SqliteException>(() => command.ExecuteNonQueryAsync(Ct));
            Assert.Contains("never", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task MigrateAsync_UnwritableLocation_ThrowsStoreUnavailable()
    {
        var blocker = Path.Combine(_folder, "not-a-folder");
        await File.WriteAllTextAsync(blocker, "x", Ct);
        var store = new SqliteHotspotStore(Path.Combine(blocker, "hotspot.db"));

        await Assert.ThrowsAnyAsync<Exception>(() => store.MigrateAsync(Ct));
        Assert.False(await store.PingAsync(Ct));
    }
}
