namespace Targeting.Engine.Statistics;

/// <summary>
/// Binomial proportions: the Wilson score interval for one proportion, and the comparison of
/// two independent proportions (pooled z-test and Newcombe's hybrid score interval for the
/// difference). Stateless and thread-safe.
/// </summary>
public static class Proportions
{
    /// <summary>
    /// The proportion <paramref name="successes"/>/<paramref name="trials"/> with its Wilson score
    /// interval (Wilson, E. B. 1927, "Probable inference, the law of succession, and statistical
    /// inference", JASA 22:209–212):
    /// centre = (p̂ + z²/2n) / (1 + z²/n), half-width = z/(1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²),
    /// with z = Φ⁻¹(1 − α/2).
    /// </summary>
    /// <param name="successes">Count of successes, 0 ≤ successes ≤ trials.</param>
    /// <param name="trials">Count of trials, ≥ 0.</param>
    /// <param name="confidence">Two-sided confidence level in (0, 1); default 0.95.</param>
    /// <returns>
    /// The estimate (a proportion in [0, 1]); method <c>wilson-95</c> at the default level. 0/n gives
    /// a lower bound of exactly 0 and n/n an upper bound of exactly 1. With zero trials the
    /// proportion is undefined: value and bounds are NaN, <see cref="Estimate.IsDefined"/> is false,
    /// the small-count flag is set and <see cref="Estimate.Note"/> says "no trials". The small-count
    /// flag follows <see cref="SmallCountRule.IsSmallProportion"/>.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">Negative counts, successes above trials, or a confidence outside (0, 1).</exception>
    public static Estimate Wilson(long successes, long trials, double confidence = 0.95)
    {
        CheckCounts(successes, trials);
        var z = StandardNormal.TwoSidedCritical(confidence);
        var method = "wilson-" + StandardNormal.Level(confidence);
        if (trials == 0)
        {
            return Estimate.Undefined(successes, trials, method, "no trials");
        }

        var (lower, upper) = WilsonBounds(successes, trials, z);
        return new Estimate(
            (double)successes / trials,
            lower,
            upper,
            successes,
            trials,
            SmallCountRule.IsSmallProportion(successes, trials),
            method);
    }

    /// <summary>
    /// Compares two independent proportions, first minus second: the pooled two-proportion z-test
    /// (z = (p̂₁ − p̂₂) / √(p̄(1 − p̄)(1/n₁ + 1/n₂)), p̄ = (x₁ + x₂)/(n₁ + n₂)) with its two-sided and
    /// both one-sided p-values, and the Newcombe hybrid score interval for the difference
    /// (Newcombe, R. G. 1998, "Interval estimation for the difference between independent
    /// proportions: comparison of eleven methods", Statistics in Medicine 17:873–890, method 10):
    /// with Wilson limits (l₁, u₁) and (l₂, u₂), lower = d − √((p̂₁ − l₁)² + (u₂ − p̂₂)²) and
    /// upper = d + √((u₁ − p̂₁)² + (p̂₂ − l₂)²).
    /// </summary>
    /// <param name="successes1">Successes in the first sample.</param>
    /// <param name="trials1">Trials in the first sample.</param>
    /// <param name="successes2">Successes in the second sample.</param>
    /// <param name="trials2">Trials in the second sample.</param>
    /// <param name="confidence">Two-sided confidence level of the intervals; default 0.95.</param>
    /// <returns>
    /// The comparison. With either sample empty, the difference, its interval, z and p are NaN
    /// (<see cref="ProportionComparison.IsDefined"/> false). When the pooled proportion is 0 or 1
    /// (no successes, or no failures, in either sample) the z-test is undefined (z and p NaN,
    /// <see cref="ProportionComparison.IsTestDefined"/> false) but the difference (0) and its
    /// Newcombe interval are still given.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">Negative counts, successes above trials, or a confidence outside (0, 1).</exception>
    public static ProportionComparison Compare(long successes1, long trials1, long successes2, long trials2, double confidence = 0.95)
    {
        var first = Wilson(successes1, trials1, confidence);
        var second = Wilson(successes2, trials2, confidence);
        var method = "newcombe-hybrid-score-" + StandardNormal.Level(confidence) + "; pooled-z";
        if (trials1 == 0 || trials2 == 0)
        {
            return new ProportionComparison(first, second, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, method)
            {
                Note = "a sample has no trials",
            };
        }

        var p1 = first.Value;
        var p2 = second.Value;
        var difference = p1 - p2;
        var lower = difference - Math.Sqrt(Square(p1 - first.Lower) + Square(second.Upper - p2));
        var upper = difference + Math.Sqrt(Square(first.Upper - p1) + Square(p2 - second.Lower));

        var pooled = (double)(successes1 + successes2) / (trials1 + trials2);
        var variance = pooled * (1.0 - pooled) * (1.0 / trials1 + 1.0 / trials2);
        if (variance <= 0.0)
        {
            return new ProportionComparison(first, second, difference, lower, upper, double.NaN, double.NaN, double.NaN, double.NaN, method)
            {
                Note = pooled == 0.0 ? "no successes in either sample: the z-test is undefined" : "no failures in either sample: the z-test is undefined",
            };
        }

        var z = difference / Math.Sqrt(variance);
        return new ProportionComparison(
            first,
            second,
            difference,
            lower,
            upper,
            z,
            StandardNormal.TwoSidedP(z),
            StandardNormal.Cdf(z),
            StandardNormal.Cdf(-z),
            method);
    }

    /// <summary>Wilson limits, with 0/n and n/n pinned to exactly 0 and 1 (the formula gives them up to rounding).</summary>
    internal static (double Lower, double Upper) WilsonBounds(long successes, long trials, double z)
    {
        double n = trials;
        var p = successes / n;
        var z2 = z * z;
        var denominator = 1.0 + z2 / n;
        var centre = (p + z2 / (2.0 * n)) / denominator;
        var half = z / denominator * Math.Sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n));
        var lower = successes == 0 ? 0.0 : Math.Max(0.0, centre - half);
        var upper = successes == trials ? 1.0 : Math.Min(1.0, centre + half);
        return (lower, upper);
    }

    internal static void CheckCounts(long successes, long trials)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trials);
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        if (successes > trials)
        {
            throw new ArgumentOutOfRangeException(nameof(successes), successes, $"successes ({successes}) exceed trials ({trials})");
        }
    }

    private static double Square(double x) => x * x;
}
