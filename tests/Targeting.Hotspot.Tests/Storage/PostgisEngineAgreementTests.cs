using Npgsql;
using Targeting.Engine.Geography;
using Targeting.Engine.Hotspots;
using Targeting.Hotspot.Import;
using Targeting.Hotspot.Storage;
using Targeting.Hotspot.Storage.Postgres;
using Targeting.Testing;
using Provenance = Targeting.Hotspot.V1.Provenance;

namespace Targeting.Hotspot.Tests.Storage;

/// <summary>The shipped sample imported once into a fresh PostGIS database, for a whole test class.</summary>
public sealed class PostgisSample : IAsyncLifetime
{
    private readonly PostgresDatabase _database = new();
    private NpgsqlDataSource? _dataSource;

    public PostgisHotspotStore? Store { get; private set; }

    public List<Incident> Incidents { get; } = [];

    public void Require() => _database.Require();

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        if (!_database.IsAvailable)
        {
            return;
        }

        _dataSource = PostgisHotspotStore.CreateDataSource(_database.ConnectionString);
        Store = new PostgisHotspotStore(_dataSource);
        await Store.MigrateAsync(default);
        var summary = await StoreImporter.ImportFileAsync(Store, RepoPaths.InRepo("data", "police-uk", "street-crime-barking-dagenham-lambeth-2022-01-to-2022-09.csv.gz"),
            Projection.BritishNationalGrid, _ => { });
        if (summary.Imported != 39_705)
        {
            throw new InvalidOperationException($"imported {summary.Imported} of 39,705 sample rows");
        }

        await foreach (var record in Store.QueryIncidentsAsync(new IncidentQuery(), default))
        {
            Incidents.Add(IncidentMapping.ToEngine(record));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        await _database.DisposeAsync();
    }
}

/// <summary>
/// PostGIS does grid counts and DBSCAN in SQL; these tests check that it agrees exactly with the
/// in-memory engine on the shipped real sample (39,705 crimes in Barking and Dagenham and Lambeth).
/// </summary>
public sealed class PostgisEngineAgreementTests(PostgisSample sample) : IClassFixture<PostgisSample>
{
    private static readonly Projection Bng = Projection.BritishNationalGrid;
    private static readonly DateTime January = new(2022, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime October = new(2022, 10, 1, 0, 0, 0, DateTimeKind.Utc);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private (PostgisHotspotStore Store, List<Incident> Incidents) LoadSample()
    {
        sample.Require();
        return (sample.Store!, sample.Incidents);
    }

    private static BoundarySet Boroughs() =>
        BoundarySet.FromGeoJson(File.ReadAllText(RepoPaths.InRepo("data", "boundaries", "london_boroughs_barking_dagenham_lambeth.geojson")), Bng);

    /// <summary>The per-(type, provenance) weights a training set applies, for the SQL side.</summary>
    private static IncidentWeight[] Weights(TargetingOptions options) =>
    [
        .. options.HarmWeights.Entries.SelectMany(entry => new[]
        {
            new IncidentWeight(entry.Key, Provenance.Reported, entry.Value),
            new IncidentWeight(entry.Key, Provenance.Discovered, options.DiscoveredPolicy switch
            {
                DiscoveredPolicy.Exclude => 0,
                DiscoveredPolicy.DownWeight => entry.Value * options.DiscoveredWeight,
                _ => entry.Value,
            }),
        }),
    ];

    [Theory]
    [InlineData("Lambeth", 100, 0, 0, DiscoveredPolicy.Exclude)]
    [InlineData("Barking and Dagenham", 100, 0, 0, DiscoveredPolicy.Exclude)]
    [InlineData("Lambeth", 150, 50, 25, DiscoveredPolicy.DownWeight)]
    public async Task CountByCellAsync_RealSample_EqualsTheEngineTrainingSetCellByCell(string borough, double cellSize, double offsetX, double offsetY, DiscoveredPolicy policy)
    {
        var (store, incidents) = LoadSample();
        var area = Boroughs().Find(borough)!.Geometry;
        var grid = AnalysisGrid.Create(area, cellSize, offsetX, offsetY);
        var options = TargetingOptions.Default with { DiscoveredPolicy = policy };
        var training = TrainingSet.Build(grid, incidents, January, October, options);

        var cells = await store.CountByCellAsync(
            new IncidentQuery(grid.AreaOfInterest, January, October),
            new GridFrame(grid.OriginX, grid.OriginY, grid.CellSize, grid.Columns, grid.Rows),
            Weights(options),
            Ct);

        var sqlCount = new long[grid.CellCount];
        var sqlHarm = new double[grid.CellCount];
        foreach (var cell in cells)
        {
            var index = grid.CellAt(cell.Column, cell.Row);
            Assert.True(index >= 0, $"SQL put incidents in cell ({cell.Column}, {cell.Row}), which is outside the area");
            sqlCount[index] = cell.Count;
            sqlHarm[index] = cell.WeightedCount;
        }

        Assert.True(training.Count > 5_000, $"only {training.Count} incidents used");
        Assert.Equal(training.CountPerCell.Select(c => (long)c), sqlCount);
        for (var c = 0; c < grid.CellCount; c++)
        {
            Assert.Equal(training.HarmPerCell[c], sqlHarm[c], 1e-9 * Math.Max(1, training.HarmPerCell[c]));
        }
    }

    [Theory]
    [InlineData("Lambeth", "Robbery", 150, 5)]
    [InlineData("Lambeth", "Violence and sexual offences", 100, 8)]
    [InlineData("Barking and Dagenham", "Possession of weapons", 300, 3)]
    public async Task ClusterDbscanAsync_RealSample_SamePartitionAsTheEngine(string borough, string crimeType, double eps, int minPoints)
    {
        var (store, _) = LoadSample();
        var query = new IncidentQuery(Boroughs().Find(borough)!.Geometry, January, October, [crimeType]);
        var points = new List<IncidentRecord>();
        await foreach (var record in store.QueryIncidentsAsync(query, Ct))
        {
            points.Add(record);
        }

        var sql = await store.ClusterDbscanAsync(query, eps, minPoints, Ct);
        var engine = Dbscan.Cluster(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), eps, minPoints);

        Assert.Equal(points.Select(p => p.Id), sql.Select(l => l.Id));
        Assert.True(engine.ClusterCount >= 2, $"{engine.ClusterCount} clusters: too few to test the partition");
        Assert.Equal(Canonical(engine.Labels.Select(l => l >= 0 ? l : (int?)null)), Canonical(sql.Select(l => l.Cluster)));
    }

    /// <summary>Renumbers clusters by first appearance, so equal partitions compare equal whatever the numbering.</summary>
    private static int[] Canonical(IEnumerable<int?> labels)
    {
        var map = new Dictionary<int, int>();
        return [.. labels.Select(l => l is { } label ? (map.TryGetValue(label, out var n) ? n : map[label] = map.Count) : -1)];
    }
}
