namespace Targeting.Engine.Statistics;

/// <summary>
/// One table with its margins as a bipartite graph whose edges are the counts (see the remarks of
/// <see cref="SmallCountSuppression"/>). Side 0: the rows Rᵢ and the totals row Rt; side 1: the
/// columns Cⱼ and the totals column Ct. Cell (i, j) joins Rᵢ–Cⱼ, row total i joins Rᵢ–Ct, column
/// total j joins Rt–Cⱼ, the grand total joins Rt–Ct. With the margins' signs flipped (Sign −1) every
/// node's edges add up to zero, so a ±1 change around an alternating cycle keeps every sum.
/// </summary>
internal sealed class TableGraph
{
    private readonly long[] values;
    private readonly int[] p;
    private readonly int[] q;
    private readonly List<int>[] incident;

    public TableGraph(long[,] table)
    {
        Rows = table.GetLength(0);
        Columns = table.GetLength(1);
        int m = Rows, n = Columns;
        EdgeCount = m * n + m + n + 1;
        values = new long[EdgeCount];
        p = new int[EdgeCount];
        q = new int[EdgeCount];
        incident = new List<int>[m + n + 2];
        for (var node = 0; node < incident.Length; node++)
        {
            incident[node] = [];
        }

        long grand = 0;
        var columnTotals = new long[n];
        for (var i = 0; i < m; i++)
        {
            long rowTotal = 0;
            for (var j = 0; j < n; j++)
            {
                var value = table[i, j];
                rowTotal = checked(rowTotal + value);
                columnTotals[j] = checked(columnTotals[j] + value);
                Add(CellEdge(i, j), RowNode(i), ColumnNode(j), value);
            }

            Add(RowTotalEdge(i), RowNode(i), TotalsColumnNode, rowTotal);
            grand = checked(grand + rowTotal);
        }

        for (var j = 0; j < n; j++)
        {
            Add(ColumnTotalEdge(j), TotalsRowNode, ColumnNode(j), columnTotals[j]);
        }

        Add(GrandTotalEdge, TotalsRowNode, TotalsColumnNode, grand);
    }

    public int Rows { get; }
    public int Columns { get; }
    public int EdgeCount { get; }
    public int NodeCount => incident.Length;
    public int TotalsRowNode => Rows;
    public int TotalsColumnNode => Rows + 1 + Columns;
    public int GrandTotalEdge => EdgeCount - 1;

    public int RowNode(int i) => i;
    public int ColumnNode(int j) => Rows + 1 + j;
    public int CellEdge(int i, int j) => i * Columns + j;
    public int RowTotalEdge(int i) => Rows * Columns + i;
    public int ColumnTotalEdge(int j) => Rows * Columns + Rows + j;

    public long Value(int edge) => values[edge];
    public long RowTotal(int i) => values[RowTotalEdge(i)];

    /// <summary>The edge's side-0 end (Rᵢ or Rt).</summary>
    public int P(int edge) => p[edge];

    /// <summary>The edge's side-1 end (Cⱼ or Ct).</summary>
    public int Q(int edge) => q[edge];

    public IReadOnlyList<int> Incident(int node) => incident[node];

    /// <summary>Row totals and the grand total: the counts linked tables share.</summary>
    public bool IsShared(int edge) => edge >= Rows * Columns && edge < Rows * Columns + Rows || edge == GrandTotalEdge;

    /// <summary>Index of a shared edge in the shared state: the row for a row total, <see cref="Rows"/> for the grand total.</summary>
    public int SharedKey(int edge) => edge == GrandTotalEdge ? Rows : edge - Rows * Columns;

    public int SharedEdge(int key) => key == Rows ? GrandTotalEdge : RowTotalEdge(key);

    /// <summary>Margins enter their node's sum with the opposite sign of cells; the grand total twice flipped.</summary>
    public int Sign(int edge) => edge < Rows * Columns || edge == GrandTotalEdge ? 1 : -1;

    /// <summary>
    /// Whether the arc P→Q may be used: it raises the signed value, which raises a cell or the grand
    /// total (always possible) or lowers a margin (only from 2 up, since a suppressed count is ≥ 1).
    /// </summary>
    public bool ForwardAllowed(int edge) => Sign(edge) > 0 || values[edge] >= 2;

    /// <summary>Whether the arc Q→P may be used (the mirror of <see cref="ForwardAllowed"/>).</summary>
    public bool BackwardAllowed(int edge) => Sign(edge) < 0 || values[edge] >= 2;

    /// <summary>Whether the arc from <paramref name="from"/> along <paramref name="edge"/> may be used.</summary>
    public bool ArcAllowedFrom(int edge, int from) => from == p[edge] ? ForwardAllowed(edge) : BackwardAllowed(edge);

    public int Other(int edge, int node) => node == p[edge] ? q[edge] : p[edge];

    /// <summary>The cost of suppressing a published count: its value plus one, margins dearer, the grand total last.</summary>
    public double Cost(int edge)
    {
        var weight = edge < Rows * Columns ? 1.0
            : edge == GrandTotalEdge ? 1e9
            : IsShared(edge) ? 16.0
            : 4.0;
        return weight * (values[edge] + 1.0);
    }

    private void Add(int edge, int from, int to, long value)
    {
        values[edge] = value;
        p[edge] = from;
        q[edge] = to;
        incident[from].Add(edge);
        incident[to].Add(edge);
    }
}
