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

    public sealed record Result(string Source, bool Full, List<AreaResult> Areas);

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

        return new Result(data.Source, data.IsFull, results);
    }
}
