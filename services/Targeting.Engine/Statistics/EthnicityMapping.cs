using System.Collections.Frozen;
using System.Text;

namespace Targeting.Engine.Statistics;

/// <summary>
/// Maps the ethnicity labels of data.police.uk and the Census 2021 onto <see cref="DetailedEthnicGroup"/>
/// and <see cref="BroadEthnicGroup"/>. Label matching ignores case, repeated spaces and the kind of dash.
/// </summary>
/// <remarks>
/// Self-defined labels are accepted in two spellings: data.police.uk's "Group - Subgroup" labels
/// (the 2011 Census set: "Black/African/Caribbean/Black British - African", "Other ethnic group -
/// Not stated", …) and the Census 2021 "Group: Subgroup" labels ("Black, Black British, Black Welsh,
/// Caribbean or African: African", "White: Roma", …). The broad group of each detailed group is
/// the Census 2021 one: Gypsy or Irish Traveller and Roma are White, Arab is Other.
/// </remarks>
public static class EthnicityMapping
{
    private static readonly FrozenDictionary<string, DetailedEthnicGroup> SelfDefinedLabels = BuildSelfDefinedLabels();

    /// <summary>
    /// Parses an officer-defined ethnicity ("White", "Black", "Asian", "Other" or "Mixed").
    /// </summary>
    /// <returns>False for a blank or unrecognised label (the caller counts it as unknown).</returns>
    public static bool TryParseOfficerDefined(string? label, out BroadEthnicGroup group)
    {
        group = default;
        var key = Normalise(label);
        switch (key)
        {
            case "white": group = BroadEthnicGroup.White; return true;
            case "black": group = BroadEthnicGroup.Black; return true;
            case "asian": group = BroadEthnicGroup.Asian; return true;
            case "other": group = BroadEthnicGroup.Other; return true;
            case "mixed": group = BroadEthnicGroup.Mixed; return true;
            default: return false;
        }
    }

    /// <summary>Parses a self-defined ethnicity label (data.police.uk or Census 2021 spelling).</summary>
    /// <returns>False for a blank or unrecognised label. "… Not stated" parses as <see cref="DetailedEthnicGroup.NotStated"/>.</returns>
    public static bool TryParseSelfDefined(string? label, out DetailedEthnicGroup group) =>
        SelfDefinedLabels.TryGetValue(Normalise(label), out group);

    /// <summary>The Census 2021 broad group of a detailed group; null for <see cref="DetailedEthnicGroup.NotStated"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value that is not a defined member.</exception>
    public static BroadEthnicGroup? ToBroadGroup(DetailedEthnicGroup group) => group switch
    {
        DetailedEthnicGroup.NotStated => null,
        >= DetailedEthnicGroup.WhiteBritish and <= DetailedEthnicGroup.WhiteOther => BroadEthnicGroup.White,
        >= DetailedEthnicGroup.MixedWhiteAndBlackCaribbean and <= DetailedEthnicGroup.MixedOther => BroadEthnicGroup.Mixed,
        >= DetailedEthnicGroup.AsianIndian and <= DetailedEthnicGroup.AsianOther => BroadEthnicGroup.Asian,
        >= DetailedEthnicGroup.BlackAfrican and <= DetailedEthnicGroup.BlackOther => BroadEthnicGroup.Black,
        DetailedEthnicGroup.OtherArab or DetailedEthnicGroup.OtherAny => BroadEthnicGroup.Other,
        _ => throw new ArgumentOutOfRangeException(nameof(group), group, "not a detailed ethnic group"),
    };

    /// <summary>
    /// The broad group of a Census 2021 8-category ethnic group code (1 Asian, 2 Black, 3 Mixed,
    /// 4 White British, 5 White Irish, 6 White Gypsy or Irish Traveller, Roma or Other White, 7 Other).
    /// </summary>
    /// <returns>False for any other code (including −8, "does not apply").</returns>
    public static bool TryGetCensusBroadGroup(int censusCode, out BroadEthnicGroup group)
    {
        group = censusCode switch
        {
            1 => BroadEthnicGroup.Asian,
            2 => BroadEthnicGroup.Black,
            3 => BroadEthnicGroup.Mixed,
            4 or 5 or 6 => BroadEthnicGroup.White,
            7 => BroadEthnicGroup.Other,
            _ => default,
        };
        return group != default;
    }

    /// <summary>Parses a broad-group name as written in the Census file ("Asian", "Black", "Mixed", "White", "Other").</summary>
    public static bool TryParseBroadGroup(string? label, out BroadEthnicGroup group) => TryParseOfficerDefined(label, out group);

