using MathNet.Numerics;
using Targeting.Engine.Geography;
using Targeting.Engine.Statistics;

namespace Targeting.Engine.Hotspots;

/// <summary>The Gi* statistic of every grid cell, with its p-value and Benjamini-Hochberg q-value.</summary>
/// <param name="Z">Per cell: Gi*, a z-score (0 where the values do not vary).</param>
/// <param name="P">Per cell: the one-sided (hot-spot) p-value, 1 − Φ(z).</param>
/// <param name="Q">Per cell: the Benjamini-Hochberg adjusted p-value over all cells.</param>
/// <param name="NeighbourCount">Per cell: cells in its neighbourhood, itself included.</param>
/// <param name="Mean">The mean of the values over all cells.</param>
/// <param name="StandardDeviation">Their standard deviation (population form, as Ord and Getis use).</param>
/// <param name="NeighbourhoodM">The neighbourhood distance used, m.</param>
/// <param name="FdrQ">The false-discovery rate a hot spot must meet.</param>
public sealed record GiStarResult(double[] Z, double[] P, double[] Q, int[] NeighbourCount, double Mean, double StandardDeviation,
    double NeighbourhoodM, double FdrQ)
{
    /// <summary>Whether the cell is a hot spot: z &gt; 0 and q ≤ <see cref="FdrQ"/>.</summary>
    public bool IsHotSpot(int cell) => Z[cell] > 0 && Q[cell] <= FdrQ;
}

/// <summary>
/// Getis-Ord Gi* local statistic on the grid, with false-discovery-rate control across cells.
/// </summary>
/// <remarks>
/// <para>
/// Algorithm (Getis and Ord 1992, "The analysis of spatial association by use of distance
/// statistics", Geographical Analysis 24(3); Ord and Getis 1995, Geographical Analysis 27(4), eq. 14
/// with binary weights): for cell i with neighbourhood Nᵢ (cells whose centres lie within distance d
/// of i's, i included; only cells inside the area count) and values x over all n cells,
/// </para>
/// <para>
/// Gi* = (Σ_{j∈Nᵢ} xⱼ − x̄·Wᵢ) / (S·√((n·Wᵢ − Wᵢ²)/(n − 1))), where Wᵢ = |Nᵢ|, x̄ = Σx/n and
/// S = √(Σx²/n − x̄²).
/// </para>
/// <para>
/// Gi* is asymptotically standard normal under the null of no spatial association; the p-value is
/// one-sided (hot spots), and the p-values of all cells are adjusted with Benjamini-Hochberg
/// (<see cref="FalseDiscoveryRate"/>), because testing 10⁵ cells at 5% would otherwise flag
/// thousands of cells by chance. Values are the harm-weighted counts per cell.
/// </para>
/// <para>
/// Defaults: neighbourhood two cells' width (the 13 cells within 200 m on a 100 m grid), FDR 0.05.
/// Where all values are equal, every z is 0 and every p is 0.5. Cost O(cells · neighbours + cells log cells).
/// Thread safety: stateless. Empty input (all zeros) yields no hot spots.
/// </para>
/// </remarks>
public static class GetisOrdGiStar
{
    /// <summary>Computes Gi*, p and q for every cell of <paramref name="grid"/>.</summary>
    /// <param name="grid">The grid.</param>
    /// <param name="values">One value per cell.</param>
    /// <param name="neighbourhoodM">Neighbours are cells whose centres are within this distance, m (inclusive).</param>
    /// <param name="fdrQ">The false-discovery rate for <see cref="GiStarResult.IsHotSpot"/> (default 0.05).</param>
    public static GiStarResult Compute(AnalysisGrid grid, ReadOnlySpan<double> values, double neighbourhoodM, double fdrQ = 0.05)
    {
        ArgumentNullException.ThrowIfNull(grid);
        var n = grid.CellCount;
        if (values.Length != n)
        {
            throw new ArgumentException("one value per cell is needed", nameof(values));
        }

        if (!(neighbourhoodM >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(neighbourhoodM), "the neighbourhood must be ≥ 0 m");
        }

        double sum = 0, sumSquares = 0;
        foreach (var v in values)
        {
            sum += v;
            sumSquares += v * v;
        }

        var mean = n > 0 ? sum / n : 0;
        var variance = n > 0 ? Math.Max(0, (sumSquares / n) - (mean * mean)) : 0;
        var s = Math.Sqrt(variance);
        var offsets = NeighbourOffsets(grid.CellSize, neighbourhoodM);
        var z = new double[n];
        var p = new double[n];
        var counts = new int[n];
        for (var i = 0; i < n; i++)
        {
            var column = grid.Column(i);
            var row = grid.Row(i);
            double local = 0;
            var w = 0;
            foreach (var (dc, dr) in offsets)
            {
                var j = grid.CellAt(column + dc, row + dr);
                if (j >= 0)
                {
                    local += values[j];
                    w++;
                }
            }

            counts[i] = w;
            var denominator = s * Math.Sqrt(((n * (double)w) - ((double)w * w)) / (n - 1.0));
            z[i] = denominator > 0 && n > 1 ? (local - (mean * w)) / denominator : 0;
            p[i] = 0.5 * SpecialFunctions.Erfc(z[i] / Math.Sqrt(2));
        }

        var q = FalseDiscoveryRate.BenjaminiHochberg(p);
        return new GiStarResult(z, p, q, counts, mean, s, neighbourhoodM, fdrQ);
    }

    /// <summary>
    /// The Gi* hotspot method: cells significant at the false-discovery rate score their z, others 0;
    /// the intensity is the harm-weighted count (so non-significant cells rank by it).
    /// </summary>
    public static HotspotSurface Surface(TrainingSet training, MethodParameters? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(training);
        var resolved = (parameters ?? MethodParameters.Default).Resolved(HotspotMethod.GetisOrd);
        var result = Compute(training.Grid, training.HarmPerCell, resolved.Neighbourhood, resolved.FdrQ);
        var score = new double[training.Grid.CellCount];
        for (var c = 0; c < score.Length; c++)
        {
            score[c] = result.IsHotSpot(c) ? result.Z[c] : 0;
        }

        return new HotspotSurface(HotspotMethod.GetisOrd, resolved, training, score, (double[])training.HarmPerCell.Clone(), giStar: result);
    }

    private static (int Dc, int Dr)[] NeighbourOffsets(double cellSize, double distance)
    {
        var reach = (int)Math.Floor(distance / cellSize);
        var limit = (distance * distance) + (1e-9 * cellSize * cellSize);
        var offsets = new List<(int, int)>();
        for (var dr = -reach; dr <= reach; dr++)
        {
            for (var dc = -reach; dc <= reach; dc++)
            {
                if (((double)dc * dc + (double)dr * dr) * cellSize * cellSize <= limit)
                {
                    offsets.Add((dc, dr));
                }
            }
        }

        return [.. offsets];
    }
}
