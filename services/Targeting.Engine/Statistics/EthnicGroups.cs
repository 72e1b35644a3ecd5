namespace Targeting.Engine.Statistics;

/// <summary>
/// The Census 2021 five broad ethnic groups of England and Wales, which are also the values of
/// data.police.uk's officer-defined ethnicity. The numbers equal those of
/// <c>targeting.stops.v1.OfficerDefinedEthnicity</c>, so the services may cast between them.
/// </summary>
public enum BroadEthnicGroup
{
    /// <summary>White (Census 2021 codes 4–6 of the 8-category classification).</summary>
    White = 1,

    /// <summary>Black, Black British, Black Welsh, Caribbean or African.</summary>
    Black = 2,

    /// <summary>Asian, Asian British or Asian Welsh.</summary>
    Asian = 3,

    /// <summary>Other ethnic group (including Arab).</summary>
    Other = 4,

    /// <summary>Mixed or Multiple ethnic groups (never used by the Met's officer-defined ethnicity).</summary>
    Mixed = 5,
}

/// <summary>
/// The Census 2021 detailed ethnic groups (19 categories) plus "not stated", as recorded for
/// self-defined ethnicity. The numbers equal those of <c>targeting.stops.v1.SelfDefinedEthnicity</c>,
/// so the services may cast between them.
/// </summary>
public enum DetailedEthnicGroup
{
    /// <summary>The person did not state an ethnicity.</summary>
    NotStated = 1,
    /// <summary>White: English, Welsh, Scottish, Northern Irish or British.</summary>
    WhiteBritish = 2,
    /// <summary>White: Irish.</summary>
    WhiteIrish = 3,
    /// <summary>White: Gypsy or Irish Traveller.</summary>
    WhiteGypsyOrIrishTraveller = 4,
    /// <summary>White: Roma (a Census 2021 category, absent from the 2011 set police.uk uses).</summary>
    WhiteRoma = 5,
    /// <summary>White: any other White background.</summary>
    WhiteOther = 6,
    /// <summary>Mixed: White and Black Caribbean.</summary>
    MixedWhiteAndBlackCaribbean = 7,
    /// <summary>Mixed: White and Black African.</summary>
    MixedWhiteAndBlackAfrican = 8,
    /// <summary>Mixed: White and Asian.</summary>
    MixedWhiteAndAsian = 9,
    /// <summary>Mixed: any other Mixed or Multiple background.</summary>
    MixedOther = 10,
    /// <summary>Asian: Indian.</summary>
    AsianIndian = 11,
    /// <summary>Asian: Pakistani.</summary>
    AsianPakistani = 12,
    /// <summary>Asian: Bangladeshi.</summary>
    AsianBangladeshi = 13,
    /// <summary>Asian: Chinese.</summary>
    AsianChinese = 14,
    /// <summary>Asian: any other Asian background.</summary>
    AsianOther = 15,
    /// <summary>Black: African.</summary>
    BlackAfrican = 16,
    /// <summary>Black: Caribbean.</summary>
    BlackCaribbean = 17,
    /// <summary>Black: any other Black, Black British or Caribbean background.</summary>
    BlackOther = 18,
    /// <summary>Other ethnic group: Arab.</summary>
    OtherArab = 19,
    /// <summary>Other ethnic group: any other ethnic group.</summary>
    OtherAny = 20,
}
