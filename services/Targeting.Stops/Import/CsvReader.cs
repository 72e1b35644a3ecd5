using System.Text;

namespace Targeting.Stops.Import;

/// <summary>
/// A small RFC 4180 reader: quoted fields with embedded commas, quotes ("") and line breaks; LF or
/// CRLF line ends. Records are numbered from 1 (the header is record 1), which is the row number
/// the rejected-rows report and the import's (source, row) key use.
/// </summary>
public static class CsvReader
{
    /// <summary>Reads every record; a UTF-8 byte order mark is skipped by the caller's StreamReader.</summary>
    public static IEnumerable<(long RowNumber, string[] Cells)> ReadRecords(TextReader reader)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        long row = 0;
        var inQuotes = false;
        var atRecordStart = true;
        int next;
        while ((next = reader.Read()) != -1)
        {
            var c = (char)next;
            atRecordStart = false;
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        cell.Append('"');
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    cell.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"' when cell.Length == 0:
                    inQuotes = true;
                    break;
                case ',':
                    cells.Add(cell.ToString());
                    cell.Clear();
                    break;
                case '\r' when reader.Peek() == '\n':
                    break;
                case '\n':
                    cells.Add(cell.ToString());
                    cell.Clear();
                    yield return (++row, cells.ToArray());
                    cells.Clear();
                    atRecordStart = true;
                    break;
                default:
                    cell.Append(c);
                    break;
            }
        }

        if (!atRecordStart)
        {
            cells.Add(cell.ToString());
            yield return (++row, cells.ToArray());
        }
    }

    /// <summary>Writes one record, quoting only the cells that need it.</summary>
    public static void WriteRecord(TextWriter writer, IReadOnlyList<string> cells)
    {
        for (var i = 0; i < cells.Count; i++)
        {
            if (i > 0)
            {
                writer.Write(',');
            }

            var cell = cells[i];
            if (cell.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                writer.Write('"');
                writer.Write(cell.Replace("\"", "\"\"", StringComparison.Ordinal));
                writer.Write('"');
            }
            else
            {
                writer.Write(cell);
            }
        }

        writer.Write('\n');
    }
}
