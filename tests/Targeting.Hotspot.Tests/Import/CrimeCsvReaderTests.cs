using Targeting.Hotspot.Import;
using Targeting.Hotspot.V1;

namespace Targeting.Hotspot.Tests.Import;

public sealed class CrimeCsvReaderTests
{
    private const string StreetHeader = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context";
    private const string ExtractHeader = "Month,Crime type,Longitude,Latitude,Location type,LSOA code,LSOA name,Borough,Ward code (2014),Ward name (2014)";

    private static List<CrimeCsvRow> Read(string text, out CrimeCsvFormat format)
    {
        var reader = CrimeCsvReader.Open(new StringReader(text), "test.csv");
        format = reader.Format;
        return [.. reader.ReadRows()];
    }

    [Fact]
    public void Open_StreetHeaderWithBom_DetectsStreetFormat()
    {
        var rows = Read("\uFEFF" + StreetHeader + "\nabc,2022-01,Met,Met,0.1,51.5,On or near X,E01000001,B 001A,Robbery,,\n", out var format);

        Assert.Same(CrimeCsvFormat.PoliceUkStreet, format);
        var incident = Assert.Single(rows).Incident!;
        Assert.Equal("abc", incident.Id);
        Assert.Equal(new DateTime(2022, 1, 1, 0, 0, 0, DateTimeKind.Utc), incident.OccurredAt.ToDateTime());
        Assert.Equal(TimePrecision.Month, incident.TimePrecision);
        Assert.Equal(51.5, incident.Location.Latitude);
        Assert.Equal(0.1, incident.Location.Longitude);
        Assert.Equal("E01000001", incident.LsoaCode);
        Assert.Equal(Provenance.Reported, incident.Provenance);
        Assert.Equal(2, incident.RowNumber);
        Assert.Equal("test.csv", incident.Source);
    }

