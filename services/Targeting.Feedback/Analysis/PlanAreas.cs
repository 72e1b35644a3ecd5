using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;
using NetTopologySuite.Operation.Union;
using Targeting.Engine.Geography;
using HarmWeights = Targeting.Engine.Hotspots.HarmWeights;
using Targeting.Hotspot.V1;
using CommonPolygon = Targeting.Common.V1.Polygon;
using Polygon = NetTopologySuite.Geometries.Polygon;

namespace Targeting.Feedback.Analysis;

/// <summary>
/// A plan's patrol areas in the projected CRS, merged into one geometry, with a point-in-polygon
/// locator and the plan's valid window. Immutable; thread-safe once built.
/// </summary>
public sealed class PlanAreas
{
    private readonly AreaLocator _locator;

    private PlanAreas(PatrolPlan plan, Geometry union, long validFromTicks, long validToTicks)
    {
        Plan = plan;
        Union = union;
        ValidFromTicks = validFromTicks;
        ValidToTicks = validToTicks;
        _locator = new AreaLocator(union);
    }

    /// <summary>The plan as the hotspot service returned it.</summary>
    public PatrolPlan Plan { get; }

    /// <summary>Every patrol area merged (projected); empty when the plan has no areas.</summary>
    public Geometry Union { get; }

    /// <summary>The merged areas' size, m².</summary>
    public double AreaM2 => Union.Area;

    /// <summary>Start of the valid window, UTC ticks (MinValue when unset).</summary>
    public long ValidFromTicks { get; }

    /// <summary>End (exclusive) of the valid window, UTC ticks (MaxValue when unset).</summary>
    public long ValidToTicks { get; }

    /// <summary>Whether the plan's valid window holds the instant.</summary>
    public bool IsActive(long utcTicks) => utcTicks >= ValidFromTicks && utcTicks < ValidToTicks;

    /// <summary>Whether a projected point is inside (or on the edge of) a patrol area.</summary>
    public bool Contains(double x, double y) =>
        _locator.Covers(x, y);

    /// <summary>Builds the areas of a plan.</summary>
    /// <exception cref="ArgumentException">A patrol area's geometry has a ring with fewer than three distinct points.</exception>
    public static PlanAreas From(PatrolPlan plan, Projection projection)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(projection);
        var polygons = new List<Geometry>();
        foreach (var area in plan.Areas)
        {
            foreach (var polygon in area.Geometry?.Polygons ?? [])
            {
                polygons.Add(projection.Project(ToPolygon(polygon)));
            }
        }

        var union = polygons.Count == 0
            ? projection.Factory.CreateMultiPolygon()
            : UnaryUnionOp.Union(polygons.Select(p => p.IsValid ? p : NetTopologySuite.Geometries.Utilities.GeometryFixer.Fix(p)).ToList());
        var from = plan.ValidWindow?.Start?.ToDateTime().Ticks ?? DateTime.MinValue.Ticks;
        var to = plan.ValidWindow?.End?.ToDateTime().Ticks ?? DateTime.MaxValue.Ticks;
        return new PlanAreas(plan, union, from, to);
    }

    /// <summary>A WGS84 polygon (x = longitude, y = latitude) from its proto rings; rings are closed if open.</summary>
    public static Polygon ToPolygon(CommonPolygon polygon)
    {
        ArgumentNullException.ThrowIfNull(polygon);
        var factory = Projection.Wgs84Factory;
        var shell = factory.CreateLinearRing(Ring(polygon.Exterior));
        var holes = polygon.Holes.Select(h => factory.CreateLinearRing(Ring(h))).ToArray();
        return factory.CreatePolygon(shell, holes);
    }

    private static Coordinate[] Ring(Targeting.Common.V1.LinearRing? ring)
    {
        var points = ring?.Points.Select(p => new Coordinate(p.Longitude, p.Latitude)).ToList() ?? [];
        if (points.Count > 0 && !points[0].Equals2D(points[^1]))
        {
            points.Add(points[0].Copy());
        }

        if (points.Count < 4)
        {
            throw new ArgumentException("a patrol area ring needs at least three distinct points", nameof(ring));
        }

        return [.. points];
    }
}

/// <summary>
/// Several plans at once, for "inside any patrol area active at the time": an STRtree over the
/// plans' envelopes, so a point is tested only against plans whose areas could hold it.
/// </summary>
public sealed class ActivePlans
{
    private readonly STRtree<PlanAreas> _index = new();

    /// <summary>Indexes the plans.</summary>
    public ActivePlans(IEnumerable<PlanAreas> plans)
    {
        ArgumentNullException.ThrowIfNull(plans);
        Plans = [.. plans];
        foreach (var plan in Plans.Where(p => !p.Union.IsEmpty))
        {
            _index.Insert(plan.Union.EnvelopeInternal, plan);
        }

        _index.Build();
    }

    /// <summary>The plans, in the order given.</summary>
    public IReadOnlyList<PlanAreas> Plans { get; }

    /// <summary>Whether a point lies in an area of a plan active at the instant.</summary>
    public bool Inside(double x, double y, long utcTicks)
    {
        if (Plans.Count == 0 || double.IsNaN(x))
        {
            return false;
        }

        foreach (var plan in _index.Query(new Envelope(x, x, y, y)))
        {
            if (plan.IsActive(utcTicks) && plan.Contains(x, y))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// Which incidents a plan targeted: the crime types with a positive harm weight in its provenance
/// (over the engine's documented defaults), and discovered incidents only when its
/// discovered-incident policy let them count (the feedback-loop guard).
/// </summary>
public sealed class PlanTargets
{
    private readonly HashSet<string> _types;

    private PlanTargets(HashSet<string> types, bool countDiscovered)
    {
        _types = types;
        CountDiscovered = countDiscovered;
    }

    /// <summary>The crime types counted, sorted.</summary>
    public IReadOnlyList<string> CrimeTypes => [.. _types.Order(StringComparer.Ordinal)];

    /// <summary>Whether discovered incidents count.</summary>
    public bool CountDiscovered { get; }

    /// <summary>The plan's targets, or the given crime types when any (discovered ones then count too).</summary>
    public static PlanTargets For(PatrolPlan plan, IReadOnlyCollection<string>? crimeTypes = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (crimeTypes is { Count: > 0 })
        {
            return new PlanTargets(new HashSet<string>(crimeTypes.Select(t => t.Trim()), StringComparer.OrdinalIgnoreCase), countDiscovered: true);
        }

        var provenance = plan.Provenance ?? new PlanProvenance();
        var weights = HarmWeights.Default.With(provenance.HarmWeights);
        var types = weights.Entries.Where(w => w.Value > 0).Select(w => w.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var countDiscovered = provenance.DiscoveredPolicy is DiscoveredPolicy.Include or DiscoveredPolicy.DownWeight;
        return new PlanTargets(types, countDiscovered);
    }

    /// <summary>Whether an incident counts.</summary>
    public bool Counts(in IncidentFact incident) =>
        _types.Contains(incident.CrimeType) && (CountDiscovered || incident.Provenance != Provenance.Discovered);

    /// <summary>In words, for reports.</summary>
    public string Describe() =>
        string.Join(", ", CrimeTypes) + (CountDiscovered ? "; discovered incidents counted" : "; discovered incidents (found by police activity) left out");
}
