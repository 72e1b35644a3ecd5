namespace Targeting.Engine.Statistics;

/// <summary>
/// Crime change in targeted areas against untargeted control cells, before and after: the
/// difference in differences on the log scale, i.e. a ratio of two Poisson rate ratios.
/// Stateless and thread-safe.
/// </summary>
public static class DifferenceInDifferences
{
    /// <summary>
    /// RR = (a₁/a₀) / (c₁/c₀) for targeted counts a₀ (before), a₁ (after) and control counts c₀, c₁,
    /// with the log-method interval exp(ln RR ± z·SE), SE = √(1/a₁ + 1/a₀ + 1/c₁ + 1/c₀), and the
    /// Wald test of RR = 1: z = ln RR / SE, two-sided p. This is the interaction term of the
    /// saturated Poisson log-linear model count ~ area × period (Rothman, Greenland and Lash 2008,
    /// Modern Epidemiology, 3rd ed., ch. 14 and 15, for the log-method variance of a product of
    /// independent Poisson ratios). Below 1 means crime fell more (or rose less) in the targeted
    /// areas than in the controls. The before and after windows must be the same for targeted and
    /// control cells; their lengths then cancel.
    /// </summary>
    /// <param name="targetedBefore">Incidents in the targeted areas before (a₀).</param>
    /// <param name="targetedAfter">Incidents in the targeted areas after (a₁).</param>
    /// <param name="controlBefore">Incidents in the control cells before (c₀).</param>
    /// <param name="controlAfter">Incidents in the control cells after (c₁).</param>
    /// <param name="confidence">Two-sided confidence level in (0, 1); default 0.95.</param>
    /// <returns>
    /// The result. Zero cells: when an arm (targeted or control) has no incidents in both periods
    /// the ratio is undefined (NaN, with a note); otherwise when any of the four counts is zero,
    /// 0.5 is added to all four (Haldane–Anscombe), the result comes from the corrected counts and
    /// <see cref="Estimate.ContinuityCorrected"/> is set. The estimate's numerator is a₁ and its
    /// denominator a₀; it is flagged small when any count is below <see cref="SmallCountRule.MinimumEvents"/>.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">A negative count, or a confidence outside (0, 1).</exception>
    public static DifferenceInDifferencesResult PoissonRateRatio(
        long targetedBefore, long targetedAfter, long controlBefore, long controlAfter, double confidence = 0.95)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(targetedBefore);
        ArgumentOutOfRangeException.ThrowIfNegative(targetedAfter);
        ArgumentOutOfRangeException.ThrowIfNegative(controlBefore);
        ArgumentOutOfRangeException.ThrowIfNegative(controlAfter);
        var z = StandardNormal.TwoSidedCritical(confidence);
        var method = "log-" + StandardNormal.Level(confidence);
        var small = new[] { targetedBefore, targetedAfter, controlBefore, controlAfter }.Any(SmallCountRule.IsSmallCount);

        if (targetedBefore == 0 && targetedAfter == 0 || controlBefore == 0 && controlAfter == 0)
        {
            var note = targetedBefore == 0 && targetedAfter == 0
                ? "no incidents in the targeted areas in either period"
                : "no incidents in the control cells in either period";
            return new DifferenceInDifferencesResult(
                Estimate.Undefined(targetedAfter, targetedBefore, method, note), double.NaN, double.NaN);
        }

        var corrected = targetedBefore == 0 || targetedAfter == 0 || controlBefore == 0 || controlAfter == 0;
        var shift = corrected ? 0.5 : 0.0;
        double a0 = targetedBefore + shift, a1 = targetedAfter + shift, c0 = controlBefore + shift, c1 = controlAfter + shift;

        var logRatio = Math.Log(a1) - Math.Log(a0) - Math.Log(c1) + Math.Log(c0);
        var se = Math.Sqrt(1.0 / a1 + 1.0 / a0 + 1.0 / c1 + 1.0 / c0);
        var wald = logRatio / se;
        var estimate = new Estimate(
            Math.Exp(logRatio),
            Math.Exp(logRatio - z * se),
            Math.Exp(logRatio + z * se),
            targetedAfter,
            targetedBefore,
            small,
            method)
        {
            ContinuityCorrected = corrected,
            Note = corrected ? "a count is zero: 0.5 added to all four counts (Haldane–Anscombe)" : null,
        };
        return new DifferenceInDifferencesResult(estimate, wald, StandardNormal.TwoSidedP(wald));
    }
}

/// <summary>The difference in differences as a Poisson rate ratio (see <see cref="DifferenceInDifferences.PoissonRateRatio"/>).</summary>
/// <param name="RateRatio">(a₁/a₀)/(c₁/c₀) with its log-method interval; NaN when undefined.</param>
/// <param name="Z">Wald statistic ln RR / SE (NaN when undefined).</param>
/// <param name="PValue">Two-sided p-value of the Wald test of RR = 1 (NaN when undefined).</param>
public sealed record DifferenceInDifferencesResult(Estimate RateRatio, double Z, double PValue);
