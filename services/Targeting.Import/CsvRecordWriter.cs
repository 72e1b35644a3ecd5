using CsvHelper;

namespace Targeting.Import;

/// <summary>
/// Writes RFC 4180 records with CsvHelper's writer: fields quoted only when they need it (a comma,
/// a quote, CR or LF), quotes doubled, LF line ends (as the files were written before), no byte
/// order mark (the text writer's encoding decides). Used for the stop-and-search export and the
/// rejected-rows reports, so that what is written reads back through <see cref="CsvRecordReader"/>.
/// </summary>
public sealed class CsvRecordWriter : IDisposable, IAsyncDisposable
{
    private static readonly CsvWriterOptions Options = CsvWriterOptions.Default with
    {
        Mode = CsvMode.Rfc4180,
        Separator = ',',
        Quoting = CsvQuoting.WhenNeeded,
        NewLine = "\n",
        // The report and the export mix a header with rows that a caller checks itself.
        ValidateFieldCount = false,
    };

    private readonly CsvWriter _writer;

    private CsvRecordWriter(TextWriter writer, bool leaveOpen) => _writer = CsvWriter.Create(writer, Options, leaveOpen);

    /// <summary>A writer onto <paramref name="writer"/>, which it disposes unless <paramref name="leaveOpen"/>.</summary>
    public static CsvRecordWriter Create(TextWriter writer, bool leaveOpen = false) => new(writer, leaveOpen);

    /// <summary>Writes one record.</summary>
    public void WriteRecord(params ReadOnlySpan<string> fields) => _writer.WriteRecord(fields);

    /// <summary>Writes one record.</summary>
    public void WriteRecord(IReadOnlyList<string> fields)
    {
        foreach (var field in fields)
        {
            _writer.WriteField(field);
        }

        _writer.EndRecord();
    }

    /// <summary>Writes what is buffered to the text writer and flushes it.</summary>
    public void Flush() => _writer.Flush();

    /// <summary>Writes what is buffered to the text writer and flushes it.</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken) => _writer.FlushAsync(cancellationToken);

    public void Dispose() => _writer.Dispose();

    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}
