namespace Targeting.Engine.Statistics;

/// <summary>
/// Multiple-testing adjustment for a family of tests (e.g. the outcome test across ethnic
/// groups). Benjamini–Hochberg for hotspots lives in <c>FalseDiscoveryRate</c>. Stateless and thread-safe.
/// </summary>
public static class MultipleTesting
{
    /// <summary>
    /// Holm–Bonferroni step-down adjusted p-values (Holm, S. 1979, "A simple sequentially
    /// rejective multiple test procedure", Scandinavian Journal of Statistics 6:65–70): with the m
    /// p-values sorted ascending, p̃₍ᵢ₎ = max over j ≤ i of min(1, (m − j + 1)·p₍ⱼ₎). Rejecting
    /// where p̃ ≤ α controls the family-wise error rate at α.
    /// </summary>
    /// <param name="pValues">The raw p-values, each in [0, 1] or NaN.</param>
    /// <returns>
    /// Adjusted p-values in the input order. NaN entries (tests that could not be run, e.g. a group
    /// with no searches) are left NaN and are not counted in m. An empty input gives an empty result.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">A p-value outside [0, 1].</exception>
    public static double[] HolmAdjust(IReadOnlyList<double> pValues)
    {
        ArgumentNullException.ThrowIfNull(pValues);
        var adjusted = new double[pValues.Count];
        var tested = new List<int>();
        for (var i = 0; i < pValues.Count; i++)
        {
            var p = pValues[i];
            if (double.IsNaN(p))
            {
                adjusted[i] = double.NaN;
                continue;
            }

            if (p < 0.0 || p > 1.0)
            {
                throw new ArgumentOutOfRangeException(nameof(pValues), p, $"p-value {i} is outside [0, 1]");
            }

            tested.Add(i);
        }

        // Stable sort, so ties keep their input order and the result does not depend on it.
        var order = tested.OrderBy(i => pValues[i]).ToArray();
        var m = order.Length;
        var running = 0.0;
        for (var rank = 0; rank < m; rank++)
        {
            var index = order[rank];
            running = Math.Max(running, Math.Min(1.0, (m - rank) * pValues[index]));
            adjusted[index] = running;
        }

        return adjusted;
    }
}
