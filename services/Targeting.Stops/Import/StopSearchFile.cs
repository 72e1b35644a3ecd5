using Targeting.Common.V1;
using Targeting.Import;
using Targeting.Stops.V1;

namespace Targeting.Stops.Import;

/// <summary>
/// Reads one data.police.uk stop-and-search file into import batches: every row either becomes an
/// <see cref="ImportedEncounter"/> (row number = record number, header = 1) or a rejected row with
/// every reason the format check found (or what was wrong with its quoting). Rows that pass here are
/// still validated by the service.
/// </summary>
public sealed class StopSearchFile
{
    private StopSearchFile(string path, string source)
    {
        Path = path;
        Source = source;
    }

    public string Path { get; }

    /// <summary>The import's source name: the file name, so the same file imported from anywhere is one source.</summary>
    public string Source { get; }

    public static StopSearchFile Open(string path) => new(path, System.IO.Path.GetFileName(path));

    /// <summary>
    /// Batches of parsed rows, with the rows rejected while reading (added to <paramref name="rejected"/>
    /// as they are met). Throws <see cref="FormatException"/> when the header is not the 15-column format.
    /// </summary>
    public IEnumerable<List<ImportedEncounter>> ReadBatches(int batchSize, List<RejectedRow> rejected)
    {
        using var reader = new StreamReader(Path, StopSearchFormat.FileEncoding, detectEncodingFromByteOrderMarks: true);
        using var records = CsvRecordReader.ReadAll(reader).GetEnumerator();
        if (!records.MoveNext())
        {
            throw new FormatException($"{Source} is empty: no header");
        }

        if (StopSearchFormat.CheckHeader(records.Current.Fields) is { } problem)
        {
            throw new FormatException($"{Source} is not a data.police.uk stop-and-search file: {problem}");
        }

        var batch = new List<ImportedEncounter>(batchSize);
        while (records.MoveNext())
        {
            var (row, cells, malformed) = records.Current;
            if (malformed is not null)
            {
                rejected.Add(new RejectedRow { Source = Source, RowNumber = row, Reason = malformed });
                continue;
            }

            var encounter = StopSearchFormat.TryParseRow(cells, out var reasons);
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
}
