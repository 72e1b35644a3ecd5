using System.Globalization;
using System.Security.Cryptography;
using Google.Protobuf.WellKnownTypes;
using NetTopologySuite.Geometries;
using Targeting.Engine.Geography;
using Targeting.Engine.Hotspots;
using Targeting.Grpc;
using Targeting.Hotspot.Import;
using Targeting.Hotspot.V1;
using EngineIncident = Targeting.Engine.Hotspots.Incident;
using PatrolArea = Targeting.Hotspot.V1.PatrolArea;
using TimeWindow = Targeting.Common.V1.TimeWindow;

namespace Targeting.Hotspot.Planning;

/// <summary>A validated ProposePatrolAreas request, in engine terms.</summary>
public sealed record Proposal(
    ResolvedArea Area,
    DateTime DataStart,
    DateTime DataEnd,
    DateTime ValidStart,
    DateTime ValidEnd,
    MethodSettings Settings,
    int MaxAreas,
    double BudgetFraction,
    double MinAreaM2,
    double MaxAreaM2,
    string Note);

/// <summary>A validated ProposeForcePlans request: the force's name (empty for a list of boroughs) and one proposal per borough.</summary>
public sealed record ForceProposal(string Force, IReadOnlyList<Proposal> Boroughs);

/// <summary>
/// Proposes a patrol plan from a request and incidents, with the engine: shared by the service
/// (which then stores the plan) and the command line (which runs with no server at all), so both
/// give the same plan for the same input. With a <see cref="Gazetteer"/> (projected like the
/// boundaries), each area is named by its streets.
/// </summary>
public sealed class PlanProposer(BoundaryCatalog boundaries, Gazetteer? gazetteer = null)
{
    public const double DefaultBudgetFraction = 0.01;
    public const double MaxBudgetFraction = 0.2;
    public const int DefaultMaxAreas = 8;
    public const int MaxMaxAreas = 50;
    public const double DefaultMinAreaM2 = 20_000;
    public const double DefaultMaxAreaM2 = 250_000;
    public const int MaxNoteLength = 2_000;
    public const int MaxBoroughs = 50;

    /// <summary>Checks every field (one violation each, INVALID_ARGUMENT); an unknown boundary is NOT_FOUND.</summary>
    /// <param name="request">The request.</param>
    /// <param name="boundaries">The boundaries an area may name.</param>
    /// <param name="now">The clock: a data window cannot start after it (plus the clock skew), as no incident can be there yet.</param>
    public static Proposal Validate(ProposePatrolAreasRequest request, BoundaryCatalog boundaries, DateTime now)
    {
        var violations = new FieldViolations();
        var area = boundaries.Resolve(request.Area, "area", violations);
        var forArea = ValidateSettings(request, violations, now);
        violations.ThrowIfAny();
        return forArea(area!);
    }

    /// <summary>
    /// Checks every field but the area (one violation each, under the field's own name); returns how to
    /// make the proposal for an area once the caller has thrown for any violation.
    /// </summary>
    private static Func<ResolvedArea, Proposal> ValidateSettings(ProposePatrolAreasRequest request, FieldViolations violations, DateTime now)
    {
        var data = RequestValidation.Window(request.DataWindow, "data_window", violations, required: true);
        if (data is { Start: var requestedStart } && requestedStart > now + IncidentValidator.ClockSkew)
        {
            violations.Add("data_window.start", string.Create(CultureInfo.InvariantCulture, $"is in the future ({requestedStart:yyyy-MM-dd}, after now {now:yyyy-MM-dd HH:mm}Z): there is no data there yet"));
            data = null;
        }

        var valid = RequestValidation.Window(request.ValidWindow, "valid_window", violations, required: false);
        var (method, auto) = RequestValidation.PlanMethod(request.Method, "method", violations);
        var parameters = RequestValidation.Parameters(request.Parameters, violations);
        var targeting = RequestValidation.Targeting(request.HarmWeights, request.DiscoveredPolicy, request.DiscoveredWeight, violations);

        var budget = request.BudgetFraction == 0 ? DefaultBudgetFraction : request.BudgetFraction;
        if (!(budget > 0 && budget <= MaxBudgetFraction))
        {
            violations.Add("budget_fraction", $"must be in (0, {MaxBudgetFraction}]");
        }

        var maxAreas = request.MaxAreas == 0 ? DefaultMaxAreas : request.MaxAreas;
        if (maxAreas is < 1 or > MaxMaxAreas)
        {
            violations.Add("max_areas", $"must be between 1 and {MaxMaxAreas}");
        }

        var minArea = request.MinAreaM2 == 0 ? DefaultMinAreaM2 : request.MinAreaM2;
        var maxArea = request.MaxAreaM2 == 0 ? DefaultMaxAreaM2 : request.MaxAreaM2;
        if (!(minArea > 0) || !double.IsFinite(minArea))
        {
            violations.Add("min_area_m2", "must be a positive number of square metres");
        }

        if (!(maxArea > 0) || !double.IsFinite(maxArea))
        {
            violations.Add("max_area_m2", "must be a positive number of square metres");
        }
        else if (minArea > 0 && maxArea < minArea)
        {
            violations.Add("max_area_m2", "must not be smaller than min_area_m2");
        }

        if (request.Note.Length > MaxNoteLength)
        {
            violations.Add("note", $"must be at most {MaxNoteLength} characters");
        }

        return area =>
        {
            var (dataStart, dataEnd) = data!.Value;
            var (validStart, validEnd) = valid ?? (dataEnd, dataEnd.AddMonths(1));
            return new Proposal(area, dataStart, dataEnd, validStart, validEnd, new MethodSettings(method, parameters, targeting, auto),
                maxAreas, budget, minArea, maxArea, request.Note);
        };
    }

