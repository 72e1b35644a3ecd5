using System.Globalization;
using System.Text;
using System.Text.Json;
using MathNet.Numerics.LinearAlgebra;
using Targeting.Engine.Statistics;

namespace Targeting.Engine.Tests.Statistics;

public class SmallCountSuppressionTests
{
    [Fact]
    public void Suppress_NoSmallCounts_NothingHidden()
    {
        var result = SmallCountSuppression.Suppress(new long[,] { { 10, 0, 7 }, { 5, 12, 0 } });

        Assert.All(result.AllCounts(), c => Assert.False(c.IsSuppressed));
        Assert.Equal(34, result.GrandTotal.PublishedValue);
    }

    [Fact]
    public void Suppress_OneSmallCell_HiddenWithACycleOfComplements()
    {
        long[,] table = { { 3, 10 }, { 10, 10 } };

        var result = SmallCountSuppression.Suppress(table);

        Assert.Equal(SuppressionStatus.Primary, result.Cell(0, 0).Status);
        Assert.Null(result.Cell(0, 0).PublishedValue);
        // Alone, the 3 = row total 13 − 10. Every row and column holding a hidden count must hold two.
        Assert.True(result.ComplementaryCount >= 3, $"only {result.ComplementaryCount} complementary suppressions");
        AssertNoPrimaryRecoverable([table], [result]);
    }

