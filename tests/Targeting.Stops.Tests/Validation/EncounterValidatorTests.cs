using Google.Protobuf.WellKnownTypes;
using Targeting.Common.V1;
using Targeting.Stops.Validation;
using Targeting.Stops.V1;

namespace Targeting.Stops.Tests.Validation;

public sealed class EncounterValidatorTests
{
    private static readonly Dictionary<string, (Action<Encounter> Mutate, string[] Fields)> Cases = new()
    {
        ["no time"] = (e => e.OccurredAt = null, ["encounter.occurred_at"]),
        ["future beyond skew"] = (e => e.OccurredAt = Timestamp.FromDateTimeOffset(TestEncounters.Now.AddMinutes(3)), ["encounter.occurred_at"]),
        ["bad nanos"] = (e => e.OccurredAt = new Timestamp { Seconds = 1_700_000_000, Nanos = -1 }, ["encounter.occurred_at"]),
        ["before PACE"] = (e => e.OccurredAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(1985, 12, 31, 0, 0, 0, TimeSpan.Zero)), ["encounter.occurred_at"]),
        ["late without reason"] = (e => e.OccurredAt = Timestamp.FromDateTimeOffset(TestEncounters.Now.AddHours(-25)), ["encounter.late_entry_reason"]),
        ["NaN latitude"] = (e => e.Location.Latitude = double.NaN, ["encounter.location.latitude"]),
        ["infinite longitude"] = (e => e.Location.Longitude = double.PositiveInfinity, ["encounter.location.longitude"]),
        ["latitude out of range"] = (e => e.Location.Latitude = 91, ["encounter.location.latitude"]),
        ["outside boundary"] = (e => e.Location = TestEncounters.Camden.Clone(), ["encounter.location"]),
        ["just beyond tolerance"] = (e => e.Location = TestEncounters.NearLambeth111m.Clone(), ["encounter.location"]),
        ["no location, not unlocated"] = (e => e.Location = null, ["encounter.location"]),
        ["location but unlocated"] = (e => e.LocationPrecision = LocationPrecision.Unlocated, ["encounter.location"]),
        ["no precision"] = (e => e.LocationPrecision = LocationPrecision.Unspecified, ["encounter.location_precision"]),
        ["unknown type number"] = (e => e.Type = (EncounterType)99, ["encounter.type"]),
        ["unknown power number"] = (e => e.LegalPower = (LegalPower)(-3), ["encounter.legal_power"]),
        ["unknown outcome number"] = (e => e.Outcome = (Outcome)1000, ["encounter.outcome"]),
        ["unknown answer number"] = (e => e.ProceduralJustice.DebriefGiven = (Answer)7, ["encounter.procedural_justice.debrief_given"]),
        ["no grounds for s1"] = (e => e.Grounds = "  ", ["encounter.grounds"]),
        ["grounds too long"] = (e => e.Grounds = new string('g', EncounterValidator.MaxGrounds + 1), ["encounter.grounds"]),
        ["s60 without authorisation"] = (e => { e.LegalPower = LegalPower.CjpoaS60; e.Grounds = ""; }, ["encounter.authorisation_reference"]),
        ["s47A without authorisation"] = (e => { e.LegalPower = LegalPower.TerrorismS47A; e.Grounds = ""; }, ["encounter.authorisation_reference"]),
        ["authorisation on s1"] = (e => e.AuthorisationReference = "AUTH-1", ["encounter.authorisation_reference"]),
        ["vehicle on a person search"] = (e => e.Vehicle = new Vehicle { Make = "SYNTHETIC" }, ["encounter.vehicle"]),
        ["s163 for a search"] = (e => e.LegalPower = LegalPower.RoadTrafficS163, ["encounter.legal_power"]),
        ["no object for a search"] = (e => e.ObjectOfSearch = ObjectOfSearch.Unspecified, ["encounter.object_of_search"]),
        ["traffic outcome on a search"] = (e => e.Outcome = Outcome.TrafficOffenceReport, ["encounter.outcome"]),
        ["no sex, age or ethnicities"] = (e =>
        {
            e.Sex = Sex.Unspecified;
            e.AgeRange = AgeRange.Unspecified;
            e.SelfDefinedEthnicity = SelfDefinedEthnicity.Unspecified;
            e.OfficerDefinedEthnicity = OfficerDefinedEthnicity.Unspecified;
        }, ["encounter.sex", "encounter.age_range", "encounter.self_defined_ethnicity", "encounter.officer_defined_ethnicity"]),
        ["no procedural justice"] = (e => e.ProceduralJustice = null, ["encounter.procedural_justice"]),
        ["unanswered debrief"] = (e => e.ProceduralJustice.DebriefGiven = Answer.Unspecified, ["encounter.procedural_justice.debrief_given"]),
        ["no officer"] = (e => e.Officer = null, ["encounter.officer"]),
        ["no team"] = (e => e.Officer.Team = "", ["encounter.officer.team"]),
        ["pseudonym too long"] = (e => e.Officer.Pseudonym = new string('p', 65), ["encounter.officer.pseudonym"]),
        ["control character in team"] = (e => e.Officer.Team = "team\u0000", ["encounter.officer.team"]),
        ["operation without yes"] = (e => e.Operation = "Op Sceptre", ["encounter.part_of_operation"]),
        ["yes without operation"] = (e => e.PartOfOperation = Answer.Yes, ["encounter.operation"]),
        ["huge late reason"] = (e => e.LateEntryReason = new string('r', 1_000_000), ["encounter.late_entry_reason"]),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Fact]
    public void Validate_CompleteLiveSearch_NoErrors()
    {
        var errors = Validate(TestEncounters.PersonSearch());

        Assert.Empty(errors);
    }

    [Fact]
    public void Validate_CompleteVehicleStopWithSyntheticVehicle_NoErrors()
    {
        Assert.Empty(Validate(TestEncounters.VehicleStop()));
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Validate_OneBadField_OneViolationOnThatField(string name)
    {
        var (mutate, fields) = Cases[name];
        var encounter = TestEncounters.PersonSearch();
        mutate(encounter);

        var errors = Validate(encounter);

        Assert.Equal(fields.Order(), errors.Select(e => e.Field).Order());
    }

    [Fact]
    public void Validate_ManyBadFields_OneViolationPerField()
    {
        var encounter = TestEncounters.PersonSearch();
        encounter.Location.Latitude = double.NaN;
        encounter.Grounds = "";
        encounter.Sex = (Sex)42;
        encounter.Officer.Team = "";

        var fields = Validate(encounter).Select(e => e.Field).ToList();

        Assert.Equal(["encounter.grounds", "encounter.location.latitude", "encounter.officer.team", "encounter.sex"], fields.Order());
    }

    [Fact]
    public void Validate_WithinClockSkew_Accepted()
    {
        var encounter = TestEncounters.PersonSearch(occurredAt: TestEncounters.Now.AddSeconds(110));

        Assert.Empty(Validate(encounter));
    }

    [Fact]
    public void Validate_LateEntryWithReason_Accepted()
    {
        var encounter = TestEncounters.PersonSearch(occurredAt: TestEncounters.Now.AddHours(-30));
        encounter.LateEntryReason = "Officer was taken to hospital after the search";

        Assert.Empty(Validate(encounter));
    }

    [Fact]
    public void Validate_WithinBoundaryTolerance_Accepted()
    {
        // 92.8 m from Lambeth's polygon: the borough files stop at the Thames high-water line.
        Assert.Empty(Validate(TestEncounters.PersonSearch(at: TestEncounters.NearLambeth93m)));
    }

    [Fact]
    public void Validate_SixtyWithAuthorisationAndNoGrounds_Accepted()
    {
        var encounter = TestEncounters.PersonSearch();
        encounter.LegalPower = LegalPower.CjpoaS60;
        encounter.ObjectOfSearch = ObjectOfSearch.AnythingToThreatenOrHarm;
        encounter.Grounds = "";
        encounter.AuthorisationReference = "MPS-S60-2025-0042";

        Assert.Empty(Validate(encounter));
    }

    [Fact]
    public void Validate_VehicleStopWithoutMakeAndModel_BothRequired()
    {
        var encounter = TestEncounters.VehicleStop();
        encounter.Vehicle = null;

        Assert.Equal(["encounter.vehicle.make", "encounter.vehicle.model"], Validate(encounter).Select(e => e.Field).Order());
    }

    [Fact]
    public void Validate_VehicleStopWithObjectOfSearch_Rejected()
    {
        var encounter = TestEncounters.VehicleStop();
        encounter.ObjectOfSearch = ObjectOfSearch.ControlledDrugs;

        Assert.Equal(["encounter.object_of_search"], Validate(encounter).Select(e => e.Field));
    }

    [Fact]
    public void Validate_HistoricalRowWithoutPilotFields_Accepted()
    {
        var row = new Encounter
        {
            OccurredAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2021, 6, 1, 1, 0, 0, TimeSpan.Zero)),
            LocationPrecision = LocationPrecision.Unlocated,
            Type = EncounterType.PersonSearch,
            LegalPower = LegalPower.MisuseOfDrugsS23,
            PartOfOperation = Answer.No,
        };
        var errors = new List<FieldError>();

        TestEncounters.Validator().Validate(row, "", ValidationMode.Historical, TestEncounters.Now, errors);

        Assert.Empty(errors);
    }

    [Fact]
    public void Validate_HistoricalRowOutsideBoundary_Rejected()
    {
        var row = new Encounter
        {
            OccurredAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2021, 6, 1, 1, 0, 0, TimeSpan.Zero)),
            Location = new LatLng { Latitude = 51.5390, Longitude = -0.1426 },
            LocationPrecision = LocationPrecision.Snapped,
            Type = EncounterType.PersonSearch,
            LegalPower = LegalPower.MisuseOfDrugsS23,
        };
        var errors = new List<FieldError>();

        TestEncounters.Validator().Validate(row, "", ValidationMode.Historical, TestEncounters.Now, errors);

        var error = Assert.Single(errors);
        Assert.Equal("location", error.Field);
        Assert.Contains(EncounterValidator.OutsideBoundary, error.Description, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every search power, with neither grounds nor an authorisation reference: the statutes
    /// (PACE Code A 2.2-2.11) make s1, s23, s47 Firearms, s43 Terrorism and the Psychoactive
    /// Substances Act powers suspicion-based (grounds required) and s60 CJPOA and s47A Terrorism
    /// no-suspicion powers that need an authorisation instead.
    /// </summary>
    [Theory]
    [InlineData(LegalPower.PaceS1, "encounter.grounds")]
    [InlineData(LegalPower.MisuseOfDrugsS23, "encounter.grounds")]
    [InlineData(LegalPower.FirearmsS47, "encounter.grounds")]
    [InlineData(LegalPower.TerrorismS43, "encounter.grounds")]
    [InlineData(LegalPower.PsychoactiveSubstances, "encounter.grounds")]
    [InlineData(LegalPower.CjpoaS60, "encounter.authorisation_reference")]
    [InlineData(LegalPower.TerrorismS47A, "encounter.authorisation_reference")]
    public void Validate_SearchPowerWithoutGroundsOrAuthorisation_TheOneItNeedsIsRequired(LegalPower power, string required)
    {
        var encounter = TestEncounters.PersonSearch();
        encounter.LegalPower = power;
        encounter.Grounds = "";

        Assert.Equal([required], Validate(encounter).Select(e => e.Field));

        // And given what it needs, nothing else is asked for; the other one is refused if it is not the power's.
        if (required == "encounter.grounds")
        {
            encounter.Grounds = "Smell of cannabis and seen handing over a small package";
            Assert.Empty(Validate(encounter));
            encounter.AuthorisationReference = "MPS-S60-2025-0042";
            Assert.Equal(["encounter.authorisation_reference"], Validate(encounter).Select(e => e.Field));
        }
        else
        {
            encounter.AuthorisationReference = "MPS-AUTH-2025-0042";
            Assert.Empty(Validate(encounter));
        }
    }

    [Theory]
    [InlineData(EncounterType.VehicleSearch)]
    [InlineData(EncounterType.PersonAndVehicleSearch)]
    public void Validate_VehicleOnAVehicleSearch_AcceptedWithinLengths(EncounterType type)
    {
        var encounter = TestEncounters.PersonSearch();
        encounter.Type = type;
        encounter.Vehicle = new Vehicle { Make = "SYNTHETIC-MAKE", Model = "SYNTHETIC-MODEL" };
        Assert.Empty(Validate(encounter));

        encounter.Vehicle.Model = new string('m', EncounterValidator.MaxVehicleField + 1);
        encounter.AuthorisationReference = "";
        Assert.Equal(["encounter.vehicle.model"], Validate(encounter).Select(e => e.Field));
    }

    [Fact]
    public void Validate_AuthorisationReferenceTooLong_OneViolation()
    {
        var encounter = TestEncounters.PersonSearch();
        encounter.LegalPower = LegalPower.CjpoaS60;
        encounter.AuthorisationReference = new string('A', EncounterValidator.MaxReference + 1);

        Assert.Equal(["encounter.authorisation_reference"], Validate(encounter).Select(e => e.Field));
    }

    private static List<FieldError> Validate(Encounter encounter)
    {
        var errors = new List<FieldError>();
        TestEncounters.Validator().Validate(encounter, "encounter.", ValidationMode.Live, TestEncounters.Now, errors);
        return errors;
    }
}
