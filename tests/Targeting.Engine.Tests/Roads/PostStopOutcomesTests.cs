using System.Text.Json;
using Targeting.Engine.Roads;
using Targeting.Engine.Statistics;
using Targeting.Testing;

namespace Targeting.Engine.Tests.Roads;

public class PostStopOutcomesTests
{
    private static readonly string ScriptDirectory = RepoPaths.InRepo("tests", "reference", "roads");
    private static readonly DateTimeOffset Monday = new(2024, 3, 4, 18, 30, 0, TimeSpan.Zero);

    private static IEnumerable<VehicleStop> Stops(int count, string? ethnicity, bool searched = false, bool? found = null, bool arrested = false, string? outcome = "Warning") =>
        Enumerable.Range(0, count).Select(_ => new VehicleStop
        {
            Time = Monday,
            Ethnicity = ethnicity,
            Searched = searched,
            Found = found,
            Arrested = arrested,
            Outcome = outcome,
        });

    private static List<VehicleStop> Small() =>
    [
        // White: 100 stops, 20 searches, 10 finds, 6 arrests after a search, 2 arrests without one.
        .. Stops(80, "White", arrested: false),
        .. Stops(10, "White", searched: true, found: true, arrested: true, outcome: "Arrest"),
        .. Stops(10, "White", searched: true, found: false),
        // Black: 50 stops, 20 searches, 2 finds (one with an arrest), find not recorded for 4.
        .. Stops(30, "Black", outcome: "Citation"),
        .. Stops(2, "Black", searched: true, found: true, arrested: true, outcome: "Arrest"),
        .. Stops(14, "Black", searched: true, found: false),
        .. Stops(4, "Black", searched: true, found: null, outcome: null),
        .. Stops(3, null),
    ];

    [Fact]
    public void Compute_SmallInput_GivesHandCountedRates()
    {
        var table = PostStopOutcomes.Compute(Small());

        Assert.Equal(3, table.NoEthnicity);
        Assert.Equal(["Black", "White"], table.Groups.Select(g => g.Group));
        var black = table.For("Black")!;
        Assert.Equal(50, black.Stops);
        Assert.Equal((20L, 50.0), (black.SearchRate.Numerator, black.SearchRate.Denominator));
        Assert.Equal((2L, 16.0), (black.FindRate.Numerator, black.FindRate.Denominator));
        Assert.Equal((2L, 50.0), (black.ArrestRate.Numerator, black.ArrestRate.Denominator));
        Assert.Equal((2L, 20.0), (black.SearchArrestRate.Numerator, black.SearchArrestRate.Denominator));
        Assert.Equal(4, black.NoOutcome);
        Assert.Equal(["Citation", "Warning", "Arrest"], black.Outcomes.Select(o => o.Outcome));
        Assert.Equal(new long[] { 30, 14, 2 }, black.Outcomes.Select(o => o.Count));
        Assert.Equal(30.0 / 50, black.Outcomes[0].Share.Value, 12);

        // The intervals are the shared Wilson implementation (checked against scipy in ProportionsTests).
        Assert.Equal(Proportions.Wilson(20, 50).Lower, black.SearchRate.Lower, 15);
        var white = table.For("White")!;
        Assert.Null(white.FindComparison);
        Assert.True(double.IsNaN(white.FindPValueHolm));
        Assert.False(white.Alert);
    }

    [Fact]
    public void Compute_LowerFindRate_RaisesTheLoweredBarAlert()
    {
        // Black finds 2/16 = 12.5% against White 10/20 = 50%: pooled z by hand.
        var table = PostStopOutcomes.Compute(Small());
        var black = table.For("Black")!;

        var pooled = 12.0 / 36;
        var z = (2.0 / 16 - 10.0 / 20) / Math.Sqrt(pooled * (1 - pooled) * (1.0 / 16 + 1.0 / 20));
        Assert.Equal(z, black.FindComparison!.Z, 12);
        // One group tested: Holm leaves its p-value as it is.
        Assert.Equal(black.FindComparison.PValueSmaller, black.FindPValueHolm, 15);
        Assert.True(black.FindPValueHolm < 0.05);
        Assert.True(black.FindAlert);
        Assert.Contains("find rate of searches of Black drivers 12.5% (2/16)", black.AlertReason);
        // Arrests after a search: 2/20 against 10/20, also lower.
        Assert.True(black.ArrestAlert);
    }

    [Fact]
    public void Compute_EqualRates_RaiseNoAlert()
    {
        var stops = Stops(50, "White", searched: true, found: true).Concat(Stops(50, "White", searched: true, found: false))
            .Concat(Stops(25, "Asian", searched: true, found: true)).Concat(Stops(25, "Asian", searched: true, found: false)).ToList();

        var asian = PostStopOutcomes.Compute(stops).For("Asian")!;

        Assert.Equal(0.0, asian.FindComparison!.Difference, 15);
        Assert.False(asian.Alert);
        Assert.Null(asian.AlertReason);
    }

    [Fact]
    public void RhodeIsland_RatesAndHolmPValues_MatchTheIndependentScript()
    {
        var stops = RhodeIslandStops.Load();
        var reference = JsonDocument.Parse(ReferenceScripts.RunPython(ScriptDirectory, "rhode_island_outcomes.py", RhodeIslandStops.Path)).RootElement;

        var table = PostStopOutcomes.Compute(stops);

        var groups = reference.GetProperty("groups").EnumerateObject().ToArray();
        Assert.Equal(groups.Select(g => g.Name), table.Groups.Select(g => g.Group));
        Assert.Equal(3256, table.For("Black")!.Stops); // the README's count
        foreach (var g in groups)
        {
            var row = table.For(g.Name)!;
            Assert.Equal(g.Value.GetProperty("stops").GetInt64(), row.Stops);
            Same(g.Value.GetProperty("search_rate"), row.SearchRate, g.Name + " search rate");
            Same(g.Value.GetProperty("arrest_rate"), row.ArrestRate, g.Name + " arrest rate");
            Same(g.Value.GetProperty("search_arrest_rate"), row.SearchArrestRate, g.Name + " arrest rate of searches");
            var outcomes = g.Value.GetProperty("outcomes").EnumerateObject().ToArray();
            Assert.Equal(outcomes.Length, row.Outcomes.Count);
            foreach (var o in outcomes)
            {
                Same(o.Value, row.Outcomes.Single(x => x.Outcome == o.Name).Share, $"{g.Name} {o.Name}");
            }

            if (g.Value.GetProperty("arrest_p_holm").ValueKind == JsonValueKind.Number)
            {
                ReferenceScripts.Close(g.Value.GetProperty("arrest_p_holm").GetDouble(), row.ArrestPValueHolm, g.Name + " Holm p", 1e-9, 1e-15);
            }

            // The file records no finds: the find rate is undefined, never 0.
            Assert.False(row.FindRate.IsDefined);
        }
    }

    private static void Same(JsonElement expected, Estimate actual, string what)
    {
        Assert.Equal(expected.GetProperty("x").GetInt64(), actual.Numerator);
        Assert.Equal(expected.GetProperty("n").GetInt64(), (long)actual.Denominator);
        ReferenceScripts.Close(expected.GetProperty("value").GetDouble(), actual.Value, what, 1e-12, 1e-15);
        ReferenceScripts.Close(expected.GetProperty("lower").GetDouble(), actual.Lower, what + " lower", 1e-9, 1e-12);
        ReferenceScripts.Close(expected.GetProperty("upper").GetDouble(), actual.Upper, what + " upper", 1e-9, 1e-12);
    }
}
