using Targeting.Engine.Statistics;

namespace Targeting.Engine.Tests.Statistics;

public class PoissonRatesTests
{
    [Fact]
    public void Rate_ReferenceCases_MatchScipyChiSquareLimits()
    {
        foreach (var c in Reference.Section("poisson_exact"))
        {
            var events = c.L("events");
            // Exposure 1,000 per 1,000: the rate is the count itself, so the limits are the count limits.
            var estimate = PoissonRates.Rate(events, 1000, PoissonRates.PerThousand, c.D("confidence"));
            var what = $"poisson {events} at {c.D("confidence")}";
            Reference.Close(events, estimate.Value, what + " value");
            Reference.Close(c.D("lower"), estimate.Lower, what + " lower", 1e-10);
            Reference.Close(c.D("upper"), estimate.Upper, what + " upper", 1e-10);
        }
    }

    [Fact]
    public void Rate_ZeroEvents_LowerZeroUpperMinusLogHalfAlpha()
    {
        // With k = 0 the upper limit solves e^(−μ) = α/2: μ = −ln 0.025 = 3.6888794541139363 events.
        var estimate = PoissonRates.Rate(0, 2000);

        Assert.Equal(0.0, estimate.Value);
        Assert.Equal(0.0, estimate.Lower);
        Reference.Close(3.6888794541139363 / 2000 * 1000, estimate.Upper, "upper", 1e-12);
        Assert.True(estimate.SmallCount);
        Assert.Equal("exact-poisson-95", estimate.Method);
    }

    [Fact]
    public void Rate_TwoHundredFiftyInBlackPopulationOfBarking_MatchesHandComputation()
    {
        // 250 searches / 46,807 residents × 1,000 = 5.341081462... per 1,000
        var estimate = PoissonRates.Rate(250, 46807);

        Reference.Close(250.0 / 46807 * 1000, estimate.Value, "value", 1e-14);
        Assert.False(estimate.SmallCount);
        Assert.Equal(250, estimate.Numerator);
        Assert.Equal(46807, estimate.Denominator);
        Assert.True(estimate.Lower < estimate.Value && estimate.Value < estimate.Upper);
    }

    [Fact]
    public void Rate_ZeroExposure_UndefinedWithNote()
    {
        var estimate = PoissonRates.Rate(3, 0);

        Assert.False(estimate.IsDefined);
        Assert.Equal("zero exposure", estimate.Note);
    }

    [Theory]
    [InlineData(19, true)]
    [InlineData(20, false)]
    public void Rate_SmallCountRule_FlagsFewerThanTwentyEvents(long events, bool small)
    {
        Assert.Equal(small, PoissonRates.Rate(events, 10000).SmallCount);
    }

    [Fact]
    public void Rate_NegativeArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PoissonRates.Rate(-1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => PoissonRates.Rate(1, -10));
        Assert.Throws<ArgumentOutOfRangeException>(() => PoissonRates.Rate(1, double.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => PoissonRates.Rate(1, 10, perUnits: 0));
    }

    [Fact]
    public void RateRatio_ReferenceCases_MatchStatsmodelsPoissonRegression()
    {
        foreach (var c in Reference.Section("rate_ratio"))
        {
            var estimate = PoissonRates.RateRatio(c.L("events_a"), c.D("exposure_a"), c.L("events_b"), c.D("exposure_b"), c.D("confidence"));
            var what = $"rate ratio {c.L("events_a")}/{c.D("exposure_a")} vs {c.L("events_b")}/{c.D("exposure_b")} at {c.D("confidence")}";
            Reference.Close(c.D("ratio"), estimate.Value, what + " ratio", 1e-8);
            Reference.Close(c.D("lower"), estimate.Lower, what + " lower", 1e-8);
            Reference.Close(c.D("upper"), estimate.Upper, what + " upper", 1e-8);
            Assert.Equal(c.GetProperty("corrected").GetBoolean(), estimate.ContinuityCorrected);
        }
    }

    [Fact]
    public void RateRatio_TenIn5000AgainstTwentyIn20000_MatchesHandComputation()
    {
        // RR = (10/5000)/(20/20000) = 0.002/0.001 = 2; SE = √(1/10 + 1/20) = √0.15 = 0.3872983346207417
        // z·SE = 1.959963984540054 · 0.3872983346207417 = 0.759090787128996
        // limits 2·e^(∓0.759090787128996) = 0.9361836574114524, 4.272665911579785
        var estimate = PoissonRates.RateRatio(10, 5000, 20, 20000);

        Reference.Close(2.0, estimate.Value, "ratio", 1e-12);
        Reference.Close(0.9361836574114524, estimate.Lower, "lower", 1e-9);
        Reference.Close(4.272665911579785, estimate.Upper, "upper", 1e-9);
        Assert.Equal("log-95", estimate.Method);
        Assert.True(estimate.SmallCount);
        Assert.False(estimate.ContinuityCorrected);
    }

    [Fact]
    public void RateRatio_OneCountZero_HalfAddedToBothAndFlagged()
    {
        // (0 + 0.5)/9321 over (40 + 0.5)/98275 = 5.364231e-5 / 4.121089e-4 = 0.13016539050941653
        var estimate = PoissonRates.RateRatio(0, 9321, 40, 98275);

        Assert.True(estimate.ContinuityCorrected);
        Assert.True(estimate.SmallCount);
        Reference.Close(0.5 / 9321 / (40.5 / 98275), estimate.Value, "ratio", 1e-12);
        Assert.Contains("Haldane", estimate.Note);
        Assert.Equal(0, estimate.Numerator);
        Assert.Equal(40, estimate.Denominator);
    }

    [Fact]
    public void RateRatio_BothCountsZero_Undefined()
    {
        var estimate = PoissonRates.RateRatio(0, 9321, 0, 98275);

        Assert.False(estimate.IsDefined);
        Assert.Equal("no events in either group", estimate.Note);
    }

    [Fact]
    public void RateRatio_ZeroExposure_Undefined()
    {
        Assert.False(PoissonRates.RateRatio(5, 0, 40, 98275).IsDefined);
        Assert.False(PoissonRates.RateRatio(5, 100, 40, 0).IsDefined);
    }
}
