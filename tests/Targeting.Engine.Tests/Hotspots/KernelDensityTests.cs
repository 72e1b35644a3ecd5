using NetTopologySuite.IO;
using Targeting.Engine.Geography;
using Targeting.Engine.Hotspots;
using static Targeting.Engine.Tests.Support.Grids;

namespace Targeting.Engine.Tests.Hotspots;

public sealed class KernelDensityTests
{
    private static readonly TargetingOptions Unit = new() { HarmWeights = HarmWeights.Uniform([CrimeTypes.Robbery]) };

    [Fact]
    public void Estimate_OneIncidentAtTheCentreCell_GivesHandComputedQuarticValues()
    {
        // One robbery (weight 1) at (150,150), the centre of cell 4; bandwidth h = 150 m.
        //   K(d) = 3/(π h²) (1 − d²/h²)²,  3/(π · 22,500) = 4.24413e-5 per m².
        //   centre (d = 0):          4.24413e-5
        //   edge cells (d = 100):    4.24413e-5 · (1 − 10,000/22,500)² = 4.24413e-5 · 0.308642 = 1.30991e-5
        //   corner cells (d = 141.4): 4.24413e-5 · (1 − 20,000/22,500)² = 4.24413e-5 · 0.0123457 = 5.23966e-7
        // A cell's score is density × 10,000 m².
        var training = TrainingSet.Build(ThreeByThree(), [At("a", 150, 150, CrimeTypes.Robbery)], January, February, Unit);

        var density = KernelDensity.DensityAtCellCentres(training, 150);
        var surface = KernelDensity.Estimate(training, new MethodParameters { BandwidthM = 150 });

        Assert.Equal(4.24413e-5, density[4], 1e-10);
        Assert.All(new[] { 1, 3, 5, 7 }, c => Assert.Equal(1.30991e-5, density[c], 1e-10));
        Assert.All(new[] { 0, 2, 6, 8 }, c => Assert.Equal(5.23966e-7, density[c], 1e-11));
        Assert.Equal(0.424413, surface.Score[4], 1e-6);
        Assert.Equal(150, surface.Parameters.BandwidthM);
    }

    [Fact]
    public void Quartic_BeyondTheBandwidth_IsZero()
    {
        Assert.Equal(0, KernelDensity.Quartic(250.0001, 250));
        Assert.Equal(3 / (Math.PI * 250 * 250), KernelDensity.Quartic(0, 250), 15);
    }

    [Fact]
    public void Estimate_FineGridAroundOneIncident_IntegratesToItsWeight()
    {
        // On 5 m cells the sum of density × cell area approximates the kernel's integral, 1.
        var grid = AnalysisGrid.Create(new WKTReader().Read("POLYGON ((0 0, 1000 0, 1000 1000, 0 1000, 0 0))"), cellSizeM: 5);
        var training = TrainingSet.Build(grid, [At("a", 502.5, 497.5, CrimeTypes.Robbery)], January, February, Unit);

        var total = KernelDensity.Estimate(training).Score.Sum();

        Assert.Equal(1.0, total, 0.005);
    }

    [Fact]
    public void Estimate_DefaultBandwidth_Is250Metres()
    {
        var training = TrainingSet.Build(ThreeByThree(), [], January, February);

        Assert.Equal(250, KernelDensity.Estimate(training).Parameters.BandwidthM);
    }
}
