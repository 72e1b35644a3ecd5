using System.Globalization;
using Targeting.Common.V1;

namespace Targeting.Hotspot.Import;

/// <summary>Writes a rejected-rows report as CSV with the header <c>source,row,reason</c>.</summary>
public sealed class RejectedRowsReport : IDisposable
{
    private readonly StreamWriter _writer;

    public RejectedRowsReport(string path)
    {
        Path = path;
        _writer = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false));
        _writer.WriteLine("source,row,reason");
    }

    public string Path { get; }

    public long Count { get; private set; }

    public void Add(RejectedRow row)
    {
        Count++;
        _writer.Write(Quote(row.Source));
        _writer.Write(',');
        _writer.Write(row.RowNumber.ToString(CultureInfo.InvariantCulture));
        _writer.Write(',');
        _writer.WriteLine(Quote(row.Reason));
    }

    public void Dispose() => _writer.Dispose();

    /// <summary>RFC 4180 quoting where the value needs it.</summary>
    public static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
