using NetTopologySuite.Geometries;
using Targeting.Engine.Geography;

namespace Targeting.Engine.Hotspots;

/// <summary>What to plan: the area, the incidents and window, the method and the limits.</summary>
public sealed record PatrolPlanRequest
{
    /// <summary>The area of interest in the projected CRS (Polygon or MultiPolygon).</summary>
    public required Geometry AreaOfInterest { get; init; }

    /// <summary>The incidents, projected (any window; those outside the data window are ignored).</summary>
    public required IReadOnlyList<Incident> Incidents { get; init; }

    /// <summary>The data window's start (inclusive), UTC.</summary>
    public required DateTime DataStart { get; init; }

    /// <summary>The data window's end (exclusive), UTC.</summary>
    public required DateTime DataEnd { get; init; }

    /// <summary>The method (default <see cref="HotspotSurfaces.DefaultMethod"/>).</summary>
    public HotspotMethod Method { get; init; } = HotspotSurfaces.DefaultMethod;

    /// <summary>Method parameters (defaults documented on <see cref="MethodParameters"/>).</summary>
    public MethodParameters Parameters { get; init; } = MethodParameters.Default;

    /// <summary>Harm weights and the feedback-loop guard.</summary>
    public TargetingOptions Targeting { get; init; } = TargetingOptions.Default;

    /// <summary>Count, budget and size limits of the areas.</summary>
    public PatrolAreaOptions PatrolAreas { get; init; } = PatrolAreaOptions.Default;

    /// <summary>Wards to name in each area's evidence (optional).</summary>
    public BoundarySet? Wards { get; init; }

    /// <summary>
    /// A grid already made for this area, cell size and origin offset (services cache them per
    /// boundary); when null the grid is made here.
    /// </summary>
    public AnalysisGrid? Grid { get; init; }

    /// <summary>
    /// The learned method's feature rows from an earlier fit on the same grid, incidents and options (an
    /// <c>auto</c> plan's backtest, <see cref="MethodSelectionRequest.LearnedFeatures"/>); null computes them here.
    /// </summary>
    public LearnedFeatureCache? LearnedFeatures { get; init; }

    /// <summary>Problems as (proto field name, message) pairs; empty when valid.</summary>
    public IReadOnlyList<(string Field, string Message)> Validate()
    {
        var problems = new List<(string, string)>();
        if (AreaOfInterest is not (Polygon or MultiPolygon) || AreaOfInterest.IsEmpty)
        {
            problems.Add(("area", "must be a non-empty polygon or multipolygon"));
        }

        if (DataEnd <= DataStart)
        {
            problems.Add(("data_window.end", "must be after data_window.start"));
        }

        if (!Enum.IsDefined(Method))
        {
            problems.Add(("method", "is not a known method"));
        }

        problems.AddRange(Parameters.Validate());
        problems.AddRange(Targeting.Validate());
        problems.AddRange(PatrolAreas.Validate());
        return problems;
    }
}

/// <summary>A proposed plan: the areas, the surface they came from, and what it was all made from.</summary>
public sealed record PatrolPlanResult
{
    /// <summary>The method used.</summary>
    public required HotspotMethod Method { get; init; }

    /// <summary>The parameters, every default resolved.</summary>
    public required MethodParameters Parameters { get; init; }

    /// <summary>The grid.</summary>
    public required AnalysisGrid Grid { get; init; }

    /// <summary>The method's surface.</summary>
    public required HotspotSurface Surface { get; init; }

    /// <summary>Gi* on the harm-weighted counts (every plan carries it as evidence, whatever the method).</summary>
    public required GiStarResult GiStar { get; init; }

    /// <summary>The areas, best first.</summary>
    public required IReadOnlyList<PatrolArea> Areas { get; init; }

    /// <summary>What the plan was trained on.</summary>
    public required TrainingSummary Summary { get; init; }

    /// <summary>The area of interest, m².</summary>
    public double AreaOfInterestM2 => Grid.AreaOfInterestM2;

    /// <summary>All areas together, m².</summary>
    public double PatrolAreaM2 => Areas.Sum(a => a.AreaM2);

    /// <summary>Their share of the area of interest.</summary>
    public double CoverageFraction => AreaOfInterestM2 > 0 ? PatrolAreaM2 / AreaOfInterestM2 : 0;

    /// <summary>The expected share of next period's harm all areas capture together.</summary>
    public double ExpectedShare => Areas.Sum(a => a.ExpectedShare);

    /// <summary>The engine version that made it.</summary>
    public string EngineVersion { get; init; } = EngineInfo.Version;
}

/// <summary>
/// Proposes patrol areas in one call: grid → training set → method surface → Gi* evidence →
/// patrol areas. The hotspot service and the command line call this.
/// </summary>
/// <remarks>
/// Cost for one borough (≈ 3,000 cells, ≈ 10⁴ incidents): tens of milliseconds; for all London
/// (≈ 157,000 cells, ≈ 6 × 10⁵ incidents) well under two seconds with a cached grid — see
/// bench/hotspot. Thread safety: stateless. No incidents in the window gives a plan with no areas
/// (the service answers FAILED_PRECONDITION before calling).
/// </remarks>
public static class PatrolPlanner
{
    /// <summary>Proposes the plan.</summary>
    /// <exception cref="ArgumentException">The request is invalid (the message lists every problem).</exception>
    public static PatrolPlanResult Propose(PatrolPlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var problems = request.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems.Select(p => $"{p.Field}: {p.Message}")), nameof(request));
        }

        var parameters = request.Parameters;
        var grid = request.Grid ?? AnalysisGrid.Create(request.AreaOfInterest, parameters.CellSizeM, parameters.OriginOffsetXM, parameters.OriginOffsetYM);
        if (grid.CellSize != parameters.CellSizeM || grid.OriginOffsetX != parameters.OriginOffsetXM || grid.OriginOffsetY != parameters.OriginOffsetYM)
        {
            throw new ArgumentException("the cached grid's cell size or origin offset differs from the parameters", nameof(request));
        }

        var training = TrainingSet.Build(grid, request.Incidents, request.DataStart, request.DataEnd, request.Targeting);
        var surface = HotspotSurfaces.Compute(training, request.Method, parameters, request.LearnedFeatures);
        var giStar = surface.GiStar ?? GetisOrdGiStar.Compute(grid, training.HarmPerCell, surface.Parameters.Neighbourhood, surface.Parameters.FdrQ);
        var withEvidence = surface.GiStar is null
            ? new HotspotSurface(surface.Method, surface.Parameters, training, surface.Score, surface.Intensity, giStar, surface.Clusters, surface.Model)
            : surface;
        var areas = PatrolAreaBuilder.Build(withEvidence, request.PatrolAreas, request.Wards);
        return new PatrolPlanResult
        {
            Method = request.Method,
            Parameters = surface.Parameters,
            Grid = grid,
            Surface = withEvidence,
            GiStar = giStar,
            Areas = areas,
            Summary = training.Summary,
        };
    }
}
