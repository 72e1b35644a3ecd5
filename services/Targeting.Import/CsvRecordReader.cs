using CsvHelper;

namespace Targeting.Import;

/// <summary>One CSV record: its number (the header is record 1), its fields, and what was wrong with its quoting.</summary>
/// <param name="RecordNumber">The record's number counted from 1 with the header as record 1; a quoted field with line breaks keeps a record one record, so this is not the line number.</param>
/// <param name="Fields">The fields, unquoted.</param>
/// <param name="Malformed">Why the record's quoting is malformed, or null when it is well formed.</param>
public readonly record struct CsvRecord(long RecordNumber, string[] Fields, string? Malformed);

/// <summary>
/// Reads RFC 4180 records with CsvHelper, for both data.police.uk formats (street crime and
/// stop-and-search): comma-separated fields, double-quoted fields with "" for a quote, line breaks
/// inside quotes, CRLF, LF or CR endings, a UTF-8 byte order mark skipped. Streams one record at a
/// time.
/// </summary>
/// <remarks>
/// Every record comes out, in file order, numbered as the rejected-rows reports and the import's
/// (source, row) key number it: the header is record 1, a blank line is a record of one empty field
/// (so the numbers after it do not shift), and an empty last line is no record. A record with
/// malformed quoting (a quote inside an unquoted field, text after a closing quote, a quoted field
/// never closed) is still returned, with its fields as CsvHelper recovers them and
/// <see cref="CsvRecord.Malformed"/> saying what is wrong, so that the importer rejects that row
/// and goes on: it never throws and never drops a row. Field counts are not checked here: each
/// format says how many columns it expects and rejects the rows that have others
/// (docs/decisions/043-csv-on-csvhelper.md).
/// </remarks>
public sealed class CsvRecordReader : IDisposable
{
    private readonly CsvReader _reader;
    private readonly Dictionary<long, CsvMalformedReason> _malformed = [];

    private CsvRecordReader(TextReader reader, bool leaveOpen)
    {
        var options = CsvReaderOptions.Default with
        {
            Mode = CsvMode.Rfc4180,
            Separator = ',',
            DetectSeparatorHint = false,
            // The header is an ordinary record here, so CsvHelper's record number is ours (header = 1).
            HasHeader = false,
            // A blank line is a record (a rejected row), so the rows after it keep their numbers.
            SkipEmptyLines = false,
            TrimWhitespace = false,
            AllowLineBreaksInQuotes = true,
            MalformedData = CsvMalformedDataHandling.Recover,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            // Setting the callback turns malformed-quote detection on; the record is still returned.
            OnMalformedRecord = record => _malformed.TryAdd(record.RecordNumber, record.Reason),
        };
        _reader = CsvReader.Create(reader, options, leaveOpen);
    }

    /// <summary>A reader over <paramref name="reader"/>, which it disposes unless <paramref name="leaveOpen"/>.</summary>
    public static CsvRecordReader Open(TextReader reader, bool leaveOpen = false) => new(reader, leaveOpen);

    /// <summary>Every record of <paramref name="reader"/>, in file order (the reader is left open).</summary>
    public static IEnumerable<CsvRecord> ReadAll(TextReader reader)
    {
        using var records = Open(reader, leaveOpen: true);
        var fields = new List<string>();
        while (records.TryRead(fields, out var malformed))
        {
            yield return new CsvRecord(records.RecordNumber, [.. fields], malformed);
        }
    }

    /// <summary>Records read so far (the header counts as record 1); the number of the record last read.</summary>
    public long RecordNumber { get; private set; }

    /// <summary>
    /// Reads the next record into <paramref name="fields"/> (cleared first). Returns false at the
    /// end of the input. <paramref name="malformed"/> says what was wrong with a malformed record
    /// (a quote inside an unquoted field, text after a closing quote, an unterminated quote).
    /// </summary>
    public bool TryRead(List<string> fields, out string? malformed)
    {
        fields.Clear();
        malformed = null;
        if (!_reader.Read())
        {
            return false;
        }

        RecordNumber = _reader.RowNumber;
        for (var i = 0; i < _reader.FieldCount; i++)
        {
            fields.Add(_reader.GetString(i));
        }

        if (_malformed.Remove(RecordNumber, out var reason))
        {
            malformed = Describe(reason);
        }

        return true;
    }

    /// <summary>The rejected-rows report's wording of CsvHelper's reason.</summary>
    internal static string Describe(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.StrayQuote => "a quote inside an unquoted field",
        CsvMalformedReason.TextAfterClosingQuote => "text after a closing quote",
        CsvMalformedReason.UnterminatedQuote => "unterminated quoted field",
        CsvMalformedReason.LineBreakInQuotes => "a line break inside a quoted field",
        CsvMalformedReason.FieldCountMismatch => "a different number of fields",
        _ => $"malformed record ({reason})",
    };

    public void Dispose() => _reader.Dispose();
}
