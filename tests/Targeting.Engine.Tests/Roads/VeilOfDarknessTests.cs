using System.Globalization;
using System.Text;
using System.Text.Json;
using Targeting.Engine.Roads;
using Targeting.Testing;

namespace Targeting.Engine.Tests.Roads;

public class VeilOfDarknessTests(ITestOutputHelper output)
{
    private static readonly string ScriptDirectory = RepoPaths.InRepo("tests", "reference", "roads");
    private static readonly TimeSpan Eastern = TimeSpan.FromHours(-5);

    private static readonly VeilOfDarknessOptions RhodeIsland = new()
    {
        DefaultLatitude = RhodeIslandStops.Latitude,
        DefaultLongitude = RhodeIslandStops.Longitude,
    };

    [Fact]
    public void RhodeIsland_BlackDarknessCoefficient_AgreesWithStatsmodels_WithinTwoPercent()
    {
        var stops = RhodeIslandStops.Load();
        var inWindow = VeilOfDarkness.Window(stops, RhodeIsland, out _, out _, out _);
        var (sample, _, _, _) = VeilOfDarkness.Sample(inWindow, "Black", RhodeIsland);
        var csv = new StringBuilder("y,dark,minute,place\n");
        foreach (var t in sample)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{(t.Stop.Ethnicity == "Black" ? 1 : 0)},{(t.IsDark ? 1 : 0)},{t.Minute:R},{t.Stop.Place}\n");
        }

        // The test writes the prepared sample to a temporary file too, for a person to rerun the script on.
        var directory = Directory.CreateTempSubdirectory("roads-vod-");
        File.WriteAllText(Path.Combine(directory.FullName, "ri_black_sample.csv"), csv.ToString());
        var reference = JsonDocument.Parse(ReferenceScripts.RunPython(ScriptDirectory, "veil_of_darkness_reference.py", csv.ToString())).RootElement;
        directory.Delete(recursive: true);

        var result = VeilOfDarkness.Run(stops, RhodeIsland with { Groups = ["Black"] }).For("Black")!;

        Assert.True(result.IsEstimable, result.Note);
        Assert.Equal(reference.GetProperty("n").GetInt64(), result.Counts.Used);
        var knots = reference.GetProperty("knots").EnumerateArray().Select(k => k.GetDouble()).ToArray();
        Assert.Equal(knots.Length, result.Knots.Count);
        for (var k = 0; k < knots.Length; k++)
        {
            ReferenceScripts.Close(knots[k], result.Knots[k], $"knot {k}", 1e-12, 1e-9);
        }

