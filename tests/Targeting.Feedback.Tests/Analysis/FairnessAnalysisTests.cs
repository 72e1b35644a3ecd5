using Targeting.Feedback.Analysis;
using Targeting.Feedback.Tests.Support;
using Targeting.Feedback.V1;
using Targeting.Stops.V1;

namespace Targeting.Feedback.Tests.Analysis;

/// <summary>Small fairness worlds worked out by hand: zero counts, unplaceable searches, object filters.</summary>
public class FairnessAnalysisTests
{
    private static readonly Engine.Geography.BoundarySet Borough = World.Borough(530000, 174000, 531000, 175000);

    // Census codes: 4+5+6 White = 1,000; 2 Black = 500; 1 Asian = 400; 7 Other = 100; 3 Mixed = 200.
    private static readonly Engine.Statistics.BoroughPopulation Population = World.Population(World.BoroughCode, World.BoroughName,
        new Dictionary<int, long> { [1] = 400, [2] = 500, [3] = 200, [4] = 900, [5] = 40, [6] = 60, [7] = 100 });

    private static readonly AnalysisWindow Window = World.Window("2022-06-01T00:00:00Z", "2022-07-01T00:00:00Z");

    [Fact]
    public void Assess_GroupWithNoSearches_ZeroRateWithExactUpperBoundAndCorrectedRatio()
    {
        var records = new List<EncounterRecord>();
        records.AddRange(Enumerable.Range(0, 10).Select(i => World.Stop("2022-06-02T10:00:00Z", 530100 + i, 174100)));
        records.AddRange(Enumerable.Range(0, 20).Select(i => World.Stop("2022-06-02T10:00:00Z", 530200 + i, 174100,
            officer: OfficerDefinedEthnicity.Black, self: SelfDefinedEthnicity.BlackAfrican)));

        var report = Assess(records);

        var officer = report.Tables.Single(t => t.Basis == EthnicityBasis.OfficerDefined);
        var other = officer.Groups.Single(g => g.Group == "Other");
        // 0 of 100 residents: rate 0, exact upper bound −ln(0.025) = 3.688879 events, per 1,000 residents = 36.88879.
        Assert.Equal(0, other.RatePer1000.Value);
        Assert.Equal(0, other.RatePer1000.Lower);
        Assert.Equal(-Math.Log(0.025) / 100 * 1000, other.RatePer1000.Upper, 9);
        // Ratio to White with 0.5 added to both counts: (0.5/100)/(10.5/1000) = 0.476190; SE = √(1/0.5 + 1/10.5).
        Assert.Equal(0.5 / 100 / (10.5 / 1000), other.RatioToWhite.Value, 12);
        Assert.Equal(Math.Exp(Math.Log(0.5 / 100 / (10.5 / 1000)) + 1.959963984540054 * Math.Sqrt(1 / 0.5 + 1 / 10.5)), other.RatioToWhite.Upper, 9);
        Assert.Contains("haldane", other.RatioToWhite.Method, StringComparison.Ordinal);
        // Black: 20 per 500 against White 10 per 1,000 (Mixed left out of officer-defined denominators): 4×.
        var black = officer.Groups.Single(g => g.Group == "Black");
        Assert.Equal(40, black.RatePer1000.Value, 12);
        Assert.Equal(4, black.RatioToWhite.Value, 12);
        Assert.DoesNotContain(officer.Groups, g => g.Group == "Mixed");
        // One month of data: per year = per window × 12.
        Assert.Equal(1.0 / 12, report.Years, 12);
        Assert.Equal(480, black.RatePer1000PerYear.Value, 9);
    }

    [Fact]
    public void Assess_UnlocatedAndOutsideSearches_CountOnlyForceWide()
    {
        var records = new List<EncounterRecord>
        {
            World.Stop("2022-06-02T10:00:00Z", 530100, 174100),
            World.Stop("2022-06-02T11:00:00Z", null, null),
            World.Stop("2022-06-02T12:00:00Z", 535000, 174100),
            World.Stop("2022-05-02T12:00:00Z", 530100, 174100),
        };

        var borough = Assess(records);
        var force = FairnessAnalysis.Assess(new FairnessScope(null, Population), Window, World.Facts(records, Borough),
            new ActivePlans([]), new HashSet<ObjectOfSearch>(), "test");

        Assert.Equal(1, borough.Searches);
        Assert.Equal(1, borough.SearchesUnlocated);
        Assert.Equal(1, borough.SearchesOutsideBoroughs);
        Assert.Equal(3, force.Searches);
        Assert.Equal(string.Empty, force.Borough);
        Assert.Contains("cannot be placed in Testborough", borough.Notes, StringComparison.Ordinal);
    }

    [Fact]
    public void Assess_ObjectFilter_CountsOnlyThoseSearches()
    {
        var records = new List<EncounterRecord>
        {
            World.Stop("2022-06-02T10:00:00Z", 530100, 174100, objectOfSearch: ObjectOfSearch.OffensiveWeapons),
            World.Stop("2022-06-02T10:00:00Z", 530100, 174100, objectOfSearch: ObjectOfSearch.Firearms),
            World.Stop("2022-06-02T10:00:00Z", 530100, 174100, objectOfSearch: ObjectOfSearch.ControlledDrugs),
        };
        Assert.True(ObjectLabels.TryParse("weapons", out var weapons));

        var report = FairnessAnalysis.Assess(new FairnessScope(Borough.All[0], Population), Window, World.Facts(records, Borough),
            new ActivePlans([]), weapons.ToHashSet(), "test");

        Assert.Equal(2, report.Searches);
    }

    [Fact]
    public void Assess_MismatchTable_CountsEveryPairWithUnknownsLast()
    {
        var records = new List<EncounterRecord>
        {
            World.Stop("2022-06-02T10:00:00Z", 530100, 174100, officer: OfficerDefinedEthnicity.White, self: SelfDefinedEthnicity.WhiteIrish),
            World.Stop("2022-06-02T10:00:00Z", 530100, 174100, officer: OfficerDefinedEthnicity.Black, self: SelfDefinedEthnicity.MixedWhiteAndBlackCaribbean),
            World.Stop("2022-06-02T10:00:00Z", 530100, 174100, officer: OfficerDefinedEthnicity.Black, self: SelfDefinedEthnicity.NotStated),
            World.Stop("2022-06-02T10:00:00Z", 530100, 174100, officer: OfficerDefinedEthnicity.Unspecified, self: SelfDefinedEthnicity.BlackAfrican),
        };

        var report = Assess(records);

        Assert.Equal(
            ["White|White:1", "Black|Mixed:1", "Black|unknown:1", "unknown|Black:1"],
            report.Mismatch.Select(c => $"{c.OfficerDefined}|{c.SelfDefined}:{c.Count}"));
        // Agreement among the two with both known: 1 of 2.
        Assert.Equal(0.5, report.EthnicityAgreement.Value, 12);
        Assert.Equal(2, report.EthnicityAgreement.Denominator);
    }

    private static FairnessReport Assess(IEnumerable<EncounterRecord> records) =>
        FairnessAnalysis.Assess(new FairnessScope(Borough.All[0], Population), Window, World.Facts(records, Borough),
            new ActivePlans([]), new HashSet<ObjectOfSearch>(), "test");
}
