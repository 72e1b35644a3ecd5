using Targeting.Common.V1;
using Targeting.Stops.Geography;
using Targeting.Stops.Import;
using Targeting.Stops.Validation;
using Targeting.Stops.V1;
using Targeting.Testing;

namespace Targeting.Stops.Tests.Import;

public sealed class OpenPolicingFileTests : IDisposable
{
    private const string StandardHeader =
        "raw_row_number,date,time,location,lat,lng,district,subject_age,subject_race,subject_sex,type,arrest_made,citation_issued," +
        "warning_issued,outcome,contraband_found,search_conducted,vehicle_make,vehicle_model";

    // The header and first four data rows of ../shared/data/open-policing/rhode-island-traffic-stops-2005-2008.csv, as they are.
    private const string OlderRows = """
        state,stop_date,stop_time,county_name,driver_gender,driver_race,violation_raw,violation,search_conducted,search_type,stop_outcome,is_arrested,stop_duration,drugs_related_stop,district
        RI,2005-01-04,12:55,,M,White,Equipment/Inspection Violation,Equipment,FALSE,,Citation,FALSE,0-15 Min,FALSE,Zone X4
        RI,2005-01-23,23:15,,M,White,Speeding,Speeding,FALSE,,Citation,FALSE,0-15 Min,FALSE,Zone K3
        RI,2005-02-17,04:15,,M,White,Speeding,Speeding,FALSE,,Citation,FALSE,0-15 Min,FALSE,Zone X4
        RI,2005-02-20,17:15,,M,White,Call for Service,Other,FALSE,,Arrest Driver,TRUE,16-30 Min,FALSE,Zone X1
        """;

    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private static readonly LatLng Providence = new() { Latitude = 41.824, Longitude = -71.413 };

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("open-policing-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void StandardColumns_HandCheckedRows_MapToVehicleStopsWithTheirSource()
    {
        var path = Write("standard.csv",
            StandardHeader,
            // A searched stop with contraband, an arrest, a point and a vehicle: 20:45 EDT is 00:45 UTC the next day.
            "1,2017-06-01,20:45:00,Main St,41.8236,-71.4222,Zone K3,34,black,male,vehicular,TRUE,FALSE,FALSE,arrest,TRUE,TRUE,FORD,FOCUS",
            // A citation without a search, NA cells as the project writes them; 07:05 EST is 12:05 UTC.
            "2,2017-01-15,07:05:00,NA,NA,NA,Zone X4,NA,asian/pacific islander,female,vehicular,FALSE,TRUE,FALSE,citation,NA,FALSE,NA,NA",
            // An unknown race is not recorded; 19 years is the 18-24 band.
            "3,2017-07-04,13:00:00,,,,,19,unknown,NA,vehicular,FALSE,FALSE,TRUE,warning,NA,FALSE,HONDA,");

        var file = OpenPolicingFile.Open(path, new OpenPolicingSettings(NewYork, SunReference: Providence));
        var rejected = new List<RejectedRow>();
        var rows = file.ReadBatches(10, rejected).SelectMany(b => b).ToList();

        Assert.Empty(rejected);
        Assert.Equal(OpenPolicingVariant.Standard, file.Variant);
        Assert.Empty(file.MissingColumns);
        Assert.Equal([2L, 3L, 4L], rows.Select(r => r.RowNumber));

        var searched = rows[0].Encounter;
        Assert.Equal(new DateTimeOffset(2017, 6, 2, 0, 45, 0, TimeSpan.Zero), searched.OccurredAt.ToDateTimeOffset());
        Assert.Equal(EncounterType.VehicleSearch, searched.Type);
        Assert.Equal(LegalPower.Unspecified, searched.LegalPower);
        Assert.Equal(Outcome.Arrest, searched.Outcome);
        Assert.Equal(Answer.Yes, searched.OutcomeLinkedToObject);
        Assert.Equal(Sex.Male, searched.Sex);
        Assert.Equal(AgeRange._25To34, searched.AgeRange);
        Assert.Equal(OfficerDefinedEthnicity.Black, searched.OfficerDefinedEthnicity);
        Assert.Equal(SelfDefinedEthnicity.Unspecified, searched.SelfDefinedEthnicity);
        Assert.Equal(41.8236, searched.Location.Latitude);
        Assert.Equal(-71.4222, searched.Location.Longitude);
        Assert.Equal(LocationPrecision.Exact, searched.LocationPrecision);
        Assert.Equal(new Vehicle { Make = "FORD", Model = "FOCUS" }, searched.Vehicle);
        Assert.Equal(new EncounterSource
        {
            Dataset = OpenPolicingFile.Dataset, TimeZone = "America/New_York", District = "Zone K3", Race = "Black", Outcome = "Arrest",
        }, searched.Source);

        var citation = rows[1].Encounter;
        Assert.Equal(new DateTimeOffset(2017, 1, 15, 12, 5, 0, TimeSpan.Zero), citation.OccurredAt.ToDateTimeOffset());
        Assert.Equal(EncounterType.VehicleStopWithoutSearch, citation.Type);
        Assert.Equal(Outcome.Unspecified, citation.Outcome);
        Assert.Equal(Answer.Unspecified, citation.OutcomeLinkedToObject);
        Assert.Equal(Sex.Female, citation.Sex);
        Assert.Equal(AgeRange.Unspecified, citation.AgeRange);
        Assert.Equal(OfficerDefinedEthnicity.Asian, citation.OfficerDefinedEthnicity);
        Assert.Null(citation.Location);
        Assert.Equal(LocationPrecision.Unlocated, citation.LocationPrecision);
        Assert.Null(citation.Vehicle);
        Assert.Equal("Asian/Pacific Islander", citation.Source.Race);
        Assert.Equal("Citation", citation.Source.Outcome);
        Assert.Equal(Providence, citation.Source.SunReference);

        var warning = rows[2].Encounter;
        Assert.Equal(AgeRange._18To24, warning.AgeRange);
        Assert.Equal(Sex.Unspecified, warning.Sex);
        Assert.Equal("", warning.Source.Race);
        Assert.Equal(OfficerDefinedEthnicity.Unspecified, warning.OfficerDefinedEthnicity);
        Assert.Equal("", warning.Source.District);
        Assert.Equal(new Vehicle { Make = "HONDA", Model = "" }, warning.Vehicle);
        Assert.Equal("Warning", warning.Source.Outcome);
    }

    [Fact]
    public void OlderColumns_TheRealFilesFirstRows_MapToVehicleStops()
    {
        if (File.Exists(RealFile))
        {
            // The rows here are the real file's, not made up.
            Assert.Equal(OlderRows.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'), File.ReadLines(RealFile).Take(5));
        }

        var file = OpenPolicingFile.Open(Write("older.csv", OlderRows.TrimEnd()), new OpenPolicingSettings(NewYork));
        var rejected = new List<RejectedRow>();
        var rows = file.ReadBatches(10, rejected).SelectMany(b => b).ToList();

        Assert.Empty(rejected);
        Assert.Equal(OpenPolicingVariant.Older, file.Variant);
        // Rhode Island's file has no ages, contraband, coordinates nor vehicles: said, not guessed.
        Assert.Equal(["driver_age", "contraband_found"], file.MissingColumns);
        Assert.Equal(4, rows.Count);

        // 12:55 EST (UTC-5) on 4 January 2005 is 17:55 UTC; 23:15 on the 23rd is 04:15 UTC on the 24th.
        Assert.Equal(new DateTimeOffset(2005, 1, 4, 17, 55, 0, TimeSpan.Zero), rows[0].Encounter.OccurredAt.ToDateTimeOffset());
        Assert.Equal(new DateTimeOffset(2005, 1, 24, 4, 15, 0, TimeSpan.Zero), rows[1].Encounter.OccurredAt.ToDateTimeOffset());
        var first = rows[0].Encounter;
        Assert.Equal(EncounterType.VehicleStopWithoutSearch, first.Type);
        Assert.Equal(Sex.Male, first.Sex);
        Assert.Equal(OfficerDefinedEthnicity.White, first.OfficerDefinedEthnicity);
        Assert.Equal(Outcome.Unspecified, first.Outcome);
        Assert.Null(first.Location);
        Assert.Null(first.Source.SunReference);
        Assert.Equal(new EncounterSource
        {
            Dataset = OpenPolicingFile.Dataset, TimeZone = "America/New_York", District = "Zone X4", Race = "White", Outcome = "Citation",
        }, first.Source);
        Assert.Equal("Zone K3", rows[1].Encounter.Source.District);

        var arrest = rows[3].Encounter;
        Assert.Equal(new DateTimeOffset(2005, 2, 20, 22, 15, 0, TimeSpan.Zero), arrest.OccurredAt.ToDateTimeOffset());
        Assert.Equal(Outcome.Arrest, arrest.Outcome);
        Assert.Equal("Arrest Driver", arrest.Source.Outcome);
        Assert.Equal("Zone X1", arrest.Source.District);
    }

    [Theory]
    [InlineData("date", "raw_row_number,time,subject_race,search_conducted")]
    [InlineData("subject_race", "raw_row_number,date,time,subject_sex,search_conducted")]
    [InlineData("subject_race, search_conducted", "date,time,subject_sex")]
    [InlineData("driver_race", "state,stop_date,stop_time,driver_gender,search_conducted,stop_outcome,district")]
    public void MissingRequiredColumn_ClearErrorNamingIt(string named, string header)
    {
        var file = OpenPolicingFile.Open(Write("missing.csv", header, string.Join(',', header.Split(',').Select(_ => "x"))), new OpenPolicingSettings(NewYork));

        var error = Assert.Throws<FormatException>(() => file.ReadBatches(10, []).ToList());

        Assert.Contains("lacks the required column", error.Message, StringComparison.Ordinal);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadRows_RejectedWithRowNumberAndEveryReason_GoodRowsKept()
    {
        var path = Write("bad.csv",
            "date,time,subject_race,subject_sex,subject_age,search_conducted,arrest_made,outcome,lat,lng",
            "2017-06-01,20:45:00,white,male,40,FALSE,FALSE,citation,,",
            "2017-13-01,25:00,white,man,forty,maybe,FALSE,citation,,",
            "2017-06-01,20:45:00,white,male,40,FALSE,FALSE,citation,41.8,",
            "2017-06-01,20:45:00,white,male,40,FALSE",
            "2017-06-01,,black,female,22,,FALSE,warning,41.8,north",
            "2017-06-02,08:00,hispanic,female,22,TRUE,FALSE,warning,,");

        var rejected = new List<RejectedRow>();
        var rows = OpenPolicingFile.Open(path, new OpenPolicingSettings(NewYork)).ReadBatches(10, rejected).SelectMany(b => b).ToList();

        Assert.Equal([2L, 7L], rows.Select(r => r.RowNumber));
        Assert.Equal("Hispanic", rows[1].Encounter.Source.Race);
        Assert.Equal(OfficerDefinedEthnicity.Other, rows[1].Encounter.OfficerDefinedEthnicity);
        Assert.Equal([3L, 4L, 5L, 6L], rejected.Select(r => r.RowNumber));
        Assert.All(rejected, r => Assert.Equal("bad.csv", r.Source));
        Assert.Equal(
            "date '2017-13-01' is not a date (yyyy-MM-dd); time '25:00' is not a clock time (HH:mm or HH:mm:ss); "
            + "subject_sex 'man' is not male, female, M or F (or blank); subject_age 'forty' is not a whole number of years from 0 to 120 (or blank); "
            + "search_conducted 'maybe' is not TRUE or FALSE",
            rejected[0].Reason);
        Assert.Equal("only one of lat and lng is given", rejected[1].Reason);
        Assert.Equal("expected 10 columns (as the header), found 6", rejected[2].Reason);
        Assert.Equal("time is blank; search_conducted is blank; lng 'north' is not a number", rejected[3].Reason);
    }

    [Fact]
    public void DaylightSavingEdges_GapRejected_RepeatedHourReadAsItsFirstOccurrence()
    {
        // New York, 2007: clocks forward 02:00 EST -> 03:00 EDT on 11 March, back 02:00 EDT -> 01:00 EST on 4 November.
        var path = Write("dst.csv",
            "date,time,subject_race,search_conducted",
            "2007-03-11,01:59,white,FALSE", // EST: 06:59 UTC
            "2007-03-11,02:30,white,FALSE", // never happened
            "2007-03-11,03:00,white,FALSE", // EDT: 07:00 UTC
            "2007-11-04,00:59,white,FALSE", // EDT: 04:59 UTC
            "2007-11-04,01:30,white,FALSE", // twice: 05:30 UTC (EDT) first, 06:30 UTC (EST) again
            "2007-11-04,02:00,white,FALSE"); // EST: 07:00 UTC

        var file = OpenPolicingFile.Open(path, new OpenPolicingSettings(NewYork));
        var rejected = new List<RejectedRow>();
        var rows = file.ReadBatches(10, rejected).SelectMany(b => b).ToList();

        var row = Assert.Single(rejected);
        Assert.Equal(3, row.RowNumber);
        Assert.Equal("2007-03-11 02:30 does not exist in America/New_York: the clocks went forward over it (not guessed either way)", row.Reason);
        Assert.Equal(1, file.AmbiguousTimes);
        Assert.Equal(
            [
                new DateTimeOffset(2007, 3, 11, 6, 59, 0, TimeSpan.Zero), new DateTimeOffset(2007, 3, 11, 7, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(2007, 11, 4, 4, 59, 0, TimeSpan.Zero), new DateTimeOffset(2007, 11, 4, 5, 30, 0, TimeSpan.Zero),
                new DateTimeOffset(2007, 11, 4, 7, 0, 0, TimeSpan.Zero),
            ],
            rows.Select(r => r.Encounter.OccurredAt.ToDateTimeOffset()));
    }

    [Fact]
    public void Validator_ImportedStopWithoutUkPower_Accepted_ButARecordedOneMayNotClaimASource()
    {
        var rows = OpenPolicingFile.Open(Write("older.csv", OlderRows.TrimEnd()), new OpenPolicingSettings(NewYork)).ReadBatches(10, []).SelectMany(b => b).ToList();
        var validator = new EncounterValidator(ForceBoundary.AcceptingNone("none"), TimeProvider.System);
        var now = DateTimeOffset.UtcNow;

        var historical = new List<FieldError>();
        validator.Validate(rows[0].Encounter, "", ValidationMode.Historical, now, historical);
        Assert.Empty(historical);

        var live = new List<FieldError>();
        validator.Validate(rows[0].Encounter, "", ValidationMode.Live, now, live);
        Assert.Contains(live, e => e.Field == "source" && e.Description == "is set only by an import, never on a recorded encounter");

        // Without a source the same stop needs a UK power, as before.
        var own = rows[0].Encounter.Clone();
        own.Source = null;
        var errors = new List<FieldError>();
        validator.Validate(own, "", ValidationMode.Historical, now, errors);
        Assert.Contains(errors, e => e.Field == "legal_power" && e.Description == "is required");

        var badZone = rows[0].Encounter.Clone();
        badZone.Source.TimeZone = "Mars/Olympus_Mons";
        errors.Clear();
        validator.Validate(badZone, "", ValidationMode.Historical, now, errors);
        Assert.Contains(errors, e => e.Field == "source.time_zone");

        // A located row is outside a boundary that accepts none.
        var located = rows[0].Encounter.Clone();
        located.Location = Providence.Clone();
        located.LocationPrecision = LocationPrecision.Exact;
        errors.Clear();
        validator.Validate(located, "", ValidationMode.Historical, now, errors);
        Assert.Contains(errors, e => e.Field == "location" && e.Description.Contains(EncounterValidator.OutsideBoundary, StringComparison.Ordinal));
    }

    private static string RealFile => RepoPaths.InSharedData("open-policing", "rhode-island-traffic-stops-2005-2008.csv");

    private string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_folder.FullName, name);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }
}