        // Done-when: within 2%; the two fits are of the same model, so they agree far closer.
        ReferenceScripts.Close(reference.GetProperty("coefficient").GetDouble(), result.Coefficient, "darkness coefficient", 0.02, 0);
        ReferenceScripts.Close(reference.GetProperty("lower").GetDouble(), result.Lower, "CI lower", 0.02, 0);
        ReferenceScripts.Close(reference.GetProperty("upper").GetDouble(), result.Upper, "CI upper", 0.02, 0);
        ReferenceScripts.Close(reference.GetProperty("coefficient").GetDouble(), result.Coefficient, "darkness coefficient (tight)", 1e-6, 1e-9);
        ReferenceScripts.Close(reference.GetProperty("se").GetDouble(), result.StandardError, "SE (tight)", 1e-5, 1e-9);
        Assert.Equal(Math.Exp(result.Coefficient), result.OddsRatio, 12);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Black vs White: β = {result.Coefficient:0.00000} [{result.Lower:0.00000}, {result.Upper:0.00000}], OR {result.OddsRatio:0.0000}; statsmodels β = {reference.GetProperty("coefficient").GetDouble():0.00000} [{reference.GetProperty("lower").GetDouble():0.00000}, {reference.GetProperty("upper").GetDouble():0.00000}]; n = {result.Counts.Used} ({result.Counts})"));
    }

    [Fact]
    public void RhodeIsland_WindowAndCounts_AreThoseOfProvidenceDusk()
    {
        var result = VeilOfDarkness.Run(RhodeIslandStops.Load(), RhodeIsland);

        // Dusk at Providence runs from about 16:52 EST (early December) to 20:58 EDT (late June).
        Assert.InRange(result.WindowStartMinute, 16 * 60 + 45, 16 * 60 + 58);
        Assert.InRange(result.WindowEndMinute, 20 * 60 + 52, 21 * 60 + 5);
        var c = result.Counts;
        Assert.Equal(27918, c.Stops); // the README says 27,917; the file has 27,918 rows after the header, the last cut short
        Assert.Equal(1454, c.NoEthnicity); // the README's blank-race count
        Assert.Equal(c.Stops, c.NoEthnicity + c.NoPlace + c.NoLocation + c.NoDusk + c.OutsideWindow + c.InTwilight + c.InWindow);
        Assert.Equal(["Asian", "Black", "Hispanic", "Other"], result.Groups.Select(g => g.Group));
    }

    [Fact]
    public void Run_ClassifiesLightTwilightAndDark_ByTheStopsOwnDusk()
    {
        // Providence (PyEphem): on 2007-01-15 sunset 16:39:32 EST, dusk 17:10:16 EST; on 2007-06-15 sunset
        // 20:22:13 EDT, dusk 20:56:31 EDT. So the window is 17:10–20:56 with these two dates.
        var stops = new List<VehicleStop>();
        void Add(int month, int hour, int minute, string ethnicity, int offset) => stops.Add(new VehicleStop
        {
            Time = new DateTimeOffset(2007, month, 15, hour, minute, 0, TimeSpan.FromHours(offset)),
            Ethnicity = ethnicity,
            Place = "Zone A",
        });
        Add(1, 17, 0, "White", -5);  // before the window (earliest dusk is 17:10)
        Add(1, 17, 30, "Black", -5); // January, after dusk: dark
        Add(6, 17, 30, "White", -4); // June, same clock time: light
        Add(6, 20, 40, "White", -4); // June, between sunset (20:22) and dusk: twilight, dropped
        Add(6, 20, 50, "Black", -4); // twilight, dropped
        Add(1, 21, 30, "White", -5); // after the latest dusk: outside

        var inWindow = VeilOfDarkness.Window(stops, RhodeIsland, out var counts, out var start, out var end);

        Assert.Equal(2, inWindow.Count);
        Assert.True(inWindow.Single(t => t.Stop.Time.Month == 1).IsDark);
        Assert.False(inWindow.Single(t => t.Stop.Time.Month == 6).IsDark);
        Assert.Equal(2, counts.OutsideWindow);
        Assert.Equal(2, counts.InTwilight);
        Assert.InRange(start, 17 * 60 + 10.27 - 0.5, 17 * 60 + 10.27 + 0.5);
        Assert.InRange(end, 20 * 60 + 56.52 - 0.5, 20 * 60 + 56.52 + 0.5);
    }

    [Fact]
    public void Run_SimulatedSelectionInDaylight_GivesANegativeCoefficient_AndNoneWithout()
    {
        // Drivers are 30% Black at every clock time; with selection, officers stop Black drivers at twice
        // the rate in daylight only. Under selection the share of Black drivers among stops falls after dusk.
        var biased = Simulate(daylightFactor: 2.0, seed: 1);
        var fair = Simulate(daylightFactor: 1.0, seed: 2);

        var b = VeilOfDarkness.Run(biased, RhodeIsland).For("Black")!;
        var f = VeilOfDarkness.Run(fair, RhodeIsland).For("Black")!;

        Assert.True(b.IsEstimable && f.IsEstimable);
        Assert.True(b.Upper < 0, $"biased: β = {b.Coefficient:0.000} [{b.Lower:0.000}, {b.Upper:0.000}]");
        // The true darkness odds ratio under selection is 1/2: ln(0.5) = −0.69.
        Assert.InRange(b.Coefficient, -0.69 - 0.25, -0.69 + 0.25);
        Assert.True(f.Lower < 0 && f.Upper > 0, $"fair: β = {f.Coefficient:0.000} [{f.Lower:0.000}, {f.Upper:0.000}]");
        Assert.Equal(2, b.Places.Count);
    }

    [Fact]
    public void Run_GroupAbsentFromThePlace_IsDroppedAndCounted()
    {
        var stops = Simulate(1.0, seed: 3);
        stops.AddRange(Enumerable.Range(0, 40).Select(i => new VehicleStop
        {
            Time = new DateTimeOffset(2007, 3, 1 + i % 28, 18, 0, 0, Eastern),
            Ethnicity = "White",
            Place = "Zone Only White",
        }));

        var result = VeilOfDarkness.Run(stops, RhodeIsland).For("Black")!;

        Assert.True(result.IsEstimable, result.Note);
        Assert.Equal(1, result.Counts.DroppedPlaces);
        Assert.True(result.Counts.DroppedStops > 0);
        Assert.DoesNotContain("Zone Only White", result.Places);
    }

    [Fact]
    public void Run_LeavesOutStopsWithoutEthnicityPlaceOrLocation_AndSaysSo()
    {
        var stops = new List<VehicleStop>
        {
            new() { Time = new DateTimeOffset(2007, 1, 15, 18, 0, 0, Eastern), Place = "A" },
            new() { Time = new DateTimeOffset(2007, 1, 15, 18, 0, 0, Eastern), Ethnicity = "White" },
            new() { Time = new DateTimeOffset(2007, 1, 15, 18, 0, 0, Eastern), Ethnicity = "White", Place = "A" },
        };

        var result = VeilOfDarkness.Run(stops, new VeilOfDarknessOptions());

        Assert.Equal(new VeilOfDarknessCounts(3, 1, 1, 1, 0, 0, 0, 0), result.Counts);
        Assert.Empty(result.Groups);
        Assert.True(double.IsNaN(result.WindowStartMinute));
        var none = VeilOfDarkness.Run(stops, new VeilOfDarknessOptions { Groups = ["Black"] }).For("Black")!;
        Assert.False(none.IsEstimable);
        Assert.Throws<ArgumentException>(() => VeilOfDarkness.Run(stops, new VeilOfDarknessOptions { DefaultLatitude = 41.8 }));
    }

    // Stops over 2007 between 16:30 and 21:30 local (uniform clock time), two places, Providence's dusk;
    // each is Black with odds 3:7 × (daylightFactor when light).
    private static List<VehicleStop> Simulate(double daylightFactor, int seed)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var random = new Random(seed);
        var stops = new List<VehicleStop>();
        for (var i = 0; i < 20000; i++)
        {
            var date = new DateOnly(2007, 1, 1).AddDays(random.Next(365));
            var local = date.ToDateTime(new TimeOnly(16, 30)).AddMinutes(random.Next(300));
            var time = new DateTimeOffset(local, zone.GetUtcOffset(local));
            var dusk = SolarPosition.CivilDusk(date, RhodeIslandStops.Latitude, RhodeIslandStops.Longitude)!.Value;
            var odds = 3.0 / 7.0 * (time < dusk ? daylightFactor : 1.0);
            stops.Add(new VehicleStop
            {
                Time = time,
                Ethnicity = random.NextDouble() < odds / (1 + odds) ? "Black" : "White",
                Place = random.Next(2) == 0 ? "Zone A" : "Zone B",
            });
        }

        return stops;
    }
}
