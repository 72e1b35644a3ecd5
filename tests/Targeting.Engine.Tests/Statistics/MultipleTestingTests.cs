using Targeting.Engine.Statistics;

namespace Targeting.Engine.Tests.Statistics;

public class MultipleTestingTests
{
    [Fact]
    public void HolmAdjust_ReferenceFamilies_MatchStatsmodels()
    {
        foreach (var family in Reference.Section("holm"))
        {
            var p = family.GetProperty("p").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var expected = family.GetProperty("adjusted").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var adjusted = MultipleTesting.HolmAdjust(p);
            for (var i = 0; i < p.Length; i++)
            {
                Reference.Close(expected[i], adjusted[i], $"holm [{string.Join(", ", p)}] #{i}", 1e-12);
            }
        }
    }

    [Fact]
    public void HolmAdjust_FourTests_MatchesHandComputation()
    {
        // Sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → running max 0.06.
        var adjusted = MultipleTesting.HolmAdjust([0.01, 0.04, 0.03, 0.005]);

        Assert.Equal([0.03, 0.06, 0.06, 0.02], adjusted.Select(a => Math.Round(a, 12)));
    }

    [Fact]
    public void HolmAdjust_NaN_LeftOutOfTheFamily()
    {
        // m = 2: 0.01·2 = 0.02, 0.04·1 = 0.04.
        var adjusted = MultipleTesting.HolmAdjust([0.01, double.NaN, 0.04]);

        Assert.Equal(0.02, adjusted[0], 12);
        Assert.True(double.IsNaN(adjusted[1]));
        Assert.Equal(0.04, adjusted[2], 12);
    }

    [Fact]
    public void HolmAdjust_Empty_Empty()
    {
        Assert.Empty(MultipleTesting.HolmAdjust([]));
    }

    [Fact]
    public void HolmAdjust_PValueOutsideUnitInterval_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MultipleTesting.HolmAdjust([0.5, 1.5]));
    }
}
