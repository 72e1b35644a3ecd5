using Targeting.Stops.V1;

namespace Targeting.Stops.Import;

/// <summary>
/// The value labels of the data.police.uk stop-and-search format, one bidirectional table per
/// column. A blank cell is the enum's UNSPECIFIED value (not recorded), so every mapping is a
/// bijection and export reproduces the imported text.
/// </summary>
/// <remarks>
/// Labels marked "seen" occur in the 15 Metropolitan Police files of 2021-06..2022-09 (see
/// ../shared/data/README.md, section 1); the others follow data.police.uk's wording for other
/// forces or, where the format has no value (e.g. Roma, going equipped), are this project's own.
/// </remarks>
public static class StopSearchLabels
{
    public static readonly LabelMap<EncounterType> Type = new(
        (EncounterType.PersonSearch, "Person search"), // seen
        (EncounterType.PersonAndVehicleSearch, "Person and Vehicle search"), // seen
        (EncounterType.VehicleSearch, "Vehicle search")); // seen

    public static readonly LabelMap<Answer> TrueFalse = new(
        (Answer.Yes, "True"),
        (Answer.No, "False")); // seen

    public static readonly LabelMap<Sex> Gender = new(
        (Sex.Male, "Male"), // seen
        (Sex.Female, "Female"), // seen
        (Sex.Other, "Other")); // seen

    public static readonly LabelMap<AgeRange> AgeRange = new(
        (V1.AgeRange.Under10, "under 10"), // seen
        (V1.AgeRange._10To17, "10-17"), // seen
        (V1.AgeRange._18To24, "18-24"), // seen
        (V1.AgeRange._25To34, "25-34"), // seen
        (V1.AgeRange.Over34, "over 34")); // seen

    public static readonly LabelMap<SelfDefinedEthnicity> SelfDefinedEthnicity = new(
        (V1.SelfDefinedEthnicity.NotStated, "Other ethnic group - Not stated"), // seen
        (V1.SelfDefinedEthnicity.WhiteBritish, "White - English/Welsh/Scottish/Northern Irish/British"), // seen
        (V1.SelfDefinedEthnicity.WhiteIrish, "White - Irish"), // seen
        (V1.SelfDefinedEthnicity.WhiteGypsyOrIrishTraveller, "White - Gypsy or Irish Traveller"),
        (V1.SelfDefinedEthnicity.WhiteRoma, "White - Roma"),
        (V1.SelfDefinedEthnicity.WhiteOther, "White - Any other White background"), // seen
        (V1.SelfDefinedEthnicity.MixedWhiteAndBlackCaribbean, "Mixed/Multiple ethnic groups - White and Black Caribbean"), // seen
        (V1.SelfDefinedEthnicity.MixedWhiteAndBlackAfrican, "Mixed/Multiple ethnic groups - White and Black African"), // seen
        (V1.SelfDefinedEthnicity.MixedWhiteAndAsian, "Mixed/Multiple ethnic groups - White and Asian"), // seen
        (V1.SelfDefinedEthnicity.MixedOther, "Mixed/Multiple ethnic groups - Any other Mixed/Multiple ethnic background"), // seen
        (V1.SelfDefinedEthnicity.AsianIndian, "Asian/Asian British - Indian"), // seen
        (V1.SelfDefinedEthnicity.AsianPakistani, "Asian/Asian British - Pakistani"), // seen
        (V1.SelfDefinedEthnicity.AsianBangladeshi, "Asian/Asian British - Bangladeshi"), // seen
        (V1.SelfDefinedEthnicity.AsianChinese, "Asian/Asian British - Chinese"), // seen
        (V1.SelfDefinedEthnicity.AsianOther, "Asian/Asian British - Any other Asian background"), // seen
        (V1.SelfDefinedEthnicity.BlackAfrican, "Black/African/Caribbean/Black British - African"), // seen
        (V1.SelfDefinedEthnicity.BlackCaribbean, "Black/African/Caribbean/Black British - Caribbean"), // seen
        (V1.SelfDefinedEthnicity.BlackOther, "Black/African/Caribbean/Black British - Any other Black/African/Caribbean background"), // seen
        (V1.SelfDefinedEthnicity.OtherArab, "Other ethnic group - Arab"),
        (V1.SelfDefinedEthnicity.OtherAny, "Other ethnic group - Any other ethnic group")); // seen

