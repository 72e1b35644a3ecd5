using MathNet.Numerics;

namespace Targeting.Engine.Statistics;

/// <summary>Standard normal quantiles and tail probabilities, accurate far into the tails.</summary>
internal static class StandardNormal
{
    private static readonly double Sqrt2 = Math.Sqrt(2.0);

    /// <summary>P(Z ≤ z), via erfc so that small tail probabilities keep their relative accuracy.</summary>
    public static double Cdf(double z) => 0.5 * SpecialFunctions.Erfc(-z / Sqrt2);

    /// <summary>P(|Z| ≥ |z|).</summary>
    public static double TwoSidedP(double z) => SpecialFunctions.Erfc(Math.Abs(z) / Sqrt2);

    /// <summary>The quantile z with P(Z ≤ z) = p.</summary>
    public static double Quantile(double p) => -Sqrt2 * SpecialFunctions.ErfcInv(2.0 * p);

    /// <summary>z_{1-α/2} for a two-sided interval at the given confidence level, checked to lie in (0, 1).</summary>
    public static double TwoSidedCritical(double confidence)
    {
        CheckConfidence(confidence);
        // z = -Quantile(alpha/2) = sqrt(2) erfcinv(alpha): avoids forming 1 - alpha/2.
        return Sqrt2 * SpecialFunctions.ErfcInv(1.0 - confidence);
    }

    public static void CheckConfidence(double confidence)
    {
        if (!(confidence > 0.0 && confidence < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "the confidence level must lie strictly between 0 and 1");
        }
    }

    /// <summary>The method tag's level, e.g. 0.95 → "95", 0.999 → "99.9".</summary>
    public static string Level(double confidence) =>
        (confidence * 100.0).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
}
