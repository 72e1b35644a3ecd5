using Targeting.Engine.Geography;
using Targeting.Engine.Statistics;
using Targeting.Stops.V1;

namespace Targeting.Feedback.Analysis;

/// <summary>
/// What the analyses need of one encounter, read once from its current values (amendments
/// applied). No officer id, team or free text is kept: those never reach an analysis that could
/// leak them (procedural justice reads teams on its own, see <see cref="ProceduralJusticeAnalysis"/>).
/// </summary>
/// <param name="OccurredUtcTicks">When it happened, UTC ticks.</param>
/// <param name="Month">The London month (see <see cref="LondonMonths.Key"/>).</param>
/// <param name="IsSearch">False only for vehicle stops without a search, which are never in search rates.</param>
/// <param name="Located">True when the record has a location (not flagged unlocated).</param>
/// <param name="X">Projected easting, metres (NaN when unlocated).</param>
/// <param name="Y">Projected northing, metres (NaN when unlocated).</param>
/// <param name="Borough">Index into <see cref="StopFacts.Boroughs"/> by point in polygon; −1 when unlocated or in no borough.</param>
/// <param name="Officer">Officer-defined broad group; null when not recorded.</param>
/// <param name="SelfDefined">Self-defined broad group (Census 2021); null when not recorded or not stated.</param>
/// <param name="Find">Whether it was a find, and by which rule (<see cref="FindDefinition"/>).</param>
/// <param name="OutcomeKnown">True when an outcome was recorded (the base of arrest rates).</param>
/// <param name="IsArrest">True when the outcome was an arrest.</param>
/// <param name="Object">The object of search.</param>
/// <param name="LinkStatus">The stored patrol link's status.</param>
/// <param name="LinkPlanId">The stored link's plan id (empty when none).</param>
public readonly record struct StopFact(
    long OccurredUtcTicks,
    int Month,
    bool IsSearch,
    bool Located,
    double X,
    double Y,
    int Borough,
    BroadEthnicGroup? Officer,
    BroadEthnicGroup? SelfDefined,
    FindClassification Find,
    bool OutcomeKnown,
    bool IsArrest,
    ObjectOfSearch Object,
    PatrolLinkStatus LinkStatus,
    string LinkPlanId);

/// <summary>The facts of a set of encounters, and the boroughs their <see cref="StopFact.Borough"/> indexes.</summary>
public sealed class StopFacts
{
    private StopFacts(StopFact[] stops, IReadOnlyList<Boundary> boroughs)
    {
        All = stops;
        Boroughs = boroughs;
    }

    /// <summary>Every encounter, in the order read.</summary>
    public IReadOnlyList<StopFact> All { get; }

    /// <summary>The boroughs stops were placed in (index = <see cref="StopFact.Borough"/>).</summary>
    public IReadOnlyList<Boundary> Boroughs { get; }

    /// <summary>Reads facts from encounter records, placing each located one in a borough.</summary>
    /// <param name="records">The records (e.g. as streamed from the stops service).</param>
    /// <param name="projection">The projected CRS to compute in.</param>
    /// <param name="boroughs">The borough polygons, in <paramref name="projection"/>; may be empty.</param>
    public static StopFacts From(IEnumerable<EncounterRecord> records, Projection projection, BoundarySet boroughs)
    {
        ArgumentNullException.ThrowIfNull(records);
        var builder = new Builder(projection, boroughs);
        foreach (var record in records)
        {
            builder.Add(record);
        }

        return builder.Build();
    }

    /// <summary>As <see cref="From"/>, reading a stream as it arrives (so records are not all held at once).</summary>
    public static async Task<StopFacts> FromAsync(IAsyncEnumerable<EncounterRecord> records, Projection projection, BoundarySet boroughs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var builder = new Builder(projection, boroughs);
        await foreach (var record in records.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            builder.Add(record);
        }

        return builder.Build();
    }

    /// <summary>The fact of one record (borough −1: the caller places it).</summary>
    public static StopFact Read(EncounterRecord record, Projection projection)
    {
        ArgumentNullException.ThrowIfNull(record);
        var e = record.Current ?? new Encounter();
        var occurred = e.OccurredAt?.ToDateTime() ?? DateTime.MinValue;
        var located = e.Location is not null && e.LocationPrecision != LocationPrecision.Unlocated;
        double x = double.NaN, y = double.NaN;
        if (located)
        {
            (x, y) = projection.Project(e.Location!.Longitude, e.Location.Latitude);
        }

        bool? linked = e.OutcomeLinkedToObject switch
        {
            Answer.Yes => true,
            Answer.No => false,
            _ => null,
        };
        bool? noFurtherAction = e.Outcome == Outcome.Unspecified ? null : e.Outcome == Outcome.NoFurtherAction;
        var link = record.PatrolLink;
        return new StopFact(
            occurred.Ticks,
            LondonMonths.KeyOf(occurred),
            e.Type != EncounterType.VehicleStopWithoutSearch,
            located,
            x,
            y,
            -1,
            ToBroad(e.OfficerDefinedEthnicity),
            ToBroad(e.SelfDefinedEthnicity),
            FindDefinition.Classify(linked, noFurtherAction),
            e.Outcome != Outcome.Unspecified,
            e.Outcome == Outcome.Arrest,
            e.ObjectOfSearch,
            link?.Status ?? PatrolLinkStatus.Unspecified,
            link?.PlanId ?? string.Empty);
    }

    /// <summary>The officer-defined group (the enums share their numbers); null when not recorded.</summary>
    public static BroadEthnicGroup? ToBroad(OfficerDefinedEthnicity ethnicity) =>
        ethnicity is >= OfficerDefinedEthnicity.White and <= OfficerDefinedEthnicity.Mixed ? (BroadEthnicGroup)(int)ethnicity : null;

    /// <summary>The Census 2021 broad group of a self-defined ethnicity; null when not recorded or not stated.</summary>
    public static BroadEthnicGroup? ToBroad(SelfDefinedEthnicity ethnicity) =>
        ethnicity is >= SelfDefinedEthnicity.WhiteBritish and <= SelfDefinedEthnicity.OtherAny
            ? EthnicityMapping.ToBroadGroup((DetailedEthnicGroup)(int)ethnicity)
            : null;

    private sealed class Builder(Projection projection, BoundarySet boroughs)
    {
        private readonly List<StopFact> _stops = [];
        private readonly IReadOnlyList<Boundary> _boroughList = boroughs.All;
        private readonly Dictionary<Boundary, int> _index = IndexOf(boroughs.All);

        public void Add(EncounterRecord record)
        {
            var fact = Read(record, projection);
            if (fact.Located && boroughs.Locate(fact.X, fact.Y) is { } borough)
            {
                fact = fact with { Borough = _index[borough] };
            }

            _stops.Add(fact);
        }

        public StopFacts Build() => new([.. _stops], _boroughList);

        // By reference: boundaries are records, and comparing their geometries by value would be slow.
        private static Dictionary<Boundary, int> IndexOf(IReadOnlyList<Boundary> boundaries)
        {
            var index = new Dictionary<Boundary, int>(ReferenceEqualityComparer.Instance);
            for (var i = 0; i < boundaries.Count; i++)
            {
                index[boundaries[i]] = i;
            }

            return index;
        }
    }
}
