using System.Globalization;
using System.Text.Json;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using NetTopologySuite.Geometries;
using Targeting.Common.V1;
using Targeting.Engine.Geography;
using Targeting.Engine.Statistics;
using Targeting.Feedback.Analysis;
using Targeting.Hotspot.V1;
using Targeting.Stops.V1;
using Boundary = Targeting.Engine.Geography.Boundary;
using LinearRing = Targeting.Common.V1.LinearRing;
using MultiPolygon = Targeting.Common.V1.MultiPolygon;
using Polygon = Targeting.Common.V1.Polygon;

namespace Targeting.Feedback.Tests.Support;

/// <summary>
/// Proto messages (a plan, encounters, incidents) built from BNG coordinates: the hand-made world of
/// feedback_reference.json, and small worlds written inline in tests.
/// </summary>
internal static class World
{
    public static readonly Projection Bng = Projection.BritishNationalGrid;

    public const string BoroughName = "Testborough";
    public const string BoroughCode = "E09999999";

    /// <summary>A BNG rectangle (xmin, ymin, xmax, ymax) as a projected polygon.</summary>
    public static Geometry Rectangle(double xmin, double ymin, double xmax, double ymax) =>
        Bng.Factory.ToGeometry(new Envelope(xmin, xmax, ymin, ymax));

    /// <summary>A WGS84 point from BNG metres.</summary>
    public static LatLng Point(double x, double y)
    {
        var (longitude, latitude) = Bng.Unproject(x, y);
        return new LatLng { Latitude = latitude, Longitude = longitude };
    }

    /// <summary>A proto polygon of a BNG rectangle (its corners unprojected to WGS84).</summary>
    public static Polygon RectanglePolygon(double xmin, double ymin, double xmax, double ymax)
    {
        var ring = new LinearRing();
        foreach (var (x, y) in new[] { (xmin, ymin), (xmax, ymin), (xmax, ymax), (xmin, ymax), (xmin, ymin) })
        {
            ring.Points.Add(Point(x, y));
        }

        return new Polygon { Exterior = ring };
    }

