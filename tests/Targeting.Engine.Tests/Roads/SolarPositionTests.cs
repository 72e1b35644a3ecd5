using System.Globalization;
using System.Text.Json;
using Targeting.Engine.Roads;
using Targeting.Testing;

namespace Targeting.Engine.Tests.Roads;

public class SolarPositionTests
{
    private static readonly string ScriptDirectory = RepoPaths.InRepo("tests", "reference", "roads");

    // Published tables, sunset in local clock time (whole minutes); the done-when tolerance is 2 minutes.
    public static TheoryData<string, double, double, string, int, string> PublishedSunsets => new()
    {
        // London (51.51 N, 0.13 W): sunset 17:01 GMT on Friday 7 February 2025, the year's first after 5 pm
        // (Secret London, "London's first 5pm sunset", quoting timeanddate.com). The rest of the year in London
        // and Providence is checked against PyEphem below.
        { "London", 51.51, -0.13, "2025-02-07", 0, "17:01" },

        // Newport, Rhode Island (41.49 N, 71.31 W), either side of the end of daylight time in 2021: sunset
        // 5:35 pm EDT on Saturday 6 November and 4:33 pm EST on Sunday 7 November (What'sUpNewp, 2021-11,
        // "Reminder: Fall back this weekend").
        { "Newport RI", 41.49, -71.31, "2021-11-06", -4, "17:35" },
        { "Newport RI", 41.49, -71.31, "2021-11-07", -5, "16:33" },

        // Fredonia, Arizona (W112 31, N36 57; Zone 7h West, no daylight time): U.S. Naval Observatory,
        // Astronomical Applications Dept., "Rise and Set for the Sun for 2023", the 15th of each month (the table
        // as quoted in the skyfield repository, skyfielders/python-skyfield, in its USNO "rising" check script).
        { "Fredonia AZ", 36.95, -112.5167, "2023-01-15", -7, "17:37" },
        { "Fredonia AZ", 36.95, -112.5167, "2023-02-15", -7, "18:10" },
        { "Fredonia AZ", 36.95, -112.5167, "2023-03-15", -7, "18:37" },
        { "Fredonia AZ", 36.95, -112.5167, "2023-04-15", -7, "19:05" },
        { "Fredonia AZ", 36.95, -112.5167, "2023-05-15", -7, "19:31" },
        { "Fredonia AZ", 36.95, -112.5167, "2023-06-15", -7, "19:51" },
        { "Fredonia AZ", 36.95, -112.5167, "2023-07-15", -7, "19:49" },
        { "Fredonia AZ", 36.95, -112.5167, "2023-08-15", -7, "19:22" },
        { "Fredonia AZ", 36.95, -112.5167, "2023-09-15", -7, "18:38" },
        { "Fredonia AZ", 36.95, -112.5167, "2023-10-15", -7, "17:54" },
        { "Fredonia AZ", 36.95, -112.5167, "2023-11-15", -7, "17:21" },
        { "Fredonia AZ", 36.95, -112.5167, "2023-12-15", -7, "17:15" },
    };

    [Theory]
    [MemberData(nameof(PublishedSunsets))]
    public void Sunset_MatchesPublishedTable_WithinTwoMinutes(string place, double latitude, double longitude, string date, int utcOffsetHours, string published)
    {
        var day = DateOnly.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var sunset = SolarPosition.Sunset(day, latitude, longitude);

        Assert.NotNull(sunset);
        var local = sunset.Value.ToOffset(TimeSpan.FromHours(utcOffsetHours));
        var expected = new DateTimeOffset(day.ToDateTime(TimeOnly.ParseExact(published, "HH:mm", CultureInfo.InvariantCulture)), TimeSpan.FromHours(utcOffsetHours));
        // A table's minute is the rounded time, so the true time lies within ±30 s of it.
        var error = Math.Abs((local - expected).TotalMinutes);
        Assert.True(error <= 2.0, $"{place} {date}: sunset {local:HH:mm:ss}, published {published} ({error:0.00} min apart)");
    }

    [Fact]
    public void CivilDusk_MatchesUsnoTwilightTable_Boston()
    {
        // U.S. Naval Observatory, "Civil Twilight for 2024", Boston MA (42.32 N, 71.09 W): end of civil
        // twilight on 21 June at 19:59 EST = 00:59 UT on 22 June (as quoted in the moira project's tests,
        // USNO twilight test, case "Boston civil dusk").
        var dusk = SolarPosition.CivilDusk(new DateOnly(2024, 6, 21), 42.32, -71.09);

        Assert.NotNull(dusk);
        var error = Math.Abs((dusk.Value - new DateTimeOffset(2024, 6, 22, 0, 59, 0, TimeSpan.Zero)).TotalMinutes);
        Assert.True(error <= 2.0, $"civil dusk {dusk:O}, {error:0.00} min from the table");
    }

