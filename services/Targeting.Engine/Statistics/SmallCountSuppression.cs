namespace Targeting.Engine.Statistics;

/// <summary>
/// Small-number suppression for published tables of counts (the public transparency report):
/// primary suppression of every count from 1 to threshold − 1, and complementary (secondary)
/// suppression so that no primary-suppressed count can be worked out exactly from what is
/// published: the other cells, the row totals, the column totals and the grand total.
/// Stateless and thread-safe.
/// </summary>
/// <remarks>
/// <para><b>Zeros are published.</b> A zero identifies no one, suppressing zeros would blank most
/// of a sparse borough × month table, and a complementary cell is never a zero (a zero would
/// protect nothing: it cannot go lower). So a reader knows every suppressed count is at least 1,
/// and the guarantee below is proved against that knowledge. (Zeros can disclose an attribute
/// of a whole group, e.g. "every search here was of one group"; in this report the rows are
/// searches, not a small population, and that group's own count is then suppressed if small.)</para>
/// <para><b>Guarantee.</b> Write the table with its margins as one system of equations (each row
/// of cells adds up to its row total, each column to its column total, the totals to the grand
/// total). A reader who knows the published numbers and that each suppressed count is a whole
/// number ≥ 1 can pin down a suppressed count exactly only if every table consistent with that
/// knowledge has the same value there. For every primary-suppressed count this method leaves at
/// least one other consistent table in which that count differs by 1. Proof sketch: after
/// multiplying the margins by −1 (the grand total by +1) every row and column sums to zero, so
/// the cells are the edges of a bipartite graph (rows and the totals row on one side, columns and
/// the totals column on the other) and a ±1 change around an alternating cycle of suppressed cells
/// keeps every published number; it stays consistent when every cell it lowers is ≥ 2. Every
/// change that keeps the published numbers is a sum of such cycles (conformal decomposition), so
/// a count can be pinned down exactly when no such cycle passes through it: the method adds
/// complementary suppressions until one does.</para>
/// <para><b>Linked tables</b> (<see cref="SuppressLinked"/>): several tables over the same rows
/// (e.g. searches by ethnicity and searches by object, each with the row total = searches)
/// share their row totals and grand total. A reader combines them, so a count is protected by a
/// cycle that touches no shared total, or, for a shared total (or a count equal to it), by a pair
/// of shared totals that every table can change together in the same way.</para>
/// <para><b>Method.</b> A greedy heuristic in the spirit of the network-flow methods of Cox, L. H.
/// 1980, "Suppression methodology and statistical disclosure control", JASA 75:377–385: for each
/// unprotected primary cell, the cheapest cycle (Dijkstra; cost = the count plus one, margins
/// dearer, so small counts and interior cells are suppressed first) is added. It is not minimal,
/// and it only guarantees "not exactly recoverable": the range a reader can work out may still
/// be narrow (τ-ARGUS-style protection intervals are not enforced).</para>
/// </remarks>
public static class SmallCountSuppression
{
    /// <summary>The default threshold: counts 1–4 are suppressed.</summary>
    public const int DefaultThreshold = 5;

    /// <summary>Suppresses one table with its row, column and grand totals.</summary>
    /// <param name="counts">The counts, rows × columns (e.g. borough-months × categories), each ≥ 0; at least one row and one column.</param>
    /// <param name="threshold">Counts from 1 to threshold − 1 are suppressed (default 5; 1 suppresses nothing).</param>
    /// <exception cref="ArgumentException">An empty table, a negative count, or a threshold below 1.</exception>
    public static SuppressedTable Suppress(long[,] counts, int threshold = DefaultThreshold)
    {
        ArgumentNullException.ThrowIfNull(counts);
        return SuppressLinked([counts], threshold)[0];
    }

