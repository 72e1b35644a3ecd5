using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Targeting.Engine.Geography;
using Targeting.Hotspot.Planning;
using Targeting.Hotspot.V1;
using TimeWindow = Targeting.Common.V1.TimeWindow;

namespace HotspotBench;

/// <summary>
/// Force-wide plans (issue 15): the hotspot service's own proposer (PlanProposer, as ProposeForcePlans
/// calls it) for every borough loaded — all 33 London boroughs on the shared data — with the default
/// method (auto: each borough's backtest, LightGBM training included), and one borough's auto plan
/// alone. The store's query is left out (each borough's incidents are its bounding box's, in memory).
/// With --compare, every borough is also proposed alone (its own learned fits, as before the boroughs
/// shared one model) and each candidate's backtest hit rate and the choice are set side by side.
/// </summary>
internal static class ForceBench
{
    public sealed record BoroughPlan(string Borough, int Areas, double CoverageFraction, string Method, Dictionary<string, double[]> HitRates, string LearnedNote);

    public sealed record Comparison(string Borough, string SharedMethod, string OwnMethod, Dictionary<string, double[]> Shared, Dictionary<string, double[]> Own);

    public sealed record Result(string Source, bool Full, int Boroughs, int Cores, double[] AllSeconds, double[] AllCpuSeconds,
        List<BoroughPlan> Plans, double CoverageFraction, List<SinglePlan> Single, bool IdenticalRuns, List<Comparison> Compared, double OwnCpuSeconds, double OwnSeconds);

    public sealed record SinglePlan(string Area, double[] Seconds, double[] CpuSeconds, string Method);

    public static Result Run(BenchData data, int runs, bool compare)
    {
        var catalog = new BoundaryCatalog(BoundarySet.Combine(data.Boroughs, data.Wards), Projection.BritishNationalGrid);
        var proposer = new PlanProposer(catalog);
        var names = data.Boroughs.All.Select(b => b.Name).ToList();
        var request = new ProposeForcePlansRequest
        {
            Plan = new ProposePatrolAreasRequest
            {
                DataWindow = new TimeWindow { Start = Timestamp.FromDateTime(BenchData.Start), End = Timestamp.FromDateTime(BenchData.End) },
            },
        };
        request.BoroughNames.Add(names);
        var now = BenchData.End.AddDays(1);
        var force = PlanProposer.ValidateForce(request, catalog, now);
        var incidents = force.Boroughs.ToDictionary(p => p.Area.Name, p => data.InEnvelope(p.Area.Geometry));

        IReadOnlyList<(PatrolPlan Plan, IReadOnlyList<NetTopologySuite.Geometries.Geometry> Shapes)> plans = [];
        var cpu = new List<double>();
        var bytes = new List<byte[]>();
        Console.Error.WriteLine($"force: {names.Count} boroughs, {Environment.ProcessorCount} cores");
        var seconds = Timing.Measure($"{names.Count} boroughs, auto, in parallel", 1, runs, () =>
        {
            cpu.Add(Timing.Cpu(() => plans = proposer.ProposeAllAsync(force, (p, _) => Task.FromResult(incidents[p.Area.Name]), "bench", now).GetAwaiter().GetResult()));
            bytes.Add(Bytes(plans.Select(p => p.Plan)));
        });
        var identical = bytes.Skip(1).All(b => b.AsSpan().SequenceEqual(bytes[0]));
        var perBorough = plans.Select(p => new BoroughPlan(p.Plan.AreaName, p.Plan.Areas.Count, p.Plan.CoverageFraction, p.Plan.Provenance.Method.ToString(),
            Rates(p.Plan), p.Plan.Provenance.LearnedModel?.Note ?? string.Empty)).ToList();
        var coverage = plans.Sum(p => p.Plan.PatrolAreaM2) / plans.Sum(p => p.Plan.AreaOfInterestM2);
        Console.Error.WriteLine($"  CPU {Timing.Percentile(cpu.Skip(1).ToList(), 0.5):F1} s; coverage of all boroughs together {coverage:P3}; " +
            $"{bytes.Count} runs' plans {(identical ? "byte-identical" : "DIFFER")} (plan id and time cleared)");

        var compared = new List<Comparison>();
        double ownCpu = 0, ownSeconds = 0;
        if (compare)
        {
            var own = new PatrolPlan[force.Boroughs.Count];
            var watch = System.Diagnostics.Stopwatch.StartNew();
            ownCpu = Timing.Cpu(() => Parallel.For(0, own.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                b => own[b] = proposer.Propose(force.Boroughs[b], incidents[force.Boroughs[b].Area.Name], "bench", now).Plan));
            ownSeconds = watch.Elapsed.TotalSeconds;
            Console.Error.WriteLine($"  every borough alone (own fits): {ownSeconds:F1} s, CPU {ownCpu:F1} s");
            for (var b = 0; b < own.Length; b++)
            {
                var shared = plans[b].Plan;
                compared.Add(new Comparison(shared.AreaName, shared.Provenance.Method.ToString(), own[b].Provenance.Method.ToString(), Rates(shared), Rates(own[b])));
                Console.Error.WriteLine($"  {shared.AreaName}: shared {shared.Provenance.Method} / own {own[b].Provenance.Method}; " +
                    string.Join(", ", Rates(shared).Select(r => $"{r.Key} {r.Value[0]:F4} vs {Rates(own[b])[r.Key][0]:F4}")));
            }
        }

        var single = new List<SinglePlan>();
        foreach (var name in new[] { "Barking and Dagenham", "Lambeth" })
        {
            var one = new ProposeForcePlansRequest { Plan = request.Plan };
            one.BoroughNames.Add(name);
            var proposal = PlanProposer.ValidateForce(one, catalog, now).Boroughs[0];
            var given = data.InEnvelope(proposal.Area.Geometry);
            var oneCpu = new List<double>();
            PatrolPlan? plan = null;
            var oneSeconds = Timing.Measure($"{name} auto plan alone", 1, Math.Max(3, runs), () => oneCpu.Add(Timing.Cpu(() => plan = proposer.Propose(proposal, given, "bench", now).Plan)));
            Console.Error.WriteLine($"  CPU median {Timing.Percentile(oneCpu.Skip(1).ToList(), 0.5) * 1000:F0} ms, {plan!.Provenance.Method}");
            single.Add(new SinglePlan(name, oneSeconds, [.. oneCpu.Skip(1)], plan.Provenance.Method.ToString()));
        }

        return new Result(data.Source, data.IsFull, names.Count, Environment.ProcessorCount, seconds, [.. cpu.Skip(1)], perBorough, coverage, single,
            identical, compared, ownCpu, ownSeconds);
    }

    /// <summary>Each candidate's hit rate at the plan's coverage in its choice's backtest: value, lower, upper.</summary>
    private static Dictionary<string, double[]> Rates(PatrolPlan plan) => plan.Provenance.MethodChoice?.Candidates
        .ToDictionary(c => c.Method.ToString(), c => new[] { c.HitRate.Value, c.HitRate.Lower, c.HitRate.Upper }) ?? [];

    /// <summary>The plans as bytes, with what differs by design between two runs (the random plan id, the clock) cleared.</summary>
    private static byte[] Bytes(IEnumerable<PatrolPlan> plans)
    {
        using var stream = new MemoryStream();
        foreach (var plan in plans)
        {
            var copy = plan.Clone();
            copy.PlanId = string.Empty;
            copy.Provenance.GeneratedAt = null;
            copy.WriteDelimitedTo(stream);
        }

        return stream.ToArray();
    }
}
