using Targeting.Feedback.Analysis;
using Targeting.Feedback.Tests.Support;
using Targeting.Hotspot.V1;
using Targeting.Stops.V1;

namespace Targeting.Feedback.Tests.Analysis;

/// <summary>Small worlds with figures worked out by hand in the comments, including zero counts.</summary>
public class PlanEvaluatorTests
{
    // A 1 km square area of interest with one 100 m patrol cell in its south-west corner: coverage 1%.
    private static readonly NetTopologySuite.Geometries.Geometry Aoi = World.Rectangle(530000, 174000, 531000, 175000);
    private static readonly PatrolPlan Plan = World.Plan("P", [(530000, 174000, 530100, 174100)], "2022-06-01T00:00:00Z", "2022-07-01T00:00:00Z");
    private static readonly AnalysisWindow June = AnalysisWindow.From(Plan.ValidWindow);

    [Fact]
    public void Evaluate_NoStopsInsideAndNoIncidents_RatesInsideAndPlanScoresUndefined()
    {
        var stops = World.Facts(
        [
            World.Stop("2022-06-03T10:00:00Z", 530500, 174500),
            World.Stop("2022-06-04T10:00:00Z", 530600, 174500, Outcome.Arrest),
            World.Stop("2022-06-05T10:00:00Z", 530700, 174500),
        ], World.Borough(530000, 174000, 531000, 175000));

        var result = PlanEvaluator.Evaluate(PlanAreas.From(Plan, World.Bng), June, stops, Aoi, [], PlanTargets.For(Plan));

        Assert.Equal(3, result.StopsLocated);
        Assert.Equal(0, result.StopsInside);
        // Wilson 0/3: lower 0, upper z²/(n + z²) = 3.841459/6.841459 = 0.561497.
        Assert.Equal(0, result.ShareInside.Lower);
        Assert.Equal(0.561497, result.ShareInside.Upper, 6);
        Assert.True(double.IsNaN(result.FindRateInside.Value));
        Assert.True(double.IsNaN(result.FindRateDifference.Difference));
        // Outside: 1 arrest in 3, and the proxy makes that arrest the one find.
        Assert.Equal(1.0 / 3, result.FindRateOutside.Value, 12);
        Assert.Equal(1.0 / 3, result.ArrestRateOutside.Value, 12);
        Assert.Equal(0, result.IncidentsTotal);
        Assert.True(double.IsNaN(result.HitRate.Value));
        Assert.True(double.IsNaN(result.Pai));
        Assert.True(double.IsNaN(result.Pei));
        Assert.Contains("no targeted incidents", result.Notes, StringComparison.Ordinal);
    }

    [Theory]
    // 3 incidents in the patrol cell, 2 in a cell outside, 1 more elsewhere: hit rate 3/6, PAI 0.5/0.01 = 50,
    // PEI 3 / best single cell (3) = 1.
    [InlineData(2, 0.5, 50.0, 1.0)]
    // With 4 in the outside cell the best single cell holds 4: hit rate 3/8, PAI 37.5, PEI 3/4.
    [InlineData(4, 0.375, 37.5, 0.75)]
    public void Evaluate_IncidentsInAndOutOfThePatrolCell_HitRatePaiPeiByHand(int inOtherCell, double hitRate, double pai, double pei)
    {
        var incidents = new List<Incident>();
        incidents.AddRange(Enumerable.Range(0, 3).Select(i => World.Incident("2022-06-01T00:00:00Z", 530020 + 20 * i, 174050)));
        incidents.AddRange(Enumerable.Range(0, inOtherCell).Select(i => World.Incident("2022-06-01T00:00:00Z", 530520 + 10 * i, 174550)));
        incidents.Add(World.Incident("2022-06-01T00:00:00Z", 530850, 174850));
        // Not counted: May (outside the window), outside the area of interest, and anti-social behaviour (harm weight 0).
        incidents.Add(World.Incident("2022-05-01T00:00:00Z", 530050, 174050));
        incidents.Add(World.Incident("2022-06-01T00:00:00Z", 531500, 174500));
        incidents.Add(World.Incident("2022-06-01T00:00:00Z", 530050, 174050, "Anti-social behaviour"));

        var result = PlanEvaluator.Evaluate(PlanAreas.From(Plan, World.Bng), June, World.Facts([], World.Borough(0, 0, 1, 1)), Aoi, World.Facts(incidents), PlanTargets.For(Plan));

        Assert.Equal(3, result.IncidentsInside);
        Assert.Equal(4 + inOtherCell, result.IncidentsTotal);
        Assert.Equal(hitRate, result.HitRate.Value, 12);
        Assert.Equal(0.01, result.CoverageFraction, 6);
        Assert.Equal(pai, result.Pai, 4);
        Assert.Equal(pei, result.Pei, 12);
    }

    [Fact]
    public void Evaluate_FindDefinition_LinkedOutcomeWinsOverTheProxyAndUnknownOutcomesAreLeftOut()
    {
        var stops = World.Facts(
        [
            // Inside: an arrest whose outcome was recorded as NOT linked to the object: not a find (link decides).
            World.Stop("2022-06-03T10:00:00Z", 530050, 174050, Outcome.Arrest, Answer.No),
            // Inside: no further action but the link says yes: a find by the link.
            World.Stop("2022-06-03T11:00:00Z", 530060, 174050, Outcome.NoFurtherAction, Answer.Yes),
            // Inside: community resolution, no link recorded: a find by the proxy.
            World.Stop("2022-06-03T12:00:00Z", 530070, 174050, Outcome.CommunityResolution),
            // Inside: no outcome and no link: left out of both rates.
            World.Stop("2022-06-03T13:00:00Z", 530080, 174050, Outcome.Unspecified),
            // A vehicle stop without a search, and an unlocated search: never in the rates.
            World.Stop("2022-06-03T14:00:00Z", 530050, 174060, Outcome.Arrest, type: EncounterType.VehicleStopWithoutSearch),
            World.Stop("2022-06-03T15:00:00Z", null, null, Outcome.Arrest),
        ], World.Borough(530000, 174000, 531000, 175000));

        var result = PlanEvaluator.Evaluate(PlanAreas.From(Plan, World.Bng), June, stops, Aoi, [], PlanTargets.For(Plan));

        Assert.Equal(5, result.StopsTotal);
        Assert.Equal(1, result.StopsUnlocated);
        Assert.Equal(4, result.StopsInside);
        Assert.Equal(1, result.OutcomesUnknown);
        Assert.Equal(1, result.FindsByLinkedOutcome);
        Assert.Equal(1, result.FindsByAnyOutcome);
        // Finds: 2 of the 3 with a decided find. Arrests: 1 of the 3 with an outcome.
        Assert.Equal(2, result.FindRateInside.Numerator);
        Assert.Equal(3, result.FindRateInside.Denominator);
        Assert.Equal(1, result.ArrestRateInside.Numerator);
        Assert.Equal(3, result.ArrestRateInside.Denominator);
        Assert.Contains("1 finds decided by the recorded link, 1 by the outcome; 1 searches with no outcome", result.FindDefinition, StringComparison.Ordinal);
    }
}