    /// <summary>
    /// Suppresses several tables that share rows, so their row totals and grand total are the same
    /// published numbers (see the remarks).
    /// </summary>
    /// <param name="tables">The tables, each rows × its own columns; all with the same number of rows and the same row sums.</param>
    /// <param name="threshold">Counts from 1 to threshold − 1 are suppressed (default 5).</param>
    /// <returns>One result per table, in order; row totals and the grand total have the same status in all.</returns>
    /// <exception cref="ArgumentException">No tables, tables of different row counts or row sums, an empty table, a negative count, or a threshold below 1.</exception>
    public static IReadOnlyList<SuppressedTable> SuppressLinked(IReadOnlyList<long[,]> tables, int threshold = DefaultThreshold)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentOutOfRangeException.ThrowIfLessThan(threshold, 1);
        var graphs = Validate(tables);
        var state = new SuppressionState(graphs, threshold);
        state.Run();
        return graphs.Select((g, t) => state.Result(t)).ToArray();
    }

    private static TableGraph[] Validate(IReadOnlyList<long[,]> tables)
    {
        if (tables.Count == 0)
        {
            throw new ArgumentException("at least one table is needed", nameof(tables));
        }

        var graphs = new TableGraph[tables.Count];
        for (var t = 0; t < tables.Count; t++)
        {
            var table = tables[t] ?? throw new ArgumentException($"table {t} is null", nameof(tables));
            if (table.GetLength(0) == 0 || table.GetLength(1) == 0)
            {
                throw new ArgumentException($"table {t} is empty: it needs at least one row and one column", nameof(tables));
            }

            foreach (var value in table)
            {
                if (value < 0)
                {
                    throw new ArgumentException($"table {t} has a negative count ({value})", nameof(tables));
                }
            }

            graphs[t] = new TableGraph(table);
            if (graphs[t].Rows != graphs[0].Rows)
            {
                throw new ArgumentException($"table {t} has {graphs[t].Rows} rows, table 0 has {graphs[0].Rows}: linked tables share their rows", nameof(tables));
            }

            for (var i = 0; i < graphs[t].Rows; i++)
            {
                if (graphs[t].RowTotal(i) != graphs[0].RowTotal(i))
                {
                    throw new ArgumentException($"row {i} adds up to {graphs[t].RowTotal(i)} in table {t} but {graphs[0].RowTotal(i)} in table 0: linked tables share their row totals", nameof(tables));
                }
            }
        }

        return graphs;
    }
}

/// <summary>Whether a published count is shown or hidden, and why.</summary>
public enum SuppressionStatus
{
    /// <summary>Shown.</summary>
    Published,

    /// <summary>Hidden because it is from 1 to threshold − 1.</summary>
    Primary,

    /// <summary>Hidden so that a primary-suppressed count cannot be worked out from the totals.</summary>
    Complementary,
}

/// <summary>One count of a suppressed table: its true value (for the caller only) and whether it may be shown.</summary>
/// <param name="Value">The true count. Never publish it when <see cref="IsSuppressed"/>.</param>
/// <param name="Status">Published, or why it is hidden.</param>
public readonly record struct SuppressedCount(long Value, SuppressionStatus Status)
{
    /// <summary>True when the count must not be shown.</summary>
    public bool IsSuppressed => Status != SuppressionStatus.Published;

    /// <summary>The value to publish, or null when suppressed.</summary>
    public long? PublishedValue => IsSuppressed ? null : Value;
}

/// <summary>A table after suppression (see <see cref="SmallCountSuppression"/>).</summary>
public sealed class SuppressedTable
{
    private readonly SuppressedCount[,] cells;
    private readonly SuppressedCount[] rowTotals;
    private readonly SuppressedCount[] columnTotals;

    internal SuppressedTable(SuppressedCount[,] cells, SuppressedCount[] rowTotals, SuppressedCount[] columnTotals, SuppressedCount grandTotal, int threshold)
    {
        this.cells = cells;
        this.rowTotals = rowTotals;
        this.columnTotals = columnTotals;
        GrandTotal = grandTotal;
        Threshold = threshold;
    }

    /// <summary>Number of rows.</summary>
    public int Rows => cells.GetLength(0);

    /// <summary>Number of columns.</summary>
    public int Columns => cells.GetLength(1);

    /// <summary>The threshold used: counts from 1 to threshold − 1 were primary-suppressed.</summary>
    public int Threshold { get; }

    /// <summary>The grand total.</summary>
    public SuppressedCount GrandTotal { get; }

    /// <summary>One cell.</summary>
    public SuppressedCount Cell(int row, int column) => cells[row, column];

    /// <summary>One row's total.</summary>
    public SuppressedCount RowTotal(int row) => rowTotals[row];

    /// <summary>One column's total.</summary>
    public SuppressedCount ColumnTotal(int column) => columnTotals[column];

    /// <summary>Every count of the table (cells, row totals, column totals, grand total).</summary>
    public IEnumerable<SuppressedCount> AllCounts() =>
        cells.Cast<SuppressedCount>().Concat(rowTotals).Concat(columnTotals).Append(GrandTotal);

    /// <summary>How many counts (cells and totals) are hidden for being small.</summary>
    public int PrimaryCount => AllCounts().Count(c => c.Status == SuppressionStatus.Primary);

    /// <summary>How many counts (cells and totals) are hidden to protect others.</summary>
    public int ComplementaryCount => AllCounts().Count(c => c.Status == SuppressionStatus.Complementary);
}
