using System.Text.Json;
using Targeting.Engine.Geography;
using Targeting.Feedback.Analysis;
using Targeting.Feedback.Tests.Support;
using Targeting.Feedback.V1;

namespace Targeting.Feedback.Tests.Analysis;

/// <summary>
/// The analyses on the hand-made world of tests/reference/feedback/feedback_reference.py, against the
/// figures that script computes with scipy and statsmodels (and its own rectangle geometry).
/// </summary>
public class ReferenceWorldTests
{
    private static readonly BoundarySet Borough = World.ReferenceBorough();
    private static readonly StopFacts Stops = World.Facts(World.ReferenceStops(), Borough);

    [Fact]
    public void Evaluate_ReferenceWorld_MatchesIndependentFigures()
    {
        var plan = World.ReferencePlan();
        var expected = FeedbackReference.Expected("evaluation");

        var result = PlanEvaluator.Evaluate(
            PlanAreas.From(plan, World.Bng), AnalysisWindow.From(plan.ValidWindow), Stops, World.ReferenceAreaOfInterest(),
            World.Facts(World.ReferenceIncidents("incidents")), PlanTargets.For(plan));

        foreach (var (name, actual) in new (string, long)[]
        {
            ("stops_total", result.StopsTotal), ("stops_unlocated", result.StopsUnlocated), ("stops_located", result.StopsLocated),
            ("stops_inside", result.StopsInside), ("stops_linked_inside", result.StopsLinkedInside),
            ("stops_inside_not_linked", result.StopsInsideNotLinked), ("stops_linked_not_inside", result.StopsLinkedNotInside),
            ("outcomes_unknown", result.OutcomesUnknown), ("finds_by_linked_outcome", result.FindsByLinkedOutcome),
            ("finds_by_any_outcome", result.FindsByAnyOutcome), ("incidents_total", result.IncidentsTotal),
            ("incidents_inside", result.IncidentsInside), ("incidents_best_possible", result.IncidentsBestPossible),
        })
        {
            Assert.True(expected.L(name) == actual, $"{name}: expected {expected.L(name)}, got {actual}");
        }

        FeedbackReference.Close(expected.GetProperty("share_inside"), result.ShareInside, "share_inside");
        FeedbackReference.Close(expected.GetProperty("find_rate_inside"), result.FindRateInside, "find_rate_inside");
        FeedbackReference.Close(expected.GetProperty("find_rate_outside"), result.FindRateOutside, "find_rate_outside");
        FeedbackReference.Close(expected.GetProperty("find_difference"), result.FindRateDifference, "find_difference");
        FeedbackReference.Close(expected.GetProperty("arrest_rate_inside"), result.ArrestRateInside, "arrest_rate_inside");
        FeedbackReference.Close(expected.GetProperty("arrest_rate_outside"), result.ArrestRateOutside, "arrest_rate_outside");
        FeedbackReference.Close(expected.GetProperty("arrest_difference"), result.ArrestRateDifference, "arrest_difference");
        FeedbackReference.Close(expected.GetProperty("hit_rate"), result.HitRate, "hit_rate");
        FeedbackReference.Close(expected.D("pai"), result.Pai, "pai");
        FeedbackReference.Close(expected.D("pei"), result.Pei, "pei");
        // Default harm weights: every type but anti-social behaviour (weight 0); Drugs is listed but its discovered incidents are left out.
        Assert.Equal(["Drugs", "Robbery", "Violence and sexual offences"], result.CrimeTypes.Intersect(["Robbery", "Violence and sexual offences", "Drugs", "Anti-social behaviour"]));
    }

    [Fact]
    public void AssessCrimeChange_ReferenceWorld_MatchesIndependentFigures()
    {
        var plan = World.ReferencePlan();
        var expected = FeedbackReference.Expected("crime_change");

        var result = CrimeChangeAnalysis.Assess(
            PlanAreas.From(plan, World.Bng),
            AnalysisWindow.From(plan.Provenance.DataWindow),
            AnalysisWindow.From(plan.ValidWindow),
            World.Facts(World.ReferenceIncidents("crime_change_incidents")),
            PlanTargets.For(plan),
            FeedbackReference.Fixture.D("buffer_m"),
            World.ReferenceAreaOfInterest());

        Assert.Equal(expected.L("targeted_before"), result.TargetedBefore);
        Assert.Equal(expected.L("targeted_after"), result.TargetedAfter);
        Assert.Equal(expected.L("buffer_before"), result.BufferBefore);
        Assert.Equal(expected.L("buffer_after"), result.BufferAfter);
        Assert.Equal(expected.L("control_before"), result.ControlBefore);
        Assert.Equal(expected.L("control_after"), result.ControlAfter);
        Assert.Equal(expected.L("control_cells"), result.ControlCells);
        FeedbackReference.Close(expected.D("rate_ratio"), result.RateRatio.Value, "rate_ratio", 1e-8);
        FeedbackReference.Close(expected.D("lower"), result.RateRatio.Lower, "rate_ratio.lower", 1e-8);
        FeedbackReference.Close(expected.D("upper"), result.RateRatio.Upper, "rate_ratio.upper", 1e-8);
        FeedbackReference.Close(expected.D("p"), result.RateRatioPValue, "rate_ratio p", 1e-7);
        FeedbackReference.Close(expected.D("success_measure"), result.SuccessMeasure, "success measure");
        FeedbackReference.Close(expected.D("buffer_displacement_measure"), result.BufferDisplacementMeasure, "buffer displacement measure");
        FeedbackReference.Close(expected.D("wdq"), result.WeightedDisplacementQuotient, "wdq");
        FeedbackReference.Close(expected.D("total_net_effect"), result.TotalNetEffect, "total net effect");
    }

