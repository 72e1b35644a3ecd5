using Targeting.Engine.Statistics;

namespace Targeting.Engine.Tests.Statistics;

public class DisproportionalityTests
{
    private static readonly Dictionary<BroadEthnicGroup, long> Population = new()
    {
        [BroadEthnicGroup.White] = 98275,
        [BroadEthnicGroup.Black] = 46807,
        [BroadEthnicGroup.Asian] = 56580,
        [BroadEthnicGroup.Other] = 7883,
        [BroadEthnicGroup.Mixed] = 9321,
    };

    [Fact]
    public void Compute_FourGroups_RatesPerThousandAndRatiosToWhite()
    {
        var searches = new Dictionary<BroadEthnicGroup, long>
        {
            [BroadEthnicGroup.White] = 61,
            [BroadEthnicGroup.Black] = 250,
            [BroadEthnicGroup.Asian] = 40,
            [BroadEthnicGroup.Other] = 0,
        };

        var table = Disproportionality.Compute(searches, Population, unknown: 7);

        Assert.Equal([BroadEthnicGroup.White, BroadEthnicGroup.Black, BroadEthnicGroup.Asian, BroadEthnicGroup.Other, BroadEthnicGroup.Mixed], table.Groups.Select(g => g.Group));
        // Black: 250/46,807 × 1,000 = 5.3411; White: 61/98,275 × 1,000 = 0.62071; ratio 8.6048.
        var black = table.For(BroadEthnicGroup.Black)!;
        Reference.Close(250.0 / 46807 * 1000, black.RatePer1000.Value, "black rate", 1e-14);
        Reference.Close(250.0 / 46807 / (61.0 / 98275), black.RatioToReference!.Value, "black ratio", 1e-12);
        Assert.Equal(PoissonRates.RateRatio(250, 46807, 61, 98275), black.RatioToReference);
        Assert.Null(table.For(BroadEthnicGroup.White)!.RatioToReference);
        // No searches of Other: rate 0 with an exact upper bound, ratio continuity-corrected and flagged.
        var other = table.For(BroadEthnicGroup.Other)!;
        Assert.Equal(0.0, other.RatePer1000.Value);
        Assert.True(other.RatioToReference!.ContinuityCorrected);
        Assert.Equal(7, table.Unknown);
        Assert.Equal(0, table.Unrated);
    }

    [Fact]
    public void Compute_GroupWithoutPopulation_Unrated()
    {
        var searches = new Dictionary<BroadEthnicGroup, long> { [BroadEthnicGroup.White] = 10, [BroadEthnicGroup.Mixed] = 4 };
        var officerPopulations = Disproportionality.OfficerDefinedPopulations(Population);

        var table = Disproportionality.Compute(searches, officerPopulations);

        Assert.DoesNotContain(table.Groups, g => g.Group == BroadEthnicGroup.Mixed);
        Assert.Equal(4, table.Unrated);
    }

    [Fact]
    public void Compute_ZeroPopulation_RateUndefined()
    {
        var table = Disproportionality.Compute(
            new Dictionary<BroadEthnicGroup, long> { [BroadEthnicGroup.White] = 10, [BroadEthnicGroup.Black] = 3 },
            new Dictionary<BroadEthnicGroup, long> { [BroadEthnicGroup.White] = 1000, [BroadEthnicGroup.Black] = 0 });

        Assert.False(table.For(BroadEthnicGroup.Black)!.RatePer1000.IsDefined);
        Assert.False(table.For(BroadEthnicGroup.Black)!.RatioToReference!.IsDefined);
    }

    [Fact]
    public void OfficerDefinedPopulations_CountAsOther_MixedAddedToOther()
    {
        var result = Disproportionality.OfficerDefinedPopulations(Population, MixedResidents.CountAsOther);

        Assert.False(result.ContainsKey(BroadEthnicGroup.Mixed));
        Assert.Equal(7883 + 9321, result[BroadEthnicGroup.Other]);
        Assert.Equal(98275, result[BroadEthnicGroup.White]);
    }

    [Fact]
    public void Compute_NegativeSearches_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Disproportionality.Compute(
            new Dictionary<BroadEthnicGroup, long> { [BroadEthnicGroup.Mixed] = -1 }, Population));
    }
}
