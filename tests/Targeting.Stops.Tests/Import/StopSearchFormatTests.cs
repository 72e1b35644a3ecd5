using System.Text;
using Targeting.Common.V1;
using Targeting.Import;
using Targeting.Stops.Import;
using Targeting.Stops.V1;
using Targeting.Testing;

namespace Targeting.Stops.Tests.Import;

public sealed class StopSearchFormatTests
{
    private const string Header =
        "Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,Self-defined ethnicity," +
        "Officer-defined ethnicity,Legislation,Object of search,Outcome,Outcome linked to object of search,Removal of more than just outer clothing";

    [Fact]
    public void TryParseRow_RealRow_MapsEveryColumn()
    {
        // The first data row of data/police-uk/stop-and-search/2021-06-metropolitan-stop-and-search.csv.
        var cells = "Person search,2021-05-31T23:56:00+00:00,False,,51.433917,-0.103496,Male,25-34,Black/African/Caribbean/Black British - Any other Black/African/Caribbean background,Black,Misuse of Drugs Act 1971 (section 23),Controlled drugs,A no further action disposal,,".Split(',');

        var encounter = StopSearchFormat.TryParseRow(cells, out var reasons);

        Assert.Empty(reasons);
        Assert.NotNull(encounter);
        Assert.Equal(EncounterType.PersonSearch, encounter.Type);
        Assert.Equal(new DateTimeOffset(2021, 5, 31, 23, 56, 0, TimeSpan.Zero), encounter.OccurredAt.ToDateTimeOffset());
        Assert.Equal(Answer.No, encounter.PartOfOperation);
        Assert.Equal(51.433917, encounter.Location.Latitude);
        Assert.Equal(-0.103496, encounter.Location.Longitude);
        Assert.Equal(LocationPrecision.Snapped, encounter.LocationPrecision);
        Assert.Equal(Sex.Male, encounter.Sex);
        Assert.Equal(AgeRange._25To34, encounter.AgeRange);
        Assert.Equal(SelfDefinedEthnicity.BlackOther, encounter.SelfDefinedEthnicity);
        Assert.Equal(OfficerDefinedEthnicity.Black, encounter.OfficerDefinedEthnicity);
        Assert.Equal(LegalPower.MisuseOfDrugsS23, encounter.LegalPower);
        Assert.Equal(ObjectOfSearch.ControlledDrugs, encounter.ObjectOfSearch);
        Assert.Equal(Outcome.NoFurtherAction, encounter.Outcome);
        Assert.Equal(Answer.Unspecified, encounter.OutcomeLinkedToObject);
        Assert.Equal(Answer.Unspecified, encounter.RemovalOfMoreThanOuterClothing);
    }

    [Fact]
    public void TryParseRow_BlankCoordinates_Unlocated()
    {
        var cells = "Vehicle search,2021-06-02T10:00:00+00:00,False,,,,,,,,Police and Criminal Evidence Act 1984 (section 1),Stolen goods,Arrest,,".Split(',');

        var encounter = StopSearchFormat.TryParseRow(cells, out _);

        Assert.NotNull(encounter);
        Assert.Null(encounter.Location);
        Assert.Equal(LocationPrecision.Unlocated, encounter.LocationPrecision);
    }

