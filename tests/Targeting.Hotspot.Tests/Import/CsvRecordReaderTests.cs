using System.Text;
using Targeting.Import;

namespace Targeting.Hotspot.Tests.Import;

/// <summary>The behaviour contract of the one CSV reader (CsvHelper underneath) both importers use.</summary>
public sealed class CsvRecordReaderTests
{
    private static List<(List<string> Fields, string? Error, long Record)> ReadAll(string text)
    {
        using var reader = CsvRecordReader.Open(new StringReader(text));
        var result = new List<(List<string>, string?, long)>();
        var fields = new List<string>();
        while (reader.TryRead(fields, out var error))
        {
            result.Add(([.. fields], error, reader.RecordNumber));
        }

        return result;
    }

    [Fact]
    public void TryRead_QuotedFieldWithCommaAndEscapedQuote_KeepsTextWhole()
    {
        var records = ReadAll("a,\"Ham, Petersham and \"\"Richmond\"\"\",c\r\n");

        Assert.Single(records);
        Assert.Equal(["a", "Ham, Petersham and \"Richmond\"", "c"], records[0].Fields);
        Assert.Null(records[0].Error);
    }

    [Fact]
    public void TryRead_LineBreakInsideQuotes_IsOneRecordAndCountsOnce()
    {
        var records = ReadAll("h1,h2\n\"two\nlines\",x\nlast,y\n");

        Assert.Equal(3, records.Count);
        Assert.Equal(["two\nlines", "x"], records[1].Fields);
        Assert.Equal(2, records[1].Record);
        Assert.Equal(["last", "y"], records[2].Fields);
        Assert.Equal(3, records[2].Record);
    }

    [Fact]
    public void TryRead_TrailingComma_GivesEmptyLastField()
    {
        var records = ReadAll("a,b,\n\"q\",\n");

        Assert.Equal(["a", "b", ""], records[0].Fields);
        Assert.Equal(["q", ""], records[1].Fields);
    }

    [Theory]
    [InlineData("a,b\"c,d", "a quote inside an unquoted field")]
    [InlineData("a,\"b\"x,d", "text after a closing quote")]
    [InlineData("a,\"never closed", "unterminated quoted field")]
    public void TryRead_MalformedQuoting_ReportsTheProblem(string line, string expected)
    {
        var records = ReadAll(line);

        Assert.Single(records);
        Assert.Equal(expected, records[0].Error);
    }

    [Fact]
    public void TryRead_MalformedRowsBetweenGoodOnes_EachReportedOnItsOwnRecordOnly()
    {
        var records = ReadAll("h\n\"x\"y\nok\na,b\"c,d\nz\n");

        Assert.Equal([1L, 2, 3, 4, 5], records.Select(r => r.Record));
        Assert.Equal([null, "text after a closing quote", null, "a quote inside an unquoted field", null], records.Select(r => r.Error));
        Assert.Equal(["xy"], records[1].Fields);
    }

    [Fact]
    public void TryRead_BlankLines_AreRecordsAndAnEmptyLastLineIsNone()
    {
        var records = ReadAll("h\n\nb\n\n");

        Assert.Equal([1L, 2, 3, 4], records.Select(r => r.Record));
        Assert.Equal([""], records[1].Fields);
        Assert.Equal(["b"], records[2].Fields);
        Assert.Equal(3, ReadAll("h\nb\nc\n").Count);
    }

    [Fact]
    public void TryRead_Utf8ByteOrderMarkAndMixedLineEnds_Skipped()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("h,i\r\n1,2\n3,4\r\n")).ToArray();
        using var text = new StreamReader(new MemoryStream(bytes), detectEncodingFromByteOrderMarks: true);

        var records = CsvRecordReader.ReadAll(text).ToList();

        Assert.Equal(["h", "i"], records[0].Fields);
        Assert.Equal([1L, 2, 3], records.Select(r => r.RecordNumber));
        Assert.All(records, r => Assert.Null(r.Malformed));
    }

    [Fact]
    public void TryRead_SemicolonsAndTabs_AreNotSeparators()
    {
        // The separator is fixed, not detected from the first lines.
        var records = ReadAll("a;b\tc\n1;2\t3\n");

        Assert.Equal(["a;b\tc"], records[0].Fields);
    }

    [Fact]
    public void WriteRecord_CellsNeedingQuotes_RoundTrip()
    {
        string[] cells = ["plain", "with,comma", "with \"quote\"", "two\nlines", "", " padded "];
        var writer = new StringWriter();

        using (var csv = CsvRecordWriter.Create(writer, leaveOpen: true))
        {
            csv.WriteRecord(cells);
            csv.WriteRecord("next", "row", "", "", "", "");
        }

        Assert.Equal("plain,\"with,comma\",\"with \"\"quote\"\"\",\"two\nlines\",, padded \nnext,row,,,,\n", writer.ToString());
        Assert.Equal(cells, CsvRecordReader.ReadAll(new StringReader(writer.ToString())).First().Fields);
    }
}
