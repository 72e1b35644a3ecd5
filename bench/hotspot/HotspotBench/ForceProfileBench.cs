using Targeting.Engine.Backtesting;
using Targeting.Engine.Geography;
using Targeting.Engine.Hotspots;

namespace HotspotBench;

/// <summary>
/// Where a force-wide <c>auto</c> proposal spends its time (issue 15): every borough one after another on
/// one thread, each stage of its choice and plan timed on its own (CPU seconds summed over the boroughs).
/// Stages are differences of runs that add one piece at a time, as in <see cref="ProfileBench"/>.
/// </summary>
internal static class ForceProfileBench
{
    public sealed record Stage(string Name, double CpuSeconds, double Seconds);

    public sealed record Result(int Boroughs, List<Stage> Stages, int LearnedFits);

    public static Result Run(BenchData data, int limit)
    {
        var names = data.Boroughs.All.Select(b => b.Name).OrderBy(n => n, StringComparer.Ordinal).Take(limit).ToList();
        var cpu = new Dictionary<string, double>();
        var wall = new Dictionary<string, double>();
        var order = new List<string>();
        void Add(string name, double c, double w)
        {
            if (!cpu.ContainsKey(name))
            {
                order.Add(name);
                cpu[name] = 0;
                wall[name] = 0;
            }

            cpu[name] += c;
            wall[name] += w;
        }

        (double Cpu, double Wall) Time(Action action)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var c = Timing.Cpu(action);
            return (c, watch.Elapsed.TotalSeconds);
        }

        var fits = 0;
        var one = MethodParameters.Default with { Learned = LearnedModelOptions.Default with { Trees = 1 } };
        foreach (var (name, index) in names.Prepend(names[0]).Select((n, i) => (n, i)))
        {
            var warmup = index == 0;
            var shape = data.Borough(name);
            var incidents = data.InEnvelope(shape);
            AnalysisGrid grid = null!;
            var g = Time(() => grid = AnalysisGrid.Create(shape));
            BacktestOptions Options(int bootstrap, params HotspotMethod[] methods) => new()
            {
                AreaOfInterest = shape,
                Grid = grid,
                Incidents = incidents,
                Start = BenchData.Start,
                End = BenchData.End,
                Methods = methods,
                Coverages = [0.01],
                BootstrapSamples = bootstrap,
                OriginShiftsInCells = [],
            };
            var naive = Time(() => Backtest.Run(Options(0, HotspotMethod.NaiveCounts)));
            var boot = Time(() => Backtest.Run(Options(200, HotspotMethod.NaiveCounts)));
            var pro = Time(() => Backtest.Run(Options(0, HotspotMethod.NaiveCounts, HotspotMethod.Prospective)));
            var folds = new List<TrainingSet>();
            var ts = Time(() =>
            {
                for (var m = BenchData.Start.AddMonths(1); m < BenchData.End; m = m.AddMonths(1))
                {
                    folds.Add(TrainingSet.Build(grid, incidents, BenchData.Start, m));
                }

                folds.Add(TrainingSet.Build(grid, incidents, BenchData.Start, BenchData.End));
            });
            var cache = new LearnedFeatureCache();
            var cold = Time(() => folds.ForEach(f => LearnedHotspots.Compute(f, one, cache)));
            var warm1 = Time(() => folds.ForEach(f => LearnedHotspots.Compute(f, one, cache)));
            HotspotSurface? last = null;
            var warm50 = Time(() => folds.ForEach(f => last = LearnedHotspots.Compute(f, null, cache)));
            var fitted = folds.Count(f => LearnedHotspots.Compute(f, one, cache).Model?.FellBackTo is null);
            var training = folds[^1];
            HotspotSurface surface = null!;
            var prospective = Time(() => surface = ProspectiveHotspots.Compute(training));
            GiStarResult gi = null!;
            var giTime = Time(() => gi = GetisOrdGiStar.Compute(grid, training.HarmPerCell, surface.Parameters.Neighbourhood, surface.Parameters.FdrQ));
            var withGi = new HotspotSurface(surface.Method, surface.Parameters, training, surface.Score, surface.Intensity, gi, surface.Clusters, surface.Model);
            var areas = Time(() => PatrolAreaBuilder.Build(withGi, PatrolAreaOptions.Default, data.Wards));
            if (warmup)
            {
                continue;
            }

            fits += fitted;
            Add("grid", g.Cpu, g.Wall);
            Add("backtest folds (training sets, scored incidents, naive counts)", naive.Cpu, naive.Wall);
            Add("bootstrap, 200 replicates", boot.Cpu - naive.Cpu, boot.Wall - naive.Wall);
            Add("prospective surfaces of the 8 folds", pro.Cpu - naive.Cpu, pro.Wall - naive.Wall);
            Add("learned: features of 9 months (cold cache, 1 tree, minus warm)", cold.Cpu - warm1.Cpu, cold.Wall - warm1.Wall);
            Add("learned: ML.NET + LightGBM fixed cost (9 fits, 1 tree, warm cache)", warm1.Cpu, warm1.Wall);
            Add("learned: 49 more trees (9 fits)", warm50.Cpu - warm1.Cpu, warm50.Wall - warm1.Wall);
            Add("plan: training set (1)", ts.Cpu / folds.Count, ts.Wall / folds.Count);
            Add("plan: prospective surface", prospective.Cpu, prospective.Wall);
            Add("plan: Gi*", giTime.Cpu, giTime.Wall);
            Add("plan: patrol areas (growth, shapes, wards)", areas.Cpu, areas.Wall);
            Console.Error.WriteLine($"  {name}: {grid.CellCount} cells, {incidents.Count} incidents, {fitted} fits; learned 50 trees warm {warm50.Cpu:F2} CPU-s");
        }

