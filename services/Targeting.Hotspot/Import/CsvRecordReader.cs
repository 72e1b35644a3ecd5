using System.Text;

namespace Targeting.Hotspot.Import;

/// <summary>
/// Reads RFC 4180 records from text: comma-separated fields, double-quoted fields with "" for a
/// quote, line breaks inside quotes, CRLF or LF endings. Streams one record at a time.
/// </summary>
/// <remarks>
/// Written here rather than taken from CsvHelper because the importer needs the raw record
/// count (the row number of the rejected-rows report) and must keep malformed quoting as a
/// rejected row instead of an exception that ends the import.
/// </remarks>
public sealed class CsvRecordReader
{
    private readonly TextReader _reader;
    private readonly StringBuilder _field = new();

    public CsvRecordReader(TextReader reader) => _reader = reader;

    /// <summary>Records read so far (the header counts as record 1).</summary>
    public long RecordNumber { get; private set; }

    /// <summary>
    /// Reads the next record into <paramref name="fields"/> (cleared first). Returns false at the
    /// end of the input. <paramref name="error"/> says what was wrong with a malformed record
    /// (a quote inside an unquoted field, text after a closing quote, an unterminated quote).
    /// </summary>
    public bool TryRead(List<string> fields, out string? error)
    {
        fields.Clear();
        error = null;
        var line = _reader.ReadLine();
        if (line is null)
        {
            return false;
        }

        RecordNumber++;
        if (line.IndexOf('"') < 0)
        {
            SplitPlain(line, fields);
            return true;
        }

        _field.Clear();
        var position = 0;
        while (true)
        {
            if (position < line.Length && line[position] == '"')
            {
                // Quoted field: read to the closing quote, across line breaks if need be.
                position++;
                while (true)
                {
                    var quote = line.IndexOf('"', position);
                    if (quote < 0)
                    {
                        _field.Append(line, position, line.Length - position);
                        var next = _reader.ReadLine();
                        if (next is null)
                        {
                            error = "unterminated quoted field";
                            fields.Add(_field.ToString());
                            return true;
                        }

                        _field.Append('\n');
                        line = next;
                        position = 0;
                        continue;
                    }

                    _field.Append(line, position, quote - position);
                    if (quote + 1 < line.Length && line[quote + 1] == '"')
                    {
                        _field.Append('"');
                        position = quote + 2;
                        continue;
                    }

                    position = quote + 1;
                    break;
                }

                if (position < line.Length && line[position] != ',')
                {
                    error ??= "text after a closing quote";
                    var comma = line.IndexOf(',', position);
                    var end = comma < 0 ? line.Length : comma;
                    _field.Append(line, position, end - position);
                    position = end;
                }
            }
            else
            {
                var comma = line.IndexOf(',', position);
                var end = comma < 0 ? line.Length : comma;
                if (line.IndexOf('"', position, end - position) >= 0)
                {
                    error ??= "a quote inside an unquoted field";
                }

                _field.Append(line, position, end - position);
                position = end;
            }

            fields.Add(_field.ToString());
            _field.Clear();
            if (position >= line.Length)
            {
                return true;
            }

            position++; // the comma
            if (position == line.Length)
            {
                fields.Add(string.Empty);
                return true;
            }
        }
    }

    private static void SplitPlain(string line, List<string> fields)
    {
        var start = 0;
        while (true)
        {
            var comma = line.IndexOf(',', start);
            if (comma < 0)
            {
                fields.Add(line[start..]);
                return;
            }

            fields.Add(line[start..comma]);
            start = comma + 1;
        }
    }
}