    /// <summary>
    /// Checks a force-wide request (one violation per bad field; plan settings as "plan.&lt;field&gt;") and
    /// returns one proposal per borough, in the order the plans are returned. Unknown borough names are
    /// NOT_FOUND (every one named); a force none of whose boroughs is loaded is FAILED_PRECONDITION.
    /// </summary>
    public static ForceProposal ValidateForce(ProposeForcePlansRequest request, BoundaryCatalog boundaries, DateTime now)
    {
        var violations = new FieldViolations();
        var force = request.Force.Trim();
        var names = request.BoroughNames;
        Force? known = null;
        if (force.Length == 0 && names.Count == 0)
        {
            violations.Add("force", "is required: a force name, or borough_names");
        }
        else if (force.Length > 0 && names.Count > 0)
        {
            violations.Add("borough_names", "must be empty when a force is given: give a force or borough names, not both");
        }
        else if (force.Length > 0 && (known = Forces.Find(force)) is null)
        {
            violations.Add("force", $"unknown force {FieldText.Quote(force)}; known: {string.Join(", ", Forces.All.Select(f => f.Name))}");
        }

        if (names.Count > MaxBoroughs)
        {
            violations.Add("borough_names", $"holds {names.Count} names; at most {MaxBoroughs}");
        }

        // Each name once, as a borough; unknown names are NOT_FOUND after the invalid fields.
        var areas = new List<ResolvedArea>();
        var unknown = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count && names.Count <= MaxBoroughs; i++)
        {
            var field = $"borough_names[{i}]";
            if (string.IsNullOrWhiteSpace(names[i]))
            {
                violations.Add(field, "must not be empty");
                continue;
            }

            Engine.Geography.Boundary? borough;
            try
            {
                borough = boundaries.All.Find(names[i], BoundaryKinds.Borough);
            }
            catch (ArgumentException e)
            {
                violations.Add(field, FieldText.Bound(e.Message.Split(" (Parameter", 2)[0]));
                continue;
            }

            if (borough is null)
            {
                if (boundaries.All.Lookup(names[i]) is [var other, ..])
                {
                    violations.Add(field, $"{FieldText.Quote(names[i])} is a {other.Kind}, not a borough");
                }
                else
                {
                    unknown.Add(names[i]);
                }

                continue;
            }

            if (!seen.Add(borough.Code.Length > 0 ? borough.Code : borough.Name))
            {
                violations.Add(field, $"repeats {FieldText.Quote(borough.Name)}: one plan per borough");
                continue;
            }

            areas.Add(new ResolvedArea(borough.Name, borough.Code, borough.Kind, borough.Geometry));
        }

        Func<ResolvedArea, Proposal>? forArea = null;
        if (request.Plan is null)
        {
            violations.Add("plan", "is required: every borough's data_window and settings, as ProposePatrolAreas takes them");
        }
        else
        {
            if (request.Plan.Area is not null)
            {
                violations.Add("plan.area", "must be empty: the boroughs are given by force or borough_names");
            }

            var settings = new FieldViolations();
            forArea = ValidateSettings(request.Plan, settings, now);
            violations.AddAll(settings, "plan.");
        }

        violations.ThrowIfAny();
        if (unknown.Count > 0)
        {
            throw new RpcException(new Status(StatusCode.NotFound,
                $"no borough named {string.Join(", ", unknown.Take(5).Select(FieldText.Quote))}{(unknown.Count > 5 ? $" and {unknown.Count - 5} more" : string.Empty)} is loaded; ListBoundaries lists them"));
        }

