using Targeting.Feedback.Analysis;
using Targeting.Feedback.Tests.Support;
using Targeting.Feedback.V1;
using Targeting.Hotspot.V1;

namespace Targeting.Feedback.Tests.Analysis;

/// <summary>Zero-count cases of the crime-change assessment, worked out by hand.</summary>
public class CrimeChangeAnalysisTests
{
    private static readonly PatrolPlan Plan = World.Plan("P", [(530000, 174000, 530100, 174100)],
        "2022-06-01T00:00:00Z", "2022-07-01T00:00:00Z", "2022-04-01T00:00:00Z", "2022-06-01T00:00:00Z");

    private static CrimeChangeReport Assess(IEnumerable<Incident> incidents) => CrimeChangeAnalysis.Assess(
        PlanAreas.From(Plan, World.Bng), AnalysisWindow.From(Plan.Provenance.DataWindow), AnalysisWindow.From(Plan.ValidWindow),
        World.Facts(incidents), PlanTargets.For(Plan), 250, World.Rectangle(529000, 173000, 532000, 176000));

    private static IEnumerable<Incident> At(int n, string month, double x, double y) =>
        Enumerable.Range(0, n).Select(i => World.Incident(month + "-01T00:00:00Z", x + (i % 7) * 5, y + (i / 7) * 5));

    [Fact]
    public void Assess_NothingTargetedBefore_NoControlAndAnUndefinedRatio()
    {
        var report = Assess(At(5, "2022-06", 530050, 174050).Concat(At(9, "2022-04", 531000, 175000)));

        Assert.Equal(0, report.TargetedBefore);
        Assert.Equal(5, report.TargetedAfter);
        Assert.Equal(0, report.ControlCells);
        Assert.True(double.IsNaN(report.RateRatio.Value));
        Assert.True(double.IsNaN(report.WeightedDisplacementQuotient));
        Assert.Contains("no targeted incidents in the targeted areas before", report.Notes, StringComparison.Ordinal);
    }

    [Fact]
    public void Assess_NothingTargetedAfter_HaldaneCorrectedRatioByHand()
    {
        // Targeted 10 before, 0 after; the only control cell (far from the buffer) 12 before, 6 after.
        var report = Assess(At(10, "2022-04", 530020, 174020).Concat(At(12, "2022-05", 531020, 175020)).Concat(At(6, "2022-06", 531020, 175020)));

        Assert.Equal((10, 0, 12, 6), (report.TargetedBefore, report.TargetedAfter, report.ControlBefore, report.ControlAfter));
        Assert.Equal(1, report.ControlCells);
        // 0.5 added to all four: RR = (0.5/10.5)/(6.5/12.5) = 0.0915751; SE = √(1/0.5 + 1/10.5 + 1/6.5 + 1/12.5) = 1.5261329.
        var se = Math.Sqrt(1 / 0.5 + 1 / 10.5 + 1 / 6.5 + 1 / 12.5);
        Assert.Equal(0.5 / 10.5 / (6.5 / 12.5), report.RateRatio.Value, 12);
        Assert.Equal(Math.Exp(Math.Log(0.5 / 10.5 / (6.5 / 12.5)) - 1.959963984540054 * se), report.RateRatio.Lower, 10);
        Assert.Equal(Math.Exp(Math.Log(0.5 / 10.5 / (6.5 / 12.5)) + 1.959963984540054 * se), report.RateRatio.Upper, 10);
        Assert.Contains("haldane", report.RateRatio.Method, StringComparison.Ordinal);
        // WDQ with no buffer incidents: SM = 0/6 − 10/12 < 0, BDM = 0, so WDQ = 0 (no displacement, no diffusion);
        // TNE = 10·(6/12) − 0 = 5 incidents.
        Assert.Equal(-10.0 / 12, report.SuccessMeasure, 12);
        Assert.Equal(0, report.WeightedDisplacementQuotient, 12);
        Assert.Equal(5, report.TotalNetEffect, 12);
    }

    [Fact]
    public void Assess_CellsTouchingTheBuffer_AreNeverControls()
    {
        // A hot cell 150 m east of the patrol cell (inside its 250 m buffer's reach) and a colder one far away:
        // the far one is the control even though it is colder.
        var incidents = At(10, "2022-04", 530020, 174020)
            .Concat(At(30, "2022-04", 530360, 174020))
            .Concat(At(12, "2022-04", 531020, 175020))
            .Concat(At(8, "2022-06", 531020, 175020));

        var report = Assess(incidents);

        Assert.Equal(12, report.ControlBefore);
        Assert.Equal(8, report.ControlAfter);
        Assert.Equal(0, report.BufferBefore);
    }
}
