using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using NetTopologySuite.Geometries;
using Targeting.Common.V1;
using Targeting.Feedback.Analysis;
using Targeting.Feedback.Reference;
using Targeting.Feedback.Sources;
using Targeting.Feedback.V1;
using Targeting.Grpc;
using Targeting.Hotspot.V1;
using Targeting.Stops.V1;
using Boundary = Targeting.Engine.Geography.Boundary;

namespace Targeting.Feedback;

/// <summary>
/// The FeedbackService rpcs: validate, read the sources (plans and incidents from hotspot,
/// encounters from stops, streamed), run the analysis, return it. The analyses are pure functions
/// in <see cref="Analysis"/>; this class only adapts.
/// </summary>
public sealed class FeedbackGrpcService(IFeedbackSources sources, ReferenceData reference, TimeProvider time)
    : FeedbackService.FeedbackServiceBase
{
    [AllowRoles(Roles.Analyst, Roles.Planner)]
    public override async Task<PlanEvaluation> EvaluatePlan(EvaluatePlanRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        RequirePlanId(request.PlanId, violations);
        CheckWindow(request.Window, "window", violations);
        violations.ThrowIfAny();

        var ct = context.CancellationToken;
        var plan = await sources.GetPlanAsync(request.PlanId.Trim(), ct);
        var areas = Areas(plan);
        var window = AnalysisWindow.From(Merge(request.Window, plan.ValidWindow));
        var targets = PlanTargets.For(plan);
        var stops = StopsAsync(window, ct);
        var incidents = IncidentsAsync(plan, window, targets, ct);
        return PlanEvaluator.Evaluate(areas, window, await stops, AreaOfInterest(plan), await incidents, targets);
    }

    [AllowRoles(Roles.Analyst, Roles.Planner)]
    public override async Task<CrimeChangeReport> AssessCrimeChange(CrimeChangeRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        RequirePlanId(request.PlanId, violations);
        CheckWindow(request.Before, "before", violations);
        CheckWindow(request.After, "after", violations);
        if (double.IsNaN(request.BufferM) || request.BufferM < 0 || request.BufferM > 5000)
        {
            violations.Add("buffer_m", "must be between 0 (the default, 250 m) and 5000 metres");
        }

        for (var i = 0; i < request.CrimeTypes.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(request.CrimeTypes[i]))
            {
                violations.Add($"crime_types[{i}]", "is blank");
            }
        }

        violations.ThrowIfAny();
        var ct = context.CancellationToken;
        var plan = await sources.GetPlanAsync(request.PlanId.Trim(), ct);
        var areas = Areas(plan);
        var before = AnalysisWindow.From(Merge(request.Before, plan.Provenance?.DataWindow));
        var after = AnalysisWindow.From(Merge(request.After, plan.ValidWindow));
        if (!before.IsBounded || !after.IsBounded)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"plan {plan.PlanId} has no data window or valid window to default to: give before and after"));
        }

        var targets = PlanTargets.For(plan, request.CrimeTypes);
        var span = new AnalysisWindow(Math.Min(before.StartTicks, after.StartTicks), Math.Max(before.EndTicks, after.EndTicks));
        var incidents = await IncidentsAsync(plan, span, targets, ct);
        var buffer = request.BufferM > 0 ? request.BufferM : CrimeChangeAnalysis.DefaultBufferM;
        return CrimeChangeAnalysis.Assess(areas, before, after, incidents, targets, buffer, AreaOfInterest(plan));
    }

    [AllowRoles(Roles.Analyst)]
    public override async Task<FairnessReport> AssessFairness(FairnessRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        CheckWindow(request.Window, "window", violations);
        var objects = ParseObjects(request.ObjectsOfSearch, violations);
        for (var i = 0; i < request.PlanIds.Count; i++)
        {
            RequirePlanId(request.PlanIds[i], violations, $"plan_ids[{i}]");
        }

        violations.ThrowIfAny();
        var scope = Scope(request.Borough);
        var ct = context.CancellationToken;
        var window = AnalysisWindow.From(request.Window);
        var stops = StopsAsync(window, ct);
        var plans = PlansAsync(request.PlanIds, window, ct);
        var source = scope.Borough is null ? reference.ForceWideSource : $"{reference.CensusSource}: {scope.Population.Name} ({scope.Population.Code})";
        var (active, skipped) = await plans;
        var report = FairnessAnalysis.Assess(scope, window, await stops, active, objects, source);
        if (skipped.Count > 0)
        {
            report.Notes += "; " + string.Join("; ", skipped);
        }

        return report;
    }

    [AllowRoles(Roles.Analyst, Roles.Supervisor)]
    public override async Task<ProceduralJusticeReport> AssessProceduralJustice(ProceduralJusticeRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        CheckWindow(request.Window, "window", violations);
        if (!System.Enum.IsDefined(request.Grouping))
        {
            violations.Add("grouping", "is not a ComplianceGrouping value");
        }

        violations.ThrowIfAny();
        var window = AnalysisWindow.From(request.Window);
        var query = new EncounterQuery { Window = request.Window, Area = request.Area };

        // A supervisor who is not also an analyst sees their own team only.
        if (!context.Caller.IsInRole(Roles.Analyst))
        {
            query.Team = context.Caller.Team
                ?? throw new RpcException(new Status(StatusCode.PermissionDenied, "a supervisor's token needs a team claim: compliance is shown for the supervisor's own team"));
        }

        var answers = new List<ProceduralJusticeAnalysis.Answers>();
        await foreach (var record in sources.QueryEncountersAsync(query, context.CancellationToken))
        {
            if (ProceduralJusticeAnalysis.Read(record, window) is { } read)
            {
                answers.Add(read);
            }
        }

        return ProceduralJusticeAnalysis.Summarise(answers, window, request.Grouping);
    }

    // Any role: the report is public. Every caller gets it at published granularity (whole London months,
    // the boroughs held, a threshold no lower than the server's), so no two reports difference into a small count (decision 044).
    [AllowRoles]
    public override async Task<TransparencyReport> GetTransparencyReport(TransparencyRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        CheckWholeMonths(request.Window, violations);
        var minimum = reference.Options.SuppressionThreshold;
        if (request.SuppressionThreshold != 0 && request.SuppressionThreshold < minimum)
        {
            violations.Add("suppression_threshold", $"must be at least {minimum}, the server's minimum (Feedback:SuppressionThreshold); it may be raised, not lowered (0 means {minimum})");
        }

        var boroughs = new List<int>();
        for (var i = 0; i < request.Boroughs.Count; i++)
        {
            if (FindBorough(request.Boroughs[i]) is { } index)
            {
                boroughs.Add(index);
            }
            else
            {
                violations.Add($"boroughs[{i}]", $"{FieldText.Quote(request.Boroughs[i])} is not a borough the feedback service holds ({string.Join(", ", reference.Boroughs.All.Select(b => b.Name))})");
            }
        }

        violations.ThrowIfAny();
        var ct = context.CancellationToken;
        var window = AnalysisWindow.From(request.Window);
        var stops = StopsAsync(window, ct);
        var plans = PlansAsync([], window, ct);
        var threshold = request.SuppressionThreshold > 0 ? request.SuppressionThreshold : minimum;
        var (active, skipped) = await plans;
        var report = TransparencyReportBuilder.Build(await stops, window, request.Boroughs.Count == 0 ? null : boroughs, active, threshold, time.GetUtcNow(), minimum);
        if (skipped.Count > 0)
        {
            report.MethodNote += " Patrol plans left out of 'inside': " + string.Join("; ", skipped) + ".";
        }

        return report;
    }

    [AllowRoles(Roles.Analyst)]
    public override async Task<VehicleStopsReport> AssessVehicleStops(VehicleStopsRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        CheckWindow(request.Window, "window", violations);
        violations.ThrowIfAny();
        var window = AnalysisWindow.From(request.Window);
        RoadsAnalysis.Sample sample;
        try
        {
            sample = await RoadsAnalysis.ReadAsync(sources.StreamEncounterFactsAsync(new EncounterQuery { Window = window.ToProto() }, context.CancellationToken),
                reference.Places, context.CancellationToken);
        }
        catch (ArgumentException ex)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"stops service sent a batch the roads analysis cannot read: {ex.Message}"));
        }

        string? borough = null;
        if (!string.IsNullOrWhiteSpace(request.Borough))
        {
            // A borough, or the district of imported stops (e.g. Rhode Island's "Zone K3"), named exactly.
            borough = FindBorough(request.Borough) is { } index ? reference.Boroughs.All[index].Name
                : sample.Stops.Any(s => s.Place == request.Borough.Trim()) ? request.Borough.Trim()
                : throw new RpcException(new Status(StatusCode.NotFound,
                    $"{FieldText.Quote(request.Borough)} is not a borough the feedback service holds ({string.Join(", ", reference.Boroughs.All.Select(b => b.Name))}) nor the district of any stop in the window"));
        }

        return RoadsAnalysis.Assess(sample, borough, window);
    }

    private async Task<StopFacts> StopsAsync(AnalysisWindow window, CancellationToken ct)
    {
        try
        {
            return await StopFacts.FromColumnsAsync(sources.StreamEncounterFactsAsync(new EncounterQuery { Window = window.ToProto() }, ct), reference.Places, ct);
        }
        catch (ArgumentException ex)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"stops service sent a malformed batch: {ex.Message}"));
        }
    }

    private async Task<IReadOnlyList<IncidentFact>> IncidentsAsync(PatrolPlan plan, AnalysisWindow window, PlanTargets targets, CancellationToken ct)
    {
        var request = new StreamIncidentsRequest { Window = window.ToProto(), CrimeTypes = { targets.CrimeTypes } };
        if (!string.IsNullOrWhiteSpace(plan.AreaName) && !string.Equals(plan.AreaName, "custom", StringComparison.OrdinalIgnoreCase))
        {
            request.Area = new AreaOfInterest { BoundaryName = plan.AreaName };
        }

        var facts = new List<IncidentFact>();
        await foreach (var batch in sources.StreamIncidentPointsAsync(request, ct))
        {
            // The hotspot service projects; both services must compute in the same CRS for the areas to line up.
            if (batch.Crs != reference.Projection.Crs)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition,
                    $"the hotspot service computes in {batch.Crs} and the feedback service in {reference.Projection.Crs}: configure the same projected CRS for both"));
            }

            try
            {
                IncidentFacts.Add(facts, batch);
            }
            catch (ArgumentException ex)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, $"hotspot service sent a malformed batch: {ex.Message}"));
            }
        }

        return facts;
    }

    // The plans whose areas are "inside": those named (an unreadable one fails the call), or every stored plan whose
    // valid window overlaps the window (an unreadable one is skipped and named in the report, not fatal to it).
    private async Task<(ActivePlans Plans, List<string> Skipped)> PlansAsync(IReadOnlyList<string> planIds, AnalysisWindow window, CancellationToken ct)
    {
        var plans = new List<PlanAreas>();
        var skipped = new List<string>();
        if (planIds.Count > 0)
        {
            foreach (var id in planIds.Distinct(StringComparer.Ordinal))
            {
                plans.Add(Areas(await sources.GetPlanAsync(id.Trim(), ct)));
            }
        }
        else
        {
            await foreach (var plan in sources.ListPlansAsync(null, ct))
            {
                PlanAreas areas;
                try
                {
                    areas = PlanAreas.From(plan, reference.Projection);
                }
                catch (ArgumentException ex)
                {
                    skipped.Add($"plan {plan.PlanId} skipped: {ex.Message}");
                    continue;
                }

                if (areas.ValidFromTicks < window.EndTicks && areas.ValidToTicks > window.StartTicks)
                {
                    plans.Add(areas);
                }
            }
        }

        return (new ActivePlans(plans), skipped);
    }

    private FairnessScope Scope(string borough)
    {
        if (string.IsNullOrWhiteSpace(borough))
        {
            return new FairnessScope(null, reference.ForceWide);
        }

        var population = reference.Census.Find(borough)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"no Census 2021 population for {FieldText.Quote(borough)}: give a London borough's name or GSS code (E09…)"));
        var polygon = FindBorough(population.Code) is { } index ? reference.Boroughs.All[index]
            : throw new RpcException(new Status(StatusCode.NotFound, $"the feedback service holds no polygon for {population.Name} ({population.Code}) to place searches in: see Feedback:BoroughBoundaryPath"));
        return new FairnessScope(polygon, population);
    }

    private int? FindBorough(string nameOrCode)
    {
        try
        {
            var boundary = reference.Boroughs.Find(nameOrCode.Trim());
            if (boundary is null)
            {
                // The Census file and the polygons may spell a name differently ("&" for "and"): go through the code.
                var census = reference.Census.Find(nameOrCode);
                boundary = census is null ? null : reference.Boroughs.Find(census.Code);
            }

            return boundary is null ? null : IndexOf(boundary);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private int IndexOf(Boundary boundary)
    {
        for (var i = 0; i < reference.Boroughs.Count; i++)
        {
            if (ReferenceEquals(reference.Boroughs.All[i], boundary))
            {
                return i;
            }
        }

        return -1;
    }

    private Geometry? AreaOfInterest(PatrolPlan plan) =>
        FindBorough(plan.AreaName) is { } index and >= 0 ? reference.Boroughs.All[index].Geometry : null;

    private PlanAreas Areas(PatrolPlan plan)
    {
        try
        {
            return PlanAreas.From(plan, reference.Projection);
        }
        catch (ArgumentException ex)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"plan {plan.PlanId} has a patrol area the feedback service cannot read: {ex.Message}"));
        }
    }

    private static HashSet<ObjectOfSearch> ParseObjects(IReadOnlyList<string> labels, FieldViolations violations)
    {
        var objects = new HashSet<ObjectOfSearch>();
        for (var i = 0; i < labels.Count; i++)
        {
            if (ObjectLabels.TryParse(labels[i], out var parsed))
            {
                objects.UnionWith(parsed);
            }
            else
            {
                violations.Add($"objects_of_search[{i}]", $"{FieldText.Quote(labels[i])} is not an object of search (e.g. \"Offensive weapons\", OBJECT_OF_SEARCH_FIREARMS, or \"weapons\")");
            }
        }

        return objects;
    }

    private static void RequirePlanId(string planId, FieldViolations violations, string field = "plan_id")
    {
        if (string.IsNullOrWhiteSpace(planId))
        {
            violations.Add(field, "is required");
        }
    }

    private static void CheckWindow(TimeWindow? window, string field, FieldViolations violations)
    {
        if (window is null)
        {
            return;
        }

        var start = Valid(window.Start, field + ".start", violations);
        var end = Valid(window.End, field + ".end", violations);
        if (start is not null && end is not null && end <= start)
        {
            violations.Add(field + ".end", "must be after " + field + ".start");
        }
    }

    private static DateTime? Valid(Timestamp? timestamp, string field, FieldViolations violations)
    {
        if (timestamp is null)
        {
            return null;
        }

        try
        {
            return timestamp.ToDateTime();
        }
        catch (InvalidOperationException)
        {
            violations.Add(field, "is not a valid timestamp (seconds 0001-01-01 to 9999-12-31, nanos 0 to 999,999,999)");
            return null;
        }
    }

    // The public report's window: each set end at the start of a London month, the end after the start.
    private static void CheckWholeMonths(TimeWindow? window, FieldViolations violations)
    {
        if (window is null)
        {
            return;
        }

        var start = MonthEdge(Valid(window.Start, "window.start", violations), "window.start", violations);
        var end = MonthEdge(Valid(window.End, "window.end", violations), "window.end", violations);
        if (start is not null && end is not null && end <= start)
        {
            violations.Add("window.end", "must be after window.start");
        }
    }

    private static DateTime? MonthEdge(DateTime? utc, string field, FieldViolations violations)
    {
        if (utc is not { } instant || TransparencyReportBuilder.IsMonthEdge(instant))
        {
            return utc;
        }

        if (instant.Year is < 1900 or > 2999)
        {
            violations.Add(field, "must be the start of a calendar month in London time, 1900 to 2999: the public report is published by whole month only");
            return null;
        }

        var month = LondonMonths.KeyOf(instant);
        violations.Add(field, "must be the start of a calendar month in London time (00:00 Europe/London on the 1st, e.g. "
            + string.Create(CultureInfo.InvariantCulture, $"{LondonMonths.StartUtc(month):yyyy-MM-dd'T'HH:mm:ss'Z'} for {LondonMonths.Format(month)}")
            + "): the public report is published by whole month only");
        return null;
    }

    // The request's window with unset ends taken from the default.
    private static TimeWindow? Merge(TimeWindow? requested, TimeWindow? fallback) =>
        requested is null ? fallback : new TimeWindow { Start = requested.Start ?? fallback?.Start, End = requested.End ?? fallback?.End };
}
