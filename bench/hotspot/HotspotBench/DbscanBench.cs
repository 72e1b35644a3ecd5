using System.Diagnostics;
using System.Runtime.InteropServices;
using Npgsql;
using Targeting.Engine.Hotspots;

namespace HotspotBench;

/// <summary>
/// DBSCAN on real points: the engine's <see cref="Dbscan"/> against PostGIS
/// <c>ST_ClusterDBSCAN(geom, eps, minpoints) OVER (ORDER BY id)</c> (timed here, over a loaded,
/// analysed table) and scikit-learn (timed by peer_dbscan.py on the binary files written here).
/// </summary>
internal static class DbscanBench
{
    private const double Eps = 150;
    private const int MinPoints = 5;

    public sealed record SetResult(string Name, string Slug, string Description, int Points, int DistinctLocations, double Eps, int MinPoints,
        int Clusters, int Noise, int Core, double[] OursSeconds, double[] PostGisSeconds, int PostGisClusters, int PostGisMismatches,
        bool EqualsPostGis);

    public sealed record Result(string Source, string PostGisVersion, List<SetResult> Sets);

    public static async Task<Result> RunAsync(BenchData data, string connectionString, string work)
    {
        Directory.CreateDirectory(work);
        var sets = new List<(string Name, string Slug, string Description, Func<Incident, bool> Filter, int Runs)>
        {
            ("Barking and Dagenham violence, robbery and weapons", "bd", "Barking and Dagenham, Violence and sexual offences + Robbery + Possession of weapons",
                Within(data, "Barking and Dagenham", CrimeTypes.ViolenceAndSexualOffences, CrimeTypes.Robbery, CrimeTypes.PossessionOfWeapons), 20),
        };
        if (data.IsFull)
        {
            sets.Add(("London robbery and weapons", "london", "all London, Robbery + Possession of weapons",
                i => i.CrimeType is CrimeTypes.Robbery or CrimeTypes.PossessionOfWeapons, 10));
        }
        else
        {
            sets.Add(("Lambeth violence, robbery and weapons", "lambeth", "Lambeth (sample), Violence and sexual offences + Robbery + Possession of weapons",
                Within(data, "Lambeth", CrimeTypes.ViolenceAndSexualOffences, CrimeTypes.Robbery, CrimeTypes.PossessionOfWeapons), 10));
        }

        await using var connection = await OpenBenchDatabaseAsync(connectionString);
        var version = (string)(await new NpgsqlCommand("SELECT postgis_full_version()", connection).ExecuteScalarAsync())!;
        var results = new List<SetResult>();
        foreach (var (name, slug, description, filter, runs) in sets)
        {
            Console.Error.WriteLine($"dbscan: {name}");
            // Id order is file order (ids are zero-padded row numbers); the engine, PostGIS (ORDER BY id) and
            // sklearn all see the points in this order.
            var points = data.Incidents.Where(filter).OrderBy(i => i.Id, StringComparer.Ordinal).ToList();
            var x = points.Select(p => p.X).ToArray();
            var y = points.Select(p => p.Y).ToArray();
            DbscanResult ours = null!;
            var oursSeconds = Timing.Measure("engine Dbscan.Cluster", 3, runs, () => ours = Dbscan.Cluster(x, y, Eps, MinPoints));

            var table = $"bench_points_{slug}";
            await Execute(connection, $"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (id integer PRIMARY KEY, geom geometry(Point, 27700) NOT NULL)");
            await using (var insert = new NpgsqlCommand(
                $"INSERT INTO {table} SELECT id, ST_SetSRID(ST_MakePoint(px, py), 27700) FROM unnest(@x, @y) WITH ORDINALITY AS t(px, py, id)", connection))
            {
                insert.Parameters.AddWithValue("x", x);
                insert.Parameters.AddWithValue("y", y);
                await insert.ExecuteNonQueryAsync();
            }

            await Execute(connection, $"CREATE INDEX ON {table} USING gist (geom)");
            await Execute(connection, $"VACUUM ANALYZE {table}");
            int?[] postgis = [];
            var query = $"SELECT ST_ClusterDBSCAN(geom, {Eps}, {MinPoints}) OVER (ORDER BY id) FROM {table} ORDER BY id";
            var postgisRuns = Math.Max(3, runs / 4);
            var postgisSeconds = new double[postgisRuns];
            for (var r = -1; r < postgisRuns; r++)
            {
                var watch = Stopwatch.StartNew();
                postgis = await Labels(connection, query);
                if (r >= 0)
                {
                    postgisSeconds[r] = watch.Elapsed.TotalSeconds;
                }
            }

            Console.Error.WriteLine($"  PostGIS ST_ClusterDBSCAN: median {Timing.Percentile(postgisSeconds, 0.5) * 1000:F1} ms ({postgisRuns} runs)");
            await Execute(connection, $"DROP TABLE {table}");
            var mismatches = PartitionMismatches(ours.Labels, postgis);

            WriteRaw(Path.Combine(work, $"dbscan-{slug}-x.f64"), x);
            WriteRaw(Path.Combine(work, $"dbscan-{slug}-y.f64"), y);
            WriteRaw(Path.Combine(work, $"dbscan-{slug}-labels.i32"), ours.Labels);
            WriteRaw(Path.Combine(work, $"dbscan-{slug}-core.u8"), ours.IsCore.Select(c => c ? (byte)1 : (byte)0).ToArray());
            results.Add(new SetResult(name, slug, description, points.Count, points.Select(p => (p.X, p.Y)).Distinct().Count(), Eps, MinPoints,
                ours.ClusterCount, ours.Labels.Count(l => l < 0), ours.IsCore.Count(c => c), oursSeconds, postgisSeconds,
                postgis.Where(l => l is not null).Distinct().Count(), mismatches, mismatches == 0));
        }

        return new Result(data.Source, version, results);
    }

