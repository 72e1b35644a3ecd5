using Npgsql;
using Targeting.Stops.Storage;
using Targeting.Stops.Storage.Postgres;
using Targeting.Testing;

namespace Targeting.Stops.Tests.Storage;

public sealed class PostgresEncounterStoreTests(PostgresDatabase database) : EncounterStoreContract, IClassFixture<PostgresDatabase>
{
    protected override async Task<IEncounterStore> CreateStoreAsync()
    {
        database.Require();
        // Each test gets its own schema in the class's database.
        var store = new PostgresEncounterStore(database.ConnectionString, Health, schema: $"t_{Guid.NewGuid():N}");
        await store.MigrateAsync(Ct);
        return store;
    }

    [Fact]
    public async Task RecordAsync_AuditRowRefused_EncounterNotStoredEither()
    {
        database.Require();
        var schema = $"t_{Guid.NewGuid():N}";
        await using var store = new PostgresEncounterStore(database.ConnectionString, Health, schema: schema);
        await store.MigrateAsync(Ct);
        // The audit table refuses the record's audit row: the encounter, written by the same
        // statement, must not be stored without it.
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync(Ct);
            await using var refuse = new NpgsqlCommand($"ALTER TABLE {schema}.audit_events ADD CONSTRAINT refuse_records CHECK (action <> 'record')", connection);
            await refuse.ExecuteNonQueryAsync(Ct);
        }

        var encounter = NewRecord("r-audit-refused", TestEncounters.PersonSearch());
        var refused = await Assert.ThrowsAsync<PostgresException>(() => store.RecordAsync(encounter, Audit("record", encounter.EncounterId), Ct));

        Assert.Equal(PostgresErrorCodes.CheckViolation, refused.SqlState);
        Assert.Null(await store.GetAsync(encounter.EncounterId, Ct));
    }
}
