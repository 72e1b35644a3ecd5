using Targeting.Stops.Storage;
using Targeting.Stops.Storage.Sqlite;

namespace Targeting.Stops.Tests.Storage;

public sealed class SqliteEncounterStoreTests : EncounterStoreContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("stops-sqlite-").FullName;

    protected override async Task<IEncounterStore> CreateStoreAsync()
    {
        var store = new SqliteEncounterStore(Path.Combine(_directory, $"{Guid.NewGuid():N}.db"), Health);
        await store.MigrateAsync(Ct);
        return store;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