        var stages = order.Select(n => new Stage(n, cpu[n], wall[n])).ToList();
        foreach (var s in stages)
        {
            Console.Error.WriteLine($"  {s.Name}: {s.CpuSeconds:F2} CPU-s, {s.Seconds:F2} s");
        }

        Console.Error.WriteLine($"  total {stages.Sum(s => s.CpuSeconds):F2} CPU-s; learned fits {fits}");
        return new Result(names.Count, stages, fits);
    }
}

/// <summary>The shared region's part of a force plan (issue 15): the union grid and each training window's London-wide fit, timed one at a time.</summary>
internal static class RegionProfileBench
{
    public sealed record Window(string End, double CpuSeconds, long Rows);

    public sealed record Result(double GridCpuSeconds, int Cells, List<Window> Windows, List<Window> OneTree);

    public static Result Run(BenchData data)
    {
        var catalog = new Targeting.Hotspot.Planning.BoundaryCatalog(BoundarySet.Combine(data.Boroughs, data.Wards), Projection.BritishNationalGrid);
        var areas = data.Boroughs.All.Select(b => new Targeting.Hotspot.Planning.ResolvedArea(b.Name, b.Code, b.Kind, b.Geometry)).ToList();
        AnalysisGrid grid = null!;
        var gridCpu = Timing.Cpu(() => grid = catalog.RegionGridFor(areas, 100, 0, 0));
        Console.Error.WriteLine($"  region grid (union + grid): {gridCpu:F2} CPU-s, {grid.CellCount} cells");
        var windows = MethodSelection.TrainingWindows(BenchData.Start, BenchData.End).Append((BenchData.Start, BenchData.End)).ToList();
        List<Window> Fits(MethodParameters parameters)
        {
            var region = new LearnedRegion(grid, data.Incidents, "London", parameters);
            var result = new List<Window>();
            foreach (var (start, end) in windows)
            {
                HotspotSurface surface = null!;
                var cpu = Timing.Cpu(() => surface = region.Fit(start, end));
                result.Add(new Window($"{end:yyyy-MM}", cpu, surface.Model?.TrainingRows ?? 0));
                Console.Error.WriteLine($"  window to {end:yyyy-MM}: {cpu:F2} CPU-s, {surface.Model?.Note}");
            }

            return result;
        }

        var full = Fits(MethodParameters.Default);
        var one = Fits(MethodParameters.Default with { Learned = LearnedModelOptions.Default with { Trees = 1 } });
        Console.Error.WriteLine($"  total {full.Sum(w => w.CpuSeconds):F2} CPU-s (1 tree: {one.Sum(w => w.CpuSeconds):F2})");
        return new Result(gridCpu, grid.CellCount, full, one);
    }
}
