using Targeting.Engine.Statistics;

namespace Targeting.Engine.Tests.Statistics;

public class WeightedDisplacementQuotientTests
{
    [Fact]
    public void Compute_FallWithBufferFalling_DiffusionOfBenefits()
    {
        // R 100 → 60, B 80 → 70, C 500 → 480
        // SM  = 60/480 − 100/500 = 0.125 − 0.2 = −0.075
        // BDM = 70/480 − 80/500 = 0.14583333 − 0.16 = −0.01416667
        // WDQ = −0.01416667 / −0.075 = 0.18888889 (diffusion, smaller than the direct effect)
        // TNE = [100 · 0.96 − 60] + [80 · 0.96 − 70] = 36 + 6.8 = 42.8
        var result = WeightedDisplacementQuotient.Compute(new DisplacementCounts(100, 60, 80, 70, 500, 480));

        Assert.Equal(DisplacementStatus.Defined, result.Status);
        Reference.Close(-0.075, result.SuccessMeasure, "SM", 1e-12);
        Reference.Close(70.0 / 480 - 0.16, result.BufferDisplacementMeasure, "BDM", 1e-12);
        Reference.Close((70.0 / 480 - 0.16) / -0.075, result.Wdq, "WDQ", 1e-12);
        Reference.Close(0.18888888888888888, result.Wdq, "WDQ", 1e-9);
        Reference.Close(42.8, result.TotalNetEffect, "TNE", 1e-12);
        Assert.Null(result.Note);
    }

    [Fact]
    public void Compute_FallWithBufferRising_Displacement()
    {
        // Buffer 80 → 95: BDM = 95/480 − 0.16 = 0.19791667 − 0.16 = 0.03791667; WDQ = 0.03791667/−0.075 = −0.50555556
        // TNE = 36 + (76.8 − 95) = 17.8
        var result = WeightedDisplacementQuotient.Compute(new DisplacementCounts(100, 60, 80, 95, 500, 480));

        Assert.Equal(DisplacementStatus.Defined, result.Status);
        Reference.Close(-0.5055555555555555, result.Wdq, "WDQ", 1e-9);
        Reference.Close(17.8, result.TotalNetEffect, "TNE", 1e-12);
    }

    [Theory]
    [InlineData(100, 110)] // a rise
    [InlineData(100, 96)]  // 96/480 = 100/500: no relative change, SM = 0
    public void Compute_NoRelativeFallInTargetedArea_WdqUndefined(long before, long after)
    {
        var result = WeightedDisplacementQuotient.Compute(new DisplacementCounts(before, after, 80, 70, 500, 480));

        Assert.Equal(DisplacementStatus.NoFallInTargetedArea, result.Status);
        Assert.True(double.IsNaN(result.Wdq));
        Assert.True(result.SuccessMeasure >= 0);
        Assert.False(double.IsNaN(result.BufferDisplacementMeasure));
        Assert.Contains("did not fall", result.Note);
    }

    [Theory]
    [InlineData(0, 480)]
    [InlineData(500, 0)]
    public void Compute_ZeroControl_EverythingUndefined(long controlBefore, long controlAfter)
    {
        var result = WeightedDisplacementQuotient.Compute(new DisplacementCounts(100, 60, 80, 70, controlBefore, controlAfter));

        Assert.Equal(DisplacementStatus.ZeroControl, result.Status);
        Assert.True(double.IsNaN(result.Wdq) && double.IsNaN(result.SuccessMeasure) && double.IsNaN(result.BufferDisplacementMeasure) && double.IsNaN(result.TotalNetEffect));
    }

    [Fact]
    public void Compute_ZeroTargetedAfter_Defined()
    {
        // R 3 → 0, B 2 → 2, C 10 → 10: SM = 0 − 0.3 = −0.3, BDM = 0, WDQ = 0 (no displacement), TNE = 3 + 0 = 3.
        var result = WeightedDisplacementQuotient.Compute(new DisplacementCounts(3, 0, 2, 2, 10, 10));

        Assert.Equal(DisplacementStatus.Defined, result.Status);
        Assert.Equal(0.0, result.Wdq);
        Assert.Equal(3.0, result.TotalNetEffect);
    }

    [Fact]
    public void Compute_NegativeCount_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WeightedDisplacementQuotient.Compute(new DisplacementCounts(1, 1, -1, 1, 1, 1)));
    }
}
