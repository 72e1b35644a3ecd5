using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Targeting.Common.V1;
using Targeting.Stops.Access;
using Targeting.Stops.V1;

namespace Targeting.Stops.Tests.Service;

/// <summary>
/// The facts read off an encounter's bytes against the same columns taken from Google.Protobuf's full
/// parse of those bytes (the reference: it defines what the bytes mean, merges included).
/// </summary>
public sealed class EncounterFactsBuilderTests
{
    [Fact]
    public void Build_VariedEncounters_TheColumnsOfTheFullParse()
    {
        var unlocated = TestEncounters.PersonSearch();
        unlocated.LocationPrecision = LocationPrecision.Unlocated;
        var noLocation = TestEncounters.VehicleStop();
        noLocation.Location = null;
        var imported = TestEncounters.VehicleStop();
        imported.Source = new EncounterSource { Dataset = "Stanford Open Policing Project", TimeZone = "America/New_York", District = "Zone K3", Race = "Hispanic", SunReference = new LatLng { Latitude = 41.82, Longitude = -71.41 } };
        var emptyVehicle = TestEncounters.VehicleStop();
        emptyVehicle.Vehicle = new Vehicle();
        var otherModel = TestEncounters.VehicleStop();
        otherModel.Vehicle.Model = "OTHER";
        otherModel.OccurredAt = new Timestamp { Seconds = otherModel.OccurredAt.Seconds, Nanos = 123_456_000 };
        Encounter[] encounters = [TestEncounters.PersonSearch(), TestEncounters.VehicleStop(), unlocated, noLocation, imported, emptyVehicle, otherModel, TestEncounters.VehicleStop(), imported, new Encounter()];
        (PatrolLinkStatus, string?)[] links = [(PatrolLinkStatus.Inside, "plan-1"), (PatrolLinkStatus.Outside, null), (PatrolLinkStatus.Inside, "plan-2"), (PatrolLinkStatus.Pending, ""),
            (PatrolLinkStatus.Inside, "plan-1"), (PatrolLinkStatus.Outside, null), (PatrolLinkStatus.Outside, null), (PatrolLinkStatus.Outside, null), (PatrolLinkStatus.Outside, null), (PatrolLinkStatus.Unspecified, null)];

        var builder = new EncounterFactsBuilder();
        for (var i = 0; i < encounters.Length; i++)
        {
            builder.Add(encounters[i].ToByteArray(), links[i].Item1, links[i].Item2);
        }

        var facts = builder.Build();

        AssertColumns(encounters, links, facts);
        // Each vehicle and source is sent once per batch; an empty vehicle is none.
        Assert.Equal(["SYNTHETIC-MAKE SYNTHETIC-MODEL", "SYNTHETIC-MAKE OTHER"], facts.Vehicles.Select(v => v.Make + " " + v.Model));
        Assert.Equal([0, 1, 0, 1, 1, 0, 2, 1, 1, 0], facts.Vehicle);
        Assert.Equal([0, 0, 0, 0, 1, 0, 0, 0, 1, 0], facts.Source);
        Assert.Equal(["plan-1", "plan-2"], facts.PlanIds);
        Assert.Equal(0, builder.Count);
    }

    [Fact]
    public void Add_RepeatedAndUnknownFields_ReadAsAFullParseReadsThem()
    {
        // Concatenated messages parse as their merge: later scalars win, sub-messages merge field by field.
        var first = TestEncounters.VehicleStop();
        var second = new Encounter
        {
            Outcome = Outcome.Arrest,
            Vehicle = new Vehicle { Model = "SECOND-MODEL" },
            Location = new LatLng { Latitude = 51.5 },
            Source = new EncounterSource { Race = "Hispanic" },
        };
        var third = new Encounter { Source = new EncounterSource { District = "Zone K3" }, OfficerDefinedEthnicity = (OfficerDefinedEthnicity)(-3) };
        byte[] bytes = [.. first.ToByteArray(), .. UnknownFields(), .. second.ToByteArray(), .. third.ToByteArray()];
        var parsed = Encounter.Parser.ParseFrom(bytes);
        Assert.Equal("SYNTHETIC-MAKE", parsed.Vehicle.Make); // the reference does merge

        var builder = new EncounterFactsBuilder();
        builder.Add(bytes, PatrolLinkStatus.Outside, null);
        var facts = builder.Build();

        AssertColumns([parsed], [(PatrolLinkStatus.Outside, null)], facts);
        Assert.Equal("SYNTHETIC-MAKE SECOND-MODEL", facts.Vehicles.Single().Make + " " + facts.Vehicles.Single().Model);
        Assert.Equal(parsed.Source, facts.Sources.Single());
    }

