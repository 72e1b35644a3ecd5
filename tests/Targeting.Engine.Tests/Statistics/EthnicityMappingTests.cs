using System.Text.RegularExpressions;
using Targeting.Engine.Statistics;
using Targeting.Testing;

namespace Targeting.Engine.Tests.Statistics;

public partial class EthnicityMappingTests
{
    [Theory]
    // The 17 self-defined labels of the Met's files (../shared/data/README.md, section 1), besides "Not stated".
    [InlineData("White - English/Welsh/Scottish/Northern Irish/British", DetailedEthnicGroup.WhiteBritish, BroadEthnicGroup.White)]
    [InlineData("White - Irish", DetailedEthnicGroup.WhiteIrish, BroadEthnicGroup.White)]
    [InlineData("White - Any other White background", DetailedEthnicGroup.WhiteOther, BroadEthnicGroup.White)]
    [InlineData("Mixed/Multiple ethnic groups - White and Black Caribbean", DetailedEthnicGroup.MixedWhiteAndBlackCaribbean, BroadEthnicGroup.Mixed)]
    [InlineData("Mixed/Multiple ethnic groups - White and Black African", DetailedEthnicGroup.MixedWhiteAndBlackAfrican, BroadEthnicGroup.Mixed)]
    [InlineData("Mixed/Multiple ethnic groups - White and Asian", DetailedEthnicGroup.MixedWhiteAndAsian, BroadEthnicGroup.Mixed)]
    [InlineData("Mixed/Multiple ethnic groups - Any other Mixed/Multiple ethnic background", DetailedEthnicGroup.MixedOther, BroadEthnicGroup.Mixed)]
    [InlineData("Asian/Asian British - Indian", DetailedEthnicGroup.AsianIndian, BroadEthnicGroup.Asian)]
    [InlineData("Asian/Asian British - Pakistani", DetailedEthnicGroup.AsianPakistani, BroadEthnicGroup.Asian)]
    [InlineData("Asian/Asian British - Bangladeshi", DetailedEthnicGroup.AsianBangladeshi, BroadEthnicGroup.Asian)]
    [InlineData("Asian/Asian British - Chinese", DetailedEthnicGroup.AsianChinese, BroadEthnicGroup.Asian)]
    [InlineData("Asian/Asian British - Any other Asian background", DetailedEthnicGroup.AsianOther, BroadEthnicGroup.Asian)]
    [InlineData("Black/African/Caribbean/Black British - African", DetailedEthnicGroup.BlackAfrican, BroadEthnicGroup.Black)]
    [InlineData("Black/African/Caribbean/Black British - Caribbean", DetailedEthnicGroup.BlackCaribbean, BroadEthnicGroup.Black)]
    [InlineData("Black/African/Caribbean/Black British - Any other Black/African/Caribbean background", DetailedEthnicGroup.BlackOther, BroadEthnicGroup.Black)]
    [InlineData("Other ethnic group - Any other ethnic group", DetailedEthnicGroup.OtherAny, BroadEthnicGroup.Other)]
    // Other police.uk labels and Census 2021 spellings.
    [InlineData("White - Gypsy or Irish Traveller", DetailedEthnicGroup.WhiteGypsyOrIrishTraveller, BroadEthnicGroup.White)]
    [InlineData("Other ethnic group - Arab", DetailedEthnicGroup.OtherArab, BroadEthnicGroup.Other)]
    [InlineData("White: Roma", DetailedEthnicGroup.WhiteRoma, BroadEthnicGroup.White)]
    [InlineData("Black, Black British, Black Welsh, Caribbean or African: Other Black", DetailedEthnicGroup.BlackOther, BroadEthnicGroup.Black)]
    [InlineData("Asian, Asian British or Asian Welsh: Other Asian", DetailedEthnicGroup.AsianOther, BroadEthnicGroup.Asian)]
    [InlineData("Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups", DetailedEthnicGroup.MixedOther, BroadEthnicGroup.Mixed)]
    [InlineData("Other ethnic group: Arab", DetailedEthnicGroup.OtherArab, BroadEthnicGroup.Other)]
    [InlineData("White: English, Welsh, Scottish, Northern Irish or British", DetailedEthnicGroup.WhiteBritish, BroadEthnicGroup.White)]
    // Case, spacing and dash kind do not matter.
    [InlineData("  black/african/caribbean/black british \u2013   african ", DetailedEthnicGroup.BlackAfrican, BroadEthnicGroup.Black)]
    public void TryParseSelfDefined_KnownLabel_DetailedAndBroadGroup(string label, DetailedEthnicGroup detailed, BroadEthnicGroup broad)
    {
        Assert.True(EthnicityMapping.TryParseSelfDefined(label, out var group));
        Assert.Equal(detailed, group);
        Assert.Equal(broad, EthnicityMapping.ToBroadGroup(group));
    }