    [Fact]
    public void Suppress_Zeros_NeverHidden()
    {
        long[,] table = { { 0, 2, 9 }, { 0, 8, 0 }, { 6, 0, 11 } };

        var result = SmallCountSuppression.Suppress(table);

        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                Assert.True(table[i, j] != 0 || !result.Cell(i, j).IsSuppressed, $"zero at ({i}, {j}) hidden");
            }
        }

        AssertNoPrimaryRecoverable([table], [result]);
    }

    [Fact]
    public void Suppress_ThresholdOne_NothingHidden()
    {
        var result = SmallCountSuppression.Suppress(new long[,] { { 1, 2 }, { 3, 4 } }, threshold: 1);

        Assert.Equal(0, result.PrimaryCount + result.ComplementaryCount);
    }

    [Fact]
    public void Suppress_RowOfOnesAboveThreshold_RowTotalHidden()
    {
        // Six hidden 1s under a published total of 6 would each be pinned at 1 (each is ≥ 1), so the total must go.
        long[,] table = { { 1, 1, 1, 1, 1, 1 }, { 10, 10, 10, 10, 10, 10 }, { 7, 8, 9, 10, 11, 12 } };

        var result = SmallCountSuppression.Suppress(table);

        Assert.True(result.RowTotal(0).IsSuppressed);
        Assert.Equal(SuppressionStatus.Complementary, result.RowTotal(0).Status);
        AssertNoPrimaryRecoverable([table], [result]);
    }

    [Fact]
    public void Suppress_GrandTotalBelowThreshold_EverythingNonZeroHidden()
    {
        long[,] table = { { 1, 2 }, { 0, 1 } };

        var result = SmallCountSuppression.Suppress(table);

        Assert.All(result.AllCounts().Where(c => c.Value > 0), c => Assert.True(c.IsSuppressed));
        AssertNoPrimaryRecoverable([table], [result]);
    }

    [Fact]
    public void Suppress_SingleColumn_Protected()
    {
        long[,] table = { { 3 }, { 12 }, { 9 } };

        var result = SmallCountSuppression.Suppress(table);

        Assert.True(result.Cell(0, 0).IsSuppressed && result.RowTotal(0).IsSuppressed);
        AssertNoPrimaryRecoverable([table], [result]);
    }

    [Fact]
    public void Suppress_BadInput_Throws()
    {
        Assert.Throws<ArgumentException>(() => SmallCountSuppression.Suppress(new long[0, 3]));
        Assert.Throws<ArgumentException>(() => SmallCountSuppression.Suppress(new long[,] { { 1, -1 } }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SmallCountSuppression.Suppress(new long[,] { { 1 } }, threshold: 0));
        Assert.Throws<ArgumentException>(() => SmallCountSuppression.SuppressLinked([]));
        Assert.Throws<ArgumentException>(() => SmallCountSuppression.SuppressLinked([new long[,] { { 1, 2 } }, new long[,] { { 1, 3 } }]));
        Assert.Throws<ArgumentException>(() => SmallCountSuppression.SuppressLinked([new long[,] { { 1, 2 } }, new long[,] { { 1 }, { 2 } }]));
    }

    [Fact]
    public void SuppressLinked_SharedRowTotals_SameStatusInEveryTable()
    {
        // Searches by ethnicity and by object for three borough-months; row totals 14, 3, 25.
        long[,] byEthnicity = { { 6, 6, 2 }, { 0, 3, 0 }, { 10, 9, 6 } };
        long[,] byObject = { { 9, 5 }, { 1, 2 }, { 20, 5 } };

        var results = SmallCountSuppression.SuppressLinked([byEthnicity, byObject]);

        Assert.Equal(SuppressionStatus.Primary, results[0].RowTotal(1).Status);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(results[0].RowTotal(i), results[1].RowTotal(i));
        }

        AssertNoPrimaryRecoverable([byEthnicity, byObject], results);
    }

    [Fact]
    public void Suppress_RandomSmallTables_NoPrimaryCountHasAnotherValueExcluded()
    {
        // Exhaustive: for each primary count, a search for a second table consistent with every
        // published number (suppressed counts whole and ≥ 1) in which that count differs.
        var random = new Random(20240601);
        for (var round = 0; round < 300; round++)
        {
            var table = RandomTable(random, random.Next(1, 5), random.Next(1, 4));
            var result = SmallCountSuppression.Suppress(table);
            AssertNoPrimaryRecoverable([table], [result], $"round {round}: {Show(table)}");
        }
    }

    [Fact]
    public void SuppressLinked_RandomSmallTables_NoPrimaryCountHasAnotherValueExcluded()
    {
        var random = new Random(7);
        for (var round = 0; round < 150; round++)
        {
            var first = RandomTable(random, random.Next(1, 4), random.Next(2, 4));
            var second = SplitRows(random, first, random.Next(2, 3));
            var results = SmallCountSuppression.SuppressLinked([first, second]);
            AssertNoPrimaryRecoverable([first, second], results, $"round {round}: {Show(first)} | {Show(second)}");
        }
    }

    [Fact]
    public void Suppress_RandomLargerTables_NoPrimaryCountDeterminedByTheLinearEquations()
    {
        // Linear algebra: a suppressed count is determined by the published equations alone exactly
        // when every vector of the kernel of the suppressed columns has a zero in its place.
        var random = new Random(11);
        for (var round = 0; round < 60; round++)
        {
            var tables = random.Next(2) == 0
                ? new[] { RandomTable(random, random.Next(3, 15), random.Next(2, 8)) }
                : LinkedPair(random, random.Next(3, 12), random.Next(2, 6), random.Next(2, 5));
            var results = SmallCountSuppression.SuppressLinked(tables);
            var published = new PublishedTables(tables, results);
            var suppressed = Enumerable.Range(0, published.Values.Count).Where(i => published.Suppressed[i]).ToArray();
            if (suppressed.Length == 0)
            {
                continue;
            }

            var matrix = Matrix<double>.Build.Dense(published.Equations.Count, suppressed.Length);
            for (var r = 0; r < published.Equations.Count; r++)
            {
                foreach (var (index, coefficient) in published.Equations[r])
                {
                    var column = Array.IndexOf(suppressed, index);
                    if (column >= 0)
                    {
                        matrix[r, column] += coefficient;
                    }
                }
            }

            var kernel = matrix.Kernel();
            foreach (var index in published.PrimaryIndices)
            {
                var column = Array.IndexOf(suppressed, index);
                Assert.True(kernel.Any(v => Math.Abs(v[column]) > 1e-9),
                    $"round {round}: {published.Names[index]} = {published.Values[index]} is determined by the published equations");
            }
        }
    }

    [Fact]
    public void Suppress_RandomLargerTables_LinearProgrammingBoundsAreNeverAPoint()
    {
        // Independent tool: scipy's HiGHS works out the smallest and largest value each primary count
        // can take given everything published (suppressed counts ≥ 1); they must differ.
        var random = new Random(99);
        var cases = new List<(PublishedTables Published, int[] Targets)>();
        for (var round = 0; round < 40; round++)
        {
            var tables = round % 2 == 0
                ? new[] { RandomTable(random, random.Next(3, 20), random.Next(2, 8)) }
                : LinkedPair(random, random.Next(3, 15), random.Next(2, 6), random.Next(2, 5));
            var published = new PublishedTables(tables, SmallCountSuppression.SuppressLinked(tables));
            cases.Add((published, published.PrimaryIndices.ToArray()));
        }

        var output = Reference.RunPython("suppression_bounds.py", CasesJson(cases));

        var bounds = JsonDocument.Parse(output).RootElement.GetProperty("cases").EnumerateArray().ToArray();
        Assert.Equal(cases.Count, bounds.Length);
        var checkedCounts = 0;
        for (var c = 0; c < cases.Count; c++)
        {
            var (published, targets) = cases[c];
            var caseBounds = bounds[c].GetProperty("bounds").EnumerateArray().ToArray();
            for (var k = 0; k < targets.Length; k++)
            {
                double min = caseBounds[k][0].GetDouble(), max = caseBounds[k][1].GetDouble();
                var value = published.Values[targets[k]];
                Assert.True(min <= value + 1e-6 && value <= max + 1e-6, $"case {c}: {published.Names[targets[k]]} = {value} outside [{min}, {max}]");
                Assert.True(max - min >= 1 - 1e-6, $"case {c}: {published.Names[targets[k]]} = {value} pinned to [{min}, {max}]");
                checkedCounts++;
            }
        }

        Assert.True(checkedCounts > 100, $"only {checkedCounts} primary counts checked");
    }

    private static void AssertNoPrimaryRecoverable(IReadOnlyList<long[,]> tables, IReadOnlyList<SuppressedTable> results, string? context = null)
    {
        var published = new PublishedTables(tables, results);
        foreach (var index in published.PrimaryIndices)
        {
            var alternative = published.FindAlternative(index);
            Assert.True(alternative is not null,
                $"{context}: {published.Names[index]} = {published.Values[index]} can be worked out from what is published");
        }

        for (var i = 0; i < published.Values.Count; i++)
        {
            var value = published.Values[i];
            Assert.True(value == 0 || value >= 5 || published.Suppressed[i], $"{context}: {published.Names[i]} = {value} published");
            Assert.True(value != 0 || !published.Suppressed[i], $"{context}: zero {published.Names[i]} hidden");
        }
    }

    private static long[,] RandomTable(Random random, int rows, int columns)
    {
        var table = new long[rows, columns];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < columns; j++)
            {
                var roll = random.NextDouble();
                table[i, j] = roll < 0.2 ? 0 : roll < 0.55 ? random.Next(1, 5) : random.Next(5, 16);
            }
        }

        return table;
    }

    /// <summary>A second table with the same row sums: each row's total spread over new columns.</summary>
    private static long[,] SplitRows(Random random, long[,] table, int columns)
    {
        var rows = table.GetLength(0);
        var split = new long[rows, columns];
        for (var i = 0; i < rows; i++)
        {
            long total = 0;
            for (var j = 0; j < table.GetLength(1); j++)
            {
                total += table[i, j];
            }

            for (var k = 0; k < total; k++)
            {
                split[i, random.Next(columns)]++;
            }
        }

        return split;
    }

    private static long[][,] LinkedPair(Random random, int rows, int columns, int otherColumns)
    {
        var first = RandomTable(random, rows, columns);
        return [first, SplitRows(random, first, otherColumns)];
    }

    private static string CasesJson(List<(PublishedTables Published, int[] Targets)> cases)
    {
        var builder = new StringBuilder("{\"cases\":[");
        for (var c = 0; c < cases.Count; c++)
        {
            var (published, targets) = cases[c];
            builder.Append(c == 0 ? "" : ",")
                .Append("{\"values\":[").AppendJoin(',', published.Values)
                .Append("],\"suppressed\":[").AppendJoin(',', published.Suppressed.Select(s => s ? "true" : "false"))
                .Append("],\"equations\":[")
                .AppendJoin(',', published.Equations.Select(e => "[" + string.Join(',', e.Select(t => string.Create(CultureInfo.InvariantCulture, $"[{t.Index},{t.Coefficient}]"))) + "]"))
                .Append("],\"targets\":[").AppendJoin(',', targets).Append("]}");
        }

        return builder.Append("]}").ToString();
    }

    private static string Show(long[,] table) =>
        string.Join(" / ", Enumerable.Range(0, table.GetLength(0)).Select(i =>
            string.Join(' ', Enumerable.Range(0, table.GetLength(1)).Select(j => table[i, j].ToString(CultureInfo.InvariantCulture)))));
}
