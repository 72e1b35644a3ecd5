namespace Targeting.Engine.Statistics;

/// <summary>
/// False-discovery-rate control for many simultaneous tests (one Gi* test per grid cell).
/// </summary>
/// <remarks>
/// Benjamini and Hochberg (1995), "Controlling the false discovery rate: a practical and powerful
/// approach to multiple testing", JRSS B 57(1). Thread safety: stateless. Empty input gives empty
/// output.
/// </remarks>
public static class FalseDiscoveryRate
{
    /// <summary>
    /// Benjamini-Hochberg adjusted p-values ("q-values"): for the i-th smallest of m p-values,
    /// q₍ᵢ₎ = min over k ≥ i of min(1, m·p₍ₖ₎/k). Rejecting every hypothesis with q ≤ α controls the
    /// false discovery rate at α for independent or positively dependent tests (PRDS) — which
    /// neighbouring Gi* statistics, built from overlapping cells, are taken to be. Equal to
    /// statsmodels' <c>multipletests(p, method="fdr_bh")[1]</c>.
    /// </summary>
    /// <param name="pValues">The p-values, each in [0, 1] (NaN is refused).</param>
    /// <returns>The adjusted values, in the input's order.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A p-value is outside [0, 1] or NaN.</exception>
    public static double[] BenjaminiHochberg(ReadOnlySpan<double> pValues)
    {
        var m = pValues.Length;
        var q = new double[m];
        if (m == 0)
        {
            return q;
        }

        var order = new int[m];
        var p = new double[m];
        for (var i = 0; i < m; i++)
        {
            p[i] = pValues[i];
            if (!(p[i] >= 0 && p[i] <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(pValues), p[i], $"p-value {i} is not in [0, 1]");
            }

            order[i] = i;
        }

        // Tied p-values get the same q whatever their order; ordering ties by index just keeps runs identical.
        Array.Sort(order, (a, b) =>
        {
            var byP = p[a].CompareTo(p[b]);
            return byP != 0 ? byP : a.CompareTo(b);
        });

        var running = 1.0;
        for (var rank = m; rank >= 1; rank--)
        {
            var candidate = Math.Min(1.0, m * p[order[rank - 1]] / rank);
            running = Math.Min(running, candidate);
            q[order[rank - 1]] = running;
        }

        return q;
    }

    /// <summary>The indices of the hypotheses rejected at false discovery rate <paramref name="alpha"/> (q ≤ α).</summary>
    public static int[] Rejected(ReadOnlySpan<double> pValues, double alpha)
    {
        if (!(alpha > 0 && alpha < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be in (0, 1)");
        }

        var q = BenjaminiHochberg(pValues);
        var rejected = new List<int>();
        for (var i = 0; i < q.Length; i++)
        {
            if (q[i] <= alpha)
            {
                rejected.Add(i);
            }
        }

        return [.. rejected];
    }
}
