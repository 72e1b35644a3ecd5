using NetTopologySuite.Geometries;
using Targeting.Grpc;
using Targeting.Hotspot.V1;
using EngineIncident = Targeting.Engine.Hotspots.Incident;

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

/// <summary>
/// Proposes a patrol plan from a request and incidents, with the engine: shared by the service
/// (which then stores the plan) and the command line (which runs with no server at all), so both
/// give the same plan for the same input.
/// </summary>
public sealed class PlanProposer(BoundaryCatalog boundaries)
{
    public const double DefaultBudgetFraction = 0.01;
    public const double MaxBudgetFraction = 0.2;
    public const int DefaultMaxAreas = 8;
    public const int MaxMaxAreas = 50;
    public const double DefaultMinAreaM2 = 20_000;
    public const double DefaultMaxAreaM2 = 250_000;
    public const int MaxNoteLength = 2_000;

    /// <summary>Checks every field (one violation each, INVALID_ARGUMENT); an unknown boundary is NOT_FOUND.</summary>
    public static Proposal Validate(ProposePatrolAreasRequest request, BoundaryCatalog boundaries)
    {
        var violations = new FieldViolations();
        var area = boundaries.Resolve(request.Area, "area", violations);
        var data = RequestValidation.Window(request.DataWindow, "data_window", violations, required: true);
        var valid = RequestValidation.Window(request.ValidWindow, "valid_window", violations, required: false);
        var method = RequestValidation.Method(request.Method, "method", violations);
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

        violations.ThrowIfAny();
        var (dataStart, dataEnd) = data!.Value;
        var (validStart, validEnd) = valid ?? (dataEnd, dataEnd.AddMonths(1));
        return new Proposal(area!, dataStart, dataEnd, validStart, validEnd, new MethodSettings(method, parameters, targeting),
            maxAreas, budget, minArea, maxArea, request.Note);
    }

    /// <summary>
    /// The plan for a proposal, and its areas' projected shapes (for the store and the map).
    /// FAILED_PRECONDITION when no incident in the window and area drives targeting.
    /// </summary>
    public (PatrolPlan Plan, IReadOnlyList<Geometry> Shapes) Propose(Proposal proposal, IReadOnlyList<EngineIncident> incidents, string createdBy, DateTime now) =>
        throw new RpcException(StatusCode.Unimplemented, $"proposing waits for the engine's patrol-area builder ({boundaries.All.Count} boundaries loaded)");
}
