using Google.Protobuf.WellKnownTypes;
using Targeting.Stops.Geography;
using Targeting.Stops.V1;

namespace Targeting.Stops.Validation;

/// <summary>One field that failed validation: its proto path (snake_case, dotted) and why.</summary>
public readonly record struct FieldError(string Field, string Description);

/// <summary>Which rule set applies to an encounter.</summary>
public enum ValidationMode
{
    /// <summary>An encounter recorded now by an officer: every PACE Code A and pilot field is required.</summary>
    Live,

    /// <summary>
    /// A historical row (e.g. data.police.uk): the format carries neither grounds, authorisation,
    /// officer nor the pilots' fields, so those are optional; everything present is still checked.
    /// </summary>
    Historical,
}

/// <summary>
/// Validates an encounter at the edge: required fields per legal power, enum values, time sanity,
/// the location against the force boundary, vehicle fields only on vehicle stops and searches,
/// and string lengths. Every bad field gives one <see cref="FieldError"/>; nothing is thrown.
/// </summary>
public sealed class EncounterValidator(ForceBoundary boundary, TimeProvider clock)
{
    /// <summary>How far in the future an occurred-at time may be, for device clock skew.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);

    /// <summary>An encounter recorded later than this after it happened needs a late-entry reason.</summary>
    public static readonly TimeSpan LateEntryAfter = TimeSpan.FromHours(24);

