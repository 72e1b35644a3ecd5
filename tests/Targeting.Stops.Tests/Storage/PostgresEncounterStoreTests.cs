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
}
