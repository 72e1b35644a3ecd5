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

    /// <summary>
    /// Times several actions in rotation (one run of each per round), so that on a shared machine
    /// every action sees the same changes in load; returns each action's seconds per round.
    /// </summary>
    public static double[][] MeasureInterleaved(int warmups, int rounds, params (string Label, Action Action)[] actions)
    {
        for (var w = 0; w < warmups; w++)
        {
            foreach (var (_, action) in actions)
            {
                action();
            }
        }

        var seconds = actions.Select(_ => new double[rounds]).ToArray();
        for (var r = 0; r < rounds; r++)
        {
            for (var a = 0; a < actions.Length; a++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var watch = Stopwatch.StartNew();
                actions[a].Action();
                seconds[a][r] = watch.Elapsed.TotalSeconds;
            }
        }

        for (var a = 0; a < actions.Length; a++)
        {
            Console.Error.WriteLine($"  {actions[a].Label}: median {Percentile(seconds[a], 0.5) * 1000:F1} ms, p90 {Percentile(seconds[a], 0.9) * 1000:F1} ms ({rounds} runs)");
        }

        return seconds;
    }

    /// <summary>The process's processor seconds while <paramref name="action"/> runs (all threads: what the work costs whatever the load).</summary>
    public static double Cpu(Action action)
    {
        var process = Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        action();
        process.Refresh();
        return (process.TotalProcessorTime - before).TotalSeconds;
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
