using System.Collections.Concurrent;
using MathNet.Numerics;

namespace Targeting.Engine.Statistics;

/// <summary>Standard normal quantiles and tail probabilities, accurate far into the tails.</summary>
internal static class StandardNormal
{
    private static readonly double Sqrt2 = Math.Sqrt(2.0);
    private static readonly double Z95 = Sqrt2 * SpecialFunctions.ErfcInv(0.05);
    private static readonly ConcurrentDictionary<(string Prefix, double Confidence, string Suffix), string> Tags = new();

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
        return confidence == 0.95 ? Z95 : Sqrt2 * SpecialFunctions.ErfcInv(1.0 - confidence);
    }

    public static void CheckConfidence(double confidence)
    {
        if (!(confidence > 0.0 && confidence < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "the confidence level must lie strictly between 0 and 1");
        }
    }

    /// <summary>A method tag such as "wilson-95" or "log-99.9", made once per prefix and level (95% needs no lookup).</summary>
    public static string MethodTag(string prefix, double confidence, string suffix = "") =>
        Tags.GetOrAdd((prefix, confidence, suffix), key =>
            key.Prefix + (key.Confidence * 100.0).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + key.Suffix);
}
