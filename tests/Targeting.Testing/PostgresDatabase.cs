using Xunit;
using System.Globalization;
using Npgsql;

namespace Targeting.Testing;

/// <summary>
/// A fresh PostgreSQL + PostGIS database for one test class (use as <c>IClassFixture</c>), made on
/// the server named by <c>TARGETING_TEST_PG</c> (a superuser connection string; scripts/test.sh
/// starts a throwaway cluster and sets it) and dropped afterwards.
/// </summary>
/// <remarks>
/// Without a server, tests that call <see cref="Require"/> are skipped with a message, except
/// when <c>TARGETING_REQUIRE_PG=1</c> (set by scripts/test.sh, hence on CI): then they fail, so a
/// missing PostGIS can never pass as green (after npgsql's EnsurePostgis habit).
/// </remarks>
public sealed class PostgresDatabase : IAsyncLifetime
{
    private const string ServerVariable = "TARGETING_TEST_PG";
    private const string RequireVariable = "TARGETING_REQUIRE_PG";

    private readonly string? _serverConnectionString = Environment.GetEnvironmentVariable(ServerVariable);
    private string? _connectionString;

    /// <summary>The database's name, unique per fixture instance.</summary>
    public string DatabaseName { get; } =
        "test_" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture)[..16];

    /// <summary>The connection string of this fixture's database; call <see cref="Require"/> first.</summary>
    public string ConnectionString =>
        _connectionString ?? throw new InvalidOperationException("no PostgreSQL server: call Require() first");

    /// <summary>Whether a server was configured and the database created.</summary>
    public bool IsAvailable => _connectionString is not null;

    /// <summary>Skips (locally) or fails (when required) the calling test if there is no database.</summary>
    public void Require()
    {
        if (IsAvailable)
        {
            return;
        }

        var message = $"no PostgreSQL + PostGIS: set {ServerVariable} (scripts/test.sh does)";
        if (Environment.GetEnvironmentVariable(RequireVariable) == "1")
        {
            Assert.Fail(message + $"; {RequireVariable}=1, so this is a failure");
        }

        Assert.Skip(message);
    }

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        if (string.IsNullOrEmpty(_serverConnectionString))
        {
            return;
        }

        await using (var admin = new NpgsqlConnection(_serverConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{DatabaseName}\" TEMPLATE template1", admin);
            await create.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(_serverConnectionString) { Database = DatabaseName };
        _connectionString = builder.ConnectionString;
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var postgis = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS postgis", connection);
        await postgis.ExecuteNonQueryAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_connectionString is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_serverConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