        if (known is not null)
        {
            areas.AddRange(boundaries.All.OfKind(BoundaryKinds.Borough).Where(b => known.Covers(b.Code))
                .OrderBy(b => b.Name, StringComparer.Ordinal)
                .Select(b => new ResolvedArea(b.Name, b.Code, b.Kind, b.Geometry)));
            if (areas.Count == 0)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition,
                    $"none of the boroughs of {known.Name} is loaded; load its borough boundaries (GSS {known.Codes}) first"));
            }
        }

        return new ForceProposal(known?.Name ?? string.Empty, areas.Select(forArea!).ToList());
    }

    /// <summary>
    /// The plan for a proposal, and its areas' projected shapes (for the store and the map).
    /// FAILED_PRECONDITION when no incident in the window and area drives targeting.
    /// </summary>
    public (PatrolPlan Plan, IReadOnlyList<Geometry> Shapes) Propose(Proposal proposal, IReadOnlyList<EngineIncident> incidents, string createdBy, DateTime now) =>
        Propose(proposal, incidents, createdBy, now, null);

    /// <summary>As <see cref="Propose(Proposal, IReadOnlyList{EngineIncident}, string, DateTime)"/>, the learned fits taken from a force's shared region where they may be.</summary>
    private (PatrolPlan Plan, IReadOnlyList<Geometry> Shapes) Propose(Proposal proposal, IReadOnlyList<EngineIncident> incidents, string createdBy, DateTime now,
        LearnedRegion? region)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentNullException.ThrowIfNull(incidents);
        var settings = proposal.Settings;
        var parameters = settings.Parameters;
        var grid = boundaries.GridFor(proposal.Area, parameters.CellSizeM, parameters.OriginOffsetXM, parameters.OriginOffsetYM);
        // auto: the candidates' rolling-origin backtest on this area and data window, at this plan's coverage;
        // the plan's learned fit reuses the backtest's feature months (or, in a force plan, the boroughs' shared fits).
        var learnedFeatures = new LearnedFeatureCache { Region = region };
        var choice = settings.Auto
            ? MethodSelection.Choose(new MethodSelectionRequest
            {
                Grid = grid,
                Incidents = incidents,
                DataStart = proposal.DataStart,
                DataEnd = proposal.DataEnd,
                Coverage = proposal.BudgetFraction,
                Parameters = parameters,
                Targeting = settings.Targeting,
                LearnedFeatures = learnedFeatures,
            })
            : null;
        var result = PatrolPlanner.Propose(new PatrolPlanRequest
        {
            AreaOfInterest = proposal.Area.Geometry,
            Incidents = incidents,
            DataStart = proposal.DataStart,
            DataEnd = proposal.DataEnd,
            Method = choice?.Chosen ?? settings.Method,
            Parameters = parameters,
            Targeting = settings.Targeting,
            PatrolAreas = PatrolAreaOptions.Default with
            {
                MaxAreas = proposal.MaxAreas,
                BudgetFraction = proposal.BudgetFraction,
                MinAreaM2 = proposal.MinAreaM2,
                MaxAreaM2 = proposal.MaxAreaM2,
            },
            Wards = boundaries.Wards,
            Grid = grid,
            LearnedFeatures = learnedFeatures,
        });

        var summary = result.Summary;
        if (summary.UsedCount == 0)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, NothingToTargetOn(proposal, summary)));
        }

        var plan = new PatrolPlan
        {
            PlanId = NewPlanId(now),
            AreaName = proposal.Area.Name,
            ValidWindow = Window(proposal.ValidStart, proposal.ValidEnd),
            Provenance = BuildProvenance(result, choice, proposal, now),
            AreaOfInterestM2 = result.AreaOfInterestM2,
            BudgetFraction = proposal.BudgetFraction,
            PatrolAreaM2 = result.PatrolAreaM2,
            CoverageFraction = result.CoverageFraction,
            ExpectedShare = result.ExpectedShare,
            Note = proposal.Note,
            CreatedBy = createdBy ?? string.Empty,
        };
        // Streets are ranked by the window's incidents at their points, every type (as counts_by_type).
        var inWindow = gazetteer is null ? [] : incidents.Where(i => i.OccurredAt >= proposal.DataStart && i.OccurredAt < proposal.DataEnd)
            .Select(i => new Coordinate(i.X, i.Y)).ToList();
        plan.Areas.AddRange(result.Areas.Select(a => ToProto(a, gazetteer?.Describe(a.Geometry, inWindow))));
        return (plan, result.Areas.Select(a => (Geometry)a.Geometry).ToList());
    }

    /// <summary>
    /// Every borough's plan of a force-wide proposal, in the proposal's borough order, each as <see cref="Propose(Proposal, IReadOnlyList{EngineIncident}, string, DateTime)"/>
    /// makes it alone but for the learned model: when the plans use it (<c>auto</c> or <c>learned</c>) and
    /// there are two boroughs or more, it is fitted once per training window on all the boroughs together
    /// (<see cref="LearnedRegion"/>) and each borough's cells are scored from that fit, rather than once per
    /// borough and window (8 fits for a force instead of 8 per borough). Boroughs are loaded, then proposed,
    /// in parallel, one per core; each plan depends only on the inputs, so the order they finish in changes
    /// nothing. FAILED_PRECONDITION when any borough has nothing to target on.
    /// </summary>
    /// <param name="force">The validated request.</param>
    /// <param name="incidents">A borough's incidents for its data window (the store's query, or a file's rows for the command line).</param>
    /// <param name="createdBy">The caller's subject.</param>
    /// <param name="now">The clock, one instant for every plan.</param>
    /// <param name="cancellationToken">Stops the boroughs not yet started.</param>
    public async Task<IReadOnlyList<(PatrolPlan Plan, IReadOnlyList<Geometry> Shapes)>> ProposeAllAsync(ForceProposal force,
        Func<Proposal, CancellationToken, Task<IReadOnlyList<EngineIncident>>> incidents, string createdBy, DateTime now,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(force);
        ArgumentNullException.ThrowIfNull(incidents);
        var count = force.Boroughs.Count;
        var plans = new (PatrolPlan, IReadOnlyList<Geometry>)[count];
        var given = new IReadOnlyList<EngineIncident>[count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, count), parallel, async (b, token) => given[b] = await incidents(force.Boroughs[b], token));
        var region = SharedRegion(force, given, parallel);
        await Parallel.ForEachAsync(Enumerable.Range(0, count), parallel, (b, _) =>
        {
            plans[b] = Propose(force.Boroughs[b], given[b], createdBy, now, region);
            return ValueTask.CompletedTask;
        });
        return plans;
    }

    /// <summary>
    /// The boroughs' shared learned region with its fits made (the choice's backtest windows and the plans'),
    /// or null when the plans do not use the learned model or there is one borough.
    /// </summary>
    private LearnedRegion? SharedRegion(ForceProposal force, IReadOnlyList<IReadOnlyList<EngineIncident>> given, ParallelOptions parallel)
    {
        var first = force.Boroughs[0];
        var settings = first.Settings;
        var learned = settings.Auto ? MethodSelectionRequest.DefaultCandidates.Contains(HotspotMethod.Learned) : settings.Method == HotspotMethod.Learned;
        if (!learned || force.Boroughs.Count < 2)
        {
            return null;
        }

        // Each incident once (the boroughs' boxes overlap), in id order, so the region's fits do not depend on the order the boroughs loaded in.
        var incidents = given.SelectMany(list => list).DistinctBy(i => i.Id, StringComparer.Ordinal).OrderBy(i => i.Id, StringComparer.Ordinal).ToList();
        var parameters = settings.Parameters;
        var grid = boundaries.RegionGridFor(force.Boroughs.Select(p => p.Area).ToList(), parameters.CellSizeM, parameters.OriginOffsetXM, parameters.OriginOffsetYM);
        var name = force.Force.Length > 0 ? $"the {force.Boroughs.Count} boroughs of the {force.Force}" : $"the {force.Boroughs.Count} boroughs asked for";
        var region = new LearnedRegion(grid, incidents, name, parameters, settings.Targeting);
        var windows = settings.Auto ? MethodSelection.TrainingWindows(first.DataStart, first.DataEnd).ToList() : [];
        windows.Add((first.DataStart, first.DataEnd));
        region.Prepare(windows, parallel);
        return region;
    }

    /// <summary>What went into the plan, every default made explicit, and what the feedback-loop guard did.</summary>
    private PlanProvenance BuildProvenance(PatrolPlanResult result, Engine.Hotspots.MethodChoice? choice, Proposal proposal, DateTime now)
    {
        var summary = result.Summary;
        var provenance = new PlanProvenance
        {
            Method = RequestValidation.ToProto(result.Method),
            Parameters = RequestValidation.ToProto(result.Parameters.Resolved(result.Method)),
            DataWindow = Window(proposal.DataStart, proposal.DataEnd),
            DiscoveredPolicy = RequestValidation.ToProto(summary.DiscoveredPolicy),
            DiscoveredWeight = summary.DiscoveredWeight,
            ReportedCount = summary.ReportedCount,
            DiscoveredCount = summary.DiscoveredCount,
            TrainedOn = summary.TrainedOn,
            EngineVersion = result.EngineVersion,
            GeneratedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(now, DateTimeKind.Utc)),
            Crs = boundaries.Projection.Crs,
        };
        provenance.HarmWeights.Add(Ordered(summary.HarmWeights));
        provenance.CountsByType.Add(Ordered(summary.CountsByType));
        if (result.Surface.Model is { } model)
        {
            provenance.LearnedModel = new LearnedModel
            {
                TrainingWindow = Window(model.TrainingStart, model.TrainingEnd),
                TargetMonths = model.TargetMonths,
                TrainingRows = model.TrainingRows,
                ParametersHash = model.ParametersHash,
                Parameters = model.Parameters,
                FellBackTo = model.FellBackTo is { } fallback ? RequestValidation.ToProto(fallback) : Hotspot.V1.Method.Unspecified,
                Note = model.Note,
            };
        }

        if (choice is not null)
        {
            provenance.MethodChoice = new Hotspot.V1.MethodChoice
            {
                Reason = choice.Reason,
                BacktestWindow = Window(choice.BacktestStart, choice.BacktestEnd),
                Folds = choice.Folds,
                Coverage = choice.Coverage,
            };
            provenance.MethodChoice.Candidates.AddRange(choice.Candidates.Select(c => new Hotspot.V1.CandidateScore
            {
                Method = RequestValidation.ToProto(c.Method),
                HitRate = BacktestRunner.Estimate(c.HitRate, 0, 0),
            }));
        }

        return provenance;
    }

    private PatrolArea ToProto(Engine.Hotspots.PatrolArea area, StreetContext? streets)
    {
        var wgs84 = boundaries.Projection.Unproject(area.Geometry);
        var (longitude, latitude) = boundaries.Projection.Unproject(area.Centroid.X, area.Centroid.Y);
        var proto = new PatrolArea
        {
            AreaId = area.AreaId,
            Rank = area.Rank,
            Geometry = GeometryMapping.ToProto(wgs84),
            Centroid = GeometryMapping.ToLatLng(new Coordinate(longitude, latitude)),
            ExpectedShare = area.ExpectedShare,
            HistoricalCount = area.HistoricalCount,
            HarmScore = area.HarmScore,
            GiZ = area.GiZ,
            FdrQ = area.FdrQ,
            Compactness = area.Compactness,
            AreaM2 = area.AreaM2,
            Name = streets?.Name ?? string.Empty,
        };
        proto.Streets.AddRange(streets?.Streets.Select(s => s.Street) ?? []);
        proto.Wards.AddRange(area.Wards);
        proto.PeakHours.AddRange(area.PeakHours);
        proto.CountsByType.Add(Ordered(area.CountsByType));
        return proto;
    }

    /// <summary>Why there is nothing to plan on, with the counts that say so.</summary>
    private static string NothingToTargetOn(Proposal proposal, TrainingSummary summary)
    {
        var window = $"{proposal.DataStart:yyyy-MM-dd} to {proposal.DataEnd:yyyy-MM-dd} (end exclusive)";
        return summary.IncidentsInArea == 0
            ? $"no incidents are held for {proposal.Area.Name} in {window}; import crimes for that area and window first"
            : $"none of the {summary.IncidentsInArea:N0} incidents held for {proposal.Area.Name} in {window} drives targeting ({summary.TrainedOn}); " +
              "discovered incidents are excluded by the feedback-loop guard unless discovered_policy says otherwise";
    }

    /// <summary>A new, unique plan id that sorts by time: "plan-20220401T093000Z-1a2b3c4d".</summary>
    private static string NewPlanId(DateTime now) =>
        string.Create(CultureInfo.InvariantCulture, $"plan-{now:yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");

    /// <summary>A map in key order, so that stored and printed plans list types the same way every time.</summary>
    private static Dictionary<string, TValue> Ordered<TValue>(IReadOnlyDictionary<string, TValue> map) =>
        map.OrderBy(e => e.Key, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);

    private static TimeWindow Window(DateTime start, DateTime end) => new()
    {
        Start = Timestamp.FromDateTime(DateTime.SpecifyKind(start, DateTimeKind.Utc)),
        End = Timestamp.FromDateTime(DateTime.SpecifyKind(end, DateTimeKind.Utc)),
    };
}
