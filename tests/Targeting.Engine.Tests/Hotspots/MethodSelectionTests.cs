using NetTopologySuite.IO;
using Targeting.Engine.Backtesting;
using Targeting.Engine.Geography;
using Targeting.Engine.Hotspots;
using static Targeting.Engine.Tests.Support.Grids;

namespace Targeting.Engine.Tests.Hotspots;

public sealed class MethodSelectionTests
{
    private static CandidateScore Score(HotspotMethod method, double rate) => new(method, new IntervalEstimate(rate, rate - 0.01, rate + 0.01));

    [Fact]
    public void Decide_BestAboveNaive_IsChosen()
    {
        var (chosen, reason) = MethodSelection.Decide(
            [Score(HotspotMethod.NaiveCounts, 0.110), Score(HotspotMethod.Prospective, 0.113), Score(HotspotMethod.Learned, 0.120)], 0.01, 8);

        Assert.Equal(HotspotMethod.Learned, chosen);
        Assert.Contains("learned: the best hit rate at 1% over 8 monthly folds", reason, StringComparison.Ordinal);
        Assert.Contains("within their 95% intervals", reason, StringComparison.Ordinal); // 0.110 + 0.01 > 0.120 − 0.01
        Assert.Contains("naive counts 0.1100 [0.1000, 0.1200]", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_NothingStrictlyAboveNaive_ChoosesNaive()
    {
        // A tie is not a win, and lower is never chosen, whatever the candidate order.
        Assert.Equal(HotspotMethod.NaiveCounts, MethodSelection.Decide(
            [Score(HotspotMethod.Prospective, 0.2), Score(HotspotMethod.NaiveCounts, 0.2), Score(HotspotMethod.Learned, 0.19)], 0.01, 3).Chosen);
        var (chosen, reason) = MethodSelection.Decide([Score(HotspotMethod.Learned, 0.05), Score(HotspotMethod.NaiveCounts, 0.06)], 0.02, 3);
        Assert.Equal(HotspotMethod.NaiveCounts, chosen);
        Assert.StartsWith("naive counts: no candidate beat them (hit rate at 2% over 3 monthly folds", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_DisjointIntervals_AreSaid()
    {
        var (_, reason) = MethodSelection.Decide([Score(HotspotMethod.NaiveCounts, 0.10), Score(HotspotMethod.Prospective, 0.15)], 0.01, 8);

        Assert.Contains("with disjoint 95% intervals", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_WithoutNaive_Throws() =>
        Assert.Throws<ArgumentException>(() => MethodSelection.Decide([Score(HotspotMethod.Prospective, 0.2)], 0.01, 3));

    /// <summary>
    /// A 10 × 10 grid of 100 m cells (1% = one cell) over eight months: cell 0 has 3 robberies every month; each
    /// month one new "flash" cell, far from the others, has 12 robberies that never recur. Naive counts pick the
    /// steady cell once its total (3 per month) passes 12, from May on; prospective hotspotting weighs the latest
    /// flash (12 × 2^(−15.5/60) ≈ 10.0) above the steady cell's decayed sum (at most ≈ 8.5) and never hits.
    /// </summary>
    private static (AnalysisGrid Grid, List<Incident> Incidents) SteadyAndFlash()
    {
        var grid = AnalysisGrid.Create(new WKTReader().Read("POLYGON ((0 0, 1000 0, 1000 1000, 0 1000, 0 0))"));
        (int Column, int Row)[] flashes = [(3, 3), (6, 6), (9, 9), (3, 9), (9, 3), (6, 0), (0, 6), (6, 9)];
        var incidents = new List<Incident>();
        for (var m = 0; m < 8; m++)
        {
            var month = January.AddMonths(m);
            for (var i = 0; i < 3; i++)
            {
                incidents.Add(At($"s{m}-{i}", 50, 50, CrimeTypes.Robbery, month));
            }

            var (column, row) = flashes[m];
            for (var i = 0; i < 12; i++)
            {
                incidents.Add(At($"f{m}-{i}", (column * 100) + 50, (row * 100) + 50, CrimeTypes.Robbery, month));
            }
        }

        return (grid, incidents);
    }

    [Fact]
    public void TrainingWindows_AreTheFoldsWindows()
    {
        var mid = January.AddDays(14);

        // From the first whole month (February) to the start of each scored month (March..June).
        var windows = MethodSelection.TrainingWindows(mid, January.AddMonths(6));

        Assert.Equal([(February, January.AddMonths(2)), (February, January.AddMonths(3)), (February, January.AddMonths(4)), (February, January.AddMonths(5))], windows);
        Assert.Empty(MethodSelection.TrainingWindows(mid, January.AddMonths(2).AddDays(10))); // one whole month (February) and a part: nothing to backtest
        var (grid, incidents) = SteadyAndFlash();
        Assert.Equal(windows.Count, MethodSelection.Choose(new MethodSelectionRequest
        {
            Grid = grid,
            Incidents = incidents,
            DataStart = mid,
            DataEnd = January.AddMonths(6),
            Coverage = 0.01,
            Candidates = [HotspotMethod.Prospective],
            BootstrapSamples = 0,
        }, TestContext.Current.CancellationToken).Folds);
    }

    [Fact]
    public void Choose_WithARegionThatIsTheAreaItself_ScoresAsWithout()
    {
        // A region over the same grid and incidents gives every fold the area's own fit, so the same scores.
        var (grid, incidents) = LearnedHotspotsTests.Synthetic(seed: 3, months: 6);
        MethodSelectionRequest Request(LearnedFeatureCache cache) => new()
        {
            Grid = grid,
            Incidents = incidents,
            DataStart = January,
            DataEnd = January.AddMonths(6),
            Coverage = 0.01,
            BootstrapSamples = 20,
            LearnedFeatures = cache,
        };
        var region = new LearnedRegion(grid, incidents, "the area itself");

        var own = MethodSelection.Choose(Request(new LearnedFeatureCache()), TestContext.Current.CancellationToken);
        var shared = MethodSelection.Choose(Request(new LearnedFeatureCache { Region = region }), TestContext.Current.CancellationToken);

        Assert.Equal(own, shared with { Candidates = own.Candidates, Reason = own.Reason });
        Assert.Equal(own.Candidates, shared.Candidates);
        Assert.Equal(own.Reason, shared.Reason);
        Assert.Equal(MethodSelection.TrainingWindows(January, January.AddMonths(6)).Count, region.Fits);
    }

    [Fact]
    public void Choose_WhereProspectiveAndKdeAreWorse_ChoosesNaive()
    {
        var (grid, incidents) = SteadyAndFlash();
        var request = new MethodSelectionRequest
        {
            Grid = grid,
            Incidents = incidents,
            DataStart = January,
            DataEnd = January.AddMonths(8),
            Coverage = 0.01,
            Candidates = [HotspotMethod.Prospective, HotspotMethod.Kde],
            BootstrapSamples = 0,
        };

        var choice = MethodSelection.Choose(request, TestContext.Current.CancellationToken);

        // 7 folds (Feb–Aug) of 15 robberies; naive hits the steady 3 in May–August: 12 / 105.
        var naive = choice.Candidates.Single(c => c.Method == HotspotMethod.NaiveCounts).HitRate.Value;
        Assert.Equal(12.0 / 105, naive, 12);
        Assert.Equal(0, choice.Candidates.Single(c => c.Method == HotspotMethod.Prospective).HitRate.Value);
        Assert.True(choice.Candidates.Single(c => c.Method == HotspotMethod.Kde).HitRate.Value <= naive);
        Assert.Equal(HotspotMethod.NaiveCounts, choice.Chosen);
        Assert.Equal(7, choice.Folds);
        Assert.Equal([HotspotMethod.NaiveCounts, HotspotMethod.Prospective, HotspotMethod.Kde], choice.Candidates.Select(c => c.Method));
    }

    [Fact]
    public void Choose_DefaultCandidates_NeverBelowNaive()
    {
        foreach (var (grid, incidents, months) in new[]
        {
            SteadyAndFlash() is var (g1, i1) ? (g1, i1, 8) : default,
            LearnedHotspotsTests.Synthetic(seed: 3, months: 6) is var (g2, i2) ? (g2, i2, 6) : default,
        })
        {
            var choice = MethodSelection.Choose(new MethodSelectionRequest
            {
                Grid = grid,
                Incidents = incidents,
                DataStart = January,
                DataEnd = January.AddMonths(months),
                Coverage = 0.01,
                BootstrapSamples = 50,
            }, TestContext.Current.CancellationToken);

            var naive = choice.Candidates.Single(c => c.Method == HotspotMethod.NaiveCounts).HitRate.Value;
            var chosen = choice.Candidates.Single(c => c.Method == choice.Chosen).HitRate.Value;
            Assert.True(chosen >= naive, $"chose {choice.Chosen} at {chosen} below naive {naive}");
            Assert.Equal(choice.Candidates.Max(c => c.HitRate.Value) > naive ? choice.Candidates.MaxBy(c => c.HitRate.Value)!.Method : HotspotMethod.NaiveCounts,
                choice.Chosen);
        }
    }

    [Fact]
    public void Choose_FewerThanTwoWholeMonths_UsesNaiveAndSaysWhy()
    {
        var (grid, incidents) = SteadyAndFlash();

        var choice = MethodSelection.Choose(new MethodSelectionRequest
        {
            Grid = grid,
            Incidents = incidents,
            DataStart = January.AddDays(10),
            DataEnd = March.AddDays(5),
            Coverage = 0.01,
        }, TestContext.Current.CancellationToken);

        Assert.Equal(HotspotMethod.NaiveCounts, choice.Chosen);
        Assert.Empty(choice.Candidates);
        Assert.Contains("fewer than two whole months", choice.Reason, StringComparison.Ordinal);
    }

    private static readonly DateTime March = new(2022, 3, 1, 0, 0, 0, DateTimeKind.Utc);
}
