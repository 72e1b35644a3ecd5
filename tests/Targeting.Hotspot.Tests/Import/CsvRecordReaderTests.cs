using Targeting.Hotspot.Import;

namespace Targeting.Hotspot.Tests.Import;

public sealed class CsvRecordReaderTests
{
    private static List<(List<string> Fields, string? Error, long Record)> ReadAll(string text)
    {
        var reader = new CsvRecordReader(new StringReader(text));
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
}