    /// <summary>A fresh database made from template1, where pg.sh installs PostGIS (the server's default database lacks it).</summary>
    private static async Task<NpgsqlConnection> OpenBenchDatabaseAsync(string connectionString)
    {
        const string Database = "hotspot_bench";
        await using (var admin = new NpgsqlConnection(connectionString))
        {
            await admin.OpenAsync();
            await Execute(admin, $"DROP DATABASE IF EXISTS {Database}");
            await Execute(admin, $"CREATE DATABASE {Database} TEMPLATE template1");
        }

        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = Database }.ConnectionString);
        await connection.OpenAsync();
        await Execute(connection, "CREATE EXTENSION IF NOT EXISTS postgis");
        return connection;
    }

    private static Func<Incident, bool> Within(BenchData data, string borough, params string[] types)
    {
        var locator = new NetTopologySuite.Algorithm.Locate.IndexedPointInAreaLocator(data.Borough(borough));
        var wanted = types.ToHashSet(StringComparer.Ordinal);
        return i => wanted.Contains(i.CrimeType)
            && locator.Locate(new NetTopologySuite.Geometries.Coordinate(i.X, i.Y)) != NetTopologySuite.Geometries.Location.Exterior;
    }

    /// <summary>Points whose label disagrees: noise in one and not the other, or breaking a one-to-one map between cluster numbers.</summary>
    private static int PartitionMismatches(int[] ours, int?[] postgis)
    {
        if (ours.Length != postgis.Length)
        {
            return Math.Max(ours.Length, postgis.Length);
        }

        var map = new Dictionary<int, int>();
        var reverse = new Dictionary<int, int>();
        var mismatches = 0;
        for (var i = 0; i < ours.Length; i++)
        {
            if (ours[i] < 0 || postgis[i] is null)
            {
                mismatches += (ours[i] < 0) == (postgis[i] is null) ? 0 : 1;
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

        return mismatches;
    }

    private static async Task<int?[]> Labels(NpgsqlConnection connection, string query)
    {
        await using var command = new NpgsqlCommand(query, connection) { CommandTimeout = 600 };
        var labels = new List<int?>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            labels.Add(reader.IsDBNull(0) ? null : reader.GetInt32(0));
        }

        return [.. labels];
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }

    private static void WriteRaw<T>(string path, T[] values) where T : struct =>
        File.WriteAllBytes(path, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
}