    [Fact]
    public void AssessFairness_ReferenceWorld_MatchesIndependentFigures()
    {
        var plan = World.ReferencePlan();
        var expected = FeedbackReference.Expected("fairness");
        var window = World.Window("2022-05-01T00:00:00Z", "2022-07-01T00:00:00Z");

        var result = FairnessAnalysis.Assess(
            new FairnessScope(Borough.All[0], World.ReferencePopulation()), window, Stops,
            new ActivePlans([PlanAreas.From(plan, World.Bng)]), new HashSet<Stops.V1.ObjectOfSearch>(), "test population");

        Assert.Equal(expected.L("searches"), result.Searches);
        Assert.Equal(expected.L("unlocated"), result.SearchesUnlocated);
        Assert.Equal(expected.L("outside_boroughs"), result.SearchesOutsideBoroughs);
        FeedbackReference.Close(expected.D("years"), result.Years, "years");
        AssertTable(expected.GetProperty("officer"), result.Tables.Single(t => t.Basis == EthnicityBasis.OfficerDefined), "officer");
        AssertTable(expected.GetProperty("self"), result.Tables.Single(t => t.Basis == EthnicityBasis.SelfDefined), "self");

        var mismatch = expected.GetProperty("mismatch").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        Assert.Equal(mismatch.OrderBy(p => p.Key), result.Mismatch.ToDictionary(c => c.OfficerDefined + "|" + c.SelfDefined, c => c.Count).OrderBy(p => p.Key));
        FeedbackReference.Close(expected.GetProperty("agreement"), result.EthnicityAgreement, "agreement");

        var tests = expected.GetProperty("outcome_tests").EnumerateArray().ToArray();
        Assert.Equal(tests.Select(t => t.GetProperty("group").GetString()), result.OutcomeTests.Select(t => t.Group));
        foreach (var (e, row) in tests.Zip(result.OutcomeTests, (e, r) => (e, r)))
        {
            FeedbackReference.Close(e.GetProperty("find"), row.FindDifference, row.Group + " find");
            FeedbackReference.Close(e.GetProperty("arrest"), row.ArrestDifference, row.Group + " arrest");
            FeedbackReference.Close(e.GetProperty("find_inside"), row.FindRateInside, row.Group + " find inside");
            FeedbackReference.Close(e.GetProperty("find_outside"), row.FindRateOutside, row.Group + " find outside");
            FeedbackReference.Close(e.D("find_holm"), row.FindPValueHolm, row.Group + " find Holm", 1e-8);
            FeedbackReference.Close(e.D("arrest_holm"), row.ArrestPValueHolm, row.Group + " arrest Holm", 1e-8);
            Assert.True(e.GetProperty("alert").GetBoolean() == row.Alert, $"{row.Group}: alert {row.Alert}, reason '{row.AlertReason}'");
        }

        // The world is built so that Black searches inside the areas find less: that alert must be raised.
        Assert.True(result.OutcomeTests.Single(t => t.Group == "Black").Alert);
    }

    [Fact]
    public void FeedbackReference_Rerun_MatchesCommittedJson()
    {
        var fresh = JsonDocument.Parse(FeedbackReference.RunPython("feedback_reference.py")).RootElement;

        AssertSame(FeedbackReference.Root, fresh, "$");
    }

    private static void AssertTable(JsonElement expected, DisproportionalityTable actual, string what)
    {
        Assert.Equal(expected.L("unknown"), actual.Unknown);
        var rows = expected.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(rows.Select(r => r.GetProperty("group").GetString()), actual.Groups.Select(g => g.Group));
        foreach (var (e, row) in rows.Zip(actual.Groups, (e, r) => (e, r)))
        {
            Assert.Equal(e.L("searches"), row.Searches);
            Assert.Equal(e.L("population"), row.Population);
            FeedbackReference.Close(e.GetProperty("rate"), row.RatePer1000, $"{what} {row.Group} rate", 1e-9);
            FeedbackReference.Close(e.GetProperty("rate_per_year"), row.RatePer1000PerYear, $"{what} {row.Group} rate per year", 1e-9);
            if (e.TryGetProperty("ratio", out var ratio))
            {
                FeedbackReference.Close(ratio, row.RatioToWhite, $"{what} {row.Group} ratio", 1e-7);
            }
            else
            {
                Assert.Null(row.RatioToWhite);
            }
        }
    }

    private static void AssertSame(JsonElement committed, JsonElement fresh, string path)
    {
        Assert.True(committed.ValueKind == fresh.ValueKind, $"{path}: {committed.ValueKind} committed, {fresh.ValueKind} re-run: re-run the script and commit its output");
        switch (committed.ValueKind)
        {
            case JsonValueKind.Object:
                var names = committed.EnumerateObject().Select(p => p.Name).Where(n => n != "versions").ToArray();
                Assert.Equal(names, fresh.EnumerateObject().Select(p => p.Name).Where(n => n != "versions").ToArray());
                foreach (var name in names)
                {
                    AssertSame(committed.GetProperty(name), fresh.GetProperty(name), path + "." + name);
                }

                break;
            case JsonValueKind.Array:
                Assert.True(committed.GetArrayLength() == fresh.GetArrayLength(), $"{path}: array lengths differ");
                for (var i = 0; i < committed.GetArrayLength(); i++)
                {
                    AssertSame(committed[i], fresh[i], $"{path}[{i}]");
                }

                break;
            case JsonValueKind.Number:
                FeedbackReference.Close(committed.GetDouble(), fresh.GetDouble(), path + " (committed vs re-run)", 1e-12, 0);
                break;
            default:
                Assert.Equal(committed.ToString(), fresh.ToString());
                break;
        }
    }
}
