using Targeting.Engine.Statistics;

namespace Targeting.Engine.Tests.Statistics;

public class DifferenceInDifferencesTests
{
    [Fact]
    public void PoissonRateRatio_ReferenceCases_MatchStatsmodelsInteraction()
    {
        foreach (var c in Reference.Section("did"))
        {
            var result = DifferenceInDifferences.PoissonRateRatio(
                c.L("targeted_before"), c.L("targeted_after"), c.L("control_before"), c.L("control_after"), c.D("confidence"));
            var what = $"did {c.L("targeted_before")},{c.L("targeted_after")},{c.L("control_before")},{c.L("control_after")} at {c.D("confidence")}";
            Reference.Close(c.D("ratio"), result.RateRatio.Value, what + " ratio", 1e-8);
            Reference.Close(c.D("lower"), result.RateRatio.Lower, what + " lower", 1e-8);
            Reference.Close(c.D("upper"), result.RateRatio.Upper, what + " upper", 1e-8);
            Reference.Close(c.D("z"), result.Z, what + " z", 1e-8);
            Reference.Close(c.D("p"), result.PValue, what + " p", 1e-7);
            Assert.Equal(c.GetProperty("corrected").GetBoolean(), result.RateRatio.ContinuityCorrected);
        }
    }

    [Fact]
    public void PoissonRateRatio_FallInTargetedAreas_MatchesHandComputation()
    {
        // Targeted 120 → 90, control 400 → 380: RR = (90/120)/(380/400) = 0.75/0.95 = 0.7894736842105263
        // SE = √(1/90 + 1/120 + 1/380 + 1/400) = 0.15676741814488387
        // z = ln 0.78947368 / 0.15676742 = −0.23638877806423 / 0.15676742 = −1.5078948219059...
        var result = DifferenceInDifferences.PoissonRateRatio(120, 90, 400, 380);

        Reference.Close(0.7894736842105263, result.RateRatio.Value, "ratio", 1e-12);
        Reference.Close(Math.Log(0.7894736842105263) / 0.15676741814488387, result.Z, "z", 1e-12);
        Reference.Close(0.7894736842105263 * Math.Exp(-1.959963984540054 * 0.15676741814488387), result.RateRatio.Lower, "lower", 1e-12);
        Assert.Equal(90, result.RateRatio.Numerator);
        Assert.Equal(120, result.RateRatio.Denominator);
        Assert.False(result.RateRatio.SmallCount);
        Assert.False(result.RateRatio.ContinuityCorrected);
    }

    [Fact]
    public void PoissonRateRatio_OneZeroCell_HalfAddedToAllFourAndFlagged()
    {
        // Targeted 5 → 0, control 20 → 18: corrected (0.5/5.5)/(18.5/20.5) = 0.10073710073710074
        // SE = √(1/0.5 + 1/5.5 + 1/18.5 + 1/20.5) = 1.511506772620326
        var result = DifferenceInDifferences.PoissonRateRatio(5, 0, 20, 18);

        Assert.True(result.RateRatio.ContinuityCorrected);
        Assert.True(result.RateRatio.SmallCount);
        Reference.Close(0.10073710073710074, result.RateRatio.Value, "ratio", 1e-12);
        Reference.Close(Math.Sqrt(1 / 0.5 + 1 / 5.5 + 1 / 18.5 + 1 / 20.5), Math.Log(result.RateRatio.Value) / result.Z, "se", 1e-12);
        Assert.Contains("all four", result.RateRatio.Note);
    }

    [Theory]
    [InlineData(0, 0, 20, 18, "targeted")]
    [InlineData(5, 3, 0, 0, "control")]
    [InlineData(0, 0, 0, 0, "targeted")]
    public void PoissonRateRatio_ArmWithNoIncidents_Undefined(long a0, long a1, long c0, long c1, string arm)
    {
        var result = DifferenceInDifferences.PoissonRateRatio(a0, a1, c0, c1);

        Assert.False(result.RateRatio.IsDefined);
        Assert.True(double.IsNaN(result.Z) && double.IsNaN(result.PValue));
        Assert.Contains(arm, result.RateRatio.Note);
    }

    [Fact]
    public void PoissonRateRatio_NegativeCount_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DifferenceInDifferences.PoissonRateRatio(1, -1, 3, 4));
    }
}
