using Targeting.Engine.Hotspots;
using static Targeting.Engine.Tests.Support.Grids;

namespace Targeting.Engine.Tests.Hotspots;

public sealed class NaiveCountsTests
{
    // The 3 × 3 grid (cells numbered row-major from the south-west, 100 m each):
    //   6 7 8
    //   3 4 5
    //   0 1 2
    // Two robberies in cell 0, one violence and one possession of weapons (discovered) in cell 4,
    // one shoplifting in cell 8, and one robbery outside the window (February).
    private static readonly Incident[] Incidents =
    [
        At("a", 10, 10, CrimeTypes.Robbery),
        At("b", 90, 90, CrimeTypes.Robbery),
        At("c", 150, 150, CrimeTypes.ViolenceAndSexualOffences),
        At("d", 160, 140, CrimeTypes.PossessionOfWeapons),
        At("e", 250, 250, CrimeTypes.Shoplifting),
        At("f", 20, 20, CrimeTypes.Robbery, February),
    ];

    [Fact]
    public void Compute_DefaultWeights_SumsHarmPerCellAndExcludesDiscovered()
    {
        var training = TrainingSet.Build(ThreeByThree(), Incidents, January, February);

        var surface = NaiveCounts.Compute(training);

        // Cell 0: 2 robberies × 365 = 730. Cell 4: violence 190 (weapons excluded). Cell 8: shoplifting 1.
        Assert.Equal([730, 0, 0, 0, 190, 0, 0, 0, 1], surface.Score);
        Assert.Same(surface.Score, surface.Intensity);
        Assert.Equal(921, surface.TotalIntensity);
        Assert.Equal([0, 4, 8, 1, 2, 3, 5, 6, 7], surface.RankCells());
    }

    [Fact]
    public void Build_DefaultOptions_SummaryStatesWhatWasUsedAndLeftOut()
    {
        var summary = TrainingSet.Build(ThreeByThree(), Incidents, January, February).Summary;

        Assert.Equal(5, summary.IncidentsInArea);
        Assert.Equal(4, summary.ReportedCount);
        Assert.Equal(1, summary.DiscoveredCount);
        Assert.Equal(4, summary.UsedCount);
        Assert.Equal(1, summary.ExcludedDiscoveredCount);
        Assert.Equal(1, summary.OutsideWindowCount);
        Assert.Equal(921, summary.TotalWeight);
        Assert.Equal(2, summary.CountsByType[CrimeTypes.Robbery]);
        Assert.Equal(1, summary.ExcludedDiscoveredByType[CrimeTypes.PossessionOfWeapons]);
        Assert.Equal(
            "reported incidents only: 4 incidents used (Robbery 2, Shoplifting 1, Violence and sexual offences 1); " +
            "1 discovered incidents excluded (Possession of weapons 1)",
            summary.TrainedOn);
    }

    [Fact]
    public void Compute_DownWeightedDiscovered_CountsAQuarterOfTheHarm()
    {
        var options = new TargetingOptions { DiscoveredPolicy = DiscoveredPolicy.DownWeight };

        var surface = NaiveCounts.Compute(TrainingSet.Build(ThreeByThree(), Incidents, January, February, options));

        // Cell 4: violence 190 + weapons 270 × 0.25 = 257.5.
        Assert.Equal(257.5, surface.Score[4], 12);
        Assert.Equal(1, surface.Training.Summary.DownWeightedDiscoveredCount);
    }

    [Fact]
    public void Compute_DownWeightedWithSearchesConcentratedInTheCell_DividesByRelativeSearchIntensity()
    {
        // Four searches, all in cell 4: mean per cell 4/9, so cell 4 was searched 9 times the average
        // and its find counts 1/9: 270 × 0.25 / 9 = 7.5; cell 4 = 190 + 7.5.
        var options = new TargetingOptions
        {
            DiscoveredPolicy = DiscoveredPolicy.DownWeight,
            SearchLocations = [(150, 150), (151, 151), (149, 149), (120, 180)],
        };

        var surface = NaiveCounts.Compute(TrainingSet.Build(ThreeByThree(), Incidents, January, February, options));

        Assert.Equal(197.5, surface.Score[4], 12);
        Assert.True(surface.Training.Summary.SearchReweighted);
    }

    [Fact]
    public void Compute_IncludeDiscovered_CountsItFully()
    {
        var options = new TargetingOptions { DiscoveredPolicy = DiscoveredPolicy.Include };

        var surface = NaiveCounts.Compute(TrainingSet.Build(ThreeByThree(), Incidents, January, February, options));

        Assert.Equal(460, surface.Score[4], 12);
    }

    [Fact]
    public void Compute_OverriddenWeights_UsesThemAndZeroLeavesATypeOut()
    {
        var options = new TargetingOptions
        {
            HarmWeights = HarmWeights.Default.With(new Dictionary<string, double> { ["robbery"] = 1, [CrimeTypes.Shoplifting] = 0 }),
        };

        var training = TrainingSet.Build(ThreeByThree(), Incidents, January, February, options);
        var surface = NaiveCounts.Compute(training);

        Assert.Equal(2, surface.Score[0]);
        Assert.Equal(0, surface.Score[8]);
        Assert.Equal(1, training.Summary.ZeroWeightByType[CrimeTypes.Shoplifting]);
    }

    [Fact]
    public void Compute_NoIncidentsInWindow_GivesAllZeroSurface()
    {
        var training = TrainingSet.Build(ThreeByThree(), Incidents, February.AddMonths(1), February.AddMonths(2));

        var surface = NaiveCounts.Compute(training);

        Assert.All(surface.Score, v => Assert.Equal(0, v));
        Assert.Equal(0, training.Count);
    }

    [Fact]
    public void With_NegativeWeight_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => HarmWeights.Default.With(new Dictionary<string, double> { [CrimeTypes.Robbery] = -1 }));
    }

    [Fact]
    public void DefaultProvenance_WeaponsAndDrugs_AreDiscoveredOthersReported()
    {
        Assert.Equal(Provenance.Discovered, CrimeTypes.DefaultProvenance("Possession of weapons"));
        Assert.Equal(Provenance.Discovered, CrimeTypes.DefaultProvenance("drugs"));
        Assert.Equal(Provenance.Reported, CrimeTypes.DefaultProvenance("Robbery"));
        Assert.Equal(Provenance.Reported, CrimeTypes.DefaultProvenance("Something new"));
    }
}
