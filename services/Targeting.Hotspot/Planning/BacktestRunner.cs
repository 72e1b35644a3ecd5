using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Targeting.Engine.Backtesting;
using Targeting.Engine.Hotspots;
using Targeting.Grpc;
using Targeting.Hotspot.V1;
using EngineIncident = Targeting.Engine.Hotspots.Incident;
using EngineReport = Targeting.Engine.Backtesting.BacktestReport;
using ProtoMethod = Targeting.Hotspot.V1.Method;
using TimeWindow = Targeting.Common.V1.TimeWindow;

namespace Targeting.Hotspot.Planning;

/// <summary>A validated RunBacktest request, in engine terms.</summary>
public sealed record BacktestPlan(
    ResolvedArea Area,
    DateTime Start,
    DateTime End,
    IReadOnlyList<HotspotMethod> Methods,
    IReadOnlyList<double> Coverages,
    MethodSettings Settings,
    int BootstrapSamples,
    long Seed);

/// <summary>
/// Runs a backtest from a request and incidents, with the engine's rolling-origin
/// <see cref="Backtest"/>: shared by the service and the command line, so both report the same
/// figures for the same input.
/// </summary>
public static class BacktestRunner
{
    public const int DefaultBootstrapSamples = 1_000;
    public const int MaxBootstrapSamples = 100_000;
    public const int MaxMonths = 120;

    /// <summary>The coverages reported when the request names none: 0.5%, 1%, 2% and 5% of the area.</summary>
    public static IReadOnlyList<double> DefaultCoverages { get; } = [0.005, 0.01, 0.02, 0.05];

    /// <summary>The methods compared when the request names none: all five, default first.</summary>
    public static IReadOnlyList<HotspotMethod> AllMethods { get; } =
        [HotspotMethod.NaiveCounts, HotspotMethod.Kde, HotspotMethod.Prospective, HotspotMethod.GetisOrd, HotspotMethod.Dbscan, HotspotMethod.Learned];

    /// <summary>Checks every field (one violation each, INVALID_ARGUMENT); an unknown boundary is NOT_FOUND.</summary>
    public static BacktestPlan Validate(BacktestRequest request, BoundaryCatalog boundaries)
    {
        ArgumentNullException.ThrowIfNull(request);
        var violations = new FieldViolations();
        var area = boundaries.Resolve(request.Area, "area", violations);
        var window = MonthWindow(request.Window, violations);

        var methods = new List<HotspotMethod>();
        for (var i = 0; i < request.Methods.Count; i++)
        {
            var method = request.Methods[i];
            if (method is ProtoMethod.Unspecified or ProtoMethod.Auto || !System.Enum.IsDefined(method))
            {
                violations.Add($"methods[{i}]", $"must name a method (naive counts, KDE, prospective, Getis-Ord, DBSCAN, learned), not {(int)method}");
            }
            else if (methods.Contains((HotspotMethod)(int)method))
            {
                violations.Add($"methods[{i}]", $"{method} is listed twice");
            }
            else
            {
                methods.Add((HotspotMethod)(int)method);
            }
        }

        var coverages = new List<double>();
        for (var i = 0; i < request.Coverages.Count; i++)
        {
            var coverage = request.Coverages[i];
            if (!(coverage > 0 && coverage <= 1))
            {
                violations.Add($"coverages[{i}]", "must be a fraction of the area in (0, 1]");
            }
            else
            {
                coverages.Add(coverage);
            }
        }

        var parameters = RequestValidation.Parameters(request.Parameters, violations);
        var targeting = RequestValidation.Targeting(request.HarmWeights, request.DiscoveredPolicy, 0, violations);
        if (request.BootstrapSamples is < 0 or > MaxBootstrapSamples)
        {
            violations.Add("bootstrap_samples", $"must be between 0 (the default, {DefaultBootstrapSamples}) and {MaxBootstrapSamples}");
        }

        violations.ThrowIfAny();
        return new BacktestPlan(
            area!,
            window!.Value.Start,
            window.Value.End,
            methods.Count > 0 ? methods : AllMethods,
            coverages.Count > 0 ? coverages : DefaultCoverages,
            new MethodSettings(methods.Count > 0 ? methods[0] : HotspotSurfaces.DefaultMethod, parameters, targeting),
            request.BootstrapSamples == 0 ? DefaultBootstrapSamples : request.BootstrapSamples,
            request.Seed == 0 ? 1 : request.Seed);
    }