    [Fact]
    public void Add_TruncatedBytes_InvalidData()
    {
        // Cut inside the last field (part_of_operation: a two-byte tag and its value), and inside the location.
        var whole = TestEncounters.PersonSearch().ToByteArray();
        byte[][] truncated = [whole[..^1], whole[..14]];

        var builder = new EncounterFactsBuilder();

        Assert.All(truncated, bytes =>
        {
            Assert.Throws<InvalidProtocolBufferException>(() => Encounter.Parser.ParseFrom(bytes));
            Assert.Throws<InvalidDataException>(() => builder.Add(bytes, PatrolLinkStatus.Outside, null));
        });
    }

    // Fields of every wire type a newer client might add, and a known number with another wire type (also unknown to a parser).
    private static byte[] UnknownFields()
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(99, WireFormat.WireType.LengthDelimited);
        output.WriteString("from a newer client");
        output.WriteTag(98, WireFormat.WireType.Varint);
        output.WriteInt64(-7);
        output.WriteTag(97, WireFormat.WireType.Fixed32);
        output.WriteFixed32(1);
        output.WriteTag(96, WireFormat.WireType.Fixed64);
        output.WriteFixed64(2);
        output.WriteTag(9, WireFormat.WireType.LengthDelimited);
        output.WriteString("not an outcome");
        output.Flush();
        return stream.ToArray();
    }

    // The columns as stops.proto defines them, from parsed encounters.
    private static void AssertColumns(Encounter[] encounters, (PatrolLinkStatus Status, string? Plan)[] links, EncounterFacts facts)
    {
        bool Located(Encounter e) => e.Location is not null && e.LocationPrecision != LocationPrecision.Unlocated;
        Assert.Equal(encounters.Select(e => e.OccurredAt?.Seconds ?? 0), facts.OccurredAtSeconds);
        Assert.Equal(encounters.Select(e => e.OccurredAt?.Nanos ?? 0), facts.OccurredAtNanos);
        Assert.Equal(encounters.Select(e => e.Type), facts.Type);
        Assert.Equal(encounters.Select(e => Located(e) ? e.Location.Latitude : double.NaN), facts.Latitude);
        Assert.Equal(encounters.Select(e => Located(e) ? e.Location.Longitude : double.NaN), facts.Longitude);
        Assert.Equal(encounters.Select(e => e.OfficerDefinedEthnicity), facts.OfficerDefinedEthnicity);
        Assert.Equal(encounters.Select(e => e.SelfDefinedEthnicity), facts.SelfDefinedEthnicity);
        Assert.Equal(encounters.Select(e => e.Outcome), facts.Outcome);
        Assert.Equal(encounters.Select(e => e.OutcomeLinkedToObject), facts.OutcomeLinkedToObject);
        Assert.Equal(encounters.Select(e => e.ObjectOfSearch), facts.ObjectOfSearch);
        Assert.Equal(encounters.Select(e => e.Sex), facts.Sex);
        Assert.Equal(encounters.Select(e => e.AgeRange), facts.AgeRange);
        Assert.Equal(links.Select(l => l.Status), facts.LinkStatus);
        Assert.Equal(links.Select(l => string.IsNullOrEmpty(l.Plan) ? "" : l.Plan), facts.LinkPlan.Select(k => k == 0 ? "" : facts.PlanIds[k - 1]));
        Assert.Equal(encounters.Select(e => e.Vehicle is { } v && (v.Make.Length > 0 || v.Model.Length > 0) ? (v.Make, v.Model) : ("", "")),
            facts.Vehicle.Select(k => k == 0 ? ("", "") : (facts.Vehicles[k - 1].Make, facts.Vehicles[k - 1].Model)));
        Assert.Equal(encounters.Select(e => e.Source), facts.Source.Select(k => k == 0 ? null : facts.Sources[k - 1]));
    }
}
