using Targeting.Engine.Roads;

namespace Targeting.Engine.Tests.Roads;

/// <summary>Police.uk records an age range, not an age: the tables keep the recorded band as is.</summary>
public sealed class RecordedAgeBandTests
{
    private static VehicleStop Stop(string? band, int? age = null) =>
        new() { Time = new DateTimeOffset(2022, 6, 1, 21, 0, 0, TimeSpan.FromHours(1)), AgeBand = band, Age = age };

    [Fact]
    public void Describe_RecordedBands_CountedAsRecordedInOrdinalOrderWithUnknownsApart()
    {
        var stops = new[] { Stop("25-34"), Stop("18-24"), Stop("25-34"), Stop("35 and over"), Stop(null), Stop("0-9") };

        var table = RoadsTables.Describe(stops).ByAgeBand;

        Assert.Equal(["0-9", "18-24", "25-34", "35 and over"], table.Rows.Select(r => r.Category));
        Assert.Equal([1L, 1, 2, 1], table.Rows.Select(r => r.Count));
        Assert.Equal((5L, 1L), (table.Known, table.Unknown));
        Assert.Equal(0.4, table.Rows[2].Share.Value, 12);
    }

    [Fact]
    public void Describe_AgesOnly_ComputedBandsInAgeOrder()
    {
        var table = RoadsTables.Describe([Stop(null, 30), Stop(null, 16), Stop(null, 70)]).ByAgeBand;

        Assert.Equal(3, table.Known);
        Assert.Equal(1, table.Rows.First().Count);
        Assert.Equal(1, table.Rows.Last().Count);
    }
}
