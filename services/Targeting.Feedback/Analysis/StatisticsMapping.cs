using Targeting.Engine.Statistics;
using ProtoEstimate = Targeting.Common.V1.Estimate;

namespace Targeting.Feedback.Analysis;

/// <summary>The engine's statistics as proto messages, field for field.</summary>
public static class StatisticsMapping
{
    /// <summary>An estimate; NaN stays NaN (the JSON form says "NaN"), so an undefined rate is never shown as 0.</summary>
    public static ProtoEstimate ToProto(this Estimate estimate)
    {
        ArgumentNullException.ThrowIfNull(estimate);
        return new ProtoEstimate
        {
            Value = estimate.Value,
            Lower = estimate.Lower,
            Upper = estimate.Upper,
            Numerator = estimate.Numerator,
            Denominator = estimate.Denominator,
            SmallCount = estimate.SmallCount,
            Method = estimate.ContinuityCorrected ? estimate.Method + "; haldane-anscombe" : estimate.Method,
        };
    }

    /// <summary>An estimate divided by a positive factor (e.g. a rate over the window made per year).</summary>
    public static ProtoEstimate Scaled(this Estimate estimate, double divisor, string suffix)
    {
        var proto = estimate.ToProto();
        proto.Value /= divisor;
        proto.Lower /= divisor;
        proto.Upper /= divisor;
        proto.Method += suffix;
        return proto;
    }

    /// <summary>A two-proportion comparison, first minus second.</summary>
    public static V1.ProportionComparison ToProto(this ProportionComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        return new V1.ProportionComparison
        {
            Difference = comparison.Difference,
            Z = comparison.Z,
            PValue = comparison.PValue,
            DifferenceLower = comparison.DifferenceLower,
            DifferenceUpper = comparison.DifferenceUpper,
            PValueSmaller = comparison.PValueSmaller,
        };
    }
}
