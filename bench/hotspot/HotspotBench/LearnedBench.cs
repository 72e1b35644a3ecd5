using System.Diagnostics;
using NetTopologySuite.Geometries;
using Targeting.Engine.Backtesting;
using Targeting.Engine.Geography;
using Targeting.Engine.Hotspots;

namespace HotspotBench;

/// <summary>
/// The learned method (issue 15): its training and scoring time on nine months for one borough and
/// all London, the time of <c>auto</c>'s method choice (the backtest of the candidates inside a
/// proposal), and the backtest of naive counts, prospective hotspotting and the learned model on
/// Jan–Sep 2022 with bootstrap intervals and grid shifts.
/// </summary>
internal static class LearnedBench
{
    /// <summary>Wall-clock seconds per run, and the process's CPU seconds per run (the work is single-threaded, so CPU time is
    /// what the wall clock would show on an idle core; the machine is shared).</summary>
    public sealed record Timings(string Area, int Cells, long Incidents, double[] FitAndScoreSeconds, double[] FitAndScoreCpuSeconds,
        double[] ChooseSeconds, double[] ChooseCpuSeconds, string Chosen, string ChoiceReason, string ModelNote);

    public sealed record Row(string Method, double Coverage, double HitRate, double HitRateLower, double HitRateUpper,
        double Pai, double PaiLower, double PaiUpper, double Pei, double CountHitRate, double ShiftedHitRateMean, double ShiftedHitRateMin, double ShiftedHitRateMax);

    public sealed record AreaBacktest(string Area, int Folds, long ScoredIncidents, int BootstrapSamples, double Seconds, List<Row> Rows);

    public sealed record Result(string Source, bool Full, string ParametersHash, string Parameters, List<Timings> Timings, List<AreaBacktest> Backtests);

    public static Result Run(BenchData data, int bootstrap, int londonBootstrap, string? only, LearnedModelOptions? model = null)
    {
        model ??= LearnedModelOptions.Default;
        var parameters = MethodParameters.Default with { Learned = model };
        var areas = new List<(string Name, Geometry Area, int Bootstrap, int Runs)>
        {
            ("Barking and Dagenham", data.Borough("Barking and Dagenham"), bootstrap, 5),
            ("Lambeth", data.Borough("Lambeth"), bootstrap, 5),
        };
        if (data.IsFull)
        {
            areas.Add(("London", data.London(), londonBootstrap, 2));
        }

        if (only is not null)
        {
            areas = areas.Where(a => a.Name == only).ToList();
        }

        var timings = new List<Timings>();
        var backtests = new List<AreaBacktest>();
        foreach (var (name, area, samples, runs) in areas)
        {
            var incidents = data.InEnvelope(area);
            var grid = AnalysisGrid.Create(area);
            var training = TrainingSet.Build(grid, incidents, BenchData.Start, BenchData.End);
            Console.Error.WriteLine($"learned: {name}, {grid.CellCount:N0} cells, {training.Count:N0} incidents used");
            HotspotSurface? surface = null;
            var fitCpu = new List<double>();
            var fit = Timing.Measure($"{name} learned fit + score", 1, runs, () => fitCpu.Add(Cpu(() => surface = LearnedHotspots.Compute(training, parameters))));
            MethodChoice? choice = null;
            var chooseCpu = new List<double>();
            var choose = Timing.Measure($"{name} auto choice (backtest of candidates, 1%)", 1, runs, () => chooseCpu.Add(Cpu(() => choice = MethodSelection.Choose(new MethodSelectionRequest
            {
                Grid = grid,
                Incidents = incidents,
                DataStart = BenchData.Start,
                DataEnd = BenchData.End,
                Coverage = 0.01,
                Parameters = parameters,
            }))));
            // The warm-up run is timed for CPU too; drop it.
            timings.Add(new Timings(name, grid.CellCount, incidents.Count, fit, [.. fitCpu.Skip(1)], choose, [.. chooseCpu.Skip(1)],
                choice!.Chosen.ToString(), choice.Reason, surface!.Model!.Note));
            Console.Error.WriteLine($"  CPU: fit {fitCpu.Skip(1).Order().ElementAt(fitCpu.Count / 2 - 1):F2} s, choice {chooseCpu.Skip(1).Order().ElementAt(chooseCpu.Count / 2 - 1):F2} s; chose {choice.Chosen}");

            Console.Error.WriteLine($"backtest: {name} (naive, prospective, learned; {samples} bootstrap replicates)...");
            var watch = Stopwatch.StartNew();
            var report = Backtest.Run(new BacktestOptions
            {
                AreaOfInterest = area,
                Incidents = incidents,
                Start = BenchData.Start,
                End = BenchData.End,
                Methods = [HotspotMethod.NaiveCounts, HotspotMethod.Prospective, HotspotMethod.Learned],
                BootstrapSamples = samples,
                Parameters = parameters,
            });
            var seconds = watch.Elapsed.TotalSeconds;
            Console.Error.WriteLine($"  {seconds:F1} s");
            foreach (var r in report.Rows.Where(r => r.Coverage == 0.01))
            {
                Console.Error.WriteLine($"  {r.Method} 1%: {r.HitRate.Value:F4} [{r.HitRate.Lower:F4}, {r.HitRate.Upper:F4}] shifted {r.ShiftedHitRateMin:F4}-{r.ShiftedHitRateMax:F4}");
            }

            backtests.Add(new AreaBacktest(name, report.Folds, report.ScoredIncidents, samples, seconds,
                report.Rows.Select(r => new Row(r.Method.ToString(), r.Coverage, r.HitRate.Value, r.HitRate.Lower, r.HitRate.Upper,
                    r.Pai.Value, r.Pai.Lower, r.Pai.Upper, r.Pei.Value, r.CountHitRate, r.ShiftedHitRateMean, r.ShiftedHitRateMin, r.ShiftedHitRateMax)).ToList()));
        }

        return new Result(data.Source, data.IsFull, model.Hash, model.Canonical, timings, backtests);
    }

    private static double Cpu(Action action)
    {
        var process = Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        action();
        process.Refresh();
        return (process.TotalProcessorTime - before).TotalSeconds;
    }
}
