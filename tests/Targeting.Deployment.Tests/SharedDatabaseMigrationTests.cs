using Npgsql;
using Targeting.Hotspot.Storage.Postgres;
using Targeting.Stops.Storage;
using Targeting.Stops.Storage.Postgres;
using Targeting.Testing;

namespace Targeting.Deployment.Tests;

/// <summary>
/// The services share one database (their own schemas) and start in any order, as pods do: on a
/// database without PostGIS, hotspot and stops migrating at the same moment both succeed. Each
/// migration runs CREATE EXTENSION IF NOT EXISTS postgis; two at once fail one of them with a
/// duplicate key on pg_extension unless they take the same lock first.
/// </summary>
public sealed class SharedDatabaseMigrationTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    // Several fresh databases, since one pair of starts may happen not to overlap.
    private const int Attempts = 4;

    [Fact]
    public async Task FreshDatabase_HotspotAndStopsMigrateAtOnce_BothSucceed()
    {
        database.Require();
        var cancellation = TestContext.Current.CancellationToken;
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var name = "fresh_" + Guid.NewGuid().ToString("N")[..12];
            await ExecuteAsync(database.ConnectionString, $"CREATE DATABASE \"{name}\" TEMPLATE template0", cancellation);
            try
            {
                var connection = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Database = name }.ConnectionString;
                await using var hotspotSource = PostgisHotspotStore.CreateDataSource(connection);
                var hotspot = new PostgisHotspotStore(hotspotSource);
                await using var stops = new PostgresEncounterStore(connection, new StoreHealth());
                using var start = new Barrier(2);
                var migrations = new[]
                {
                    Task.Run(async () => { start.SignalAndWait(cancellation); await hotspot.MigrateAsync(cancellation); }, cancellation),
                    Task.Run(async () => { start.SignalAndWait(cancellation); await stops.MigrateAsync(cancellation); }, cancellation),
                };
                await Task.WhenAll(migrations);

                // Both schemas are there, on the one PostGIS.
                await using var check = new NpgsqlConnection(connection);
                await check.OpenAsync(cancellation);
                await using var count = new NpgsqlCommand(
                    "SELECT count(*) FROM information_schema.schemata WHERE schema_name IN ('hotspot', 'stops')", check);
                Assert.Equal(2L, (long)(await count.ExecuteScalarAsync(cancellation))!);
            }
            finally
            {
                NpgsqlConnection.ClearAllPools();
                await ExecuteAsync(database.ConnectionString, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", CancellationToken.None);
            }
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellation)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellation);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellation);
    }
}
