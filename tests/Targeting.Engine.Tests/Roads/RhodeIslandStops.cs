using System.Globalization;
using Targeting.Engine.Roads;
using Targeting.Import;
using Targeting.Testing;

namespace Targeting.Engine.Tests.Roads;

/// <summary>
/// The Stanford Open Policing Project's Rhode Island subset (../shared/data/open-policing, README there)
/// read into <see cref="VehicleStop"/>s: stop_date + stop_time as America/New_York clock time, district as
/// the place, driver_race as the ethnicity; no coordinates (the state's one point stands in), no finds.
/// A minimal reader for the tests, on Targeting.Import's CSV reader.
/// </summary>
internal static class RhodeIslandStops
{
    public const string Header =
        "state,stop_date,stop_time,county_name,driver_gender,driver_race,violation_raw,violation,search_conducted,search_type,stop_outcome,is_arrested,stop_duration,drugs_related_stop,district";

    /// <summary>Providence, RI (41.824 N, 71.413 W): one point for the whole state, as the Open Policing Project does at state level.</summary>
    public const double Latitude = 41.824;

    /// <summary>Longitude of <see cref="Latitude"/>'s point.</summary>
    public const double Longitude = -71.413;

    private static readonly Lazy<List<VehicleStop>> Cached = new(Read);

    public static string Path => RepoPaths.InSharedData("open-policing", "rhode-island-traffic-stops-2005-2008.csv");

    /// <summary>The file's stops (after <see cref="RepoPaths.RequireSharedData"/>).</summary>
    public static List<VehicleStop> Load()
    {
        RepoPaths.RequireSharedData();
        Assert.True(File.Exists(Path), $"{Path} is missing from the shared data");
        return Cached.Value;
    }

    private static List<VehicleStop> Read()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        using var reader = new StreamReader(Path, detectEncodingFromByteOrderMarks: true);
        var records = CsvRecordReader.ReadAll(reader).ToList();
        Assert.Equal(Header, string.Join(',', records[0].Fields));
        var stops = new List<VehicleStop>();
        for (var r = 1; r < records.Count; r++)
        {
            var f = records[r].Fields;
            // The file's last line is cut short after drugs_related_stop (no district, no newline).
            Assert.True(f.Length == 15 || (f.Length == 14 && r == records.Count - 1), $"record {records[r].RecordNumber}: {f.Length} fields");
            var local = DateTime.ParseExact(f[1] + " " + f[2], "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
            stops.Add(new VehicleStop
            {
                Time = new DateTimeOffset(local, zone.GetUtcOffset(local)),
                Place = f.Length == 15 ? Blank(f[14]) : null,
                Ethnicity = Blank(f[5]),
                Sex = f[4] switch { "M" => DriverSex.Male, "F" => DriverSex.Female, _ => null },
                Searched = f[8] == "TRUE",
                Arrested = f[11] == "TRUE",
                Outcome = Blank(f[10]),
            });
        }

        return stops;
    }

    private static string? Blank(string s) => s.Length == 0 ? null : s;
}