    /// <summary>The display name of a broad group ("White", "Black", …).</summary>
    public static string Name(BroadEthnicGroup group) => group switch
    {
        BroadEthnicGroup.White => "White",
        BroadEthnicGroup.Black => "Black",
        BroadEthnicGroup.Asian => "Asian",
        BroadEthnicGroup.Other => "Other",
        BroadEthnicGroup.Mixed => "Mixed",
        _ => throw new ArgumentOutOfRangeException(nameof(group), group, "not a broad ethnic group"),
    };

    private static string Normalise(string? label)
    {
        if (string.IsNullOrWhiteSpace(label))
        {
            return string.Empty;
        }

        var builder = new StringBuilder(label.Length);
        var space = false;
        foreach (var raw in label.Trim())
        {
            var c = raw is '\u2013' or '\u2014' or '\u2212' ? '-' : char.ToLowerInvariant(raw);
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }

            if (space && builder.Length > 0)
            {
                builder.Append(' ');
            }

            space = false;
            builder.Append(c);
        }

        return builder.ToString();
    }

    private static FrozenDictionary<string, DetailedEthnicGroup> BuildSelfDefinedLabels()
    {
        var labels = new Dictionary<string, DetailedEthnicGroup>();
        void Add(DetailedEthnicGroup group, params string[] spellings)
        {
            foreach (var spelling in spellings)
            {
                labels.Add(Normalise(spelling), group);
            }
        }

        // data.police.uk (2011 Census categories) first, then the Census 2021 labels.
        Add(DetailedEthnicGroup.NotStated, "Other ethnic group - Not stated", "Not stated");
        Add(DetailedEthnicGroup.WhiteBritish, "White - English/Welsh/Scottish/Northern Irish/British", "White: English, Welsh, Scottish, Northern Irish or British");
        Add(DetailedEthnicGroup.WhiteIrish, "White - Irish", "White: Irish");
        Add(DetailedEthnicGroup.WhiteGypsyOrIrishTraveller, "White - Gypsy or Irish Traveller", "White: Gypsy or Irish Traveller");
        Add(DetailedEthnicGroup.WhiteRoma, "White - Roma", "White: Roma");
        Add(DetailedEthnicGroup.WhiteOther, "White - Any other White background", "White: Other White", "White: Any other White background");
        Add(DetailedEthnicGroup.MixedWhiteAndBlackCaribbean, "Mixed/Multiple ethnic groups - White and Black Caribbean", "Mixed or Multiple ethnic groups: White and Black Caribbean");
        Add(DetailedEthnicGroup.MixedWhiteAndBlackAfrican, "Mixed/Multiple ethnic groups - White and Black African", "Mixed or Multiple ethnic groups: White and Black African");
        Add(DetailedEthnicGroup.MixedWhiteAndAsian, "Mixed/Multiple ethnic groups - White and Asian", "Mixed or Multiple ethnic groups: White and Asian");
        Add(DetailedEthnicGroup.MixedOther, "Mixed/Multiple ethnic groups - Any other Mixed/Multiple ethnic background", "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups");
        Add(DetailedEthnicGroup.AsianIndian, "Asian/Asian British - Indian", "Asian, Asian British or Asian Welsh: Indian");
        Add(DetailedEthnicGroup.AsianPakistani, "Asian/Asian British - Pakistani", "Asian, Asian British or Asian Welsh: Pakistani");
        Add(DetailedEthnicGroup.AsianBangladeshi, "Asian/Asian British - Bangladeshi", "Asian, Asian British or Asian Welsh: Bangladeshi");
        Add(DetailedEthnicGroup.AsianChinese, "Asian/Asian British - Chinese", "Asian, Asian British or Asian Welsh: Chinese");
        Add(DetailedEthnicGroup.AsianOther, "Asian/Asian British - Any other Asian background", "Asian, Asian British or Asian Welsh: Other Asian");
        Add(DetailedEthnicGroup.BlackAfrican, "Black/African/Caribbean/Black British - African", "Black, Black British, Black Welsh, Caribbean or African: African");
        Add(DetailedEthnicGroup.BlackCaribbean, "Black/African/Caribbean/Black British - Caribbean", "Black, Black British, Black Welsh, Caribbean or African: Caribbean");
        Add(DetailedEthnicGroup.BlackOther, "Black/African/Caribbean/Black British - Any other Black/African/Caribbean background", "Black, Black British, Black Welsh, Caribbean or African: Other Black");
        Add(DetailedEthnicGroup.OtherArab, "Other ethnic group - Arab", "Other ethnic group: Arab");
        Add(DetailedEthnicGroup.OtherAny, "Other ethnic group - Any other ethnic group", "Other ethnic group: Any other ethnic group");
        return labels.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
