namespace Targeting.Engine.Statistics;

/// <summary>
/// Two independent proportions compared, first minus second (see <see cref="Proportions.Compare"/>).
/// </summary>
/// <param name="First">The first proportion with its Wilson interval.</param>
/// <param name="Second">The second proportion with its Wilson interval.</param>
/// <param name="Difference">p̂₁ − p̂₂ (NaN when either sample is empty).</param>
/// <param name="DifferenceLower">Lower bound of the Newcombe hybrid score interval for the difference.</param>
/// <param name="DifferenceUpper">Upper bound of the Newcombe hybrid score interval for the difference.</param>
/// <param name="Z">The pooled z statistic (NaN when the test is undefined).</param>
/// <param name="PValue">Two-sided p-value, H₁: p₁ ≠ p₂.</param>
/// <param name="PValueSmaller">One-sided p-value, H₁: p₁ &lt; p₂ (Φ(z)); the outcome test's alert uses this.</param>
/// <param name="PValueLarger">One-sided p-value, H₁: p₁ &gt; p₂ (1 − Φ(z)).</param>
/// <param name="Method">How it was computed, e.g. <c>newcombe-hybrid-score-95; pooled-z</c>.</param>
public sealed record ProportionComparison(
    Estimate First,
    Estimate Second,
    double Difference,
    double DifferenceLower,
    double DifferenceUpper,
    double Z,
    double PValue,
    double PValueSmaller,
    double PValueLarger,
    string Method)
{
    /// <summary>False when either sample has no trials (difference and test are NaN).</summary>
    public bool IsDefined => !double.IsNaN(Difference);

    /// <summary>False when the z-test is undefined: an empty sample, or a pooled proportion of 0 or 1.</summary>
    public bool IsTestDefined => !double.IsNaN(Z);

    /// <summary>Why the comparison or its test is undefined; null when both are defined.</summary>
    public string? Note { get; init; }
}
