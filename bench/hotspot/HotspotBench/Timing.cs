using System.Diagnostics;

namespace HotspotBench;

/// <summary>Repeated timings: warm-ups first (JIT, caches), a full GC before each timed run so runs are independent.</summary>
internal static class Timing
{
    /// <summary>Runs <paramref name="action"/> warm-up + runs times and returns the timed runs' seconds.</summary>
    public static double[] Measure(string label, int warmups, int runs, Action action)
    {
        for (var w = 0; w < warmups; w++)
        {
            action();
        }

        var seconds = new double[runs];
        for (var r = 0; r < runs; r++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var watch = Stopwatch.StartNew();
            action();
            seconds[r] = watch.Elapsed.TotalSeconds;
        }

        Console.Error.WriteLine($"  {label}: median {Percentile(seconds, 0.5) * 1000:F1} ms, p90 {Percentile(seconds, 0.9) * 1000:F1} ms ({runs} runs)");
        return seconds;
    }

    /// <summary>The p-th quantile with linear interpolation between order statistics (numpy's default).</summary>
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var position = p * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }
}
