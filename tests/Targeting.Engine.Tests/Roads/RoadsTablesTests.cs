using System.Text.Json;
using Targeting.Engine.Roads;
using Targeting.Engine.Statistics;
using Targeting.Testing;

namespace Targeting.Engine.Tests.Roads;

public class RoadsTablesTests
{
    private static readonly string ScriptDirectory = RepoPaths.InRepo("tests", "reference", "roads");

    private static VehicleStop Stop(int day, int hour, string? make = null, string? model = null, int? age = null, DriverSex? sex = null, string? ethnicity = "White") => new()
    {
        // 2024-03-04 is a Monday.
        Time = new DateTimeOffset(2024, 3, 4 + day, hour, 15, 0, TimeSpan.Zero),
        VehicleMake = make,
        VehicleModel = model,
        Age = age,
        Sex = sex,
        Ethnicity = ethnicity,
        Place = day % 2 == 0 ? "Lambeth" : "Barking and Dagenham",
    };

    [Fact]
    public void Describe_SmallInput_GivesHandCountedTables()
    {
        var stops = new List<VehicleStop>
        {
            Stop(0, 0, age: 16, sex: DriverSex.Male),
            Stop(0, 23, age: 17, sex: DriverSex.Female, ethnicity: "Black"),
            Stop(1, 8, age: 24, sex: DriverSex.Male, ethnicity: "Black"),
            Stop(6, 8, age: 65, ethnicity: null),
            Stop(6, 8, age: 90),
        };

        var t = RoadsTables.Describe(stops);

        Assert.Equal(5, t.Stops);
        // Two each: ties in count are broken by name.
        Assert.Equal(["Black", "White"], t.ByEthnicity.Rows.Select(r => r.Category));
        Assert.Equal((4L, 1L), (t.ByEthnicity.Known, t.ByEthnicity.Unknown));
        Assert.Equal(2.0 / 4, t.ByEthnicity.Rows[0].Share.Value, 15);
        Assert.Equal((2L, 1L, 2L), (t.BySex.Count("Male"), t.BySex.Count("Female"), t.BySex.Unknown));
        Assert.Equal(["under 17", "17-24", "25-34", "35-44", "45-54", "55-64", "65 and over"], t.ByAgeBand.Rows.Select(r => r.Category));
        Assert.Equal(new long[] { 1, 2, 0, 0, 0, 0, 2 }, t.ByAgeBand.Rows.Select(r => r.Count));
        Assert.Equal(24, t.ByHour.Rows.Count);
        Assert.Equal((1L, 3L, 1L), (t.ByHour.Count("00"), t.ByHour.Count("08"), t.ByHour.Count("23")));
        Assert.Equal("Monday", t.ByDayOfWeek.Rows[0].Category);
        Assert.Equal((2L, 1L, 2L), (t.ByDayOfWeek.Count("Monday"), t.ByDayOfWeek.Count("Tuesday"), t.ByDayOfWeek.Count("Sunday")));
        Assert.Equal((4L, 1L), (t.ByPlace.Count("Lambeth"), t.ByPlace.Count("Barking and Dagenham")));
    }

    [Fact]
    public void Describe_PublicVehicleTable_SuppressesSmallCountsSoTheyCannotBeDifferenced()
    {
        // FORD 12, VAUXHALL 7, BMW 6, TESLA 2, LOTUS 1: 28 stops with a make.
        var stops = new List<VehicleStop>();
        foreach (var (make, n) in new[] { ("FORD", 12), ("VAUXHALL", 7), ("BMW", 6), ("TESLA", 2), ("LOTUS", 1) })
        {
            stops.AddRange(Enumerable.Range(0, n).Select(i => Stop(i % 7, 10, make, "X")));
        }

        var internalTable = RoadsTables.Describe(stops).VehicleMakes;
        var publicTable = RoadsTables.Describe(stops, new RoadsTablesOptions { Public = true }).VehicleMakes;

        Assert.Equal(["FORD", "VAUXHALL", "BMW", "TESLA", "LOTUS"], internalTable.Rows.Select(r => r.Category));
        // Public: TESLA and LOTUS (3 together) are small, so BMW joins them: "Other" = 9, and 28 − 12 − 7 = 9 gives nothing away.
        Assert.Equal(["FORD", "VAUXHALL", "Other (3 categories)"], publicTable.Rows.Select(r => r.Category));
        Assert.Equal(new long[] { 12, 7, 9 }, publicTable.Rows.Select(r => r.Count));
        Assert.All(publicTable.Rows, r => Assert.True(r.Count >= SmallCountSuppression.DefaultThreshold));
        Assert.Equal(2, RoadsTables.Describe(stops, new RoadsTablesOptions { TopVehicles = 2 }).VehicleModels.Rows.Count - 1);
    }

