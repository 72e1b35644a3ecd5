namespace Targeting.Engine.Hotspots;

/// <summary>The result of <see cref="Dbscan.Cluster"/>.</summary>
/// <param name="Labels">Per input point: its cluster (0, 1, ...) or −1 for noise.</param>
/// <param name="IsCore">Per input point: whether it is a core point.</param>
/// <param name="ClusterCount">How many clusters there are.</param>
public sealed record DbscanResult(int[] Labels, bool[] IsCore, int ClusterCount);

/// <summary>
/// DBSCAN density clustering of points (Ester, Kriegel, Sander and Xu 1996, KDD-96), deterministic and
/// equal to PostGIS 3.3's <c>ST_ClusterDBSCAN(geom, eps, minpoints) OVER (ORDER BY id)</c> when the points
/// are given in id order.
/// </summary>
/// <remarks>
/// <para>
/// Definitions as in Ester et al.: q is a neighbour of p when their Euclidean distance is ≤ eps (p is
/// its own neighbour); p is a core point when it has at least minPoints neighbours; a cluster is a
/// maximal set of points density-connected through core points; non-core points within eps of a core
/// point are border points, all others noise.
/// </para>
/// <para>
/// A border point can be within eps of core points of several clusters; DBSCAN leaves its cluster to
/// the processing order. PostGIS's rule, reproduced exactly: points are visited in input order;
/// when a visited point p turns out to be core, it joins every neighbour q that is not already a
/// border point of some cluster (q joins p's cluster, and if q is a core point the two clusters merge);
/// a border point therefore stays in the cluster of the first core point, in input order, that reached
/// it — unless it is later found to be core itself, when it links both clusters. Also as in PostGIS:
/// with minPoints ≤ 1 every point is in a cluster (clusters are the connected components of the eps
/// graph). (Newer PostGIS sources return no clusters at all when there are no more points than
/// minPoints; PostGIS 3.3, the reference here, clusters them normally, and so does this class.)
/// </para>
/// <para>
/// Cluster numbers: clusters are numbered 0, 1, ... in the order of their first point in the input.
/// (PostGIS numbers them by union-find roots, which depend on GEOS's tree order, so its numbers can differ
/// while the partition into clusters and noise is identical.)
/// </para>
/// <para>
/// Cost: points sharing a location (police.uk snaps every crime to a map point) are handled once per
/// location, with a hash grid of cell size eps; O(Σ neighbourhood sizes) time, O(n) memory.
/// Thread safety: stateless. Empty input: no clusters.
/// </para>
/// </remarks>
public static class Dbscan
{
    /// <summary>Clusters points given as parallel x and y spans (metres, any planar CRS).</summary>
    /// <param name="x">The x ordinates, in processing order (sort by incident id first).</param>
    /// <param name="y">The y ordinates.</param>
    /// <param name="eps">The neighbourhood radius, ≥ 0.</param>
    /// <param name="minPoints">Neighbours (the point included) a core point needs, ≥ 1.</param>
    public static DbscanResult Cluster(ReadOnlySpan<double> x, ReadOnlySpan<double> y, double eps, int minPoints)
    {
        if (x.Length != y.Length)
        {
            throw new ArgumentException("x and y must have the same length");
        }

        if (!(eps >= 0) || !double.IsFinite(eps))
        {
            throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be a finite distance ≥ 0");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(minPoints, 1);
        var n = x.Length;
        var labels = new int[n];
        var isCore = new bool[n];
        Array.Fill(labels, -1);
        if (n == 0)
        {
            return new DbscanResult(labels, isCore, 0);
        }

        var locations = new Locations(x, y, eps);
        var parent = new int[n];
        var size = new int[n];
        for (var i = 0; i < n; i++)
        {
            parent[i] = i;
            size[i] = 1;
        }

        var inCluster = new bool[n];
        // Per location: the first point found core there (−1 none yet), or −2 when its points are not core.
        var representative = new int[locations.Count];
        Array.Fill(representative, -1);
        var neighbourLocations = new List<int>();

        for (var p = 0; p < n; p++)
        {
            var location = locations.Of[p];
            var known = representative[location];
            if (known == -2)
            {
                continue;
            }

            if (known >= 0)
            {
                // Same place as a core point already processed: same neighbours, so core too, and every
                // union it could make is already made except joining that point's cluster.
                isCore[p] = true;
                inCluster[p] = true;
                Union(parent, size, p, known);
                continue;
            }

            locations.Neighbours(location, eps, neighbourLocations);
            var neighbours = 0;
            foreach (var m in neighbourLocations)
            {
                neighbours += locations.Members(m).Length;
            }

            if (neighbours < minPoints)
            {
                representative[location] = -2;
                continue;
            }

            isCore[p] = true;
            inCluster[p] = true;
            representative[location] = p;
            foreach (var m in neighbourLocations)
            {
                foreach (var q in locations.Members(m))
                {
                    if (!inCluster[q])
                    {
                        inCluster[q] = true;
                        Union(parent, size, p, q);
                    }
                    else if (isCore[q])
                    {
                        Union(parent, size, p, q);
                    }
                }
            }
        }

        var clusterOfRoot = new Dictionary<int, int>();
        for (var i = 0; i < n; i++)
        {
            if (!inCluster[i] && minPoints > 1)
            {
                continue;
            }

            var root = Find(parent, i);
            if (!clusterOfRoot.TryGetValue(root, out var cluster))
            {
                cluster = clusterOfRoot.Count;
                clusterOfRoot[root] = cluster;
            }

            labels[i] = cluster;
        }

        if (minPoints <= 1)
        {
            Array.Fill(isCore, true);
        }

        return new DbscanResult(labels, isCore, clusterOfRoot.Count);
    }

    private static int Find(int[] parent, int i)
    {
        var root = i;
        while (parent[root] != root)
        {
            root = parent[root];
        }

        while (parent[i] != root)
        {
            var next = parent[i];
            parent[i] = root;
            i = next;
        }

        return root;
    }

    private static void Union(int[] parent, int[] size, int a, int b)
    {
        var ra = Find(parent, a);
        var rb = Find(parent, b);
        if (ra == rb)
        {
            return;
        }

        if (size[ra] < size[rb])
        {
            (ra, rb) = (rb, ra);
        }

        parent[rb] = ra;
        size[ra] += size[rb];
    }

    /// <summary>Distinct point locations, their member points (in input order) and a hash grid of cell size eps.</summary>
    private sealed class Locations
    {
        private readonly double[] _x;
        private readonly double[] _y;
        private readonly int[] _memberStart;
        private readonly int[] _members;
        private readonly Dictionary<(long, long), List<int>> _buckets = [];
        private readonly double _bucketSize;

        public Locations(ReadOnlySpan<double> x, ReadOnlySpan<double> y, double eps)
        {
            var n = x.Length;
            Of = new int[n];
            var index = new Dictionary<(double, double), int>();
            var xs = new List<double>();
            var ys = new List<double>();
            var counts = new List<int>();
            for (var i = 0; i < n; i++)
            {
                var key = (x[i], y[i]);
                if (!index.TryGetValue(key, out var location))
                {
                    location = xs.Count;
                    index[key] = location;
                    xs.Add(x[i]);
                    ys.Add(y[i]);
                    counts.Add(0);
                }

                Of[i] = location;
                counts[location]++;
            }

            _x = [.. xs];
            _y = [.. ys];
            Count = _x.Length;
            _memberStart = new int[Count + 1];
            for (var l = 0; l < Count; l++)
            {
                _memberStart[l + 1] = _memberStart[l] + counts[l];
            }

            _members = new int[n];
            var fill = (int[])_memberStart.Clone();
            for (var i = 0; i < n; i++)
            {
                _members[fill[Of[i]]++] = i;
            }

            _bucketSize = eps > 0 ? eps : 1;
            for (var l = 0; l < Count; l++)
            {
                var key = Bucket(_x[l], _y[l]);
                if (!_buckets.TryGetValue(key, out var list))
                {
                    list = [];
                    _buckets[key] = list;
                }

                list.Add(l);
            }
        }

        public int[] Of { get; }

        public int Count { get; }

        public ReadOnlySpan<int> Members(int location) =>
            _members.AsSpan(_memberStart[location], _memberStart[location + 1] - _memberStart[location]);

        public void Neighbours(int location, double eps, List<int> result)
        {
            result.Clear();
            var px = _x[location];
            var py = _y[location];
            var (bx, by) = Bucket(px, py);
            for (var dx = -1L; dx <= 1; dx++)
            {
                for (var dy = -1L; dy <= 1; dy++)
                {
                    if (!_buckets.TryGetValue((bx + dx, by + dy), out var list))
                    {
                        continue;
                    }

                    foreach (var m in list)
                    {
                        // The same arithmetic as PostGIS's point-to-point distance, so boundary cases agree.
                        var hx = _x[m] - px;
                        var hy = _y[m] - py;
                        if (Math.Sqrt((hx * hx) + (hy * hy)) <= eps)
                        {
                            result.Add(m);
                        }
                    }
                }
            }
        }

        private (long, long) Bucket(double px, double py) =>
            ((long)Math.Floor(px / _bucketSize), (long)Math.Floor(py / _bucketSize));
    }
}
