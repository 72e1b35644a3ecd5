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

    /// <summary>Reads facts from whole encounter records, placing each located one in a borough.</summary>
    /// <param name="records">The records (e.g. as QueryEncounters streams them).</param>
    /// <param name="projection">The projected CRS to compute in.</param>
    /// <param name="boroughs">The borough polygons, in <paramref name="projection"/>; may be empty.</param>
    public static StopFacts From(IEnumerable<EncounterRecord> records, Projection projection, BoundarySet boroughs)
    {
        ArgumentNullException.ThrowIfNull(records);
        var builder = new Builder(new StopPlaces(projection, boroughs));
        foreach (var record in records)
        {
            var e = record.Current ?? new Encounter();
            var located = e.Location is not null && e.LocationPrecision != LocationPrecision.Unlocated;
            var link = record.PatrolLink;
            builder.Add(
                (e.OccurredAt?.ToDateTime() ?? DateTime.MinValue).Ticks, e.Type, located ? e.Location!.Longitude : double.NaN, located ? e.Location!.Latitude : double.NaN,
                e.OfficerDefinedEthnicity, e.SelfDefinedEthnicity, e.Outcome, e.OutcomeLinkedToObject, e.ObjectOfSearch,
                link?.Status ?? PatrolLinkStatus.Unspecified, link?.PlanId ?? string.Empty);
        }

        return builder.Build();
    }

    /// <summary>Reads facts from the stops service's compact <see cref="EncounterFacts"/> batches as they arrive.</summary>
    /// <param name="batches">The batches (as StreamEncounterFacts streams them).</param>
    /// <param name="places">Projects and places each located encounter in a borough.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <exception cref="ArgumentException">A batch's columns differ in length or a plan index names no plan.</exception>
    public static async Task<StopFacts> FromColumnsAsync(IAsyncEnumerable<EncounterFacts> batches, StopPlaces places, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(places);
        var builder = new Builder(places);
        await foreach (var batch in batches.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            builder.Add(batch);
        }

        return builder.Build();
    }

    /// <summary>The officer-defined group (the enums share their numbers); null when not recorded.</summary>
    public static BroadEthnicGroup? ToBroad(OfficerDefinedEthnicity ethnicity) =>
        ethnicity is >= OfficerDefinedEthnicity.White and <= OfficerDefinedEthnicity.Mixed ? (BroadEthnicGroup)(int)ethnicity : null;

    /// <summary>The Census 2021 broad group of a self-defined ethnicity; null when not recorded or not stated.</summary>
    public static BroadEthnicGroup? ToBroad(SelfDefinedEthnicity ethnicity) =>
        ethnicity is >= SelfDefinedEthnicity.WhiteBritish and <= SelfDefinedEthnicity.OtherAny
            ? EthnicityMapping.ToBroadGroup((DetailedEthnicGroup)(int)ethnicity)
            : null;

    private sealed class Builder(StopPlaces places)
    {
        private readonly List<StopFact> _stops = [];

        // The London month of the previous encounter, as a UTC tick range: encounters come oldest
        // first, so most fall in the month before them and skip the time-zone conversion.
        private (long Start, long End, int Key) _month = (0, 0, 0);

        public void Add(EncounterFacts batch)
        {
            var count = batch.OccurredAtSeconds.Count;
            if (batch.Type.Count != count || batch.Latitude.Count != count || batch.Longitude.Count != count || batch.OfficerDefinedEthnicity.Count != count
                || batch.SelfDefinedEthnicity.Count != count || batch.Outcome.Count != count || batch.OutcomeLinkedToObject.Count != count
                || batch.ObjectOfSearch.Count != count || batch.LinkStatus.Count != count || batch.LinkPlan.Count != count)
            {
                throw new ArgumentException("an encounter batch's columns differ in length", nameof(batch));
            }

            // Sub-second parts: absent from an older stops service (whole seconds then).
            var nanos = batch.OccurredAtNanos.Count == count ? batch.OccurredAtNanos : null;
            if (nanos is null && batch.OccurredAtNanos.Count != 0)
            {
                throw new ArgumentException("an encounter batch's columns differ in length", nameof(batch));
            }

            for (var i = 0; i < count; i++)
            {
                var plan = batch.LinkPlan[i];
                if ((uint)plan > (uint)batch.PlanIds.Count)
                {
                    throw new ArgumentException($"an encounter batch's link_plan {plan} names none of its {batch.PlanIds.Count} plans", nameof(batch));
                }

                var ticks = DateTime.UnixEpoch.Ticks + (batch.OccurredAtSeconds[i] * TimeSpan.TicksPerSecond) + (nanos is null ? 0 : nanos[i] / 100);
                Add(ticks, batch.Type[i], batch.Longitude[i], batch.Latitude[i],
                    batch.OfficerDefinedEthnicity[i], batch.SelfDefinedEthnicity[i], batch.Outcome[i], batch.OutcomeLinkedToObject[i], batch.ObjectOfSearch[i],
                    batch.LinkStatus[i], plan == 0 ? string.Empty : batch.PlanIds[plan - 1]);
            }
        }

        // Longitude and latitude are NaN when the encounter is unlocated.
        public void Add(long occurredTicks, EncounterType type, double longitude, double latitude,
            OfficerDefinedEthnicity officer, SelfDefinedEthnicity selfDefined, Outcome outcome, Answer linkedToObject, ObjectOfSearch objectOfSearch,
            PatrolLinkStatus linkStatus, string linkPlanId)
        {
            var located = !double.IsNaN(longitude) && !double.IsNaN(latitude);
            var place = located ? places.Locate(longitude, latitude) : new StopPlaces.Place(double.NaN, double.NaN, -1);
            bool? linked = linkedToObject switch
            {
                Answer.Yes => true,
                Answer.No => false,
                _ => null,
            };
            bool? noFurtherAction = outcome == Outcome.Unspecified ? null : outcome == Outcome.NoFurtherAction;
            _stops.Add(new StopFact(
                occurredTicks,
                MonthOf(occurredTicks),
                type != EncounterType.VehicleStopWithoutSearch,
                located,
                place.X,
                place.Y,
                place.Borough,
                ToBroad(officer),
                ToBroad(selfDefined),
                FindDefinition.Classify(linked, noFurtherAction),
                outcome != Outcome.Unspecified,
                outcome == Outcome.Arrest,
                objectOfSearch,
                linkStatus,
                linkPlanId));
        }

        public StopFacts Build() => new([.. _stops], places.Boroughs);

        private int MonthOf(long ticks)
        {
            if (ticks < _month.Start || ticks >= _month.End)
            {
                var key = LondonMonths.KeyOf(new DateTime(ticks, DateTimeKind.Utc));
                _month = (LondonMonths.StartUtc(key).Ticks, LondonMonths.StartUtc(key + 1).Ticks, key);
            }

            return _month.Key;
        }
    }
}
