using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Targeting.Common.V1;
using Targeting.Import;
using Targeting.Stops.V1;

namespace Targeting.Stops.Import;

/// <summary>Which column layout of the Stanford Open Policing Project a file uses.</summary>
public enum OpenPolicingVariant
{
    /// <summary>The standardised columns of the project's current releases (<c>date</c>, <c>time</c>, <c>subject_race</c>, …).</summary>
    Standard,

    /// <summary>The older release (<c>stop_date</c>, <c>stop_time</c>, <c>driver_race</c>, …), as ../shared/data/open-policing holds.</summary>
    Older,
}

/// <summary>How to read an open-policing file: the place's time zone, the area column and the sun's point for rows without coordinates.</summary>
/// <param name="TimeZone">The zone the file's clock times are in (e.g. America/New_York for Rhode Island).</param>
/// <param name="PlaceColumn">The column naming the stop's area (default <c>district</c>), kept as <see cref="EncounterSource.District"/>.</param>
/// <param name="SunReference">Where sunset is worked out for rows without coordinates (null: such rows stay out of the veil-of-darkness test).</param>
public sealed record OpenPolicingSettings(TimeZoneInfo TimeZone, string PlaceColumn = "district", LatLng? SunReference = null);

/// <summary>
/// Reads one vehicle-stop file in the Stanford Open Policing Project's format (Pierson et al. 2020;
/// https://openpolicing.stanford.edu/data/), either variant, into import batches of vehicle stops:
/// ENCOUNTER_TYPE_VEHICLE_STOP_WITHOUT_SEARCH, or ENCOUNTER_TYPE_VEHICLE_SEARCH when a search was made
/// (the format's <c>search_conducted</c> covers the driver, the passengers and the vehicle without saying
/// which), each marked with an <see cref="EncounterSource"/>. Every row becomes an encounter or a rejected
/// row with every reason; the service validates the rest (docs/decisions/049-open-policing-import.md).
/// </summary>
/// <remarks>
/// Clock times are local to <see cref="OpenPolicingSettings.TimeZone"/> and converted with
/// <see cref="TimeZoneInfo"/>. A clock time that did not exist (inside the hour skipped when the clocks
/// went forward) is rejected: whether the officer's clock had changed yet cannot be told. A clock time
/// that happened twice (the hour repeated when the clocks went back) is read as its first occurrence,
/// in daylight time, and counted in <see cref="AmbiguousTimes"/>; the clock time itself, which is what
/// the roads analyses use, is the same either way. Blank cells and the project's <c>NA</c> are "not recorded".
/// </remarks>
public sealed class OpenPolicingFile
{
    /// <summary>The data set name stored in <see cref="EncounterSource.Dataset"/>.</summary>
    public const string Dataset = "Stanford Open Policing Project";

    private static readonly Dictionary<OpenPolicingVariant, Dictionary<Field, string>> Layouts = new()
    {
        [OpenPolicingVariant.Standard] = new()
        {
            [Field.Date] = "date", [Field.Time] = "time", [Field.Race] = "subject_race", [Field.Sex] = "subject_sex",
            [Field.Age] = "subject_age", [Field.Searched] = "search_conducted", [Field.Contraband] = "contraband_found",
            [Field.Arrested] = "arrest_made", [Field.Outcome] = "outcome", [Field.Latitude] = "lat", [Field.Longitude] = "lng",
            [Field.Make] = "vehicle_make", [Field.Model] = "vehicle_model",
        },
        [OpenPolicingVariant.Older] = new()
        {
            [Field.Date] = "stop_date", [Field.Time] = "stop_time", [Field.Race] = "driver_race", [Field.Sex] = "driver_gender",
            [Field.Age] = "driver_age", [Field.Searched] = "search_conducted", [Field.Contraband] = "contraband_found",
            [Field.Arrested] = "is_arrested", [Field.Outcome] = "stop_outcome",
        },
    };

    // Without these a row cannot be a stop the analyses can use: when, who, and whether a search followed.
    private static readonly Field[] Required = [Field.Date, Field.Time, Field.Race, Field.Searched];

