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

    /// <summary>As <see cref="FromAsync"/>, from the stops service's compact <see cref="EncounterFacts"/> batches.</summary>
    /// <exception cref="ArgumentException">A batch's columns differ in length or a plan index names no plan.</exception>
    public static async Task<StopFacts> FromColumnsAsync(IAsyncEnumerable<EncounterFacts> batches, Projection projection, BoundarySet boroughs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batches);
        var builder = new Builder(projection, boroughs);
        await foreach (var batch in batches.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            builder.Add(batch);
        }

        return builder.Build();
    }

    /// <summary>The fact of one record (borough −1: the caller places it).</summary>
    public static StopFact Read(EncounterRecord record, Projection projection)
    {
        ArgumentNullException.ThrowIfNull(record);
        var e = record.Current ?? new Encounter();
        var located = e.Location is not null && e.LocationPrecision != LocationPrecision.Unlocated;
        var link = record.PatrolLink;
        return Read(
            (e.OccurredAt?.ToDateTime() ?? DateTime.MinValue).Ticks, e.Type, located ? e.Location!.Longitude : double.NaN, located ? e.Location!.Latitude : double.NaN,
            e.OfficerDefinedEthnicity, e.SelfDefinedEthnicity, e.Outcome, e.OutcomeLinkedToObject, e.ObjectOfSearch,
            link?.Status ?? PatrolLinkStatus.Unspecified, link?.PlanId ?? string.Empty, projection);
    }

    /// <summary>The fact of encounter <paramref name="i"/> of a batch (borough −1: the caller places it).</summary>
    public static StopFact Read(EncounterFacts batch, int i, Projection projection)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var plan = batch.LinkPlan[i];
        if ((uint)plan > (uint)batch.PlanIds.Count)
        {
            throw new ArgumentException($"an encounter batch's link_plan {plan} names none of its {batch.PlanIds.Count} plans", nameof(batch));
        }

        return Read(
            DateTime.UnixEpoch.Ticks + (batch.OccurredAtSeconds[i] * TimeSpan.TicksPerSecond), batch.Type[i], batch.Longitude[i], batch.Latitude[i],
            batch.OfficerDefinedEthnicity[i], batch.SelfDefinedEthnicity[i], batch.Outcome[i], batch.OutcomeLinkedToObject[i], batch.ObjectOfSearch[i],
            batch.LinkStatus[i], plan == 0 ? string.Empty : batch.PlanIds[plan - 1], projection);
    }

    // Longitude and latitude are NaN when the encounter is unlocated.
    private static StopFact Read(long occurredTicks, EncounterType type, double longitude, double latitude,
        OfficerDefinedEthnicity officer, SelfDefinedEthnicity selfDefined, Outcome outcome, Answer linkedToObject, ObjectOfSearch objectOfSearch,
        PatrolLinkStatus linkStatus, string linkPlanId, Projection projection)
    {
        var located = !double.IsNaN(longitude) && !double.IsNaN(latitude);
        double x = double.NaN, y = double.NaN;
        if (located)
        {
            (x, y) = projection.Project(longitude, latitude);
        }

        bool? linked = linkedToObject switch
        {
            Answer.Yes => true,
            Answer.No => false,
            _ => null,
        };
        bool? noFurtherAction = outcome == Outcome.Unspecified ? null : outcome == Outcome.NoFurtherAction;
        return new StopFact(
            occurredTicks,
            LondonMonths.KeyOf(new DateTime(occurredTicks, DateTimeKind.Utc)),
            type != EncounterType.VehicleStopWithoutSearch,
            located,
            x,
            y,
            -1,
            ToBroad(officer),
            ToBroad(selfDefined),
            FindDefinition.Classify(linked, noFurtherAction),
            outcome != Outcome.Unspecified,
            outcome == Outcome.Arrest,
            objectOfSearch,
            linkStatus,
            linkPlanId);
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

        public void Add(EncounterRecord record) => Place(Read(record, projection));

        public void Add(EncounterFacts batch)
        {
            var count = batch.OccurredAtSeconds.Count;
            if (batch.Type.Count != count || batch.Latitude.Count != count || batch.Longitude.Count != count || batch.OfficerDefinedEthnicity.Count != count
                || batch.SelfDefinedEthnicity.Count != count || batch.Outcome.Count != count || batch.OutcomeLinkedToObject.Count != count
                || batch.ObjectOfSearch.Count != count || batch.LinkStatus.Count != count || batch.LinkPlan.Count != count)
            {
                throw new ArgumentException("an encounter batch's columns differ in length", nameof(batch));
            }

            for (var i = 0; i < count; i++)
            {
                Place(Read(batch, i, projection));
            }
        }

        private void Place(StopFact fact)
        {
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
