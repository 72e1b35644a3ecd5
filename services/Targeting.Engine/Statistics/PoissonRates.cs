using MathNet.Numerics;

namespace Targeting.Engine.Statistics;

/// <summary>
/// Poisson event rates (events per unit of exposure, e.g. searches per 1,000 residents) with
/// exact intervals, and ratios of two rates with log-method intervals. Stateless and thread-safe.
/// </summary>
public static class PoissonRates
{
    /// <summary>Rates per 1,000 residents, the unit of the disproportionality tables.</summary>
    public const double PerThousand = 1000.0;

    /// <summary>
    /// The rate <paramref name="events"/>/<paramref name="exposure"/> × <paramref name="perUnits"/>
    /// with the exact (Garwood) interval (Garwood, F. 1936, "Fiducial limits for the Poisson
    /// distribution", Biometrika 28:437–442): for k events the limits on the expected count are
    /// χ²(α/2; 2k)/2 and χ²(1 − α/2; 2k + 2)/2, the lower being 0 when k = 0; both are divided by
    /// the exposure and multiplied by <paramref name="perUnits"/>.
    /// </summary>
    /// <param name="events">Count of events, ≥ 0.</param>
    /// <param name="exposure">Exposure (e.g. residents, or person-years), ≥ 0, in the caller's unit.</param>
    /// <param name="perUnits">The rate is given per this many units of exposure (default 1,000).</param>
    /// <param name="confidence">Two-sided confidence level in (0, 1); default 0.95.</param>
    /// <returns>
    /// The rate; method <c>exact-poisson-95</c> at the default level. Zero events give a rate of 0
    /// with lower bound 0 and a finite upper bound (−ln(α/2) events at α/2 one-sided: 3.689 at 95%).
    /// Zero exposure gives an undefined (NaN) rate with a note. The small-count flag follows
    /// <see cref="SmallCountRule.IsSmallCount"/>.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">Negative events or exposure, non-finite exposure, non-positive <paramref name="perUnits"/>, or a confidence outside (0, 1).</exception>
    public static Estimate Rate(long events, double exposure, double perUnits = PerThousand, double confidence = 0.95)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(events);
        CheckExposure(exposure, nameof(exposure));
        if (!(perUnits > 0.0) || double.IsInfinity(perUnits))
        {
            throw new ArgumentOutOfRangeException(nameof(perUnits), perUnits, "must be positive and finite");
        }

        StandardNormal.CheckConfidence(confidence);
        var method = "exact-poisson-" + StandardNormal.Level(confidence);
        if (exposure == 0.0)
        {
            return Estimate.Undefined(events, exposure, method, "zero exposure");
        }

