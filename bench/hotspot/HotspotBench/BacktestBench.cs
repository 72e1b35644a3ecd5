using System.Diagnostics;
using Targeting.Engine.Backtesting;
using Targeting.Engine.Hotspots;

namespace HotspotBench;

/// <summary>
/// The engine's rolling-origin backtest of every method on Jan–Sep 2022 (eight folds: Feb..Sep,
/// each fitted on the months before it) for Barking and Dagenham, Lambeth and London, with the
/// default parameters, harm weights and feedback-loop guard.
/// </summary>
internal static class BacktestBench
{
    public sealed record Row(string Method, double Coverage, double ActualCoverage, double HitRate, double HitRateLower, double HitRateUpper,
        double Pai, double PaiLower, double PaiUpper, double Pei, double PeiLower, double PeiUpper, double CountHitRate,
        double ShiftedHitRateMin, double ShiftedHitRateMax);

    public sealed record AreaResult(string Area, int Folds, long ScoredIncidents, double ScoredHarm, int BootstrapSamples, double Seconds,
        string DefaultMethod, double BandwidthM, double HalfLifeDays, List<Row> Rows);

    /// <summary>The prospective method's hit rate at 1% for one bandwidth and half-life.</summary>
    public sealed record SensitivityCell(string Area, double BandwidthM, double HalfLifeDays, double HitRate, double NaiveHitRate);

    public sealed record Result(string Source, bool Full, List<AreaResult> Areas, List<SensitivityCell> Sensitivity, double SensitivitySeconds);

    // Bandwidths from a cell's own incidents (50 m on the 100 m grid) to Bowers et al.'s 400 m; half-lives from a
    // month to ten years (≈ no decay over nine months: the oldest incident keeps 95% of its weight).
    private static readonly double[] SweepBandwidthsM = [50, 100, 200, 400];
    private static readonly double[] SweepHalfLivesDays = [30, 60, 120, 3650];

    public static Result Run(BenchData data, int bootstrap, int londonBootstrap)
    {
        var areas = new List<(string Name, NetTopologySuite.Geometries.Geometry Area, int Bootstrap)>
        {
            ("Barking and Dagenham", data.Borough("Barking and Dagenham"), bootstrap),
            ("Lambeth", data.Borough("Lambeth"), bootstrap),
        };
        if (data.IsFull)
        {
            areas.Add(("London", data.London(), londonBootstrap));
        }

        var results = new List<AreaResult>();
        foreach (var (name, area, samples) in areas)
        {
            Console.Error.WriteLine($"backtest: {name} (all methods, {samples} bootstrap replicates)...");
            var watch = Stopwatch.StartNew();
            var report = Backtest.Run(new BacktestOptions
            {
                AreaOfInterest = area,
                Incidents = data.InEnvelope(area),
                Start = BenchData.Start,
                End = BenchData.End,
                BootstrapSamples = samples,
            });
            var seconds = watch.Elapsed.TotalSeconds;
            Console.Error.WriteLine($"  {seconds:F1} s, {report.Folds} folds, {report.ScoredIncidents:N0} scored incidents");
            var defaults = MethodParameters.Default.Resolved(HotspotSurfaces.DefaultMethod);
            results.Add(new AreaResult(name, report.Folds, report.ScoredIncidents, report.ScoredHarm, samples, seconds,
                HotspotSurfaces.DefaultMethod.ToString(), defaults.BandwidthM!.Value, defaults.HalfLifeDays,
                report.Rows.Select(r => new Row(r.Method.ToString(), r.Coverage, r.ActualCoverage, r.HitRate.Value, r.HitRate.Lower, r.HitRate.Upper,
                    r.Pai.Value, r.Pai.Lower, r.Pai.Upper, r.Pei.Value, r.Pei.Lower, r.Pei.Upper, r.CountHitRate,
                    r.ShiftedHitRateMin, r.ShiftedHitRateMax)).ToList()));
        }

        var sweepWatch = Stopwatch.StartNew();
        var sensitivity = new List<SensitivityCell>();
        foreach (var (name, area, _) in areas)
        {
            Console.Error.WriteLine($"sensitivity: {name} (prospective, {SweepBandwidthsM.Length * SweepHalfLivesDays.Length} settings, no bootstrap)...");
            var incidents = data.InEnvelope(area);
            var naive = results.Single(r => r.Area == name).Rows.Single(r => r.Method == nameof(HotspotMethod.NaiveCounts) && r.Coverage == 0.01).HitRate;
            foreach (var bandwidth in SweepBandwidthsM)
            {
                foreach (var halfLife in SweepHalfLivesDays)
                {
                    var report = Backtest.Run(new BacktestOptions
                    {
                        AreaOfInterest = area,
                        Incidents = incidents,
                        Start = BenchData.Start,
                        End = BenchData.End,
                        Methods = [HotspotMethod.Prospective],
                        Coverages = [0.01],
                        Parameters = MethodParameters.Default with { BandwidthM = bandwidth, HalfLifeDays = halfLife },
                        BootstrapSamples = 0,
                        OriginShiftsInCells = [],
                    });
                    sensitivity.Add(new SensitivityCell(name, bandwidth, halfLife, report.Rows[0].HitRate.Value, naive));
                }
            }
        }

        Console.Error.WriteLine($"  sensitivity: {sweepWatch.Elapsed.TotalSeconds:F1} s");
        return new Result(data.Source, data.IsFull, results, sensitivity, sweepWatch.Elapsed.TotalSeconds);
    }
}
