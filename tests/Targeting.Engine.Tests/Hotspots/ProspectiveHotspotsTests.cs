using Targeting.Engine.Hotspots;
using static Targeting.Engine.Tests.Support.Grids;

namespace Targeting.Engine.Tests.Hotspots;

public sealed class ProspectiveHotspotsTests
{
    private static readonly TargetingOptions Unit = new() { HarmWeights = HarmWeights.Uniform(["Robbery"]) };

    [Fact]
    public void Compute_OneMonthLevelIncident_DecaysWithCellDistanceAndAge()
    {
        // One robbery in January 2022 at the centre of cell 4; window ends 1 February; Bowers et al.'s 400 m.
        // Month-level times count from mid-month: 16 Jan 12:00, so the age is 15.5 days, and with a
        // 60-day half-life the time weight is 2^(−15.5/60) = 0.836053.
        // Space weight 1/(1 + d/100): centre 1, edge cells 1/2, corners 1/(1 + √2) = 0.414214.
        var training = TrainingSet.Build(ThreeByThree(), [At("a", 150, 150, "Robbery")], January, February, Unit);

        var surface = ProspectiveHotspots.Compute(training, new MethodParameters { BandwidthM = 400 });

        Assert.Equal(15.5, training.AgeDays[0], 12);
        Assert.Equal(0.836053, surface.Score[4], 1e-6);
        Assert.Equal(0.836053 / 2, surface.Score[1], 1e-6);
        Assert.Equal(0.836053 * 0.414214, surface.Score[0], 1e-6);
        Assert.Equal(60, surface.Parameters.HalfLifeDays);
    }

    [Fact]
    public void Compute_DefaultBandwidth_KeepsEachIncidentToItsOwnCell()
    {
        // Default 50 m: the neighbouring centres are 100 m away, so only the incident's cell scores.
        // The incident sits off-centre (it is its cell's centre that counts, as in Bowers et al.).
        var training = TrainingSet.Build(ThreeByThree(), [At("a", 190, 110, "Robbery")], January, February, Unit);

        var surface = ProspectiveHotspots.Compute(training);

        Assert.Equal(50, surface.Parameters.BandwidthM);
        Assert.Equal(0.836053, surface.Score[4], 1e-6);
        Assert.Equal(0.836053, surface.Score.Sum(), 1e-6);
    }

    [Fact]
    public void Compute_OlderIncidentInAnotherCell_WeighsLessByItsHalfLife()
    {
        // Same place, two months apart: the December incident (mid-December, 46.5 days old) against the
        // January one (15.5 days): ratio 2^(−31/60) = 0.698985. Bandwidth 50 m keeps each to its own cell.
        var december = new DateTime(2021, 12, 1, 0, 0, 0, DateTimeKind.Utc);
        Incident[] incidents = [At("a", 50, 50, "Robbery"), At("b", 250, 250, "Robbery", december)];
        var training = TrainingSet.Build(ThreeByThree(), incidents, december, February, Unit);

        var surface = ProspectiveHotspots.Compute(training, new MethodParameters { BandwidthM = 50 });

        Assert.Equal(0.698985, surface.Score[8] / surface.Score[0], 1e-6);
        Assert.Equal(0, surface.Score[4]);
    }

    [Fact]
    public void Compute_ExactTimes_AgeCountsFromTheTimeItself()
    {
        // An exact-time robbery 30 days before the window ends weighs exactly 2^(−30/60) = 0.707107 at its cell.
        var at = February.AddDays(-30);
        var incident = new Incident("a", at, TimePrecision.Exact, 120, 170, "Robbery", Provenance.Reported);
        var training = TrainingSet.Build(ThreeByThree(), [incident], January, February, Unit);

        Assert.Equal(0.707107, ProspectiveHotspots.Compute(training).Score[4], 1e-6);
    }
}