    public static readonly LabelMap<OfficerDefinedEthnicity> OfficerDefinedEthnicity = new(
        (V1.OfficerDefinedEthnicity.White, "White"), // seen
        (V1.OfficerDefinedEthnicity.Black, "Black"), // seen
        (V1.OfficerDefinedEthnicity.Asian, "Asian"), // seen
        (V1.OfficerDefinedEthnicity.Other, "Other"), // seen
        (V1.OfficerDefinedEthnicity.Mixed, "Mixed"));

    public static readonly LabelMap<LegalPower> Legislation = new(
        (LegalPower.PaceS1, "Police and Criminal Evidence Act 1984 (section 1)"), // seen
        (LegalPower.MisuseOfDrugsS23, "Misuse of Drugs Act 1971 (section 23)"), // seen
        (LegalPower.FirearmsS47, "Firearms Act 1968 (section 47)"), // seen
        (LegalPower.CjpoaS60, "Criminal Justice and Public Order Act 1994 (section 60)"), // seen
        (LegalPower.TerrorismS47A, "Terrorism Act 2000 (section 47A)"),
        (LegalPower.TerrorismS43, "Terrorism Act 2000 (section 43)"),
        (LegalPower.PsychoactiveSubstances, "Psychoactive Substances Act 2016 (s36(2))"));

    public static readonly LabelMap<ObjectOfSearch> ObjectOfSearch = new(
        (V1.ObjectOfSearch.ControlledDrugs, "Controlled drugs"), // seen
        (V1.ObjectOfSearch.OffensiveWeapons, "Offensive weapons"), // seen
        (V1.ObjectOfSearch.StolenGoods, "Stolen goods"), // seen
        (V1.ObjectOfSearch.EvidenceOfOffences, "Evidence of offences under the Act"), // seen
        (V1.ObjectOfSearch.Firearms, "Firearms"), // seen
        (V1.ObjectOfSearch.ArticlesForCriminalDamage, "Articles for use in criminal damage"), // seen
        (V1.ObjectOfSearch.AnythingToThreatenOrHarm, "Anything to threaten or harm anyone"), // seen
        (V1.ObjectOfSearch.Fireworks, "Fireworks"), // seen
        (V1.ObjectOfSearch.PsychoactiveSubstances, "Psychoactive substances"),
        (V1.ObjectOfSearch.GoingEquipped, "Going equipped"),
        (V1.ObjectOfSearch.Terrorism, "Evidence of terrorism"));

    public static readonly LabelMap<Outcome> Outcome = new(
        (V1.Outcome.NoFurtherAction, "A no further action disposal"), // seen
        (V1.Outcome.Arrest, "Arrest"), // seen
        (V1.Outcome.CommunityResolution, "Community resolution"), // seen
        (V1.Outcome.PenaltyNotice, "Penalty Notice for Disorder"), // seen
        (V1.Outcome.Summons, "Summons / charged by post"), // seen
        (V1.Outcome.Caution, "Caution (simple or conditional)"), // seen
        (V1.Outcome.KhatOrCannabisWarning, "Khat or Cannabis warning"));
}

/// <summary>A bijection between enum values and their labels; blank is the UNSPECIFIED value.</summary>
public sealed class LabelMap<TEnum> where TEnum : struct, Enum
{
    private readonly Dictionary<string, TEnum> _byLabel = new(StringComparer.Ordinal);
    private readonly Dictionary<TEnum, string> _byValue = [];

    public LabelMap(params (TEnum Value, string Label)[] entries)
    {
        foreach (var (value, label) in entries)
        {
            _byLabel.Add(label, value);
            _byValue.Add(value, label);
        }
    }

    public IEnumerable<string> Labels => _byLabel.Keys;

    /// <summary>Parses a cell; blank gives the default (UNSPECIFIED) value.</summary>
    public bool TryParse(string cell, out TEnum value)
    {
        if (cell.Length == 0)
        {
            value = default;
            return true;
        }

        return _byLabel.TryGetValue(cell, out value);
    }

    /// <summary>The cell for a value: blank for UNSPECIFIED, null when the format has no label for it.</summary>
    public string? Format(TEnum value) =>
        EqualityComparer<TEnum>.Default.Equals(value, default) ? "" : _byValue.GetValueOrDefault(value);
}
