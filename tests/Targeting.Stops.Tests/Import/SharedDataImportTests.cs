using System.Diagnostics;
using Targeting.Stops.Storage;
using Targeting.Stops.Validation;
using Targeting.Testing;

namespace Targeting.Stops.Tests.Import;

/// <summary>The 15 full Met files (240,247 rows) imported once with all of London as the boundary.</summary>
public sealed class SharedDataImport : IAsyncLifetime
{
    private ImportRun? _run;

    public TimeSpan Elapsed { get; private set; }

    public ImportRun Run => _run ?? throw new InvalidOperationException("the shared data is absent");

    public async ValueTask InitializeAsync()
    {
        if (!Directory.Exists(Path.Combine(RepoPaths.SharedData, "police-uk", "metropolitan-stop-and-search")))
        {
            return;
        }

        var clock = Stopwatch.StartNew();
        _run = await ImportRun.StartAsync(
            RepoPaths.InSharedData("police-uk", "metropolitan-stop-and-search"),
            RepoPaths.InSharedData("boundaries", "london_boroughs.geojson"),
            TestContext.Current.CancellationToken);
        Elapsed = clock.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        if (_run is not null)
        {
            await _run.DisposeAsync();
        }
    }
}

public sealed class SharedDataImportTests(SharedDataImport import) : IClassFixture<SharedDataImport>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void ImportAsync_FifteenMetFiles_SummaryCountsAddUpToTheRows()
    {
        RepoPaths.RequireSharedData();
        var summary = import.Run.Summary;
        TestContext.Current.SendDiagnosticMessage($"imported 240,247 rows in {import.Elapsed.TotalSeconds:0.0} s");

        // ../shared/data/README.md: 240,247 rows; the "no coordinates" column sums to 25,395.
        Assert.Equal(240_247, summary.Received);
        Assert.Equal(summary.Received, summary.Imported + summary.Duplicates + summary.Rejected);
        Assert.Equal(25_395, summary.Unlocated);
        Assert.Equal(0, summary.Duplicates);
        Assert.Equal(summary.Rejected, summary.OutsideBoundary);
    }

    [Fact]
    public void ImportAsync_FifteenMetFiles_RejectsExactlyTheRowsPostGisFindsOutsideLondon()
    {
        RepoPaths.RequireSharedData();
        // tests/reference/stops/outside_boundary.sh: PostGIS ST_Covers (WGS84) and ST_DWithin 100 m (EPSG:27700).
        var expected = File.ReadAllLines(RepoPaths.InRepo("tests", "reference", "stops", "outside_boundary_100m.csv")).Skip(1).Order(StringComparer.Ordinal).ToList();

        var rejected = import.Run.Summary.RejectedRows.Select(r => $"{r.Source},{r.RowNumber}").Order(StringComparer.Ordinal).ToList();

        Assert.Equal(91, expected.Count);
        Assert.Equal(expected, rejected);
        Assert.All(import.Run.Summary.RejectedRows, r => Assert.Contains(EncounterValidator.OutsideBoundary, r.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task QueryAsync_Boroughs_MatchTheDataReadmesPointInPolygonCounts()
    {
        RepoPaths.RequireSharedData();
        var boundary = Geography.ForceBoundary.Load(RepoPaths.InSharedData("boundaries", "london_boroughs.geojson"), 0);

        var lambeth = await CountAsync(import.Run.Store.QueryAsync(new EncounterFilter { Area = boundary.Find("Lambeth") }, Ct));
        var barking = await CountAsync(import.Run.Store.QueryAsync(new EncounterFilter { Area = boundary.Find("Barking and Dagenham") }, Ct));

        // ../shared/data/README.md, section 1: the per-month "in Lambeth" and "in Barking & Dagenham" columns summed.
        Assert.Equal(10_415, lambeth);
        Assert.Equal(5_621, barking);
    }

    [Fact]
    public async Task ExportRows_FifteenMetFiles_EveryImportedRowExportsToItsOriginalCells()
    {
        RepoPaths.RequireSharedData();

        await ImportRoundTripTests.AssertRoundTripAsync(import.Run);
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
