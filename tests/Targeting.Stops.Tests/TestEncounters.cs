using Google.Protobuf.WellKnownTypes;
using Targeting.Common.V1;
using Targeting.Stops.Geography;
using Targeting.Stops.Validation;
using Targeting.Stops.V1;
using Targeting.Testing;

namespace Targeting.Stops.Tests;

/// <summary>Encounters and places for tests; points come from the real borough polygons.</summary>
internal static class TestEncounters
{
    /// <summary>Brixton, inside Lambeth.</summary>
    public static readonly LatLng Brixton = new() { Latitude = 51.4627, Longitude = -0.1145 };

    /// <summary>Barking town centre, inside Barking and Dagenham.</summary>
    public static readonly LatLng Barking = new() { Latitude = 51.5396, Longitude = 0.0810 };

    /// <summary>A real Met stop location 92.8 m outside Lambeth (PostGIS ST_Distance in EPSG:27700).</summary>
    public static readonly LatLng NearLambeth93m = new() { Latitude = 51.471408, Longitude = -0.096369 };

    /// <summary>A real Met stop location 110.8 m outside Lambeth (PostGIS ST_Distance in EPSG:27700).</summary>
    public static readonly LatLng NearLambeth111m = new() { Latitude = 51.488765, Longitude = -0.103626 };

    /// <summary>Camden Town, about 4 km from either borough.</summary>
    public static readonly LatLng Camden = new() { Latitude = 51.5390, Longitude = -0.1426 };

    /// <summary>The test clock's "now".</summary>
    public static readonly DateTimeOffset Now = new(2025, 3, 14, 15, 0, 0, TimeSpan.Zero);

    public static string SampleBoundaryPath => RepoPaths.InRepo("data", "boundaries", "london_boroughs_barking_dagenham_lambeth.geojson");

    public static ForceBoundary SampleBoundary { get; } = ForceBoundary.Load(SampleBoundaryPath, 100);

    public static ManualClock Clock() => new(Now);

    public static EncounterValidator Validator(TimeProvider? clock = null) => new(SampleBoundary, clock ?? Clock());

    /// <summary>A complete, valid live person search under PACE s1 in Brixton ten minutes ago.</summary>
    public static Encounter PersonSearch(string officer = "officer-a", string team = "team-1", LatLng? at = null, DateTimeOffset? occurredAt = null) => new()
    {
        OccurredAt = Timestamp.FromDateTimeOffset(occurredAt ?? Now.AddMinutes(-10)),
        Location = (at ?? Brixton).Clone(),
        LocationPrecision = LocationPrecision.Exact,
        Type = EncounterType.PersonSearch,
        LegalPower = LegalPower.PaceS1,
        Grounds = "Seen passing a knife to another person outside the station",
        ObjectOfSearch = ObjectOfSearch.OffensiveWeapons,
        Outcome = Outcome.Arrest,
        OutcomeLinkedToObject = Answer.Yes,
        RemovalOfMoreThanOuterClothing = Answer.No,
        Sex = Sex.Male,
        AgeRange = AgeRange._18To24,
        SelfDefinedEthnicity = SelfDefinedEthnicity.BlackCaribbean,
        OfficerDefinedEthnicity = OfficerDefinedEthnicity.Black,
        ProceduralJustice = new ProceduralJustice
        {
            GroundsExplained = Answer.Yes,
            PersonHeard = Answer.Yes,
            TreatedWithRespect = Answer.Yes,
            DebriefGiven = Answer.No,
            RecordCopyOffered = Answer.Yes,
            BodyWornVideoOn = Answer.Yes,
        },
        Officer = new Officer { Pseudonym = officer, Team = team, PrecisionTrained = true },
        PartOfOperation = Answer.No,
    };

    /// <summary>
    /// A roads-policing vehicle stop without a search. The vehicle make and model are SYNTHETIC:
    /// no public data records them (../shared/data/README.md).
    /// </summary>
    public static Encounter VehicleStop(string officer = "officer-b", string team = "roads-1") => new()
    {
        OccurredAt = Timestamp.FromDateTimeOffset(Now.AddMinutes(-5)),
        Location = Barking.Clone(),
        LocationPrecision = LocationPrecision.Exact,
        Type = EncounterType.VehicleStopWithoutSearch,
        LegalPower = LegalPower.RoadTrafficS163,
        Outcome = Outcome.WordsOfAdvice,
        Sex = Sex.Female,
        AgeRange = AgeRange._25To34,
        SelfDefinedEthnicity = SelfDefinedEthnicity.WhiteBritish,
        OfficerDefinedEthnicity = OfficerDefinedEthnicity.White,
        Vehicle = new Vehicle { Make = "SYNTHETIC-MAKE", Model = "SYNTHETIC-MODEL" },
        Officer = new Officer { Pseudonym = officer, Team = team },
    };
}
