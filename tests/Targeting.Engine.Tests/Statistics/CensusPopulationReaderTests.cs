using Targeting.Engine.Statistics;
using Targeting.Testing;

namespace Targeting.Engine.Tests.Statistics;

public class CensusPopulationReaderTests
{
    private const string Header =
        "Borough code,Borough,Ethnic group code,Ethnic group (ONS 8-category label),\"Broad group (5-way, as used in police.uk officer-defined ethnicity)\",Population,Borough total,Share";

    private static CensusPopulations ReadShipped()
    {
        using var reader = new StreamReader(Path.Combine(RepoPaths.SampleData, "census", "census2021_ethnic_group_london_boroughs.csv"));
        return CensusPopulationReader.Read(reader, "census2021_ethnic_group_london_boroughs.csv");
    }

    [Fact]
    public void Read_ShippedFile_ThirtyThreeBoroughsNoRejections()
    {
        var census = ReadShipped();

        Assert.Empty(census.Rejected);
        Assert.Equal(33, census.Boroughs.Count);
        Assert.Equal("E09000001", census.Boroughs[0].Code);
    }

    [Fact]
    public void Read_ShippedFile_LambethAndBarkingTotalsAsPublished()
    {
        var census = ReadShipped();

        var lambeth = census.Find("Lambeth")!;
        Assert.Equal("E09000022", lambeth.Code);
        Assert.Equal(317652, lambeth.Total);
        // White = 119,395 British + 6,828 Irish + 48,555 Gypsy/Roma/other White = 174,778.
        Assert.Equal(174778, lambeth.ByBroadGroup[BroadEthnicGroup.White]);
        Assert.Equal(76145, lambeth.ByBroadGroup[BroadEthnicGroup.Black]);
        Assert.Equal(25632, lambeth.ByBroadGroup[BroadEthnicGroup.Mixed]);

        var barking = census.Find("E09000002")!;
        Assert.Equal("Barking and Dagenham", barking.Name);
        Assert.Equal(218866, barking.Total);
        Assert.Equal(218866, barking.ByBroadGroup.Values.Sum());
        Assert.Same(barking, census.Find("barking & dagenham"));
        Assert.Null(census.Find("Narnia"));
    }

    [Fact]
    public void Combined_ShippedFile_LondonTotalIsSumOfBoroughs()
    {
        var census = ReadShipped();

        var london = census.Combined();

        Assert.Equal(census.Boroughs.Sum(b => b.Total), london.Total);
        Assert.Equal(london.Total, london.ByBroadGroup.Values.Sum());
        Assert.Equal(census.Boroughs.Sum(b => b.ByBroadGroup[BroadEthnicGroup.Black]), london.ByBroadGroup[BroadEthnicGroup.Black]);
    }

    [Fact]
    public void Read_BadRows_RejectedWithLineNumbersAndReasons()
    {
        var lines = new[]
        {
            Header,
            "E09000099,Testham,1,Asian,Asian,10,100,0.1",                  // 2 fine
            "E09000099,Testham,2,Black,Black,20,100,0.2",                  // 3 fine
            "E09000099,Testham,3,Mixed,Mixed,5,100,0.05",                  // 4 fine
            "E09000099,Testham,4,White British,White,40,100,0.4",          // 5 fine
            "E09000099,Testham,5,White Irish,White,5,100,0.05",            // 6 fine
            "E09000099,Testham,6,Other White,White,10,100,0.1",            // 7 fine
            "E09000099,Testham,7,Other,Other,10,100,0.1",                  // 8 fine
            "E09000099,Testham,7,Other,Other,10,100,0.1",                  // 9 repeated code
            "E9,Bad,1,Asian,Asian,10,100,0.1",                             // 10 bad GSS code
            "E09000098,Short,1,Asian,Asian,10,100",                        // 11 seven columns
            "E09000098,Wrong,8,Other,Other,10,100,0.1",                    // 12 code 8
            "E09000098,Wrong,2,Black,White,10,100,0.1",                    // 13 broad group does not match
            "E09000098,Wrong,2,Black,Black,-10,100,-0.1",                  // 14 negative population
            "E09000098,Wrong,2,Black,Black,10,100,0.5",                    // 15 share disagrees
            "E09000097,Partial,1,Asian,Asian,10,100,0.1",                  // 16 borough with one group only
            "E09000097,Partial,2,Black,Black,10,90,0.111111",              // 17 total differs
        };

        var census = CensusPopulationReader.Read(new StringReader(string.Join("\n", lines)), "test.csv");

        Assert.Equal(["E09000099"], census.Boroughs.Select(b => b.Code));
        Assert.Equal(100, census.Boroughs[0].ByBroadGroup.Values.Sum());
        var rejected = census.Rejected.ToDictionary(r => r.RowNumber, r => r.Reason);
        Assert.All(census.Rejected, r => Assert.Equal("test.csv", r.Source));
        Assert.Equal([9, 10, 11, 12, 13, 14, 15, 16, 17], rejected.Keys.Order());
        Assert.Contains("code 7 repeated", rejected[9]);
        Assert.Contains("not a GSS code", rejected[10]);
        Assert.Contains("expected 8 columns, found 7", rejected[11]);
        Assert.Contains("code 1–7", rejected[12]);
        Assert.Contains("does not match ethnic group code 2", rejected[13]);
        Assert.Contains("not a whole number", rejected[14]);
        Assert.Contains("share", rejected[15]);
        Assert.Contains("borough E09000097 left out: missing ethnic group code(s) 2, 3, 4, 5, 6, 7", rejected[16]);
        Assert.Contains("borough total 90 differs", rejected[17]);
    }

    [Fact]
    public void Read_GroupsNotAddingUpToTotal_BoroughLeftOut()
    {
        var lines = new List<string> { Header };
        for (var code = 1; code <= 7; code++)
        {
            var broad = code switch { 1 => "Asian", 2 => "Black", 3 => "Mixed", 7 => "Other", _ => "White" };
            lines.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"E09000050,Sumless,{code},x,{broad},10,100,0.1"));
        }

        var census = CensusPopulationReader.Read(new StringReader(string.Join("\r\n", lines)));

        Assert.Empty(census.Boroughs);
        var rejection = Assert.Single(census.Rejected);
        Assert.Equal(2, rejection.RowNumber);
        Assert.Contains("add up to 70, not the borough total 100", rejection.Reason);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Code,Name,Population")]
    public void Read_BadHeader_LineOneRejectedNothingRead(string content)
    {
        var census = CensusPopulationReader.Read(new StringReader(content + "\nE09000099,Testham,1,Asian,Asian,10,100,0.1"));

        Assert.Empty(census.Boroughs);
        var rejection = Assert.Single(census.Rejected);
        Assert.Equal(1, rejection.RowNumber);
    }
}