    [Fact]
    public void Open_ExtractHeaderDifferentCase_DetectsExtractFormat()
    {
        var rows = Read(ExtractHeader.ToUpperInvariant() + "\r\n2022-03,possession of weapons,-0.1114,51.4908,,E01003111,Lambeth 002D,Lambeth,E05000427,Prince's\r\n", out var format);

        Assert.Same(CrimeCsvFormat.LondonExtract, format);
        var incident = Assert.Single(rows).Incident!;
        Assert.Equal("Possession of weapons", incident.CrimeType);
        Assert.Equal(Provenance.Discovered, incident.Provenance);
        Assert.StartsWith("sha256:", incident.Id, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_UnknownHeader_ThrowsNamingTheExpectedFormats()
    {
        var error = Assert.Throws<InvalidDataException>(() => CrimeCsvReader.Open(new StringReader("Type,Date,Latitude\n"), "x.csv"));

        Assert.Contains("unrecognised header", error.Message, StringComparison.Ordinal);
        Assert.Contains("Crime ID", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_EmptyFile_Throws()
    {
        Assert.Throws<InvalidDataException>(() => CrimeCsvReader.Open(new StringReader(""), "x.csv"));
    }

    [Theory]
    [InlineData("2022-01,Robbery,,51.49,,E1,L,B,W,N", "no coordinates (Longitude or Latitude blank)")]
    [InlineData("2022-01,Robbery,abc,51.49,,E1,L,B,W,N", "Longitude 'abc' is not a number")]
    [InlineData("2022-13,Robbery,-0.1,51.49,,E1,L,B,W,N", "Month '2022-13' is not a valid YYYY-MM")]
    [InlineData("22-01,Robbery,-0.1,51.49,,E1,L,B,W,N", "Month '22-01' is not a valid YYYY-MM")]
    [InlineData(",Robbery,-0.1,51.49,,E1,L,B,W,N", "no Month")]
    [InlineData("2022-01,Jaywalking,-0.1,51.49,,E1,L,B,W,N", "unknown crime type 'Jaywalking'")]
    [InlineData("2022-01,Robbery,-0.1,51.49,,E1,L,B,W", "expected 10 columns, found 9")]
    [InlineData("2022-01,Robbery,-0.1,51.49,,E1,L,B,W,N,extra", "expected 10 columns, found 11")]
    [InlineData("", "blank line")]
    [InlineData("2022-01,Robbery,0,0,,E1,L,B,W,N", "point (0, 0) is outside the supported area (49.75..61.01 N, -9.01..2.01 E)")]
    [InlineData("2022-01,Robbery,-0.1,95,,E1,L,B,W,N", "coordinates (95, -0.1) are not a valid latitude and longitude")]
    [InlineData("2022-01,Robbery,NaN,51.5,,E1,L,B,W,N", "Longitude 'NaN' is not a number")]
    public void ReadRows_BadRow_RejectedWithReason(string line, string reason)
    {
        var rows = Read(ExtractHeader + "\n" + line + "\n2022-01,Robbery,-0.1,51.49,,E1,L,B,W,N\n", out _);

        Assert.Equal(2, rows.Count);
        Assert.Null(rows[0].Incident);
        Assert.Equal(reason, rows[0].RejectionReason);
        Assert.Equal(2, rows[0].RowNumber);
        Assert.NotNull(rows[1].Incident);
        Assert.Equal(3, rows[1].RowNumber);
    }

    [Fact]
    public void ReadRows_IdenticalRows_GetDistinctIdsStableAcrossReads()
    {
        const string row = "2022-01,Robbery,-0.1,51.49,,E1,L,B,W,N";
        var text = ExtractHeader + "\n" + row + "\n2022-01,Burglary,-0.1,51.49,,E1,L,B,W,N\n" + row + "\n";

        var first = Read(text, out _).Select(r => r.Incident!.Id).ToList();
        var second = Read(text, out _).Select(r => r.Incident!.Id).ToList();

        Assert.Equal(3, first.Distinct().Count());
        Assert.Equal(first, second);
        Assert.EndsWith(".0", first[0], StringComparison.Ordinal);
        Assert.EndsWith(".1", first[2], StringComparison.Ordinal);
        Assert.Equal(first[0][..^2], first[2][..^2]);
    }

    [Fact]
    public void ReadRows_SubsetOfFile_GivesTheSameIdsAsTheWhole()
    {
        var a = "2022-01,Robbery,-0.1,51.49,,E1,L,B,W,N";
        var b = "2022-02,Robbery,-0.2,51.48,,E2,L,B,W,N";
        var whole = Read($"{ExtractHeader}\n{a}\n{b}\n{a}\n", out _).Select(r => r.Incident!.Id).ToList();
        var subset = Read($"{ExtractHeader}\n{b}\n{a}\n", out _).Select(r => r.Incident!.Id).ToList();

        Assert.Equal(whole[1], subset[0]);
        Assert.Equal(whole[0], subset[1]);
    }

    [Fact]
    public void ReadRows_RejectedDuplicateBeforeAccepted_DoesNotShiftOccurrenceIndex()
    {
        var good = "2022-01,Robbery,-0.1,51.49,,E1,L,B,W,N";
        var withBad = Read($"{ExtractHeader}\n2022-01,Robbery,-0.1,51.49,,E1,L,B,W\n{good}\n", out _);
        var clean = Read($"{ExtractHeader}\n{good}\n", out _);

        Assert.Equal(clean[0].Incident!.Id, withBad[1].Incident!.Id);
    }

    [Fact]
    public void ReadRows_StreetRowWithoutCrimeId_GetsContentHashIgnoringTheBlankIdColumn()
    {
        var rows = Read(StreetHeader + "\n,2022-01,Met,Met,0.1,51.5,On or near X,E01000001,B 001A,Anti-social behaviour,,\n", out _);

        Assert.StartsWith("sha256:", rows[0].Incident!.Id, StringComparison.Ordinal);
        Assert.Equal("Anti-social behaviour", rows[0].Incident!.CrimeType);
    }

    [Fact]
    public void ReadRows_QuotedWardName_ParsesTheRow()
    {
        var rows = Read(ExtractHeader + "\n2022-01,Burglary,-0.3189,51.4351,,E01003818,Richmond upon Thames 017A,Richmond upon Thames,E05000519,\"Ham, Petersham and Richmond Riverside\"\n", out _);

        Assert.NotNull(Assert.Single(rows).Incident);
    }
}
