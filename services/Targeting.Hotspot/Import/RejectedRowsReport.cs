using System.Globalization;
using Targeting.Common.V1;
using Targeting.Import;

namespace Targeting.Hotspot.Import;

/// <summary>Writes a rejected-rows report as CSV with the header <c>source,row,reason</c>.</summary>
public sealed class RejectedRowsReport : IDisposable
{
    private readonly CsvRecordWriter _writer;

    public RejectedRowsReport(string path)
    {
        Path = path;
        _writer = CsvRecordWriter.Create(new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false)));
        _writer.WriteRecord("source", "row", "reason");
    }

    public string Path { get; }

    public long Count { get; private set; }

    public void Add(RejectedRow row)
    {
        Count++;
        _writer.WriteRecord(row.Source, row.RowNumber.ToString(CultureInfo.InvariantCulture), row.Reason);
    }

    public void Dispose() => _writer.Dispose();
}