        var (lower, upper) = ExactCountLimits(events, confidence);
        var scale = perUnits / exposure;
        return new Estimate(events * scale, lower * scale, upper * scale, events, exposure, SmallCountRule.IsSmallCount(events), method);
    }

    /// <summary>
    /// The ratio of two Poisson rates, (a/Eₐ)/(b/E_b), with the log-method (Wald) interval
    /// exp(ln RR ± z·SE), SE(ln RR) = √(1/a + 1/b) (Rothman, K. J., Greenland, S. and Lash, T. L.
    /// 2008, Modern Epidemiology, 3rd ed., ch. 14).
    /// </summary>
    /// <param name="eventsA">Events in the index group (a).</param>
    /// <param name="exposureA">Exposure of the index group (e.g. its residents).</param>
    /// <param name="eventsB">Events in the reference group (b).</param>
    /// <param name="exposureB">Exposure of the reference group.</param>
    /// <param name="confidence">Two-sided confidence level in (0, 1); default 0.95.</param>
    /// <returns>
    /// The ratio (dimensionless); method <c>log-95</c> at the default level; numerator a,
    /// denominator b. Zero counts: when exactly one of a and b is zero, 0.5 is added to both
    /// (Haldane–Anscombe) and the value and interval come from the corrected counts, with
    /// <see cref="Estimate.ContinuityCorrected"/> set and a note. When both are zero, or an
    /// exposure is zero, the ratio is undefined (NaN) with a note. The small-count flag is set
    /// when either count is small (<see cref="SmallCountRule.IsSmallCount"/>).
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">Negative counts or exposures, or a confidence outside (0, 1).</exception>
    public static Estimate RateRatio(long eventsA, double exposureA, long eventsB, double exposureB, double confidence = 0.95)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(eventsA);
        ArgumentOutOfRangeException.ThrowIfNegative(eventsB);
        CheckExposure(exposureA, nameof(exposureA));
        CheckExposure(exposureB, nameof(exposureB));
        var z = StandardNormal.TwoSidedCritical(confidence);
        var method = "log-" + StandardNormal.Level(confidence);
        if (exposureA == 0.0 || exposureB == 0.0)
        {
            return Estimate.Undefined(eventsA, eventsB, method, "zero exposure");
        }

        if (eventsA == 0 && eventsB == 0)
        {
            return Estimate.Undefined(eventsA, eventsB, method, "no events in either group");
        }

        var corrected = eventsA == 0 || eventsB == 0;
        double a = eventsA, b = eventsB;
        if (corrected)
        {
            a += 0.5;
            b += 0.5;
        }

        var logRatio = Math.Log(a / exposureA) - Math.Log(b / exposureB);
        var se = Math.Sqrt(1.0 / a + 1.0 / b);
        return new Estimate(
            Math.Exp(logRatio),
            Math.Exp(logRatio - z * se),
            Math.Exp(logRatio + z * se),
            eventsA,
            eventsB,
            SmallCountRule.IsSmallCount(eventsA) || SmallCountRule.IsSmallCount(eventsB),
            method)
        {
            ContinuityCorrected = corrected,
            Note = corrected ? "a count is zero: 0.5 added to both counts (Haldane–Anscombe)" : null,
        };
    }

    /// <summary>
    /// Exact (Garwood) limits on the expected count for <paramref name="events"/> observed:
    /// lower = P⁻¹(k, α/2) and upper = P⁻¹(k + 1, 1 − α/2), P⁻¹ the inverse regularised lower
    /// incomplete gamma function (equal to half the χ² quantiles on 2k and 2k + 2 degrees of freedom).
    /// </summary>
    internal static (double Lower, double Upper) ExactCountLimits(long events, double confidence)
    {
        var alpha = 1.0 - confidence;
        var lower = events == 0 ? 0.0 : GammaQuantile(events, alpha / 2.0);
        var upper = GammaQuantile(events + 1, 1.0 - alpha / 2.0);
        return (lower, upper);
    }

    /// <summary>
    /// Quantile of the unit-scale gamma distribution with the given shape: MathNet's inverse,
    /// polished by Newton steps on P(shape, x) − p so the result is accurate to rounding.
    /// </summary>
    private static double GammaQuantile(double shape, double p)
    {
        var x = SpecialFunctions.GammaLowerRegularizedInv(shape, p);
        var logGamma = SpecialFunctions.GammaLn(shape);
        for (var i = 0; i < 4; i++)
        {
            var f = SpecialFunctions.GammaLowerRegularized(shape, x) - p;
            var density = Math.Exp((shape - 1.0) * Math.Log(x) - x - logGamma);
            if (density <= 0.0 || double.IsNaN(density))
            {
                break;
            }

            var step = f / density;
            x = Math.Max(x - step, x / 2.0);
            if (Math.Abs(step) <= 1e-15 * x)
            {
                break;
            }
        }

        return x;
    }

    private static void CheckExposure(double exposure, string name)
    {
        if (!(exposure >= 0.0) || double.IsInfinity(exposure))
        {
            throw new ArgumentOutOfRangeException(name, exposure, "exposure must be a finite number ≥ 0");
        }
    }
}