    [Fact]
    public void Describe_SelfAgainstOfficerDefined_UsesTheEnginesCrossTable()
    {
        var stops = new List<VehicleStop>
        {
            Stop(0, 9) with { OfficerDefinedEthnicity = BroadEthnicGroup.Black, SelfDefinedEthnicity = DetailedEthnicGroup.BlackAfrican },
            Stop(0, 9) with { OfficerDefinedEthnicity = BroadEthnicGroup.Black, SelfDefinedEthnicity = DetailedEthnicGroup.MixedWhiteAndBlackCaribbean },
            Stop(0, 9) with { OfficerDefinedEthnicity = BroadEthnicGroup.White, SelfDefinedEthnicity = DetailedEthnicGroup.NotStated },
            Stop(0, 9),
        };

        var table = RoadsTables.Describe(stops).SelfVersusOfficerDefined;

        Assert.Equal(3, table.Total);
        Assert.Equal(2, table.BothKnown);
        Assert.Equal(1, table.Count(BroadEthnicGroup.Black, BroadEthnicGroup.Mixed));
        Assert.Equal(1, table.Count(BroadEthnicGroup.White, null));
        Assert.Equal(0.5, table.Agreement.Value, 15);
    }

    [Fact]
    public void PerThousand_GivesPoissonRatesAndRatiosToWhite()
    {
        var stops = Enumerable.Range(0, 30).Select(_ => Stop(0, 9, ethnicity: "Black"))
            .Concat(Enumerable.Range(0, 40).Select(_ => Stop(0, 9))).ToList();
        var population = new Dictionary<string, long> { ["Black"] = 10_000, ["White"] = 40_000 };

        var rates = RoadsTables.PerThousand(stops, population);

        Assert.Equal(["Black", "White"], rates.Select(r => r.Group));
        Assert.Equal(3.0, rates[0].RatePer1000.Value, 12);
        Assert.Equal(1.0, rates[1].RatePer1000.Value, 12);
        Assert.Equal(3.0, rates[0].RatioToReference!.Value, 12);
        Assert.Equal(PoissonRates.RateRatio(30, 10_000, 40, 40_000).Lower, rates[0].RatioToReference!.Lower, 15);
        Assert.Null(rates[1].RatioToReference);
        Assert.Contains("weak benchmark", RoadsTables.ResidentCaveat);
    }

    [Fact]
    public void RhodeIsland_PlaceHourAndDayCounts_MatchTheIndependentScript()
    {
        var stops = RhodeIslandStops.Load();
        var reference = JsonDocument.Parse(ReferenceScripts.RunPython(ScriptDirectory, "rhode_island_outcomes.py", RhodeIslandStops.Path)).RootElement;

        var t = RoadsTables.Describe(stops);

        foreach (var (name, table) in new[] { ("district", t.ByPlace), ("hour", t.ByHour), ("weekday", t.ByDayOfWeek) })
        {
            var expected = reference.GetProperty(name).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
            Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), table.Rows.Where(r => r.Count > 0).Select(r => KeyValuePair.Create(r.Category, r.Count)).OrderBy(e => e.Key, StringComparer.Ordinal));
        }

        var black = t.ByEthnicity.Rows.Single(r => r.Category == "Black");
        Assert.Equal(3256, black.Count);
        Assert.Equal(1454, t.ByEthnicity.Unknown);
    }
}