    [Fact]
    public void TryParseSelfDefined_NotStated_ParsesWithNoBroadGroup()
    {
        Assert.True(EthnicityMapping.TryParseSelfDefined("Other ethnic group - Not stated", out var group));
        Assert.Equal(DetailedEthnicGroup.NotStated, group);
        Assert.Null(EthnicityMapping.ToBroadGroup(group));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("Martian")]
    [InlineData("White")]
    public void TryParseSelfDefined_BlankOrUnknown_False(string? label)
    {
        Assert.False(EthnicityMapping.TryParseSelfDefined(label, out _));
    }

    [Theory]
    [InlineData("White", BroadEthnicGroup.White)]
    [InlineData("Black", BroadEthnicGroup.Black)]
    [InlineData("Asian", BroadEthnicGroup.Asian)]
    [InlineData("Other", BroadEthnicGroup.Other)]
    [InlineData("Mixed", BroadEthnicGroup.Mixed)]
    [InlineData(" black ", BroadEthnicGroup.Black)]
    public void TryParseOfficerDefined_PoliceUkValue_BroadGroup(string label, BroadEthnicGroup expected)
    {
        Assert.True(EthnicityMapping.TryParseOfficerDefined(label, out var group));
        Assert.Equal(expected, group);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("Not stated")]
    public void TryParseOfficerDefined_BlankOrUnknown_False(string? label)
    {
        Assert.False(EthnicityMapping.TryParseOfficerDefined(label, out _));
    }

    [Theory]
    [InlineData(1, BroadEthnicGroup.Asian)]
    [InlineData(2, BroadEthnicGroup.Black)]
    [InlineData(3, BroadEthnicGroup.Mixed)]
    [InlineData(4, BroadEthnicGroup.White)]
    [InlineData(5, BroadEthnicGroup.White)]
    [InlineData(6, BroadEthnicGroup.White)]
    [InlineData(7, BroadEthnicGroup.Other)]
    public void TryGetCensusBroadGroup_EightCategoryCode_BroadGroup(int code, BroadEthnicGroup expected)
    {
        Assert.True(EthnicityMapping.TryGetCensusBroadGroup(code, out var group));
        Assert.Equal(expected, group);
    }

    [Theory]
    [InlineData(-8)]
    [InlineData(0)]
    [InlineData(8)]
    public void TryGetCensusBroadGroup_OtherCode_False(int code)
    {
        Assert.False(EthnicityMapping.TryGetCensusBroadGroup(code, out _));
    }

    [Fact]
    public void ToBroadGroup_EveryDetailedGroup_Mapped()
    {
        var broad = Enum.GetValues<DetailedEthnicGroup>().Select(EthnicityMapping.ToBroadGroup).ToList();

        // 19 Census categories + not stated; 5 + 5 + 4 + 3 + 2 per broad group (Roma and Gypsy are White, Arab Other).
        Assert.Equal(20, broad.Count);
        Assert.Equal(5, broad.Count(b => b == BroadEthnicGroup.White));
        Assert.Equal(4, broad.Count(b => b == BroadEthnicGroup.Mixed));
        Assert.Equal(5, broad.Count(b => b == BroadEthnicGroup.Asian));
        Assert.Equal(3, broad.Count(b => b == BroadEthnicGroup.Black));
        Assert.Equal(2, broad.Count(b => b == BroadEthnicGroup.Other));
        Assert.Equal(1, broad.Count(b => b is null));
    }

    [Fact]
    public void DetailedEthnicGroup_Numbers_MatchStopsProto()
    {
        var proto = ProtoEnum("SelfDefinedEthnicity", "SELF_DEFINED_ETHNICITY_");

        Assert.Equal(proto.Count - 1, Enum.GetValues<DetailedEthnicGroup>().Length); // the proto adds UNSPECIFIED = 0
        foreach (var group in Enum.GetValues<DetailedEthnicGroup>())
        {
            var name = UpperSnake(group.ToString());
            Assert.True(proto.TryGetValue(name, out var number), $"{name} is not in stops.proto");
            Assert.Equal(number, (int)group);
        }
    }

    [Fact]
    public void BroadEthnicGroup_Numbers_MatchOfficerDefinedProto()
    {
        var proto = ProtoEnum("OfficerDefinedEthnicity", "OFFICER_DEFINED_ETHNICITY_");

        Assert.Equal(proto.Count - 1, Enum.GetValues<BroadEthnicGroup>().Length);
        foreach (var group in Enum.GetValues<BroadEthnicGroup>())
        {
            Assert.Equal(proto[UpperSnake(group.ToString())], (int)group);
        }
    }

    private static Dictionary<string, int> ProtoEnum(string enumName, string prefix)
    {
        var text = File.ReadAllText(RepoPaths.InRepo("protos", "targeting", "stops", "v1", "stops.proto"));
        var body = Regex.Match(text, "enum " + enumName + @" \{(?<body>[^}]*)\}").Groups["body"].Value;
        return EnumEntry().Matches(body)
            .ToDictionary(m => m.Groups["name"].Value[prefix.Length..], m => int.Parse(m.Groups["number"].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string UpperSnake(string pascal) => PascalBoundary().Replace(pascal, "$1_$2").ToUpperInvariant();

    [GeneratedRegex(@"(?<name>[A-Z_]+)\s*=\s*(?<number>\d+);")]
    private static partial Regex EnumEntry();

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex PascalBoundary();
}