    public static Timestamp Time(string iso) =>
        Timestamp.FromDateTimeOffset(DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));

    public static long Ticks(string iso) => Time(iso).ToDateTime().Ticks;

    public static AnalysisWindow Window(string start, string end) => new(Ticks(start), Ticks(end));

    public static TimeWindow TimeWindow(string start, string end) => new() { Start = Time(start), End = Time(end) };

    /// <summary>A plan of BNG rectangles.</summary>
    public static PatrolPlan Plan(string id, IEnumerable<(double, double, double, double)> rectangles, string validStart, string validEnd,
        string? dataStart = null, string? dataEnd = null, double cellSize = 100, double coverage = 0, double patrolM2 = 0)
    {
        var plan = new PatrolPlan
        {
            PlanId = id,
            AreaName = BoroughName,
            ValidWindow = TimeWindow(validStart, validEnd),
            CoverageFraction = coverage,
            PatrolAreaM2 = patrolM2,
            Provenance = new PlanProvenance
            {
                Parameters = new MethodParameters { CellSizeM = cellSize },
                DataWindow = dataStart is null ? null : TimeWindow(dataStart, dataEnd!),
            },
        };
        var rank = 1;
        foreach (var (xmin, ymin, xmax, ymax) in rectangles)
        {
            plan.Areas.Add(new PatrolArea
            {
                AreaId = "A" + rank.ToString(CultureInfo.InvariantCulture),
                Rank = rank++,
                Geometry = new MultiPolygon { Polygons = { RectanglePolygon(xmin, ymin, xmax, ymax) } },
            });
        }

        return plan;
    }

    /// <summary>The test borough's boundary set (one rectangle).</summary>
    public static BoundarySet Borough(double xmin, double ymin, double xmax, double ymax) =>
        new([new Boundary(BoroughName, BoroughCode, BoundaryKinds.Borough, null, Rectangle(xmin, ymin, xmax, ymax))]);

    /// <summary>An encounter record.</summary>
    public static EncounterRecord Stop(string time, double? x, double? y, Outcome outcome = Outcome.NoFurtherAction,
        Answer linked = Answer.Unspecified, OfficerDefinedEthnicity officer = OfficerDefinedEthnicity.White,
        SelfDefinedEthnicity self = SelfDefinedEthnicity.WhiteBritish, EncounterType type = EncounterType.PersonSearch,
        ObjectOfSearch objectOfSearch = ObjectOfSearch.OffensiveWeapons, PatrolLinkStatus link = PatrolLinkStatus.Unspecified,
        string linkPlan = "", Officer? by = null, ProceduralJustice? treatment = null)
    {
        var encounter = new Encounter
        {
            OccurredAt = Time(time),
            LocationPrecision = x is null ? LocationPrecision.Unlocated : LocationPrecision.Snapped,
            Type = type,
            Outcome = outcome,
            OutcomeLinkedToObject = linked,
            OfficerDefinedEthnicity = officer,
            SelfDefinedEthnicity = self,
            ObjectOfSearch = objectOfSearch,
            Officer = by,
            ProceduralJustice = treatment,
        };
        if (x is { } px && y is { } py)
        {
            encounter.Location = Point(px, py);
        }

        return new EncounterRecord
        {
            EncounterId = Guid.NewGuid().ToString("N"),
            Current = encounter,
            Original = encounter,
            PatrolLink = new PatrolLink { Status = link, PlanId = linkPlan },
        };
    }

    public static Incident Incident(string time, double x, double y, string type = "Robbery", Provenance provenance = Provenance.Reported) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        OccurredAt = Time(time),
        TimePrecision = TimePrecision.Month,
        Location = Point(x, y),
        CrimeType = type,
        Provenance = provenance,
    };

    public static StopFacts Facts(IEnumerable<EncounterRecord> records, BoundarySet boroughs) => StopFacts.From(records, Bng, boroughs);

    public static IReadOnlyList<IncidentFact> Facts(IEnumerable<Incident> incidents) => IncidentFacts.From(incidents, Bng);

    /// <summary>Census residents by 8-category code, for one borough.</summary>
    public static BoroughPopulation Population(string code, string name, IReadOnlyDictionary<int, long> byCode) =>
        new(code, name, byCode.Values.Sum(), byCode);

    // ---- the reference world -------------------------------------------------------------

    public static (double, double, double, double) Rect(JsonElement e) => (e[0].GetDouble(), e[1].GetDouble(), e[2].GetDouble(), e[3].GetDouble());

    public static PatrolPlan ReferencePlan()
    {
        var f = FeedbackReference.Fixture;
        return Plan(
            f.GetProperty("plan_id").GetString()!,
            f.GetProperty("areas").EnumerateArray().Select(Rect),
            f.GetProperty("plan_valid")[0].GetString()!, f.GetProperty("plan_valid")[1].GetString()!,
            f.GetProperty("plan_data")[0].GetString()!, f.GetProperty("plan_data")[1].GetString()!,
            f.D("cell_size"), f.D("coverage"), f.D("patrol_m2"));
    }

    public static Geometry ReferenceAreaOfInterest()
    {
        var (xmin, ymin, xmax, ymax) = Rect(FeedbackReference.Fixture.GetProperty("aoi"));
        return Rectangle(xmin, ymin, xmax, ymax);
    }

    public static BoundarySet ReferenceBorough()
    {
        var (xmin, ymin, xmax, ymax) = Rect(FeedbackReference.Fixture.GetProperty("aoi"));
        return Borough(xmin, ymin, xmax, ymax);
    }

    public static IReadOnlyList<EncounterRecord> ReferenceStops() =>
        FeedbackReference.Fixture.GetProperty("stops").EnumerateArray().Select(s => Stop(
            s.GetProperty("t").GetString()!,
            s.GetProperty("x").ValueKind == JsonValueKind.Null ? null : s.D("x"),
            s.GetProperty("y").ValueKind == JsonValueKind.Null ? null : s.D("y"),
            Enum<Outcome>("Outcome", "OUTCOME_", s.GetProperty("outcome")),
            s.GetProperty("linked").ValueKind switch { JsonValueKind.True => Answer.Yes, JsonValueKind.False => Answer.No, _ => Answer.Unspecified },
            Enum<OfficerDefinedEthnicity>("OfficerDefinedEthnicity", "OFFICER_DEFINED_ETHNICITY_", s.GetProperty("officer")),
            Enum<SelfDefinedEthnicity>("SelfDefinedEthnicity", "SELF_DEFINED_ETHNICITY_", s.GetProperty("self")),
            Enum<EncounterType>("EncounterType", "ENCOUNTER_TYPE_", s.GetProperty("type")),
            Enum<ObjectOfSearch>("ObjectOfSearch", "OBJECT_OF_SEARCH_", s.GetProperty("object")),
            Enum<PatrolLinkStatus>("PatrolLinkStatus", "PATROL_LINK_STATUS_", s.GetProperty("link")),
            s.GetProperty("link_plan").GetString()!)).ToArray();

    public static IReadOnlyList<Incident> ReferenceIncidents(string property) =>
        FeedbackReference.Fixture.GetProperty(property).EnumerateArray().Select(i => Incident(
            i.GetProperty("t").GetString()!, i.D("x"), i.D("y"), i.GetProperty("type").GetString()!,
            Enum<Provenance>("Provenance", "PROVENANCE_", i.GetProperty("prov")))).ToArray();

    /// <summary>The population of the test borough (Census 8-category codes).</summary>
    public static BoroughPopulation ReferencePopulation() => Population(BoroughCode, BoroughName,
        FeedbackReference.Fixture.GetProperty("population").EnumerateObject().ToDictionary(
            p => int.Parse(p.Name, CultureInfo.InvariantCulture), p => p.Value.GetInt64()));

    // A JSON enum name ("NO_FURTHER_ACTION", or null) to its proto enum value, by the proto's own names.
    private static T Enum<T>(string enumName, string prefix, JsonElement value) where T : struct, System.Enum
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return default;
        }

        var descriptor = (EnumDescriptor?)StopsReflection.Descriptor.FindTypeByName<EnumDescriptor>(enumName)
            ?? HotspotReflection.Descriptor.FindTypeByName<EnumDescriptor>(enumName)
            ?? throw new ArgumentException($"no enum {enumName}");
        var number = descriptor.FindValueByName(prefix + value.GetString()!.ToUpperInvariant())?.Number
            ?? throw new ArgumentException($"{enumName} has no value {prefix}{value.GetString()}");
        return (T)(object)number;
    }
}
