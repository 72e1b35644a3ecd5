using Google.Protobuf;
using Targeting.Feedback.Analysis;
using Targeting.Feedback.Tests.Support;
using Targeting.Feedback.V1;
using Targeting.Stops.V1;

namespace Targeting.Feedback.Tests.Analysis;

public class ProceduralJusticeAnalysisTests
{
    private static readonly AnalysisWindow June = World.Window("2022-06-01T00:00:00Z", "2022-07-01T00:00:00Z");

    private static ProceduralJustice Answers(Answer grounds, Answer heard = Answer.Unspecified, Answer debrief = Answer.Unspecified) =>
        new() { GroundsExplained = grounds, PersonHeard = heard, DebriefGiven = debrief };

    private static readonly EncounterRecord[] Records =
    [
        World.Stop("2022-06-02T10:00:00Z", 530100, 174100, by: new Officer { Pseudonym = "off-a1", Team = "Alpha", PrecisionTrained = true }, treatment: Answers(Answer.Yes, Answer.Yes, Answer.No)),
        World.Stop("2022-06-02T11:00:00Z", 530100, 174100, by: new Officer { Pseudonym = "off-a2", Team = "Alpha", PrecisionTrained = true }, treatment: Answers(Answer.Yes, Answer.Unspecified, Answer.Yes)),
        World.Stop("2022-06-02T12:00:00Z", 530100, 174100, by: new Officer { Pseudonym = "off-a3", Team = "Alpha", PrecisionTrained = false }, treatment: Answers(Answer.No)),
        World.Stop("2022-06-02T13:00:00Z", 530100, 174100, by: new Officer { Pseudonym = "off-b1", Team = "Bravo", PrecisionTrained = false }, treatment: Answers(Answer.Unspecified)),
        // No officer recorded (a historical import): its own team row, and in neither training row.
        World.Stop("2022-06-02T14:00:00Z", 530100, 174100, treatment: Answers(Answer.Yes)),
        // Outside the window.
        World.Stop("2022-05-02T14:00:00Z", 530100, 174100, by: new Officer { Pseudonym = "off-a1", Team = "Alpha", PrecisionTrained = true }, treatment: Answers(Answer.No)),
    ];

    [Fact]
    public void Assess_ByTeamAndTraining_RatesByHand()
    {
        var report = ProceduralJusticeAnalysis.Assess(Records, June, ComplianceGrouping.Unspecified);

        Assert.Equal(["(not recorded)", "Alpha", "Bravo", "trained", "untrained"], report.Rows.Select(r => r.Group));
        var alpha = report.Rows.Single(r => r.Group == "Alpha");
        // Alpha: grounds yes, yes, no = 2/3; heard yes (1 answered) = 1/1; debrief no, yes = 1/2.
        Assert.Equal(3, alpha.Encounters);
        Assert.Equal((2, 3.0), (alpha.GroundsExplained.Numerator, alpha.GroundsExplained.Denominator));
        Assert.Equal((1, 1.0), (alpha.PersonHeard.Numerator, alpha.PersonHeard.Denominator));
        Assert.Equal((1, 2.0), (alpha.DebriefGiven.Numerator, alpha.DebriefGiven.Denominator));
        Assert.True(double.IsNaN(alpha.BodyWornVideoOn.Value));
        var bravo = report.Rows.Single(r => r.Group == "Bravo");
        Assert.Equal(1, bravo.NotRecorded);
        var trained = report.Rows.Single(r => r.Group == "trained");
        var untrained = report.Rows.Single(r => r.Group == "untrained");
        Assert.Equal(2, trained.Encounters);
        Assert.Equal(2, untrained.Encounters);
        Assert.Equal((2, 2.0), (trained.GroundsExplained.Numerator, trained.GroundsExplained.Denominator));
        Assert.Equal((0, 1.0), (untrained.GroundsExplained.Numerator, untrained.GroundsExplained.Denominator));
    }

    [Fact]
    public void Assess_OneGrouping_OnlyThoseRows()
    {
        var report = ProceduralJusticeAnalysis.Assess(Records, June, ComplianceGrouping.Training);

        Assert.All(report.Rows, r => Assert.Equal(ComplianceGrouping.Training, r.Grouping));
        Assert.Equal(2, report.Rows.Count);
    }

    [Fact]
    public void Assess_Output_HoldsNoOfficerPseudonym()
    {
        var report = ProceduralJusticeAnalysis.Assess(Records, June, ComplianceGrouping.Unspecified);
        var json = JsonFormatter.Default.Format(report);

        Assert.All(Records.Select(r => r.Current.Officer?.Pseudonym).OfType<string>(), p => Assert.DoesNotContain(p, json, StringComparison.Ordinal));
    }
}
