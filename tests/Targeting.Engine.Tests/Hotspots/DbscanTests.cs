using Npgsql;
using Targeting.Engine.Hotspots;
using Targeting.Engine.Tests.Support;
using Targeting.Testing;

namespace Targeting.Engine.Tests.Hotspots;

public sealed class DbscanTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    // Two clusters on a line and a border point B at x = 2 between them, with eps 1 and minPoints 4:
    //   A = (0,0) (0.1,0) (0.2,0) (1,0)     (1,0) has (0,0) (0.1,0) (0.2,0) itself and B within 1: core
    //   C = (3,0) (3.8,0) (3.9,0) (4,0)     (3,0) has B (3.8,0) (3.9,0) (4,0) and itself: core
    //   B = (2,0)                            only (1,0), (3,0) and itself: 3 < 4, a border point of both
    private static readonly (double X, double Y)[] ClusterA = [(0, 0), (0.1, 0), (0.2, 0), (1, 0)];
    private static readonly (double X, double Y)[] ClusterC = [(3, 0), (3.8, 0), (3.9, 0), (4, 0)];
    private static readonly (double X, double Y) Border = (2, 0);

    [Fact]
    public void Cluster_BorderPointOfTwoClusters_GoesToTheClusterWhoseCoreComesFirst()
    {
        (double X, double Y)[] aFirst = [.. ClusterA, .. ClusterC, Border];
        (double X, double Y)[] cFirst = [.. ClusterC, .. ClusterA, Border];

        var a = Cluster(aFirst, 1, 4);
        var c = Cluster(cFirst, 1, 4);

        // Clusters are numbered by their first point, so in both orders the first group listed is 0:
        // B (last) joins A when A is listed first, and C when C is.
        Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1, 0], a.Labels);
        Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1, 0], c.Labels);
        Assert.Equal(2, a.ClusterCount);
        Assert.False(a.IsCore[8]);
        Assert.True(a.IsCore[3]);
        Assert.True(a.IsCore[0]);    // (0.1,0) (0.2,0) (1,0) and itself: 4
    }

    [Fact]
    public void Cluster_NoiseAndClusterNumbersByFirstMember_HandExample()
    {
        // eps 1.5, minPoints 3: ids 0–2 form a cluster, 3 is alone (noise), 4–6 form a second cluster.
        (double, double)[] points = [(10, 10), (0, 0), (11, 10), (50, 50), (1, 0), (10, 11), (0, 1)];

        var result = Cluster(points, 1.5, 3);

        Assert.Equal([0, 1, 0, -1, 1, 0, 1], result.Labels);
        Assert.Equal(2, result.ClusterCount);
    }

    [Fact]
    public void Cluster_ExactlyMinPointsAtOnePlace_MakeOneClusterAsInPostGis33()
    {
        (double, double)[] samePlace = [(5, 5), (5, 5), (5, 5), (5, 5), (5, 5)];

        Assert.All(Cluster(samePlace, 10, 5).Labels, label => Assert.Equal(0, label));
        Assert.All(Cluster(samePlace[..4], 10, 5).Labels, label => Assert.Equal(-1, label));
    }

    [Fact]
    public void Cluster_MinPointsOne_GivesConnectedComponentsIncludingSingletons()
    {
        var result = Cluster([(0, 0), (5, 0), (0.5, 0), (5.5, 0), (9, 9)], 1, 1);

        Assert.Equal([0, 1, 0, 1, 2], result.Labels);
    }

    [Fact]
    public void Cluster_Empty_ReturnsNoClusters()
    {
        Assert.Equal(0, Dbscan.Cluster([], [], 1, 3).ClusterCount);
    }

    [Fact]
    public async Task Cluster_HandExamples_EqualPostGisClusterDbscanOrderedById()
    {
        database.Require();
        (double X, double Y)[][] cases = [[.. ClusterA, .. ClusterC, Border], [.. ClusterC, .. ClusterA, Border]];
        foreach (var points in cases)
        {
            var ours = Cluster(points, 1, 4);
            var postgis = await PostGisDbscanAsync(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), 1, 4);
            AssertSamePartition(ours.Labels, postgis);
        }

        var five = await PostGisDbscanAsync([5, 5, 5, 5, 5], [5, 5, 5, 5, 5], 10, 5);
        AssertSamePartition(Cluster([(5, 5), (5, 5), (5, 5), (5, 5), (5, 5)], 10, 5).Labels, five);
    }

    [Theory]
    [InlineData(150, 5)]
    [InlineData(50, 3)]
    [InlineData(100, 20)]
    [InlineData(300, 60)]
    public async Task Cluster_LambethViolenceAndRobbery_EqualsPostGisClusterDbscan(double eps, int minPoints)
    {
        database.Require();
        // Real points: police.uk snaps crimes to shared map points, so there are many exact duplicates
        // and many border points within eps of several clusters — the hard cases for equality.
        var lambeth = SampleBoundaries.Boroughs.Find("Lambeth")!;
        var locator = new NetTopologySuite.Algorithm.Locate.IndexedPointInAreaLocator(lambeth.Geometry);
        var points = StreetCrimes.SampleIncidents
            .Where(i => i.CrimeType is CrimeTypes.ViolenceAndSexualOffences or CrimeTypes.Robbery)
            .Where(i => locator.Locate(new NetTopologySuite.Geometries.Coordinate(i.X, i.Y)) != NetTopologySuite.Geometries.Location.Exterior)
            .OrderBy(i => i.Id, StringComparer.Ordinal)
            .ToList();
        var x = points.Select(p => p.X).ToArray();
        var y = points.Select(p => p.Y).ToArray();

        var ours = Dbscan.Cluster(x, y, eps, minPoints);
        var postgis = await PostGisDbscanAsync(x, y, eps, minPoints);

        Assert.True(points.Count > 7_000, $"{points.Count} points");
        Assert.True(ours.ClusterCount > 1, "the case should have several clusters");
        Assert.True(ours.Labels.Count(l => l < 0) > 0 || minPoints <= 3, "the case should have noise");
        AssertSamePartition(ours.Labels, postgis);
    }

    [Fact]
    public async Task Cluster_AllSampleIncidents_EqualsPostGisClusterDbscan()
    {
        database.Require();
        var incidents = StreetCrimes.SampleIncidents.OrderBy(i => i.Id, StringComparer.Ordinal).ToList();
        var x = incidents.Select(p => p.X).ToArray();
        var y = incidents.Select(p => p.Y).ToArray();

        var ours = Dbscan.Cluster(x, y, 100, 10);
        var postgis = await PostGisDbscanAsync(x, y, 100, 10);

        AssertSamePartition(ours.Labels, postgis);
    }

    private static DbscanResult Cluster((double X, double Y)[] points, double eps, int minPoints) =>
        Dbscan.Cluster(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), eps, minPoints);

    /// <summary>Same noise, and a one-to-one map between our cluster numbers and PostGIS's.</summary>
    private static void AssertSamePartition(int[] ours, int?[] postgis)
    {
        Assert.Equal(ours.Length, postgis.Length);
        var map = new Dictionary<int, int>();
        var reverse = new Dictionary<int, int>();
        var mismatches = 0;
        for (var i = 0; i < ours.Length; i++)
        {
            if (ours[i] < 0 || postgis[i] is null)
            {
                if (ours[i] >= 0 || postgis[i] is not null)
                {
                    mismatches++;
                }

                continue;
            }

            var theirs = postgis[i]!.Value;
            if (map.TryGetValue(ours[i], out var mapped) ? mapped != theirs : reverse.ContainsKey(theirs))
            {
                mismatches++;
                continue;
            }

            map[ours[i]] = theirs;
            reverse[theirs] = ours[i];
        }

        Assert.Equal(0, mismatches);
    }

    private async Task<int?[]> PostGisDbscanAsync(double[] x, double[] y, double eps, int minPoints)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT ST_ClusterDBSCAN(ST_MakePoint(px, py), @eps, @minpoints) OVER (ORDER BY id) FROM unnest(@x, @y) WITH ORDINALITY AS t(px, py, id) ORDER BY id",
            connection);
        command.Parameters.AddWithValue("x", x);
        command.Parameters.AddWithValue("y", y);
        command.Parameters.AddWithValue("eps", eps);
        command.Parameters.AddWithValue("minpoints", minPoints);
        var labels = new List<int?>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            labels.Add(reader.IsDBNull(0) ? null : reader.GetInt32(0));
        }

        return [.. labels];
    }
}