    /// <summary>PACE Code A came into force on 1 January 1986; nothing earlier is a valid record.</summary>
    public static readonly DateTimeOffset EarliestOccurrence = new(1986, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public const int MaxGrounds = 2000;
    public const int MaxReference = 100;
    public const int MaxIdentifier = 64;
    public const int MaxVehicleField = 100;
    public const int MaxOperation = 200;
    public const int MaxReason = 1000;

    /// <summary>The words of the violation for a location outside the force boundary.</summary>
    public const string OutsideBoundary = "is outside the force boundary";

    private static readonly HashSet<LegalPower> SuspicionBased =
    [
        LegalPower.PaceS1, LegalPower.MisuseOfDrugsS23, LegalPower.FirearmsS47, LegalPower.TerrorismS43,
        LegalPower.PsychoactiveSubstances,
    ];

    private static readonly HashSet<LegalPower> NeedsAuthorisation = [LegalPower.CjpoaS60, LegalPower.TerrorismS47A];

    public ForceBoundary Boundary => boundary;

    /// <summary>
    /// Checks one encounter. <paramref name="recordedAt"/> is when it was (or is being) recorded,
    /// for the late-entry rule; <paramref name="prefix"/> prefixes every field path (e.g. "encounter.").
    /// </summary>
    public void Validate(Encounter? encounter, string prefix, ValidationMode mode, DateTimeOffset recordedAt, List<FieldError> errors)
    {
        if (encounter is null)
        {
            errors.Add(new(prefix.TrimEnd('.'), "is required"));
            return;
        }

        var live = mode == ValidationMode.Live;
        ValidateTime(encounter, prefix, live, recordedAt, errors);
        ValidateLocation(encounter, prefix, errors);

        Known(encounter.Type, prefix + "type", errors, required: true);
        // A record imported from another jurisdiction was made under that jurisdiction's law, which no
        // UK power names: its power is left unset rather than guessed.
        Known(encounter.LegalPower, prefix + "legal_power", errors, required: encounter.Source is null);
        Known(encounter.ObjectOfSearch, prefix + "object_of_search", errors, required: false);
        Known(encounter.Outcome, prefix + "outcome", errors, required: live);
        Known(encounter.OutcomeLinkedToObject, prefix + "outcome_linked_to_object", errors, required: false);
        Known(encounter.RemovalOfMoreThanOuterClothing, prefix + "removal_of_more_than_outer_clothing", errors, required: false);
        Known(encounter.Sex, prefix + "sex", errors, required: live);
        Known(encounter.AgeRange, prefix + "age_range", errors, required: live);
        Known(encounter.SelfDefinedEthnicity, prefix + "self_defined_ethnicity", errors, required: live);
        Known(encounter.OfficerDefinedEthnicity, prefix + "officer_defined_ethnicity", errors, required: live);
        Known(encounter.PartOfOperation, prefix + "part_of_operation", errors, required: false);

        ValidatePowerAndType(encounter, prefix, live, errors);
        ValidateVehicle(encounter, prefix, live, errors);
        ValidateProceduralJustice(encounter, prefix, live, errors);
        ValidateOfficer(encounter, prefix, live, errors);
        ValidateOperation(encounter, prefix, errors);
        ValidateSource(encounter, prefix, live, errors);
    }

    private static void ValidateSource(Encounter encounter, string prefix, bool live, List<FieldError> errors)
    {
        if (encounter.Source is not { } source)
        {
            return;
        }

        if (live)
        {
            errors.Add(new(prefix + "source", "is set only by an import, never on a recorded encounter"));
            return;
        }

        var path = prefix + "source.";
        Length(source.Dataset, path + "dataset", MaxOperation, errors);
        Length(source.District, path + "district", MaxVehicleField, errors);
        Length(source.Race, path + "race", MaxVehicleField, errors);
        Length(source.Outcome, path + "outcome", MaxVehicleField, errors);
        if (source.TimeZone.Length > 0 && !TimeZoneInfo.TryFindSystemTimeZoneById(source.TimeZone, out _))
        {
            errors.Add(new(path + "time_zone", $"{Targeting.Grpc.FieldText.Quote(source.TimeZone)} is not a known IANA time zone (e.g. America/New_York)"));
        }

        if (source.SunReference is { } point && !(double.IsFinite(point.Latitude) && point.Latitude is >= -90 and <= 90
            && double.IsFinite(point.Longitude) && point.Longitude is >= -180 and <= 180))
        {
            errors.Add(new(path + "sun_reference", "must be finite degrees (latitude -90 to 90, longitude -180 to 180)"));
        }
    }

    private void ValidateTime(Encounter encounter, string prefix, bool live, DateTimeOffset recordedAt, List<FieldError> errors)
    {
        var field = prefix + "occurred_at";
        Length(encounter.LateEntryReason, prefix + "late_entry_reason", MaxReason, errors);
        if (encounter.OccurredAt is null)
        {
            errors.Add(new(field, "is required"));
            return;
        }

        if (!TryInstant(encounter.OccurredAt, out var occurredAt))
        {
            errors.Add(new(field, "is not a valid timestamp (seconds out of range or nanos not in 0..999999999)"));
            return;
        }

        var now = clock.GetUtcNow();
        if (occurredAt > now + ClockSkew)
        {
            errors.Add(new(field, $"is in the future ({occurredAt:O} is after now {now:O} plus {ClockSkew.TotalMinutes:0} minutes of clock skew)"));
        }
        else if (occurredAt < EarliestOccurrence)
        {
            errors.Add(new(field, $"is before {EarliestOccurrence:yyyy-MM-dd}, when PACE Code A came into force"));
        }
        else if (live && recordedAt - occurredAt > LateEntryAfter && string.IsNullOrWhiteSpace(encounter.LateEntryReason))
        {
            errors.Add(new(prefix + "late_entry_reason",
                $"is required: the encounter is recorded more than {LateEntryAfter.TotalHours:0} hours after it happened"));
        }
    }

    private void ValidateLocation(Encounter encounter, string prefix, List<FieldError> errors)
    {
        Known(encounter.LocationPrecision, prefix + "location_precision", errors, required: true);
        if (encounter.Location is null)
        {
            if (encounter.LocationPrecision is not (LocationPrecision.Unlocated or LocationPrecision.Unspecified))
            {
                errors.Add(new(prefix + "location", "is required unless location_precision is LOCATION_PRECISION_UNLOCATED"));
            }

            return;
        }

        if (encounter.LocationPrecision == LocationPrecision.Unlocated)
        {
            errors.Add(new(prefix + "location", "must be unset when location_precision is LOCATION_PRECISION_UNLOCATED"));
            return;
        }

        var latitude = encounter.Location.Latitude;
        var longitude = encounter.Location.Longitude;
        var latitudeOk = double.IsFinite(latitude) && latitude is >= -90 and <= 90;
        var longitudeOk = double.IsFinite(longitude) && longitude is >= -180 and <= 180;
        if (!latitudeOk)
        {
            errors.Add(new(prefix + "location.latitude", "must be a finite number of degrees from -90 to 90"));
        }

        if (!longitudeOk)
        {
            errors.Add(new(prefix + "location.longitude", "must be a finite number of degrees from -180 to 180"));
        }

        if (latitudeOk && longitudeOk && !boundary.Accepts(latitude, longitude))
        {
            errors.Add(new(prefix + "location",
                $"({latitude}, {longitude}) {OutsideBoundary} ({boundary.Description}, tolerance {boundary.ToleranceMetres} m)"));
        }
    }

    private static void ValidatePowerAndType(Encounter encounter, string prefix, bool live, List<FieldError> errors)
    {
        var vehicleStop = encounter.Type == EncounterType.VehicleStopWithoutSearch;
        if (vehicleStop && encounter.LegalPower is not (LegalPower.RoadTrafficS163 or LegalPower.Unspecified))
        {
            errors.Add(new(prefix + "legal_power", "a vehicle stop without a search is made under LEGAL_POWER_ROAD_TRAFFIC_S163"));
        }
        else if (!vehicleStop && encounter.LegalPower == LegalPower.RoadTrafficS163 && encounter.Type != EncounterType.Unspecified)
        {
            errors.Add(new(prefix + "legal_power", "section 163 of the Road Traffic Act gives no power to search; record the power used for the search"));
        }

        if (vehicleStop && encounter.ObjectOfSearch != ObjectOfSearch.Unspecified)
        {
            errors.Add(new(prefix + "object_of_search", "must be unset for a vehicle stop without a search"));
        }
        else if (live && !vehicleStop && encounter.ObjectOfSearch == ObjectOfSearch.Unspecified)
        {
            errors.Add(new(prefix + "object_of_search", "is required for a search"));
        }

        if (!vehicleStop && encounter.Outcome is Outcome.TrafficOffenceReport or Outcome.WordsOfAdvice)
        {
            errors.Add(new(prefix + "outcome", "a traffic offence report or words of advice is an outcome of a vehicle stop without a search"));
        }

        Length(encounter.Grounds, prefix + "grounds", MaxGrounds, errors);
        if (live && SuspicionBased.Contains(encounter.LegalPower) && string.IsNullOrWhiteSpace(encounter.Grounds))
        {
            errors.Add(new(prefix + "grounds", $"is required for a search under {encounter.LegalPower}, which needs reasonable grounds for suspicion"));
        }

        var reference = prefix + "authorisation_reference";
        if (Length(encounter.AuthorisationReference, reference, MaxReference, errors) && Identifier(encounter.AuthorisationReference, reference, errors))
        {
            if (NeedsAuthorisation.Contains(encounter.LegalPower))
            {
                if (live && encounter.AuthorisationReference.Length == 0)
                {
                    errors.Add(new(reference, $"is required for a no-suspicion search under {encounter.LegalPower}"));
                }
            }
            else if (encounter.AuthorisationReference.Length > 0)
            {
                errors.Add(new(reference, "is only for section 60 and section 47A searches, which need an authorisation"));
            }
        }
    }

    private static void ValidateVehicle(Encounter encounter, string prefix, bool live, List<FieldError> errors)
    {
        var vehicle = encounter.Vehicle;
        var given = vehicle is not null && (vehicle.Make.Length > 0 || vehicle.Model.Length > 0);
        var vehicleType = encounter.Type is EncounterType.VehicleSearch or EncounterType.PersonAndVehicleSearch
            or EncounterType.VehicleStopWithoutSearch;
        if (given && !vehicleType)
        {
            errors.Add(new(prefix + "vehicle", "is only for vehicle searches and vehicle stops"));
            return;
        }

        if (vehicle is not null)
        {
            Length(vehicle.Make, prefix + "vehicle.make", MaxVehicleField, errors);
            Length(vehicle.Model, prefix + "vehicle.model", MaxVehicleField, errors);
        }

        if (live && encounter.Type == EncounterType.VehicleStopWithoutSearch)
        {
            // The vehicle-stop pilot records make and model on every roads-policing stop.
            if (string.IsNullOrWhiteSpace(vehicle?.Make))
            {
                errors.Add(new(prefix + "vehicle.make", "is required for a vehicle stop"));
            }

            if (string.IsNullOrWhiteSpace(vehicle?.Model))
            {
                errors.Add(new(prefix + "vehicle.model", "is required for a vehicle stop"));
            }
        }
    }

    private static void ValidateProceduralJustice(Encounter encounter, string prefix, bool live, List<FieldError> errors)
    {
        var record = encounter.ProceduralJustice;
        var required = live && encounter.Type != EncounterType.VehicleStopWithoutSearch;
        if (record is null)
        {
            if (required)
            {
                errors.Add(new(prefix + "procedural_justice", "is required for a search"));
            }

            return;
        }

        var path = prefix + "procedural_justice.";
        Known(record.GroundsExplained, path + "grounds_explained", errors, required);
        Known(record.PersonHeard, path + "person_heard", errors, required);
        Known(record.TreatedWithRespect, path + "treated_with_respect", errors, required);
        Known(record.DebriefGiven, path + "debrief_given", errors, required);
        Known(record.RecordCopyOffered, path + "record_copy_offered", errors, required);
        Known(record.BodyWornVideoOn, path + "body_worn_video_on", errors, required);
    }

    private static void ValidateOfficer(Encounter encounter, string prefix, bool live, List<FieldError> errors)
    {
        var officer = encounter.Officer;
        if (officer is null)
        {
            if (live)
            {
                errors.Add(new(prefix + "officer", "is required"));
            }

            return;
        }

        foreach (var (value, field) in new[] { (officer.Pseudonym, "pseudonym"), (officer.Team, "team") })
        {
            var path = prefix + "officer." + field;
            if (Length(value, path, MaxIdentifier, errors) && Identifier(value, path, errors) && live && value.Length == 0)
            {
                errors.Add(new(path, "is required"));
            }
        }
    }

    private static void ValidateOperation(Encounter encounter, string prefix, List<FieldError> errors)
    {
        if (!Length(encounter.Operation, prefix + "operation", MaxOperation, errors))
        {
            return;
        }

        if (encounter.PartOfOperation == Answer.Yes && string.IsNullOrWhiteSpace(encounter.Operation))
        {
            errors.Add(new(prefix + "operation", "is required when part_of_operation is ANSWER_YES"));
        }
        else if (encounter.Operation.Length > 0 && encounter.PartOfOperation != Answer.Yes)
        {
            errors.Add(new(prefix + "part_of_operation", "must be ANSWER_YES when an operation is named"));
        }
    }

    /// <summary>A timestamp a DateTimeOffset can hold (years 1-9999) with valid nanos.</summary>
    public static bool TryInstant(Timestamp timestamp, out DateTimeOffset value)
    {
        value = default;
        if (timestamp.Nanos is < 0 or > 999_999_999 || timestamp.Seconds < -62_135_596_800 || timestamp.Seconds > 253_402_300_799)
        {
            return false;
        }

        value = timestamp.ToDateTimeOffset();
        return true;
    }

    private static void Known<TEnum>(TEnum value, string field, List<FieldError> errors, bool required)
        where TEnum : struct, System.Enum
    {
        // proto3 keeps an unknown enum number as the raw integer: reject it explicitly.
        if (!System.Enum.IsDefined(value))
        {
            errors.Add(new(field, $"{Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)} is not a known {typeof(TEnum).Name} value"));
        }
        else if (required && EqualityComparer<TEnum>.Default.Equals(value, default))
        {
            errors.Add(new(field, "is required"));
        }
    }

    private static bool Length(string value, string field, int max, List<FieldError> errors)
    {
        if (value.Length <= max)
        {
            return true;
        }

        errors.Add(new(field, $"is {value.Length} characters; at most {max}"));
        return false;
    }

    private static bool Identifier(string value, string field, List<FieldError> errors)
    {
        if (!value.Any(char.IsControl))
        {
            return true;
        }

        errors.Add(new(field, "must not contain control characters"));
        return false;
    }
}
