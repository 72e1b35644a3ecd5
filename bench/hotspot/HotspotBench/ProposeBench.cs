using NetTopologySuite.Geometries;
using Targeting.Engine.Geography;
using Targeting.Engine.Hotspots;

namespace HotspotBench;

/// <summary>
/// PatrolPlanner.Propose with the default method and options on Barking and Dagenham and on all
/// London, nine months of street crime, with the grid cached (as the service does per boundary)
/// and made afresh each call. Loading, projecting and the store's box query are excluded.
/// </summary>
internal static class ProposeBench
{
    public sealed record AreaTiming(string Area, int Cells, long IncidentsGiven, long IncidentsUsed, int AreasProposed, double Coverage,
        double ExpectedShare, double[] CachedGridSeconds, double[] FreshGridSeconds, double[] GridOnlySeconds,
        double[] AutoSeconds, double[] AutoCpuSeconds, string AutoMethod);

    public sealed record Result(string Source, bool Full, string Method, List<AreaTiming> Areas);

    public static Result Run(BenchData data)
    {
        var areas = new List<(string Name, Geometry Area, int Runs)>
        {
            ("Barking and Dagenham", data.Borough("Barking and Dagenham"), 30),
        };
        if (data.IsFull)
        {
            areas.Add(("London", data.London(), 12));
        }

        var timings = new List<AreaTiming>();
        foreach (var (name, area, runs) in areas)
        {
            Console.Error.WriteLine($"propose: {name}");
            var incidents = data.InEnvelope(area);
            var grid = AnalysisGrid.Create(area);
            var request = new PatrolPlanRequest
            {
                AreaOfInterest = area,
                Incidents = incidents,
                DataStart = BenchData.Start,
                DataEnd = BenchData.End,
                Wards = data.Wards,
            };
            var plan = PatrolPlanner.Propose(request with { Grid = grid });
            // Interleaved: the machine is shared, so each round times all three under the same load.
            var seconds = Timing.MeasureInterleaved(2, runs,
                ($"{name} cached grid", () => PatrolPlanner.Propose(request with { Grid = grid })),
                ($"{name} fresh grid", () => PatrolPlanner.Propose(request)),
                ($"{name} grid only", () => AnalysisGrid.Create(area)));
            var (cached, fresh, gridOnly) = (seconds[0], seconds[1], seconds[2]);
            // auto, the service's default for a plan: the candidates' backtest, then the plan, sharing the learned features.
            var autoCpu = new List<double>();
            var chosen = string.Empty;
            var auto = Timing.Measure($"{name} auto (choice + plan, cached grid)", 0, name == "London" ? 1 : 5, () => autoCpu.Add(Timing.Cpu(() =>
            {
                var features = new LearnedFeatureCache();
                var choice = MethodSelection.Choose(new MethodSelectionRequest
                {
                    Grid = grid,
                    Incidents = incidents,
                    DataStart = BenchData.Start,
                    DataEnd = BenchData.End,
                    Coverage = request.PatrolAreas.BudgetFraction,
                    LearnedFeatures = features,
                });
                chosen = choice.Chosen.ToString();
                PatrolPlanner.Propose(request with { Grid = grid, Method = choice.Chosen, LearnedFeatures = features });
            })));
            Console.Error.WriteLine($"    CPU {string.Join(", ", autoCpu.Select(c => c.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))} s; chose {chosen}");
            timings.Add(new AreaTiming(name, plan.Grid.CellCount, incidents.Count, plan.Summary.UsedCount, plan.Areas.Count,
                plan.CoverageFraction, plan.ExpectedShare, cached, fresh, gridOnly, auto, [.. autoCpu], chosen));
        }

        return new Result(data.Source, data.IsFull, HotspotSurfaces.DefaultMethod.ToString(), timings);
    }
}
