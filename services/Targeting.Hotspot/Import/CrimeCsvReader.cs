using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Targeting.Common.V1;
using Targeting.Hotspot.V1;
using Targeting.Import;

namespace Targeting.Hotspot.Import;

/// <summary>One data row of a crime CSV: an incident, or why the row was refused.</summary>
public readonly record struct CrimeCsvRow(long RowNumber, Incident? Incident, string? RejectionReason);

/// <summary>
/// Streams incidents out of a data.police.uk street-crime CSV whose format it detects from the
/// header (see <see cref="CrimeCsvFormat"/>). Every data row comes out once, as an incident or a
/// rejection with its reason, so the counts always add up to the rows read. Disposing it disposes
/// the text reader.
/// </summary>
public sealed class CrimeCsvReader : IDisposable
{
    private readonly CsvRecordReader _records;
    private readonly string _source;
    private readonly CoordinateBounds _bounds;
    private readonly IncidentIdentity _identity = new();

    private CrimeCsvReader(CsvRecordReader records, CrimeCsvFormat format, string source, CoordinateBounds bounds)
    {
        _records = records;
        Format = format;
        _source = source;
        _bounds = bounds;
    }

    public CrimeCsvFormat Format { get; }

    /// <summary>Reads the header; throws <see cref="InvalidDataException"/> when the file is empty or not a known format.</summary>
    public static CrimeCsvReader Open(TextReader reader, string source, CoordinateBounds? bounds = null)
    {
        var records = CsvRecordReader.Open(reader);
        try
        {
            var header = new List<string>();
            if (!records.TryRead(header, out _) || header is [""])
            {
                throw new InvalidDataException($"{source}: empty file, no header");
            }

            var format = CrimeCsvFormat.Detect(header, out var error)
                ?? throw new InvalidDataException($"{source}: {error}");
            return new CrimeCsvReader(records, format, source, bounds ?? CoordinateBounds.BritishNationalGrid);
        }
        catch
        {
            records.Dispose();
            throw;
        }
    }

    public void Dispose() => _records.Dispose();

    /// <summary>The data rows, in file order.</summary>
    public IEnumerable<CrimeCsvRow> ReadRows()
    {
        var fields = new List<string>(Format.Columns.Count);
        while (_records.TryRead(fields, out var malformed))
        {
            var row = _records.RecordNumber;
            if (malformed is not null)
            {
                yield return new CrimeCsvRow(row, null, malformed);
                continue;
            }

            if (fields.Count != Format.Columns.Count)
            {
                yield return new CrimeCsvRow(row, null, fields is [""]
                    ? "blank line"
                    : $"expected {Format.Columns.Count} columns, found {fields.Count}");
                continue;
            }

            var incident = Parse(fields, row, out var reason);
            yield return new CrimeCsvRow(row, incident, reason);
        }
    }

    private Incident? Parse(List<string> fields, long row, out string? reason)
    {
        var month = fields[Format.Month].Trim();
        if (!TryParseMonth(month, out var start))
        {
            reason = month.Length == 0 ? "no Month" : $"Month '{month}' is not a valid YYYY-MM";
            return null;
        }

        var lonText = fields[Format.Longitude].Trim();
        var latText = fields[Format.Latitude].Trim();
        if (lonText.Length == 0 || latText.Length == 0)
        {
            reason = "no coordinates (Longitude or Latitude blank)";
            return null;
        }

        if (!TryParseDegrees(lonText, out var lon))
        {
            reason = $"Longitude '{lonText}' is not a number";
            return null;
        }

        if (!TryParseDegrees(latText, out var lat))
        {
            reason = $"Latitude '{latText}' is not a number";
            return null;
        }

        var incident = new Incident
        {
            OccurredAt = Timestamp.FromDateTime(start),
            TimePrecision = TimePrecision.Month,
            Location = new LatLng { Latitude = lat, Longitude = lon },
            CrimeType = fields[Format.CrimeType].Trim(),
            LsoaCode = Format.LsoaCode >= 0 ? fields[Format.LsoaCode].Trim() : string.Empty,
            Source = _source,
            RowNumber = row,
            // Placeholder so validation does not complain; the real id is given only to rows
            // that pass, so that rejected rows do not shift the occurrence index of duplicates.
            Id = "pending",
        };
        reason = IncidentValidator.Validate(incident, _bounds);
        if (reason is not null)
        {
            return null;
        }

        var crimeId = Format.CrimeId >= 0 ? fields[Format.CrimeId].Trim() : string.Empty;
        incident.Id = crimeId.Length > 0 ? crimeId : _identity.Next(fields, Format.CrimeId);
        return incident;
    }

    /// <summary>Parses "YYYY-MM" into the first instant of that month, UTC.</summary>
    public static bool TryParseMonth(string text, out DateTime start)
    {
        start = default;
        if (text.Length != 7 || text[4] != '-' ||
            !int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year) ||
            !int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var month) ||
            year < 1900 || month is < 1 or > 12)
        {
            return false;
        }

        start = new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Utc);
        return true;
    }

    private static bool TryParseDegrees(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}
