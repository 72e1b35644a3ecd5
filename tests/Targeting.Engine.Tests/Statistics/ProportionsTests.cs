using Targeting.Engine.Statistics;

namespace Targeting.Engine.Tests.Statistics;

public class ProportionsTests
{
    [Fact]
    public void Wilson_ReferenceCases_MatchStatsmodels()
    {
        var cases = 0;
        foreach (var c in Reference.Section("wilson"))
        {
            long x = c.L("successes"), n = c.L("trials");
            var confidence = c.D("confidence");
            var estimate = Proportions.Wilson(x, n, confidence);
            var what = $"wilson {x}/{n} at {confidence}";
            Reference.Close((double)x / n, estimate.Value, what + " value");
            Reference.Close(c.D("lower"), estimate.Lower, what + " lower");
            Reference.Close(c.D("upper"), estimate.Upper, what + " upper");
            cases++;
        }

        Assert.Equal(48, cases);
    }

    [Fact]
    public void Wilson_ThreeOfTen_MatchesHandComputation()
    {
        // z = 1.959963984540054, z² = 3.8414588206941254, n = 10, p̂ = 0.3
        // denominator 1 + z²/n = 1.3841458820694126
        // centre (0.3 + z²/20) / 1.38414588 = 0.4920729410347062 / 1.38414588 = 0.3555065599725778
        // half z/1.38414588 · √(0.021 + z²/400 = 0.009603647051735314) = 0.2477152925662768
        // limits 0.3555065599725778 ∓ 0.2477152925662768 = 0.10779126740630099, 0.6032218525388546
        var estimate = Proportions.Wilson(3, 10);

        Assert.Equal(0.3, estimate.Value);
        Reference.Close(0.10779126740630099, estimate.Lower, "lower", 1e-12);
        Reference.Close(0.6032218525388546, estimate.Upper, "upper", 1e-12);
        Assert.Equal("wilson-95", estimate.Method);
        Assert.True(estimate.SmallCount);
        Assert.Equal(3, estimate.Numerator);
        Assert.Equal(10, estimate.Denominator);
    }

    [Fact]
    public void Wilson_ZeroTrials_UndefinedWithFlagNotException()
    {
        var estimate = Proportions.Wilson(0, 0);

        Assert.False(estimate.IsDefined);
        Assert.True(double.IsNaN(estimate.Value) && double.IsNaN(estimate.Lower) && double.IsNaN(estimate.Upper));
        Assert.True(estimate.SmallCount);
        Assert.Equal("no trials", estimate.Note);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    public void Wilson_ZeroSuccesses_LowerBoundExactlyZero(long trials)
    {
        var estimate = Proportions.Wilson(0, trials);

        Assert.Equal(0.0, estimate.Value);
        Assert.Equal(0.0, estimate.Lower);
        // Upper = z²/(n + z²) when x = 0.
        var z2 = 1.959963984540054 * 1.959963984540054;
        Reference.Close(z2 / (trials + z2), estimate.Upper, "upper", 1e-12);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    public void Wilson_AllSuccesses_UpperBoundExactlyOne(long trials)
    {
        var estimate = Proportions.Wilson(trials, trials);

        Assert.Equal(1.0, estimate.Value);
        Assert.Equal(1.0, estimate.Upper);
        var z2 = 1.959963984540054 * 1.959963984540054;
        Reference.Close(trials / (trials + z2), estimate.Lower, "lower", 1e-12);
    }

    [Theory]
    [InlineData(4, 100, true)]
    [InlineData(5, 29, true)]
    [InlineData(5, 30, false)]
    [InlineData(30, 30, false)]
    public void Wilson_SmallCountRule_FlagsFewSuccessesOrTrials(long successes, long trials, bool small)
    {
        Assert.Equal(small, Proportions.Wilson(successes, trials).SmallCount);
    }

    [Theory]
    [InlineData(-1, 10, 0.95)]
    [InlineData(11, 10, 0.95)]
    [InlineData(1, -1, 0.95)]
    [InlineData(1, 10, 1.0)]
    [InlineData(1, 10, 0.0)]
    [InlineData(1, 10, double.NaN)]
    public void Wilson_BadArguments_Throw(long successes, long trials, double confidence)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Proportions.Wilson(successes, trials, confidence));
    }

