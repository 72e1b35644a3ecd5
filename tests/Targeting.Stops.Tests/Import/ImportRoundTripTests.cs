using Targeting.Common.V1;
using Targeting.Import;
using Targeting.Stops.Geography;
using Targeting.Stops.Import;
using Targeting.Stops.Storage;
using Targeting.Stops.Storage.Sqlite;
using Targeting.Stops.Validation;
using Targeting.Stops.V1;
using Targeting.Testing;

namespace Targeting.Stops.Tests.Import;

/// <summary>
/// Imports the shipped stop-and-search sample (17,299 rows, 15 files) into SQLite and exports it
/// back: every imported row formats to exactly the cells it came from.
/// </summary>
public sealed class ImportRoundTripTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ImportAsync_ShippedSample_CountsAddUpAndEveryRowExportsBackIdentically()
    {
        await using var run = await ImportRun.StartAsync(
            RepoPaths.InRepo("data", "police-uk", "stop-and-search"), TestEncounters.SampleBoundaryPath, Ct);

        // data/README.md: 17,299 rows, the located ones all inside the two boroughs.
        Assert.Equal(17_299, run.Summary.Received);
        Assert.Equal(0, run.Summary.Rejected);
        Assert.Equal(17_299, run.Summary.Imported);
        Assert.Equal(run.UnlocatedRows, run.Summary.Unlocated);
        Assert.True(run.UnlocatedRows > 0);
        await AssertRoundTripAsync(run);
    }

    [Fact]
    public async Task ImportAsync_SameFilesTwice_SecondRunAllDuplicates()
    {
        await using var run = await ImportRun.StartAsync(
            RepoPaths.InRepo("data", "police-uk", "stop-and-search"), TestEncounters.SampleBoundaryPath, Ct);

        var again = await run.ImportAgainAsync(Ct);

        Assert.Equal((0L, 17_299L, 0L), (again.Imported, again.Duplicates, again.Rejected));
        Assert.Equal(17_299, await CountAsync(run.Store.QueryAsync(new EncounterFilter(), Ct)));
    }

    [Fact]
    public async Task ImportAsync_DefaultBoundaryOnFullMetFiles_RejectsRowsOutsideTheTwoBoroughsWithReasons()
    {
        RepoPaths.RequireSharedData();
        // One month is enough to show the rule: with no tolerance, every located row outside Barking and
        // Dagenham and Lambeth is rejected with a reason, none is dropped silently.
        var directory = Directory.CreateTempSubdirectory("stops-month-").FullName;
        File.Copy(RepoPaths.InSharedData("police-uk", "metropolitan-stop-and-search", "2021-06-metropolitan-stop-and-search.csv"),
            Path.Combine(directory, "2021-06-metropolitan-stop-and-search.csv"));
        await using var run = await ImportRun.StartAsync(directory, TestEncounters.SampleBoundaryPath, Ct, toleranceMetres: 0);

        Assert.Equal(16_685, run.Summary.Received);
        Assert.Equal(run.Summary.Received, run.Summary.Imported + run.Summary.Rejected);
        Assert.Equal(run.Summary.Rejected, run.Summary.OutsideBoundary);
        Assert.Equal(1_872, run.Summary.Unlocated);
        Assert.All(run.Summary.RejectedRows, r => Assert.Contains(EncounterValidator.OutsideBoundary, r.Reason, StringComparison.Ordinal));
        // ../shared/data/README.md: in 2021-06, 418 located rows lie in Barking and Dagenham and 847 in Lambeth.
        Assert.Equal(418 + 847, run.Summary.Imported - run.Summary.Unlocated);
    }

    internal static async Task AssertRoundTripAsync(ImportRun run)
    {
        var checkedRows = 0;
        await foreach (var stored in run.Store.QueryAsync(new EncounterFilter(), Ct))
        {
            var original = run.Rows[(stored.Source!, stored.SourceRow!.Value)];
            var exported = StopSearchFormat.TryFormatRow(stored.Current, out var reason);
            Assert.True(exported is not null, reason);
            for (var column = 0; column < StopSearchFormat.Columns.Count; column++)
            {
                if (original[column] != exported[column])
                {
                    Assert.Fail($"{stored.Source} row {stored.SourceRow}, {StopSearchFormat.Columns[column]}: '{original[column]}' exported as '{exported[column]}'");
                }
            }

            checkedRows++;
        }

        Assert.Equal(run.Summary.Imported, checkedRows);
    }

    private static async Task<int> CountAsync<T>(IAsyncEnumerable<T> items)
    {
        var count = 0;
        await foreach (var _ in items)
        {
            count++;
        }

        return count;
    }
}

/// <summary>An import of a folder of stop-and-search files into a temporary SQLite store, with the source rows kept.</summary>
public sealed class ImportRun : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string _folder;
    private readonly EncounterImporter _importer;

    private ImportRun(string directory, string folder, IEncounterStore store, EncounterImporter importer)
    {
        _directory = directory;
        _folder = folder;
        Store = store;
        _importer = importer;
    }

    public IEncounterStore Store { get; }

    public ImportEncountersSummary Summary { get; private set; } = new();

    /// <summary>Every data row's cells by (file name, row number).</summary>
    public Dictionary<(string Source, long Row), string[]> Rows { get; } = [];

    public int UnlocatedRows => Rows.Values.Count(cells => cells[4].Length == 0);

    public static async Task<ImportRun> StartAsync(string folder, string boundaryPath, CancellationToken cancellationToken, double toleranceMetres = 100)
    {
        var directory = Directory.CreateTempSubdirectory("stops-import-").FullName;
        var store = new SqliteEncounterStore(Path.Combine(directory, "stops.db"), new StoreHealth(), maxBatch: 16);
        await store.MigrateAsync(cancellationToken);
        var validator = new EncounterValidator(ForceBoundary.Load(boundaryPath, toleranceMetres), TimeProvider.System);
        var run = new ImportRun(directory, folder, store, new EncounterImporter(store, validator, TimeProvider.System));
        run.Summary = await run.ImportAsync(keepRows: true, cancellationToken);
        return run;
    }

    public Task<ImportEncountersSummary> ImportAgainAsync(CancellationToken cancellationToken) => ImportAsync(keepRows: false, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<ImportEncountersSummary> ImportAsync(bool keepRows, CancellationToken cancellationToken)
    {
        var summary = new ImportEncountersSummary();
        foreach (var path in Directory.GetFiles(_folder, "*.csv").Order(StringComparer.Ordinal))
        {
            var file = StopSearchFile.Open(path);
            if (keepRows)
            {
                using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
                foreach (var (row, cells, _) in CsvRecordReader.ReadAll(reader).Skip(1))
                {
                    Rows[(file.Source, row)] = cells;
                }
            }

            var unreadable = new List<RejectedRow>();
            foreach (var batch in file.ReadBatches(EncounterImporter.BatchSize, unreadable))
            {
                await _importer.ImportAsync(file.Source, batch, "test", "service", "test import", summary, cancellationToken);
            }

            Assert.Empty(unreadable);
        }

        return summary;
    }
}