    [Fact]
    public void Events_MatchPyEphem_LondonAndProvidence_WithinOneMinute()
    {
        // Committed output of tests/reference/roads/solar_reference.py (PyEphem): 96 sunsets and 96 dusks.
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(ScriptDirectory, "solar_reference.json")));
        var events = document.RootElement.GetProperty("events").EnumerateArray().ToArray();
        Assert.Equal(96, events.Length);
        var worst = 0.0;
        foreach (var e in events)
        {
            var date = DateOnly.ParseExact(e.GetProperty("date").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            var lat = e.GetProperty("lat").GetDouble();
            var lng = e.GetProperty("lng").GetDouble();
            foreach (var (name, actual) in new[]
            {
                ("sunset_utc", SolarPosition.Sunset(date, lat, lng)),
                ("civil_dusk_utc", SolarPosition.CivilDusk(date, lat, lng)),
            })
            {
                var expected = DateTimeOffset.Parse(e.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);
                Assert.NotNull(actual);
                var error = Math.Abs((actual.Value - expected).TotalMinutes);
                worst = Math.Max(worst, error);
                Assert.True(error <= 1.0, $"{e.GetProperty("place").GetString()} {date} {name}: {actual:O} vs PyEphem {expected:O}");
            }
        }

        // The two algorithms differ in the order of seconds, not a minute.
        Assert.True(worst < 0.5, $"largest difference {worst:0.00} min");
    }

    [Fact]
    public void SolarReferenceScript_Rerun_MatchesCommittedJson()
    {
        var fresh = JsonDocument.Parse(ReferenceScripts.RunPython(ScriptDirectory, "solar_reference.py")).RootElement;
        if (fresh.TryGetProperty("skip", out var why))
        {
            Assert.Skip(why.GetString()!);
        }

        using var committed = JsonDocument.Parse(File.ReadAllText(Path.Combine(ScriptDirectory, "solar_reference.json")));
        Assert.Equal(committed.RootElement.GetProperty("events").ToString(), fresh.GetProperty("events").ToString());
    }

    [Fact]
    public void Declination_AndEquationOfTime_MatchMeeusExample()
    {
        // Meeus (1991), Example 24.a: 1992 October 13.0 TD, apparent declination −7°47′06″ (= −7.78507°);
        // Example 27.a (equation of time): 13m42.7s at that instant. The low-precision formulas carry
        // ~0.01° and a few seconds of error.
        var sun = SolarPosition.At(2448908.5);

        Assert.InRange(sun.DeclinationDegrees, -7.78507 - 0.01, -7.78507 + 0.01);
        Assert.InRange(sun.EquationOfTimeMinutes, 13.712 - 0.1, 13.712 + 0.1);
    }

    [Fact]
    public void JulianDay_OfJ2000_IsTheEpoch()
    {
        Assert.Equal(2451545.0, SolarPosition.JulianDay(new DateTimeOffset(2000, 1, 1, 12, 0, 0, TimeSpan.Zero)), 9);
        Assert.Equal(2451545.0, SolarPosition.JulianDay(new DateTimeOffset(2000, 1, 1, 7, 0, 0, TimeSpan.FromHours(-5))), 9);
    }

    [Fact]
    public void CivilDusk_IsNull_WhenTwilightDoesNotEnd()
    {
        // Tórshavn, Faroe Islands (62.01 N) at midsummer: the Sun's centre stays above −6° all night
        // (lowest altitude −(90 − 62.01 − 23.44) = −4.6°), but it does set.
        Assert.Null(SolarPosition.CivilDusk(new DateOnly(2024, 6, 21), 62.01, -6.77));
        Assert.NotNull(SolarPosition.Sunset(new DateOnly(2024, 6, 21), 62.01, -6.77));
        // Tromsø (69.65 N) at midsummer: no sunset at all.
        Assert.Null(SolarPosition.Sunset(new DateOnly(2024, 6, 21), 69.65, 18.96));
    }

    [Theory]
    [InlineData(91.0, 0.0, 90.833)]
    [InlineData(0.0, 181.0, 90.833)]
    [InlineData(0.0, 0.0, 180.0)]
    [InlineData(double.NaN, 0.0, 90.833)]
    public void EveningEvent_RejectsOutOfRangeArguments(double latitude, double longitude, double zenith)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SolarPosition.EveningEvent(new DateOnly(2024, 1, 1), latitude, longitude, zenith));
    }

    [Fact]
    public void DailyEphemeris_AgreesWithFullEvaluation_WithinASecond()
    {
        var ephemeris = new DailyEphemeris(new DateOnly(2007, 1, 1), new DateOnly(2007, 12, 31));
        for (var date = new DateOnly(2007, 1, 1); date <= new DateOnly(2007, 12, 31); date = date.AddDays(7))
        {
            foreach (var (lat, lng) in new[] { (41.824, -71.413), (51.5074, -0.1278), (-33.87, 151.21) })
            {
                var exact = SolarPosition.EventMinutes(ephemeris.MidnightJulianDay(date), lat, lng, SolarPosition.CivilTwilightZenith, SolarPosition.At);
                var fast = SolarPosition.EventMinutes(ephemeris.MidnightJulianDay(date), lat, lng, SolarPosition.CivilTwilightZenith, ephemeris.At);
                Assert.NotNull(exact);
                Assert.True(Math.Abs(exact.Value - fast!.Value) * 60 < 1.0, $"{date} ({lat}, {lng}): {exact} vs {fast} minutes");
            }
        }
    }
}