    private readonly OpenPolicingSettings _settings;

    private OpenPolicingFile(string path, OpenPolicingSettings settings)
    {
        Path = path;
        Source = System.IO.Path.GetFileName(path);
        _settings = settings;
    }

    private enum Field
    {
        Date, Time, Race, Sex, Age, Searched, Contraband, Arrested, Outcome, Latitude, Longitude, Make, Model, Place,
    }

    public string Path { get; }

    /// <summary>The import's source name: the file name.</summary>
    public string Source { get; }

    /// <summary>The layout the header showed (after reading starts).</summary>
    public OpenPolicingVariant Variant { get; private set; }

    /// <summary>The optional columns the file lacks, by the name the variant gives them (after reading starts): their values stay "not recorded".</summary>
    public IReadOnlyList<string> MissingColumns { get; private set; } = [];

    /// <summary>Rows whose clock time happened twice (clocks went back), read as the first occurrence.</summary>
    public long AmbiguousTimes { get; private set; }

    public static OpenPolicingFile Open(string path, OpenPolicingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new(path, settings);
    }

    /// <summary>
    /// Batches of parsed rows, with the rows rejected while reading added to <paramref name="rejected"/>.
    /// Throws <see cref="FormatException"/> naming the missing columns when the header lacks a required one.
    /// </summary>
    public IEnumerable<List<ImportedEncounter>> ReadBatches(int batchSize, List<RejectedRow> rejected)
    {
        using var reader = new StreamReader(Path, StopSearchFormat.FileEncoding, detectEncodingFromByteOrderMarks: true);
        using var records = CsvRecordReader.ReadAll(reader).GetEnumerator();
        if (!records.MoveNext())
        {
            throw new FormatException($"{Source} is empty: no header");
        }

        var header = records.Current.Fields;
        var columns = ReadHeader(header);
        var batch = new List<ImportedEncounter>(batchSize);
        var reasons = new List<string>();
        while (records.MoveNext())
        {
            var (row, cells, malformed) = records.Current;
            if (malformed is not null)
            {
                rejected.Add(new RejectedRow { Source = Source, RowNumber = row, Reason = malformed });
                continue;
            }

            reasons.Clear();
            var encounter = cells.Length == header.Length ? ParseRow(cells, columns, reasons) : null;
            if (cells.Length != header.Length)
            {
                reasons.Add($"expected {header.Length} columns (as the header), found {cells.Length}");
            }

            if (encounter is null)
            {
                rejected.Add(new RejectedRow { Source = Source, RowNumber = row, Reason = string.Join("; ", reasons) });
                continue;
            }

            batch.Add(new ImportedEncounter { RowNumber = row, Encounter = encounter });
            if (batch.Count == batchSize)
            {
                yield return batch;
                batch = new List<ImportedEncounter>(batchSize);
            }
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    private Dictionary<Field, int> ReadHeader(string[] header)
    {
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < header.Length; i++)
        {
            index.TryAdd(header[i].Trim(), i);
        }

        Variant = index.ContainsKey("stop_date") && !index.ContainsKey("date") ? OpenPolicingVariant.Older : OpenPolicingVariant.Standard;
        var layout = new Dictionary<Field, string>(Layouts[Variant]) { [Field.Place] = _settings.PlaceColumn };
        var columns = new Dictionary<Field, int>();
        var missing = new List<string>();
        foreach (var (field, name) in layout)
        {
            if (index.TryGetValue(name, out var i))
            {
                columns[field] = i;
            }
            else
            {
                missing.Add(name);
            }
        }

        var missingRequired = Required.Where(f => !columns.ContainsKey(f)).Select(f => layout[f]).ToList();
        if (missingRequired.Count > 0)
        {
            var expected = string.Join(", ", Required.Select(f => Layouts[Variant][f]));
            throw new FormatException(
                $"{Source} lacks the required column{(missingRequired.Count == 1 ? "" : "s")} {string.Join(", ", missingRequired)} "
                + $"(the {(Variant == OpenPolicingVariant.Older ? "older" : "standard")} open-policing layout needs {expected}; the header has: {string.Join(", ", header)})");
        }

        MissingColumns = missing;
        return columns;
    }

    private Encounter? ParseRow(string[] cells, Dictionary<Field, int> columns, List<string> reasons)
    {
        string Cell(Field field) => columns.TryGetValue(field, out var i) ? Blank(cells[i]) : "";
        string Name(Field field) => field == Field.Place ? _settings.PlaceColumn : Layouts[Variant][field];

        var source = new EncounterSource { Dataset = Dataset, TimeZone = _settings.TimeZone.Id, District = Cell(Field.Place) };
        var encounter = new Encounter { Source = source, LocationPrecision = LocationPrecision.Unlocated };
        if (ParseTime(Cell(Field.Date), Cell(Field.Time), Name(Field.Date), Name(Field.Time), reasons) is { } occurredAt)
        {
            encounter.OccurredAt = Timestamp.FromDateTimeOffset(occurredAt);
        }

        source.Race = RaceLabel(Cell(Field.Race));
        encounter.OfficerDefinedEthnicity = OfficerDefined(source.Race);
        encounter.Sex = Cell(Field.Sex).ToLowerInvariant() switch
        {
            "" => Sex.Unspecified,
            "m" or "male" => Sex.Male,
            "f" or "female" => Sex.Female,
            var other => Reject(reasons, $"{Name(Field.Sex)} '{Short(other)}' is not male, female, M or F (or blank)", Sex.Unspecified),
        };
        encounter.AgeRange = ParseAge(Cell(Field.Age), Name(Field.Age), reasons);

        var searched = ParseBool(Cell(Field.Searched), Name(Field.Searched), reasons, required: true);
        encounter.Type = searched == true ? EncounterType.VehicleSearch : EncounterType.VehicleStopWithoutSearch;
        var contraband = ParseBool(Cell(Field.Contraband), Name(Field.Contraband), reasons, required: false);
        if (searched == true && contraband is { } found)
        {
            encounter.OutcomeLinkedToObject = found ? Answer.Yes : Answer.No;
        }

        // Only the arrest maps onto a UK outcome; a citation or a warning is kept as the source words it.
        if (ParseBool(Cell(Field.Arrested), Name(Field.Arrested), reasons, required: false) == true)
        {
            encounter.Outcome = Outcome.Arrest;
        }

        var outcome = Cell(Field.Outcome);
        source.Outcome = outcome.Length == 0 ? "" : char.ToUpperInvariant(outcome[0]) + outcome[1..];

        var (make, model) = (Cell(Field.Make), Cell(Field.Model));
        if (make.Length > 0 || model.Length > 0)
        {
            encounter.Vehicle = new Vehicle { Make = make, Model = model };
        }

        ParseLocation(Cell(Field.Latitude), Cell(Field.Longitude), encounter, reasons);
        if (encounter.Location is null && _settings.SunReference is { } sun)
        {
            source.SunReference = sun.Clone();
        }

        return reasons.Count == 0 ? encounter : null;
    }

    /// <summary>The instant of a local date and clock time in the file's zone; null with the reason when there is none.</summary>
    private DateTimeOffset? ParseTime(string date, string time, string dateColumn, string timeColumn, List<string> reasons)
    {
        var dateOk = DateOnly.TryParseExact(date, ["yyyy-MM-dd", "yyyy/MM/dd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var day);
        var timeOk = TimeOnly.TryParseExact(time, ["HH:mm", "HH:mm:ss", "H:mm", "H:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var clock);
        if (!dateOk)
        {
            reasons.Add(date.Length == 0 ? $"{dateColumn} is blank" : $"{dateColumn} '{Short(date)}' is not a date (yyyy-MM-dd)");
        }

        if (!timeOk)
        {
            reasons.Add(time.Length == 0 ? $"{timeColumn} is blank" : $"{timeColumn} '{Short(time)}' is not a clock time (HH:mm or HH:mm:ss)");
        }

        if (!dateOk || !timeOk)
        {
            return null;
        }

        var zone = _settings.TimeZone;
        var local = day.ToDateTime(clock, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            reasons.Add($"{date} {time} does not exist in {zone.Id}: the clocks went forward over it (not guessed either way)");
            return null;
        }

        if (zone.IsAmbiguousTime(local))
        {
            // Twice that night: the first occurrence has the larger offset (daylight time).
            AmbiguousTimes++;
            return new DateTimeOffset(local, zone.GetAmbiguousTimeOffsets(local).Max());
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    private static AgeRange ParseAge(string cell, string column, List<string> reasons)
    {
        if (cell.Length == 0)
        {
            return AgeRange.Unspecified;
        }

        // Ages come as whole years, sometimes written "34.0".
        if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var years) || years != Math.Floor(years) || years is < 0 or > 120)
        {
            reasons.Add($"{column} '{Short(cell)}' is not a whole number of years from 0 to 120 (or blank)");
            return AgeRange.Unspecified;
        }

        return years switch
        {
            < 10 => AgeRange.Under10,
            < 18 => AgeRange._10To17,
            < 25 => AgeRange._18To24,
            < 35 => AgeRange._25To34,
            _ => AgeRange.Over34,
        };
    }

    private static bool? ParseBool(string cell, string column, List<string> reasons, bool required)
    {
        switch (cell.ToLowerInvariant())
        {
            case "true":
                return true;
            case "false":
                return false;
            case "":
                if (required)
                {
                    reasons.Add($"{column} is blank");
                }

                return null;
            default:
                reasons.Add($"{column} '{Short(cell)}' is not TRUE or FALSE{(required ? "" : " (or blank)")}");
                return null;
        }
    }

    private static void ParseLocation(string latitude, string longitude, Encounter encounter, List<string> reasons)
    {
        if (latitude.Length == 0 && longitude.Length == 0)
        {
            return;
        }

        if (latitude.Length == 0 || longitude.Length == 0)
        {
            reasons.Add("only one of lat and lng is given");
            return;
        }

        var latOk = double.TryParse(latitude, NumberStyles.Float, CultureInfo.InvariantCulture, out var lat);
        var lngOk = double.TryParse(longitude, NumberStyles.Float, CultureInfo.InvariantCulture, out var lng);
        if (!latOk)
        {
            reasons.Add($"lat '{Short(latitude)}' is not a number");
        }

        if (!lngOk)
        {
            reasons.Add($"lng '{Short(longitude)}' is not a number");
        }

        if (latOk && lngOk)
        {
            // The project geocodes the recorded address: a point as the source gives it.
            encounter.Location = new LatLng { Latitude = lat, Longitude = lng };
            encounter.LocationPrecision = LocationPrecision.Exact;
        }
    }

    /// <summary>
    /// The race label as the analyses compare it: words capitalised ("asian/pacific islander" →
    /// "Asian/Pacific Islander", "White" kept), "unknown" as not recorded.
    /// </summary>
    public static string RaceLabel(string cell)
    {
        var value = Blank(cell);
        if (value.Length == 0 || value.Equals("unknown", StringComparison.OrdinalIgnoreCase))
        {
            return "";
        }

        var chars = value.ToLowerInvariant().ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (i == 0 || chars[i - 1] is ' ' or '/' or '-')
            {
                chars[i] = char.ToUpperInvariant(chars[i]);
            }
        }

        return new string(chars);
    }

    /// <summary>The officer-defined group holding a race label (Hispanic and the rest are Other there; the label itself is kept).</summary>
    public static OfficerDefinedEthnicity OfficerDefined(string race) => race switch
    {
        "" => OfficerDefinedEthnicity.Unspecified,
        "White" => OfficerDefinedEthnicity.White,
        "Black" => OfficerDefinedEthnicity.Black,
        _ when race.StartsWith("Asian", StringComparison.Ordinal) => OfficerDefinedEthnicity.Asian,
        _ => OfficerDefinedEthnicity.Other,
    };

    private static string Blank(string cell)
    {
        var value = cell.Trim();
        return value == "NA" ? "" : value;
    }

    private static string Short(string value) => value.Length <= 40 ? value : value[..40] + "…";

    private static T Reject<T>(List<string> reasons, string reason, T value)
    {
        reasons.Add(reason);
        return value;
    }
}
