using Targeting.Engine.Statistics;

namespace Targeting.Engine.Tests.Statistics;

public class ProceduralJusticeComplianceTests
{
    private const ComplianceAnswer Y = ComplianceAnswer.Yes, N = ComplianceAnswer.No, U = ComplianceAnswer.NotRecorded;

    private static ProceduralJusticeAnswers Answers(params ComplianceAnswer[] a) => new(a[0], a[1], a[2], a[3], a[4], a[5]);

    private static readonly ProceduralJusticeRecord[] Records =
    [
        new("Lambeth North", true, Answers(Y, Y, Y, Y, Y, Y)),
        new("Lambeth North", true, Answers(Y, N, Y, U, Y, Y)),
        new("Lambeth North", false, Answers(N, N, Y, N, U, Y)),
        new("Barking East", false, Answers(U, U, U, U, U, U)),
        new("Barking East", true, Answers(Y, Y, U, Y, N, N)),
    ];

    [Fact]
    public void ByTeam_ThreeAndTwoEncounters_SharesAmongAnswered()
    {
        var rows = ProceduralJusticeCompliance.ByTeam(Records);

        Assert.Equal(["Barking East", "Lambeth North"], rows.Select(r => r.Group));
        var lambeth = rows[1];
        Assert.Equal(3, lambeth.Encounters);
        Assert.Equal(0, lambeth.NotRecorded);
        // Grounds explained: Y, Y, N → 2/3; debrief: Y, (not recorded), N → 1/2; record copy: Y, Y, (not recorded) → 2/2.
        Assert.Equal(Proportions.Wilson(2, 3), lambeth.GroundsExplained);
        Assert.Equal(Proportions.Wilson(1, 2), lambeth.DebriefGiven);
        Assert.Equal(Proportions.Wilson(2, 2), lambeth.RecordCopyOffered);
        Assert.Equal(1.0, lambeth.RecordCopyOffered.Upper);

        var barking = rows[0];
        Assert.Equal(2, barking.Encounters);
        Assert.Equal(1, barking.NotRecorded);
        // Treated with respect was never answered in Barking East: undefined, not zero.
        Assert.False(barking.TreatedWithRespect.IsDefined);
        Assert.Equal(0.0, barking.BodyWornVideoOn.Value);
        Assert.Equal(1, barking.BodyWornVideoOn.Denominator);
    }

    [Fact]
    public void ByTraining_TrainedThenUntrained()
    {
        var rows = ProceduralJusticeCompliance.ByTraining(Records);

        Assert.Equal([ProceduralJusticeCompliance.Trained, ProceduralJusticeCompliance.Untrained], rows.Select(r => r.Group));
        Assert.Equal(3, rows[0].Encounters);
        // Trained, person heard: Y, N, Y → 2/3. Untrained: N and one record with nothing → 0/1.
        Assert.Equal(2.0 / 3, rows[0].PersonHeard.Value);
        Assert.Equal(0.0, rows[1].PersonHeard.Value);
        Assert.Equal(1, rows[1].NotRecorded);
    }

    [Fact]
    public void ByTraining_NoRecords_TwoEmptyRowsUndefinedRates()
    {
        var rows = ProceduralJusticeCompliance.ByTraining([]);

        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal(0, r.Encounters));
        Assert.All(rows, r => Assert.False(r.GroundsExplained.IsDefined));
    }
}
