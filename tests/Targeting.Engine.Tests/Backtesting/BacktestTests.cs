using NetTopologySuite.IO;
using Targeting.Engine.Backtesting;
using Targeting.Engine.Hotspots;
using Targeting.Engine.Tests.Support;
using static Targeting.Engine.Tests.Support.Grids;

namespace Targeting.Engine.Tests.Backtesting;

public sealed class BacktestTests
{
    private static readonly DateTime March = new(2022, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime April = new(2022, 4, 1, 0, 0, 0, DateTimeKind.Utc);

    // 3 × 3 grid (cells 0–8 row-major from the south-west); every scored incident is a robbery (365).
    //   January:  cell 0 ×2, cell 4 ×1                         (training only)
    //   February: cell 0 ×1, cell 8 ×2                         (fold 1, fitted on January)
    //   March:    cell 0 ×1, cell 8 ×1, cell 2 ×1, and a possession of weapons in cell 0 (discovered: never scored)
    // Coverage 0.12 of 90,000 m² = 10,800 m²: one 10,000 m² cell.
    //   Fold 1: naive counts pick cell 0 (2 vs 1): captures 1 of 3; the best cell (8) held 2.
    //   Fold 2: fitted on Jan+Feb, cell 0 (3) again: captures 1 of 3; the best cell holds 1.
    //   Hit rate = 2/6 = 1/3; coverage 1/9, so PAI = 3; PEI = (1 + 1)/(2 + 1) = 2/3.
    private static readonly Incident[] Incidents =
    [
        At("j1", 50, 50, CrimeTypes.Robbery), At("j2", 60, 60, CrimeTypes.Robbery), At("j3", 150, 150, CrimeTypes.Robbery),
        At("f1", 50, 50, CrimeTypes.Robbery, February), At("f2", 250, 250, CrimeTypes.Robbery, February), At("f3", 260, 260, CrimeTypes.Robbery, February),
        At("m1", 50, 50, CrimeTypes.Robbery, March), At("m2", 250, 250, CrimeTypes.Robbery, March), At("m3", 250, 50, CrimeTypes.Robbery, March),
        At("m4", 40, 40, CrimeTypes.PossessionOfWeapons, March),
    ];

    [Fact]
    public void Run_HandExample_GivesHandComputedHitRatePaiAndPei()
    {
        var report = Backtest.Run(Options() with { BootstrapSamples = 0 }, TestContext.Current.CancellationToken);

        var row = Assert.Single(report.Rows);
        Assert.Equal(2, report.Folds);
        Assert.Equal(6, report.ScoredIncidents);
        Assert.Equal(6 * 365, report.ScoredHarm);
        Assert.Equal(1.0 / 3, row.HitRate.Value, 12);
        Assert.Equal(1.0 / 9, row.ActualCoverage, 12);
        Assert.Equal(3, row.Pai.Value, 12);
        Assert.Equal(2.0 / 3, row.Pei.Value, 12);
        Assert.Equal(2, row.CapturedIncidents);
        Assert.Equal(1.0 / 3, row.CountHitRate, 12);
        Assert.Equal(0, report.LastFoldSummary.DiscoveredCount); // the last fold trains on Jan–Feb, before the March find
    }

    [Fact]
    public void Run_Bootstrap_IsSeededAndBracketsTheEstimates()
    {
        var first = Backtest.Run(Options() with { BootstrapSamples = 500, Seed = 42 }, TestContext.Current.CancellationToken);
        var second = Backtest.Run(Options() with { BootstrapSamples = 500, Seed = 42 }, TestContext.Current.CancellationToken);
        var other = Backtest.Run(Options() with { BootstrapSamples = 500, Seed = 43 }, TestContext.Current.CancellationToken);

        var row = Assert.Single(first.Rows);
        Assert.Equal(row, Assert.Single(second.Rows));
        Assert.InRange(row.HitRate.Value, row.HitRate.Lower, row.HitRate.Upper);
        Assert.InRange(row.Pai.Value, row.Pai.Lower, row.Pai.Upper);
        Assert.InRange(row.Pei.Value, row.Pei.Lower, row.Pei.Upper);
        Assert.True(row.HitRate.Upper > row.HitRate.Lower);
        Assert.True(row.HitRate.Lower >= 0 && row.HitRate.Upper <= 1);
        Assert.Equal(row.HitRate.Value, Assert.Single(other.Rows).HitRate.Value);
    }

    [Fact]
    public void Run_ShiftedOrigins_ReportsTheirRangeAroundComparableRates()
    {
        var report = Backtest.Run(Options() with { BootstrapSamples = 0, OriginShiftsInCells = [(0.5, 0), (0, 0.5), (0.5, 0.5)] }, TestContext.Current.CancellationToken);

        var row = Assert.Single(report.Rows);
        Assert.InRange(row.ShiftedHitRateMin, 0, row.ShiftedHitRateMax);
        Assert.InRange(row.ShiftedHitRateMean, row.ShiftedHitRateMin, row.ShiftedHitRateMax);
        Assert.True(row.ShiftedHitRateMax <= 1);
    }

    [Fact]
    public void Run_OneMonthWindow_IsRefusedNamingTheField()
    {
        var error = Assert.Throws<ArgumentException>(() => Backtest.Run(Options() with { End = February }, TestContext.Current.CancellationToken));

        Assert.Contains("window.end", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_SampleLambeth_DefaultMethodAtLeastNaiveCountsAtOnePercent()
    {
        // The requirement behind the default method, on the shipped sample (see docs/decisions/010-default-hotspot-method.md).
        var lambeth = SampleBoundaries.Boroughs.Find("Lambeth")!;
        var report = Backtest.Run(new BacktestOptions
        {
            AreaOfInterest = lambeth.Geometry,
            Incidents = StreetCrimes.SampleIncidents,
            Start = January,
            End = January.AddMonths(9),
            Methods = [HotspotMethod.NaiveCounts, HotspotSurfaces.DefaultMethod],
            Coverages = [0.01],
            BootstrapSamples = 0,
            OriginShiftsInCells = [],
        }, TestContext.Current.CancellationToken);

        Assert.True(report.Rows[1].HitRate.Value >= report.Rows[0].HitRate.Value,
            $"default {report.Rows[1].HitRate.Value:P2} < naive {report.Rows[0].HitRate.Value:P2}");
        Assert.InRange(report.Rows[0].HitRate.Value, 0.05, 0.5);
    }

    private static BacktestOptions Options() => new()
    {
        AreaOfInterest = new WKTReader().Read("POLYGON ((0 0, 300 0, 300 300, 0 300, 0 0))"),
        Incidents = Incidents,
        Start = January,
        End = April,
        Methods = [HotspotMethod.NaiveCounts],
        Coverages = [0.12],
        OriginShiftsInCells = [],
    };
}