    /// <summary>
    /// Runs the backtest. FAILED_PRECONDITION when fewer than two months of the window hold
    /// incidents that drive targeting in the area (nothing to fit on, or nothing to score).
    /// </summary>
    public static V1.BacktestReport Run(BacktestPlan plan, IReadOnlyList<EngineIncident> incidents, BoundaryCatalog boundaries, DateTime now,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(incidents);
        var harm = plan.Settings.Targeting.HarmWeights;
        // Only reported incidents with a harm weight are ever scored (see Backtest), so only they count here.
        var monthsWithIncidents = incidents
            .Where(i => i.OccurredAt >= plan.Start && i.OccurredAt < plan.End && i.Provenance == Engine.Hotspots.Provenance.Reported && harm.WeightOf(i.CrimeType) > 0)
            .Select(i => (i.OccurredAt.Year, i.OccurredAt.Month))
            .Distinct()
            .Count();
        if (monthsWithIncidents < 2)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"the window {plan.Start:yyyy-MM} to {plan.End.AddTicks(-1):yyyy-MM} has {monthsWithIncidents} month(s) of reported incidents for {plan.Area.Name}; " +
                "a backtest fits on earlier months and scores later ones, so it needs at least two: import crimes for the window first"));
        }

        var report = Backtest.Run(new BacktestOptions
        {
            AreaOfInterest = plan.Area.Geometry,
            Grid = boundaries.GridFor(plan.Area, plan.Settings.Parameters.CellSizeM, plan.Settings.Parameters.OriginOffsetXM, plan.Settings.Parameters.OriginOffsetYM),
            Incidents = incidents,
            Start = plan.Start,
            End = plan.End,
            Methods = plan.Methods,
            Coverages = plan.Coverages,
            Parameters = plan.Settings.Parameters,
            Targeting = plan.Settings.Targeting,
            BootstrapSamples = plan.BootstrapSamples,
            Seed = plan.Seed,
        }, cancellationToken);
        return ToProto(plan, report, boundaries, now);
    }

    private static V1.BacktestReport ToProto(BacktestPlan plan, EngineReport report, BoundaryCatalog boundaries, DateTime now)
    {
        var result = new V1.BacktestReport
        {
            AreaName = plan.Area.Name,
            Window = Window(plan.Start, plan.End),
            Folds = report.Folds,
            ScoredIncidents = report.ScoredIncidents,
        };
        foreach (var row in report.Rows)
        {
            result.Rows.Add(new V1.BacktestRow
            {
                Method = RequestValidation.ToProto(row.Method),
                Coverage = row.Coverage,
                HitRate = Estimate(row.HitRate, row.CapturedIncidents, row.ScoredIncidents),
                Pai = Estimate(row.Pai, row.CapturedIncidents, row.ScoredIncidents),
                Pei = Estimate(row.Pei, row.CapturedIncidents, row.ScoredIncidents),
                ShiftedHitRateMean = row.ShiftedHitRateMean,
                ShiftedHitRateMin = row.ShiftedHitRateMin,
                ShiftedHitRateMax = row.ShiftedHitRateMax,
            });
        }

        var summary = report.LastFoldSummary;
        var provenance = new PlanProvenance
        {
            Method = RequestValidation.ToProto(plan.Methods[0]),
            Parameters = RequestValidation.ToProto(report.Parameters),
            DataWindow = Window(plan.Start, plan.End),
            DiscoveredPolicy = RequestValidation.ToProto(summary.DiscoveredPolicy),
            DiscoveredWeight = summary.DiscoveredWeight,
            ReportedCount = summary.ReportedCount,
            DiscoveredCount = summary.DiscoveredCount,
            TrainedOn = "last fold: " + summary.TrainedOn + "; scored: reported incidents with a positive harm weight",
            EngineVersion = Engine.EngineInfo.Version,
            GeneratedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(now, DateTimeKind.Utc)),
            Crs = boundaries.Projection.Crs,
        };
        provenance.HarmWeights.Add(Ordered(summary.HarmWeights));
        provenance.CountsByType.Add(Ordered(summary.CountsByType));
        result.Provenance = provenance;
        return result;
    }

    /// <summary>A backtest figure and its percentile-bootstrap interval; the counts are the scored incidents captured and in all.</summary>
    internal static Common.V1.Estimate Estimate(IntervalEstimate value, long captured, long scored) => new()
    {
        Value = value.Value,
        Lower = double.IsNaN(value.Lower) ? 0 : value.Lower,
        Upper = double.IsNaN(value.Upper) ? 0 : value.Upper,
        Numerator = captured,
        Denominator = scored,
        Method = double.IsNaN(value.Lower) ? "none (no bootstrap)" : "percentile-bootstrap-95",
    };

    /// <summary>A window whose ends are first instants of months (UTC), holding two to <see cref="MaxMonths"/> months.</summary>
    private static (DateTime Start, DateTime End)? MonthWindow(TimeWindow? window, FieldViolations violations)
    {
        var value = RequestValidation.Window(window, "window", violations, required: true);
        if (value is not { } w)
        {
            return null;
        }

        var ok = true;
        if (!IsMonthStart(w.Start))
        {
            violations.Add("window.start", "must be the first instant of a month (UTC), e.g. 2022-01-01T00:00:00Z");
            ok = false;
        }

        if (!IsMonthStart(w.End))
        {
            violations.Add("window.end", "must be the first instant of a month (UTC; the window's end is exclusive)");
            ok = false;
        }

        if (!ok)
        {
            return null;
        }

        var months = ((w.End.Year - w.Start.Year) * 12) + w.End.Month - w.Start.Month;
        if (months < 2 || months > MaxMonths)
        {
            violations.Add("window", string.Create(CultureInfo.InvariantCulture, $"must hold between 2 and {MaxMonths} months, not {months}"));
            return null;
        }

        return w;
    }

    private static bool IsMonthStart(DateTime t) => t.Day == 1 && t.TimeOfDay == TimeSpan.Zero;

    /// <summary>A map in key order, so that stored and printed plans list types the same way every time.</summary>
    private static Dictionary<string, TValue> Ordered<TValue>(IReadOnlyDictionary<string, TValue> map) =>
        map.OrderBy(e => e.Key, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);

    private static TimeWindow Window(DateTime start, DateTime end) => new()
    {
        Start = Timestamp.FromDateTime(DateTime.SpecifyKind(start, DateTimeKind.Utc)),
        End = Timestamp.FromDateTime(DateTime.SpecifyKind(end, DateTimeKind.Utc)),
    };
}
