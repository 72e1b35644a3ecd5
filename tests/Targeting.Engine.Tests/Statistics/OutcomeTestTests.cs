using Targeting.Engine.Statistics;

namespace Targeting.Engine.Tests.Statistics;

public class OutcomeTestTests
{
    private static List<OutcomeCounts> ReferenceGroups() =>
        Reference.Root.GetProperty("outcome_test").GetProperty("groups").EnumerateArray()
            .Select(g => g.EnumerateArray().ToArray())
            .Select(g => new OutcomeCounts(g[0].GetString()!, g[1].GetInt64(), g[2].GetInt64(), g[3].GetInt64(), g[4].GetInt64(), g[5].GetInt64(), g[6].GetInt64()))
            .ToList();

    [Fact]
    public void Run_ReferenceGroups_OneSidedAndHolmMatchStatsmodels()
    {
        var rows = OutcomeTest.Run(ReferenceGroups());

        foreach (var expected in Reference.Root.GetProperty("outcome_test").GetProperty("rows").EnumerateArray())
        {
            var row = rows.Single(r => r.Group == expected.GetProperty("group").GetString());
            var finds = expected.GetProperty("kind").GetString() == "finds";
            var comparison = finds ? row.Finds : row.Arrests;
            var holm = finds ? row.FindPValueHolm : row.ArrestPValueHolm;
            Reference.Close(expected.D("p_smaller"), comparison.PValueSmaller, $"{row.Group} {(finds ? "finds" : "arrests")} p");
            Reference.Close(expected.D("p_holm"), holm, $"{row.Group} {(finds ? "finds" : "arrests")} Holm p");
        }
    }

    [Fact]
    public void Run_ReferenceGroups_AlertsOnlyWhereInsideSignificantlyLower()
    {
        var rows = OutcomeTest.Run(ReferenceGroups());

        // Black: finds 180/900 = 20% inside vs 567/2100 = 27% outside, Holm p ≈ 9.7e-5 → alert;
        // arrests 11% vs 14%, Holm p ≈ 0.051 → no alert at α = 0.05.
        var black = rows.Single(r => r.Group == "Black");
        Assert.True(black.FindAlert);
        Assert.False(black.ArrestAlert);
        Assert.True(black.Alert);
        Assert.Contains("find rate inside patrol areas 20.0% (180/900)", black.AlertReason);
        Assert.All(rows.Where(r => r.Group != "Black"), r => Assert.False(r.Alert));
        Assert.All(rows.Where(r => r.Group != "Black"), r => Assert.Null(r.AlertReason));
    }

    [Fact]
    public void Run_GroupWithNoSearchesInside_UntestedAndOutOfTheFamily()
    {
        var rows = OutcomeTest.Run(ReferenceGroups());

        var mixed = rows.Single(r => r.Group == "Mixed");
        Assert.False(mixed.Finds.IsDefined);
        Assert.True(double.IsNaN(mixed.FindPValueHolm));
        Assert.False(mixed.Alert);
    }

    [Fact]
    public void Run_HigherFindRateInside_NoAlert()
    {
        // Inside 60/100 against outside 30/100: the one-sided "inside lower" p is near 1.
        var rows = OutcomeTest.Run([new OutcomeCounts("Black", 100, 60, 30, 100, 30, 15)]);

        Assert.True(rows[0].Finds.PValueSmaller > 0.99);
        Assert.False(rows[0].Alert);
    }

    [Fact]
    public void Run_SingleGroupLowerInside_HolmEqualsRawP()
    {
        // One test: Holm's adjustment leaves p unchanged.
        var rows = OutcomeTest.Run([new OutcomeCounts("Asian", 200, 20, 10, 300, 60, 30)]);

        Assert.Equal(rows[0].Finds.PValueSmaller, rows[0].FindPValueHolm);
        Assert.True(rows[0].FindAlert);
    }

    [Fact]
    public void Run_RepeatedGroup_Throws()
    {
        Assert.Throws<ArgumentException>(() => OutcomeTest.Run([new OutcomeCounts("A", 1, 0, 0, 1, 0, 0), new OutcomeCounts("A", 1, 0, 0, 1, 0, 0)]));
    }

    [Fact]
    public void Run_FindsAboveSearches_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => OutcomeTest.Run([new OutcomeCounts("A", 10, 11, 0, 10, 0, 0)]));
    }
}
