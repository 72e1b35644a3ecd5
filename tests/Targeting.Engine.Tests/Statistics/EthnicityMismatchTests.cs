using Targeting.Engine.Statistics;

namespace Targeting.Engine.Tests.Statistics;

public class EthnicityMismatchTests
{
    [Fact]
    public void CrossTabulate_MixedPairs_CountsAndAgreement()
    {
        BroadEthnicGroup? W = BroadEthnicGroup.White, B = BroadEthnicGroup.Black, M = BroadEthnicGroup.Mixed, none = null;
        var pairs = new List<(BroadEthnicGroup?, BroadEthnicGroup?)>();
        pairs.AddRange(Enumerable.Repeat((W, W), 40));
        pairs.AddRange(Enumerable.Repeat((B, B), 30));
        pairs.AddRange(Enumerable.Repeat((B, M), 6));
        pairs.AddRange(Enumerable.Repeat((W, M), 4));
        pairs.AddRange(Enumerable.Repeat((B, none), 15));
        pairs.AddRange(Enumerable.Repeat((none, W), 5));

        var table = EthnicityMismatch.CrossTabulate(pairs);

        Assert.Equal(100, table.Total);
        Assert.Equal(80, table.BothKnown);
        // Agreement 70/80 = 0.875 with its Wilson interval.
        Assert.Equal(0.875, table.Agreement.Value);
        Assert.Equal(Proportions.Wilson(70, 80).Lower, table.Agreement.Lower);
        Assert.Equal(6, table.Count(B, M));
        Assert.Equal(15, table.Count(B, none));
        Assert.Equal(0, table.Count(M, B));
        // Officer-defined order White, Black, …, unknown last; self-defined likewise within.
        Assert.Equal([(W, W), (W, M), (B, B), (B, M), (B, none), (none, W)], table.Cells.Select(c => (c.OfficerDefined, c.SelfDefined)));
    }

    [Fact]
    public void CrossTabulate_Empty_UndefinedAgreement()
    {
        var table = EthnicityMismatch.CrossTabulate([]);

        Assert.Empty(table.Cells);
        Assert.Equal(0, table.Total);
        Assert.False(table.Agreement.IsDefined);
    }
}
