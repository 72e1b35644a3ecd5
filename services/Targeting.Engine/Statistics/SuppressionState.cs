namespace Targeting.Engine.Statistics;

/// <summary>The greedy complementary suppression of <see cref="SmallCountSuppression"/> over one or more linked tables.</summary>
internal sealed class SuppressionState
{
    private readonly TableGraph[] graphs;
    private readonly int threshold;
    private readonly SuppressionStatus[][] status;
    private readonly SuppressionStatus[] shared;

    public SuppressionState(TableGraph[] graphs, int threshold)
    {
        this.graphs = graphs;
        this.threshold = threshold;
        status = graphs.Select(g => new SuppressionStatus[g.EdgeCount]).ToArray();
        shared = new SuppressionStatus[graphs[0].Rows + 1];
    }

    public void Run()
    {
        var first = graphs[0];
        for (var key = 0; key < shared.Length; key++)
        {
            if (IsSmall(first.Value(first.SharedEdge(key))))
            {
                shared[key] = SuppressionStatus.Primary;
            }
        }

        for (var t = 0; t < graphs.Length; t++)
        {
            for (var e = 0; e < graphs[t].EdgeCount; e++)
            {
                if (!graphs[t].IsShared(e) && IsSmall(graphs[t].Value(e)))
                {
                    status[t][e] = SuppressionStatus.Primary;
                }
            }
        }

        for (var key = 0; key < shared.Length; key++)
        {
            if (shared[key] == SuppressionStatus.Primary)
            {
                Protect(table: 0, first.SharedEdge(key));
            }
        }

        for (var t = 0; t < graphs.Length; t++)
        {
            for (var e = 0; e < graphs[t].EdgeCount; e++)
            {
                if (!graphs[t].IsShared(e) && status[t][e] == SuppressionStatus.Primary)
                {
                    Protect(t, e);
                }
            }
        }
    }

    public SuppressedTable Result(int t)
    {
        var g = graphs[t];
        var cells = new SuppressedCount[g.Rows, g.Columns];
        for (var i = 0; i < g.Rows; i++)
        {
            for (var j = 0; j < g.Columns; j++)
            {
                cells[i, j] = Count(t, g.CellEdge(i, j));
            }
        }

        return new SuppressedTable(
            cells,
            Enumerable.Range(0, g.Rows).Select(i => Count(t, g.RowTotalEdge(i))).ToArray(),
            Enumerable.Range(0, g.Columns).Select(j => Count(t, g.ColumnTotalEdge(j))).ToArray(),
            Count(t, g.GrandTotalEdge),
            threshold);
    }

    private SuppressedCount Count(int t, int edge) => new(graphs[t].Value(edge), Status(t, edge));

    private bool IsSmall(long value) => value >= 1 && value < threshold;

    private SuppressionStatus Status(int t, int edge) =>
        graphs[t].IsShared(edge) ? shared[graphs[t].SharedKey(edge)] : status[t][edge];

    private bool IsSuppressed(int t, int edge) => Status(t, edge) != SuppressionStatus.Published;

    private void Suppress(int t, int edge)
    {
        if (IsSuppressed(t, edge))
        {
            return;
        }

        if (graphs[t].IsShared(edge))
        {
            shared[graphs[t].SharedKey(edge)] = SuppressionStatus.Complementary;
        }
        else
        {
            status[t][edge] = SuppressionStatus.Complementary;
        }
    }

    /// <summary>
    /// Makes sure the primary count <paramref name="edge"/> of table <paramref name="table"/> lies on
    /// a usable cycle: first looking among suppressed counts only; if there is none, suppressing the
    /// cheapest set of published counts that closes one.
    /// </summary>
    private void Protect(int table, int edge)
    {
        if (CheapestCycle(table, edge, suppressedOnly: true) is not null)
        {
            return;
        }

        var plan = CheapestCycle(table, edge, suppressedOnly: false);
        if (plan is null)
        {
            // No cycle exists even with everything suppressed that may be: hide every non-zero count.
            for (var t = 0; t < graphs.Length; t++)
            {
                for (var e = 0; e < graphs[t].EdgeCount; e++)
                {
                    if (graphs[t].Value(e) > 0)
                    {
                        Suppress(t, e);
                    }
                }
            }

            return;
        }

        foreach (var (t, e) in plan)
        {
            Suppress(t, e);
        }
    }

