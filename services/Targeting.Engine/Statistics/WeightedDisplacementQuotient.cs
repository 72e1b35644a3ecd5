namespace Targeting.Engine.Statistics;

/// <summary>
/// Spatial displacement and diffusion of benefits around targeted areas: the weighted
/// displacement quotient (Bowers, K. J. and Johnson, S. D. 2003, "Measuring the geographical
/// displacement and diffusion of benefit effects of crime prevention activity", Journal of
/// Quantitative Criminology 19:275–301), with the total net effect of Guerette, R. T. 2009,
/// "Analyzing crime displacement and diffusion", POP Center Tool Guide 10. Stateless and thread-safe.
/// </summary>
/// <remarks>
/// With R the targeted (response) area, B the buffer around it and C the control area, and
/// subscripts 0 before and 1 after:
/// success measure SM = R₁/C₁ − R₀/C₀ (negative: crime fell in the targeted area relative to the control);
/// buffer displacement measure BDM = B₁/C₁ − B₀/C₀ (positive: possible displacement; negative: possible diffusion);
/// WDQ = BDM / SM, interpreted only when SM &lt; 0: above 0 diffusion of benefits (above 1, larger
/// than the direct effect), below 0 displacement (below −1, larger than the direct effect);
/// total net effect TNE = [R₀(C₁/C₀) − R₁] + [B₀(C₁/C₀) − B₁] (crimes prevented, net of displacement).
/// </remarks>
public static class WeightedDisplacementQuotient
{
    /// <summary>Computes the success measure, buffer displacement measure, WDQ and total net effect.</summary>
    /// <param name="counts">Incident counts in the targeted area, buffer and control, before and after.</param>
    /// <returns>
    /// The result. Undefined cases are reported as such, never as a number:
    /// <see cref="DisplacementStatus.ZeroControl"/> when the control has no incidents in either
    /// period (every measure NaN; the total net effect also needs C₀ &gt; 0);
    /// <see cref="DisplacementStatus.NoFallInTargetedArea"/> when SM ≥ 0 (the WDQ is NaN, the
    /// other measures are given).
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">A negative count.</exception>
    public static DisplacementResult Compute(DisplacementCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        counts.Validate();
        if (counts.ControlBefore == 0 || counts.ControlAfter == 0)
        {
            return new DisplacementResult(double.NaN, double.NaN, double.NaN, double.NaN, DisplacementStatus.ZeroControl,
                "the control area has no incidents in a period: every measure is undefined");
        }

        double r0 = counts.TargetedBefore, r1 = counts.TargetedAfter;
        double b0 = counts.BufferBefore, b1 = counts.BufferAfter;
        double c0 = counts.ControlBefore, c1 = counts.ControlAfter;
        var success = r1 / c1 - r0 / c0;
        var bufferMeasure = b1 / c1 - b0 / c0;
        var controlTrend = c1 / c0;
        var totalNetEffect = (r0 * controlTrend - r1) + (b0 * controlTrend - b1);
        if (!(success < 0.0))
        {
            return new DisplacementResult(success, bufferMeasure, double.NaN, totalNetEffect, DisplacementStatus.NoFallInTargetedArea,
                "crime did not fall in the targeted areas relative to the control (success measure ≥ 0): the WDQ is not interpretable");
        }

        return new DisplacementResult(success, bufferMeasure, bufferMeasure / success, totalNetEffect, DisplacementStatus.Defined, null);
    }
}

/// <summary>Incident counts for <see cref="WeightedDisplacementQuotient.Compute"/>; all ≥ 0, over equal before and after windows.</summary>
/// <param name="TargetedBefore">Targeted (response) area, before (R₀).</param>
/// <param name="TargetedAfter">Targeted area, after (R₁).</param>
/// <param name="BufferBefore">Buffer around the targeted area, before (B₀).</param>
/// <param name="BufferAfter">Buffer, after (B₁).</param>
/// <param name="ControlBefore">Control area, before (C₀).</param>
/// <param name="ControlAfter">Control area, after (C₁).</param>
public sealed record DisplacementCounts(
    long TargetedBefore, long TargetedAfter, long BufferBefore, long BufferAfter, long ControlBefore, long ControlAfter)
{
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(TargetedBefore);
        ArgumentOutOfRangeException.ThrowIfNegative(TargetedAfter);
        ArgumentOutOfRangeException.ThrowIfNegative(BufferBefore);
        ArgumentOutOfRangeException.ThrowIfNegative(BufferAfter);
        ArgumentOutOfRangeException.ThrowIfNegative(ControlBefore);
        ArgumentOutOfRangeException.ThrowIfNegative(ControlAfter);
    }
}

/// <summary>Whether the displacement measures are defined.</summary>
public enum DisplacementStatus
{
    /// <summary>All measures are defined.</summary>
    Defined,

    /// <summary>The control area has no incidents before or after: nothing can be weighted.</summary>
    ZeroControl,

    /// <summary>No relative fall in the targeted area (success measure ≥ 0): the WDQ is undefined.</summary>
    NoFallInTargetedArea,
}

/// <summary>Displacement measures (see <see cref="WeightedDisplacementQuotient"/>); NaN where undefined.</summary>
/// <param name="SuccessMeasure">R₁/C₁ − R₀/C₀; negative is success.</param>
/// <param name="BufferDisplacementMeasure">B₁/C₁ − B₀/C₀; positive suggests displacement, negative diffusion.</param>
/// <param name="Wdq">The weighted displacement quotient BDM/SM, NaN unless <paramref name="Status"/> is Defined.</param>
/// <param name="TotalNetEffect">[R₀(C₁/C₀) − R₁] + [B₀(C₁/C₀) − B₁], in incidents; positive means crimes prevented.</param>
/// <param name="Status">Which measures are defined.</param>
/// <param name="Note">Why a measure is undefined; null when all are defined.</param>
public sealed record DisplacementResult(
    double SuccessMeasure, double BufferDisplacementMeasure, double Wdq, double TotalNetEffect, DisplacementStatus Status, string? Note);
