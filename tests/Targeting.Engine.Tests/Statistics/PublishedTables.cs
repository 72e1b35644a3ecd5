using Targeting.Engine.Statistics;

namespace Targeting.Engine.Tests.Statistics;

/// <summary>
/// What a reader of one or more published (linked) tables sees, written as a plain linear system
/// straight from the tables' definition, independently of the engine's graph: one variable per
/// count (row totals and the grand total shared by linked tables), and for every table "cells of a
/// row − row total = 0", "cells of a column − column total = 0", "column totals − grand total = 0",
/// plus "row totals − grand total = 0".
/// </summary>
internal sealed class PublishedTables
{
    public List<long> Values { get; } = [];
    public List<bool> Suppressed { get; } = [];
    public List<bool> Primary { get; } = [];
    public List<string> Names { get; } = [];
    public List<List<(int Index, int Coefficient)>> Equations { get; } = [];

    public PublishedTables(IReadOnlyList<long[,]> tables, IReadOnlyList<SuppressedTable> results)
    {
        var rows = tables[0].GetLength(0);
        var rowTotals = Enumerable.Range(0, rows).Select(i => Add(results[0].RowTotal(i), $"row total {i}")).ToArray();
        var grand = Add(results[0].GrandTotal, "grand total");
        Equations.Add([.. rowTotals.Select(v => (v, 1)), (grand, -1)]);
        for (var t = 0; t < tables.Count; t++)
        {
            var result = results[t];
            var columns = tables[t].GetLength(1);
            for (var i = 0; i < rows; i++)
            {
                Assert.Equal(results[0].RowTotal(i), result.RowTotal(i));
            }

            Assert.Equal(results[0].GrandTotal, result.GrandTotal);
            var cells = new int[rows, columns];
            for (var i = 0; i < rows; i++)
            {
                for (var j = 0; j < columns; j++)
                {
                    Assert.Equal(tables[t][i, j], result.Cell(i, j).Value);
                    cells[i, j] = Add(result.Cell(i, j), $"table {t} cell ({i}, {j})");
                }
            }

            var columnTotals = Enumerable.Range(0, columns).Select(j => Add(result.ColumnTotal(j), $"table {t} column total {j}")).ToArray();
            for (var i = 0; i < rows; i++)
            {
                Equations.Add([.. Enumerable.Range(0, columns).Select(j => (cells[i, j], 1)), (rowTotals[i], -1)]);
            }

            for (var j = 0; j < columns; j++)
            {
                Equations.Add([.. Enumerable.Range(0, rows).Select(i => (cells[i, j], 1)), (columnTotals[j], -1)]);
            }

            Equations.Add([.. columnTotals.Select(v => (v, 1)), (grand, -1)]);
        }

        foreach (var equation in Equations)
        {
            Assert.Equal(0, equation.Sum(term => term.Coefficient * Values[term.Index]));
        }
    }

    public IEnumerable<int> PrimaryIndices => Enumerable.Range(0, Values.Count).Where(i => Primary[i]);

    private int Add(SuppressedCount count, string name)
    {
        Values.Add(count.Value);
        Suppressed.Add(count.IsSuppressed);
        Primary.Add(count.Status == SuppressionStatus.Primary);
        Names.Add(name);
        return Values.Count - 1;
    }

    /// <summary>
    /// Searches for a table consistent with everything published in which <paramref name="target"/>
    /// differs from its true value, every suppressed count being a whole number ≥ 1 within ±<paramref name="window"/>
    /// of its true value: backtracking over the suppressed counts with interval pruning on each equation.
    /// Returns the alternative values, or null when there is none in the window.
    /// </summary>
    public long[]? FindAlternative(int target, int window = 3)
    {
        var unknown = Enumerable.Range(0, Values.Count).Where(i => Suppressed[i]).ToArray();
        var low = new long[Values.Count];
        var high = new long[Values.Count];
        for (var i = 0; i < Values.Count; i++)
        {
            low[i] = Suppressed[i] ? Math.Max(1, Values[i] - window) : Values[i];
            high[i] = Suppressed[i] ? Values[i] + window : Values[i];
        }

        var assignment = new long?[Values.Count];
        for (var i = 0; i < Values.Count; i++)
        {
            if (!Suppressed[i])
            {
                assignment[i] = Values[i];
            }
        }

        // The target takes each other value in turn.
        for (var value = low[target]; value <= high[target]; value++)
        {
            if (value == Values[target])
            {
                continue;
            }

            assignment[target] = value;
            if (Solve(assignment, unknown.Where(u => u != target).ToArray(), 0, low, high))
            {
                return assignment.Select(a => a!.Value).ToArray();
            }
        }

        return null;
    }

    private bool Solve(long?[] assignment, int[] order, int next, long[] low, long[] high)
    {
        foreach (var equation in Equations)
        {
            long min = 0, max = 0;
            foreach (var (index, coefficient) in equation)
            {
                if (assignment[index] is { } v)
                {
                    min += coefficient * v;
                    max += coefficient * v;
                }
                else if (coefficient > 0)
                {
                    min += low[index];
                    max += high[index];
                }
                else
                {
                    min -= high[index];
                    max -= low[index];
                }
            }

            if (min > 0 || max < 0)
            {
                return false;
            }
        }

        if (next == order.Length)
        {
            return true;
        }

        var variable = order[next];
        for (var value = low[variable]; value <= high[variable]; value++)
        {
            assignment[variable] = value;
            if (Solve(assignment, order, next + 1, low, high))
            {
                return true;
            }
        }

        assignment[variable] = null;
        return false;
    }
}