    [Fact]
    public void TryParseRow_SeveralBadCells_OneReasonEach()
    {
        var cells = "Horse search,yesterday,Maybe,,51.5,,Male,25-34,,,Poaching Prevention Act 1862 (section 2),Controlled drugs,Arrest,,".Split(',');

        var encounter = StopSearchFormat.TryParseRow(cells, out var reasons);

        Assert.Null(encounter);
        Assert.Equal(5, reasons.Count);
        Assert.Contains(reasons, r => r.StartsWith("Type 'Horse search'", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.StartsWith("Date 'yesterday'", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.StartsWith("Part of a policing operation 'Maybe'", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.StartsWith("Legislation 'Poaching", StringComparison.Ordinal));
        Assert.Contains("only one of Latitude and Longitude is given", reasons);
    }

    [Fact]
    public void TryParseRow_WrongColumnCount_Reason()
    {
        StopSearchFormat.TryParseRow(["Person search", "2021-06-02T10:00:00+00:00"], out var reasons);

        Assert.Equal(["expected 15 columns, found 2"], reasons);
    }

    [Fact]
    public void CheckHeader_WithBomAndRealHeader_Accepted()
    {
        var text = "\uFEFF" + Header + "\n";
        using var reader = new StreamReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), detectEncodingFromByteOrderMarks: true);

        var (row, header, malformed) = CsvRecordReader.ReadAll(reader).First();

        Assert.Equal(1, row);
        Assert.Null(malformed);
        Assert.Null(StopSearchFormat.CheckHeader(header));
    }

    [Fact]
    public void CheckHeader_StreetCrimeHeader_Reason()
    {
        var reason = StopSearchFormat.CheckHeader("Crime ID,Month,Reported by".Split(','));

        Assert.NotNull(reason);
        Assert.Contains("3 columns", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadRecords_QuotedCellsAndCrlf_ParsedAndNumbered()
    {
        var text = "a,b\r\n\"x, \"\"quoted\"\"\",\"two\nlines\"\r\nlast,row";

        var records = CsvRecordReader.ReadAll(new StringReader(text)).ToList();

        Assert.Equal(3, records.Count);
        Assert.Equal(["x, \"quoted\"", "two\nlines"], records[1].Fields);
        Assert.Equal(3, records[2].RecordNumber);
        Assert.Equal(["last", "row"], records[2].Fields);
    }

    [Fact]
    public void ReadBatches_MalformedQuotingAndBlankLine_RejectedWithTheirRecordNumbers()
    {
        var path = Path.Combine(Path.GetTempPath(), $"stops-malformed-{Guid.NewGuid():N}.csv");
        var quotedLineBreak = "Person search,2021-06-02T10:00:00+00:00,False,,,,Male,18-24,\"Other\nethnic group\",,,,,,";
        File.WriteAllText(path, Header + "\n" + quotedLineBreak + "\n" + "Person search,\"2021\"x,False\n\nPerson search,\"never closed\n");
        try
        {
            var rejected = new List<RejectedRow>();

            var batches = StopSearchFile.Open(path).ReadBatches(100, rejected).ToList();

            Assert.Empty(batches);
            Assert.Equal([2L, 3, 4, 5], rejected.Select(r => r.RowNumber));
            Assert.Equal("text after a closing quote", rejected[1].Reason);
            Assert.Equal("expected 15 columns, found 1", rejected[2].Reason);
            Assert.Equal("unterminated quoted field", rejected[3].Reason);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void WriteRecord_CellsNeedingQuotes_RoundTrip()
    {
        string[] cells = ["plain", "with,comma", "with \"quote\"", "two\nlines", ""];
        var writer = new StringWriter();

        using (var csv = CsvRecordWriter.Create(writer, leaveOpen: true))
        {
            csv.WriteRecord(cells);
        }

        var back = CsvRecordReader.ReadAll(new StringReader(writer.ToString())).Single().Fields;

        Assert.Equal(cells, back);
    }

    [Theory]
    [InlineData(51.433917, "51.433917")]
    [InlineData(-0.1, "-0.100000")]
    [InlineData(51.43391712345, "51.43391712345")]
    public void FormatCoordinate_SixDecimalsUnlessMoreNeeded(double value, string expected)
    {
        Assert.Equal(expected, StopSearchFormat.FormatCoordinate(value));
    }

    [Fact]
    public void TryFormatRow_VehicleStopWithoutSearch_NotInTheFormat()
    {
        var row = StopSearchFormat.TryFormatRow(TestEncounters.VehicleStop(), out var reason);

        Assert.Null(row);
        Assert.Contains("not a stop-and-search record", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseThenFormat_EveryShippedRow_GivesTheSameCells()
    {
        var files = Directory.GetFiles(RepoPaths.InRepo("data", "police-uk", "stop-and-search"), "*.csv");
        var rows = 0;
        foreach (var file in files)
        {
            using var reader = new StreamReader(file, detectEncodingFromByteOrderMarks: true);
            foreach (var (rowNumber, cells, _) in CsvRecordReader.ReadAll(reader).Skip(1))
            {
                var encounter = StopSearchFormat.TryParseRow(cells, out var reasons);
                Assert.True(encounter is not null, $"{Path.GetFileName(file)} row {rowNumber}: {string.Join("; ", reasons)}");
                Assert.Equal(cells, StopSearchFormat.TryFormatRow(encounter, out _));
                rows++;
            }
        }

        // data/README.md: 17,299 records in 15 files.
        Assert.Equal(17_299, rows);
    }
}