    /// <summary>
    /// The cheapest set of (table, edge) counts whose suppression puts <paramref name="edge"/> on a
    /// usable cycle, or null when there is none. Options: (a) a cycle in its own table through no
    /// shared total; (b) a cycle through two shared totals f1 (the one at the count's row end) and
    /// f2, realised by every table with the same change to f1 and f2.
    /// </summary>
    private List<(int Table, int Edge)>? CheapestCycle(int table, int edge, bool suppressedOnly)
    {
        var g = graphs[table];
        var best = double.PositiveInfinity;
        List<(int, int)>? plan = null;
        void Consider(double cost, Func<List<(int, int)>> build)
        {
            if (cost < best)
            {
                best = cost;
                plan = build();
            }
        }

        var isShared = g.IsShared(edge);
        int p = g.P(edge), q = g.Q(edge);
        if (!isShared)
        {
            // (a) Raise the count: arc P→Q, back from Q to P. Lower it: arc Q→P, back from P to Q.
            if (g.ForwardAllowed(edge))
            {
                var search = Search(table, q, reverse: false, excludedNode: -1, excludedEdge: edge, suppressedOnly);
                Consider(search.Distance[p], () => search.PathEdges(p).Select(e => (table, e)).ToList());
            }

            if (g.BackwardAllowed(edge))
            {
                var search = Search(table, p, reverse: false, excludedNode: -1, excludedEdge: edge, suppressedOnly);
                Consider(search.Distance[q], () => search.PathEdges(q).Select(e => (table, e)).ToList());
            }
        }

        // (b) f1 is the shared total at the row end P: the count itself, a row total, or the grand total.
        var f1 = isShared ? edge : p == g.TotalsRowNode ? g.GrandTotalEdge : g.RowTotalEdge(p);
        var f1Suppressed = IsSuppressed(table, f1);
        var f1Cost = f1Suppressed ? 0.0 : g.Cost(f1);
        foreach (var raise in new[] { true, false })
        {
            if (suppressedOnly && !f1Suppressed)
            {
                break;
            }

            // raise: Ct→P along f1 (f1's signed value down), …, P_f2→Ct along f2 (up); otherwise all reversed.
            if (raise ? !g.BackwardAllowed(f1) : !g.ForwardAllowed(f1))
            {
                continue;
            }

            if (!isShared && (raise ? !g.ForwardAllowed(edge) : !g.BackwardAllowed(edge)))
            {
                continue;
            }

            var searches = new ShortestPaths[graphs.Length];
            for (var t = 0; t < graphs.Length; t++)
            {
                searches[t] = t == table && !isShared
                    ? Search(t, q, reverse: !raise, excludedNode: p, excludedEdge: edge, suppressedOnly)
                    : Search(t, p, reverse: !raise, excludedNode: -1, excludedEdge: -1, suppressedOnly);
            }

            foreach (var f2 in g.Incident(g.TotalsColumnNode))
            {
                if (f2 == f1 || g.Value(f2) == 0 || (raise ? !g.ForwardAllowed(f2) : !g.BackwardAllowed(f2)))
                {
                    continue;
                }

                var f2Suppressed = IsSuppressed(table, f2);
                if (suppressedOnly && !f2Suppressed)
                {
                    continue;
                }

                var end = g.P(f2);
                var cost = f1Cost + (f2Suppressed ? 0.0 : g.Cost(f2)) + searches.Sum(s => s.Distance[end]);
                Consider(cost, () =>
                {
                    var chosen = new List<(int, int)> { (table, f1), (table, f2) };
                    for (var t = 0; t < graphs.Length; t++)
                    {
                        chosen.AddRange(searches[t].PathEdges(end).Select(e => (t, e)));
                    }

                    return chosen;
                });
            }
        }

        return double.IsPositiveInfinity(best) ? null : plan;
    }

    /// <summary>
    /// Dijkstra over the usable arcs of one table, never through a shared total: from
    /// <paramref name="source"/> (or, when <paramref name="reverse"/>, towards it). A suppressed count
    /// costs nothing, a published non-zero one its <see cref="TableGraph.Cost"/>, a zero cannot be used.
    /// </summary>
    private ShortestPaths Search(int t, int source, bool reverse, int excludedNode, int excludedEdge, bool suppressedOnly)
    {
        var g = graphs[t];
        var distance = new double[g.NodeCount];
        var via = new int[g.NodeCount];
        Array.Fill(distance, double.PositiveInfinity);
        Array.Fill(via, -1);
        distance[source] = 0.0;
        var queue = new PriorityQueue<int, double>();
        queue.Enqueue(source, 0.0);
        while (queue.TryDequeue(out var node, out var d))
        {
            if (d > distance[node])
            {
                continue;
            }

            foreach (var e in g.Incident(node))
            {
                if (e == excludedEdge || g.IsShared(e) || g.Value(e) == 0)
                {
                    continue;
                }

                var next = g.Other(e, node);
                if (next == excludedNode || !(reverse ? g.ArcAllowedFrom(e, next) : g.ArcAllowedFrom(e, node)))
                {
                    continue;
                }

                var suppressed = IsSuppressed(t, e);
                if (suppressedOnly && !suppressed)
                {
                    continue;
                }

                var candidate = d + (suppressed ? 0.0 : g.Cost(e));
                if (candidate < distance[next])
                {
                    distance[next] = candidate;
                    via[next] = e;
                    queue.Enqueue(next, candidate);
                }
            }
        }

        return new ShortestPaths(g, source, distance, via);
    }

    private sealed record ShortestPaths(TableGraph Graph, int Source, double[] Distance, int[] Via)
    {
        /// <summary>The edges on the path between <see cref="Source"/> and <paramref name="node"/>.</summary>
        public IEnumerable<int> PathEdges(int node)
        {
            while (node != Source)
            {
                var edge = Via[node];
                yield return edge;
                node = Graph.Other(edge, node);
            }
        }
    }
}
