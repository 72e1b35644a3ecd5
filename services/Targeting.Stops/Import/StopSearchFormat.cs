using System.Globalization;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Targeting.Common.V1;
using Targeting.Stops.V1;

namespace Targeting.Stops.Import;

/// <summary>
/// The data.police.uk stop-and-search CSV format (15 columns; ../shared/data/README.md, section 1):
/// parses a row into an <see cref="Encounter"/> and formats an encounter back into a row.
/// </summary>
/// <remarks>
/// Quirks handled: a UTF-8 byte order mark at the start of some files; dates with a UTC offset
/// (parsed as instants, written back as +00:00); blank coordinates (kept as an unlocated
/// encounter); blank cells meaning "not recorded" (the UNSPECIFIED enum value), so that import
/// followed by export gives back the same text for every column. Coordinates are written with six
/// decimals, as data.police.uk publishes them, unless the value needs more to round-trip.
/// </remarks>
public static class StopSearchFormat
{
    public static readonly IReadOnlyList<string> Columns =
    [
        "Type", "Date", "Part of a policing operation", "Policing operation", "Latitude", "Longitude",
        "Gender", "Age range", "Self-defined ethnicity", "Officer-defined ethnicity", "Legislation",
        "Object of search", "Outcome", "Outcome linked to object of search",
        "Removal of more than just outer clothing",
    ];

    /// <summary>UTF-8 without a byte order mark, as the files are written; reading detects one.</summary>
    public static readonly Encoding FileEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Checks a header record; returns a reason when it is not the 15-column format.</summary>
    public static string? CheckHeader(string[] header)
    {
        if (header.Length != Columns.Count)
        {
            return $"the header has {header.Length} columns; the stop-and-search format has {Columns.Count}: {string.Join(", ", Columns)}";
        }

        for (var i = 0; i < Columns.Count; i++)
        {
            if (!string.Equals(header[i].Trim(), Columns[i], StringComparison.OrdinalIgnoreCase))
            {
                return $"column {i + 1} is '{header[i]}'; expected '{Columns[i]}'";
            }
        }

        return null;
    }

    /// <summary>
    /// Maps one data row to an encounter, or gives every reason it cannot (one per bad cell).
    /// Value checks beyond the format (ranges, the force boundary) are the validator's.
    /// </summary>
    public static Encounter? TryParseRow(string[] cells, out List<string> reasons)
    {
        reasons = [];
        if (cells.Length != Columns.Count)
        {
            reasons.Add($"expected {Columns.Count} columns, found {cells.Length}");
            return null;
        }

        var encounter = new Encounter
        {
            Type = Parse(StopSearchLabels.Type, cells, 0, reasons),
            PartOfOperation = Parse(StopSearchLabels.TrueFalse, cells, 2, reasons),
            Operation = cells[3],
            Sex = Parse(StopSearchLabels.Gender, cells, 6, reasons),
            AgeRange = Parse(StopSearchLabels.AgeRange, cells, 7, reasons),
            SelfDefinedEthnicity = Parse(StopSearchLabels.SelfDefinedEthnicity, cells, 8, reasons),
            OfficerDefinedEthnicity = Parse(StopSearchLabels.OfficerDefinedEthnicity, cells, 9, reasons),
            LegalPower = Parse(StopSearchLabels.Legislation, cells, 10, reasons),
            ObjectOfSearch = Parse(StopSearchLabels.ObjectOfSearch, cells, 11, reasons),
            Outcome = Parse(StopSearchLabels.Outcome, cells, 12, reasons),
            OutcomeLinkedToObject = Parse(StopSearchLabels.TrueFalse, cells, 13, reasons),
            RemovalOfMoreThanOuterClothing = Parse(StopSearchLabels.TrueFalse, cells, 14, reasons),
        };

        if (TryParseDate(cells[1], out var occurredAt))
        {
            encounter.OccurredAt = Timestamp.FromDateTimeOffset(occurredAt);
        }
        else
        {
            reasons.Add($"Date '{cells[1]}' is not an ISO-8601 date-time with a UTC offset (e.g. 2021-06-01T01:00:00+00:00)");
        }

        ParseLocation(cells[4], cells[5], encounter, reasons);
        return reasons.Count == 0 ? encounter : null;
    }