    [Fact]
    public void Compare_ReferenceCases_MatchStatsmodelsZTest()
    {
        foreach (var c in Reference.Section("ztest"))
        {
            var result = Proportions.Compare(c.L("successes1"), c.L("trials1"), c.L("successes2"), c.L("trials2"));
            var what = $"ztest {c.L("successes1")}/{c.L("trials1")} vs {c.L("successes2")}/{c.L("trials2")}";
            Reference.Close(c.D("z"), result.Z, what + " z");
            Reference.Close(c.D("p_two_sided"), result.PValue, what + " p");
            Reference.Close(c.D("p_smaller"), result.PValueSmaller, what + " p smaller");
            Reference.Close(c.D("p_larger"), result.PValueLarger, what + " p larger");
        }
    }

    [Fact]
    public void Compare_ReferenceCases_NewcombeMatchesStatsmodels()
    {
        foreach (var c in Reference.Section("newcombe"))
        {
            var result = Proportions.Compare(c.L("successes1"), c.L("trials1"), c.L("successes2"), c.L("trials2"), c.D("confidence"));
            var what = $"newcombe {c.L("successes1")}/{c.L("trials1")} vs {c.L("successes2")}/{c.L("trials2")} at {c.D("confidence")}";
            Reference.Close(c.D("difference"), result.Difference, what + " difference");
            Reference.Close(c.D("lower"), result.DifferenceLower, what + " lower");
            Reference.Close(c.D("upper"), result.DifferenceUpper, what + " upper");
        }
    }

    [Fact]
    public void Compare_FifteenOfFortyAgainstSixOfThirty_MatchesHandComputation()
    {
        // p̂₁ = 0.375, p̂₂ = 0.2, pooled 21/70 = 0.3
        // variance 0.3 · 0.7 · (1/40 + 1/30) = 0.21 · 0.0583333 = 0.01225, SE = 0.11067971810589328
        // z = 0.175 / 0.11067971810589328 = 1.5811388300841895 (= √2.5); two-sided p = erfc(z/√2) = 0.11384629800665805
        var result = Proportions.Compare(15, 40, 6, 30);

        Reference.Close(0.175, result.Difference, "difference", 1e-12);
        Reference.Close(1.5811388300841895, result.Z, "z", 1e-12);
        Reference.Close(0.11384629800665805, result.PValue, "p", 1e-10);
        Reference.Close(1 - 0.11384629800665805 / 2, result.PValueSmaller, "p smaller", 1e-10);
        Reference.Close(0.11384629800665805 / 2, result.PValueLarger, "p larger", 1e-10);
        Assert.True(result.IsDefined && result.IsTestDefined);
    }

    [Fact]
    public void Compare_NoSuccessesInEither_TestUndefinedIntervalGiven()
    {
        var result = Proportions.Compare(0, 10, 0, 12);

        Assert.True(result.IsDefined);
        Assert.False(result.IsTestDefined);
        Assert.Equal(0.0, result.Difference);
        Assert.True(double.IsNaN(result.Z) && double.IsNaN(result.PValue) && double.IsNaN(result.PValueSmaller));
        // Newcombe with both at 0: lower = −u₂, upper = u₁ (Wilson upper limits of 0/12 and 0/10).
        Reference.Close(-Proportions.Wilson(0, 12).Upper, result.DifferenceLower, "lower", 1e-12);
        Reference.Close(Proportions.Wilson(0, 10).Upper, result.DifferenceUpper, "upper", 1e-12);
        Assert.Contains("no successes", result.Note);
    }

    [Fact]
    public void Compare_AllSuccessesInEither_TestUndefined()
    {
        var result = Proportions.Compare(10, 10, 12, 12);

        Assert.False(result.IsTestDefined);
        Assert.Contains("no failures", result.Note);
    }

    [Fact]
    public void Compare_EmptySample_Undefined()
    {
        var result = Proportions.Compare(0, 0, 3, 12);

        Assert.False(result.IsDefined);
        Assert.False(result.IsTestDefined);
        Assert.True(double.IsNaN(result.DifferenceLower) && double.IsNaN(result.DifferenceUpper));
        Assert.False(result.First.IsDefined);
        Reference.Close(0.25, result.Second.Value, "second");
    }
}
