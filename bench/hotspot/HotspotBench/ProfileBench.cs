using Targeting.Engine.Backtesting;
using Targeting.Engine.Geography;
using Targeting.Engine.Hotspots;

namespace HotspotBench;

/// <summary>
/// Where one borough's <c>auto</c> proposal spends its time (issue 15): the backtest of the
/// candidates one method at a time, each fold's learned fit alone, and the plan after the choice.
/// A Stopwatch breakdown, median of the runs after a warm-up; no report, stderr only.
/// </summary>
internal static class ProfileBench
{
    public sealed record Part(string Name, double Seconds, double CpuSeconds);

    public sealed record Result(string Area, List<Part> Parts);

    public static Result Run(BenchData data, string area, int runs)
    {
        var shape = data.Borough(area);
        var incidents = data.InEnvelope(shape);
        var grid = AnalysisGrid.Create(shape);
        var parts = new List<Part>();
        void Time(string name, Action action)
        {
            var cpu = new List<double>();
            var seconds = Timing.Measure(name, 1, runs, () => cpu.Add(Timing.Cpu(action)));
            var median = Timing.Percentile(cpu.Skip(1).ToList(), 0.5);
            Console.Error.WriteLine($"    CPU median {median * 1000:F0} ms");
            parts.Add(new Part(name, Timing.Percentile(seconds, 0.5), median));
        }

        BacktestOptions Options(params HotspotMethod[] methods) => new()
        {
            AreaOfInterest = shape,
            Grid = grid,
            Incidents = incidents,
            Start = BenchData.Start,
            End = BenchData.End,
            Methods = methods,
            Coverages = [0.01],
            BootstrapSamples = 200,
            OriginShiftsInCells = [],
        };
        Time("backtest naive only (folds, scoring, bootstrap)", () => Backtest.Run(Options(HotspotMethod.NaiveCounts)));
        Time("backtest naive + prospective", () => Backtest.Run(Options(HotspotMethod.NaiveCounts, HotspotMethod.Prospective)));
        Time("backtest naive + learned", () => Backtest.Run(Options(HotspotMethod.NaiveCounts, HotspotMethod.Learned)));
        var folds = new List<TrainingSet>();
        for (var m = BenchData.Start.AddMonths(1); m < BenchData.End; m = m.AddMonths(1))
        {
            folds.Add(TrainingSet.Build(grid, incidents, BenchData.Start, m));
        }

        Time("learned fits of the 8 folds", () => folds.ForEach(f => LearnedHotspots.Compute(f)));
        var one = MethodParameters.Default with { Learned = LearnedModelOptions.Default with { Trees = 1 } };
        Time("learned fits of the 8 folds, 1 tree (features + ML.NET overhead)", () => folds.ForEach(f => LearnedHotspots.Compute(f, one)));
        var warm = new LearnedFeatureCache();
        folds.ForEach(f => LearnedHotspots.Compute(f, one, warm));
        Time("learned fits of the 8 folds, 1 tree, features cached (ML.NET overhead)", () => folds.ForEach(f => LearnedHotspots.Compute(f, one, warm)));
        var warm50 = new LearnedFeatureCache();
        folds.ForEach(f => LearnedHotspots.Compute(f, null, warm50));
        Time("learned fits of the 8 folds, features cached", () => folds.ForEach(f => LearnedHotspots.Compute(f, null, warm50)));
        Time("choice (MethodSelection.Choose)", () => MethodSelection.Choose(new MethodSelectionRequest
        {
            Grid = grid,
            Incidents = incidents,
            DataStart = BenchData.Start,
            DataEnd = BenchData.End,
            Coverage = 0.01,
        }));
        PatrolPlanRequest Plan(HotspotMethod method, LearnedFeatureCache? cache) => new()
        {
            AreaOfInterest = shape,
            Incidents = incidents,
            DataStart = BenchData.Start,
            DataEnd = BenchData.End,
            Method = method,
            Wards = data.Wards,
            Grid = grid,
            LearnedFeatures = cache,
        };
        Time("plan with learned (PatrolPlanner.Propose)", () => PatrolPlanner.Propose(Plan(HotspotMethod.Learned, null)));
        MethodChoice? choice = null;
        Time("auto: choice + plan, one feature cache", () =>
        {
            var cache = new LearnedFeatureCache();
            choice = MethodSelection.Choose(new MethodSelectionRequest
            {
                Grid = grid,
                Incidents = incidents,
                DataStart = BenchData.Start,
                DataEnd = BenchData.End,
                Coverage = 0.01,
                LearnedFeatures = cache,
            });
            PatrolPlanner.Propose(Plan(choice.Chosen, cache));
        });
        Console.Error.WriteLine($"  chose {choice!.Reason}");
        return new Result(area, parts);
    }
}