    /// <summary>
    /// Formats an encounter as a row, or returns null with the reason when the format has no place
    /// for it (a vehicle stop without a search, or a value with no data.police.uk label).
    /// </summary>
    public static string[]? TryFormatRow(Encounter encounter, out string? reason)
    {
        reason = null;
        if (encounter.Type == EncounterType.VehicleStopWithoutSearch)
        {
            reason = "a vehicle stop without a search is not a stop-and-search record";
            return null;
        }

        var cells = new string?[]
        {
            StopSearchLabels.Type.Format(encounter.Type),
            encounter.OccurredAt is null ? "" : FormatDate(encounter.OccurredAt.ToDateTimeOffset()),
            StopSearchLabels.TrueFalse.Format(encounter.PartOfOperation),
            encounter.Operation,
            encounter.Location is null ? "" : FormatCoordinate(encounter.Location.Latitude),
            encounter.Location is null ? "" : FormatCoordinate(encounter.Location.Longitude),
            StopSearchLabels.Gender.Format(encounter.Sex),
            StopSearchLabels.AgeRange.Format(encounter.AgeRange),
            StopSearchLabels.SelfDefinedEthnicity.Format(encounter.SelfDefinedEthnicity),
            StopSearchLabels.OfficerDefinedEthnicity.Format(encounter.OfficerDefinedEthnicity),
            StopSearchLabels.Legislation.Format(encounter.LegalPower),
            StopSearchLabels.ObjectOfSearch.Format(encounter.ObjectOfSearch),
            StopSearchLabels.Outcome.Format(encounter.Outcome),
            StopSearchLabels.TrueFalse.Format(encounter.OutcomeLinkedToObject),
            StopSearchLabels.TrueFalse.Format(encounter.RemovalOfMoreThanOuterClothing),
        };

        var missing = Enumerable.Range(0, cells.Length).Where(i => cells[i] is null).ToList();
        if (missing.Count > 0)
        {
            reason = "no data.police.uk label for " + string.Join(", ", missing.Select(i => Columns[i]));
            return null;
        }

        return cells!;
    }

    public static bool TryParseDate(string cell, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(
            cell,
            ["yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'"],
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal,
            out value);

    public static string FormatDate(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture) + "+00:00";

    /// <summary>Six decimals (data.police.uk's precision) when that round-trips, else the shortest exact form.</summary>
    public static string FormatCoordinate(double value)
    {
        var six = value.ToString("F6", CultureInfo.InvariantCulture);
        return double.Parse(six, CultureInfo.InvariantCulture) == value ? six : value.ToString("R", CultureInfo.InvariantCulture);
    }

    private static void ParseLocation(string latitude, string longitude, Encounter encounter, List<string> reasons)
    {
        if (latitude.Length == 0 && longitude.Length == 0)
        {
            encounter.LocationPrecision = LocationPrecision.Unlocated;
            return;
        }

        if (latitude.Length == 0 || longitude.Length == 0)
        {
            reasons.Add("only one of Latitude and Longitude is given");
            return;
        }

        var latOk = double.TryParse(latitude, NumberStyles.Float, CultureInfo.InvariantCulture, out var lat);
        var lngOk = double.TryParse(longitude, NumberStyles.Float, CultureInfo.InvariantCulture, out var lng);
        if (!latOk)
        {
            reasons.Add($"Latitude '{latitude}' is not a number");
        }

        if (!lngOk)
        {
            reasons.Add($"Longitude '{longitude}' is not a number");
        }

        if (latOk && lngOk)
        {
            // data.police.uk snaps every point to a street centre or point of interest.
            encounter.Location = new LatLng { Latitude = lat, Longitude = lng };
            encounter.LocationPrecision = LocationPrecision.Snapped;
        }
    }

    private static TEnum Parse<TEnum>(LabelMap<TEnum> map, string[] cells, int column, List<string> reasons)
        where TEnum : struct, System.Enum
    {
        if (map.TryParse(cells[column], out var value))
        {
            return value;
        }

        reasons.Add($"{Columns[column]} '{cells[column]}' is not one of: {string.Join(", ", map.Labels.Select(l => $"'{l}'"))} (or blank)");
        return default;
    }
}
