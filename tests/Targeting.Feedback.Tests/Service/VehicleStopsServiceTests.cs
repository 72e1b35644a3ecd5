using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Targeting.Common.V1;
using Targeting.Feedback.Tests.Support;
using Targeting.Feedback.V1;
using Targeting.Grpc;
using Targeting.Stops;
using Targeting.Stops.V1;
using Targeting.Testing;

namespace Targeting.Feedback.Tests.Service;

/// <summary>
/// AssessVehicleStops through the real services: vehicle stops recorded by officers with
/// RecordEncounter on the real stops service (PostGIS when TARGETING_TEST_PG names a server),
/// read by the real feedback service over gRPC; the figures are counted here from what was sent.
/// </summary>
public sealed class VehicleStopsServiceTests : IAsyncLifetime
{
    private static readonly LatLng Lambeth = new() { Latitude = 51.4627, Longitude = -0.1145 };
    private static readonly LatLng Barking = new() { Latitude = 51.5396, Longitude = 0.0810 };

    private readonly PostgresDatabase _database = new();
    private readonly ServiceHosts _hosts = new();
    private readonly List<Encounter> _recorded = [];
    private FakeSources? _hotspot;
    private string? _folder;
    private Uri _feedback = null!;
    private DateTimeOffset _start;

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        _folder = Directory.CreateTempSubdirectory("feedback-roads-").FullName;
        var storage = new Dictionary<string, string?>
        {
            ["Stops:BoundaryPath"] = RepoPaths.InRepo("data", "boundaries", "london_boroughs_barking_dagenham_lambeth.geojson"),
            ["Storage:Provider"] = _database.IsAvailable ? "postgres" : "sqlite",
            ["Storage:ConnectionString"] = _database.IsAvailable ? _database.ConnectionString : null,
            ["Storage:DataDirectory"] = _folder,
        };
        var stops = await _hosts.StartAsync(storage, (s, c) => s.AddStopsService(c), app => app.MapStopsService());

        // 40 stops over the last 20 days at varied clock times: searches after some, makes repeated.
        var now = DateTimeOffset.UtcNow;
        _start = now.AddDays(-21);
        var random = new Random(7);
        using var officer = new StopsClient(stops, new GrpcClientOptions { BearerToken = DevelopmentTokens.Issue(Roles.Officer, "pc-roads", "roads-1") });
        for (var i = 0; i < 40; i++)
        {
            var searched = i % 4 == 0;
            var encounter = new Encounter
            {
                OccurredAt = Timestamp.FromDateTimeOffset(now.AddDays(-1 - (i % 20)).AddMinutes(-random.Next(0, 24 * 60))),
                LateEntryReason = "entered from the pocket book after the shift",
                Location = (i % 3 == 0 ? Barking : Lambeth).Clone(),
                LocationPrecision = LocationPrecision.Exact,
                Type = searched ? EncounterType.VehicleSearch : EncounterType.VehicleStopWithoutSearch,
                LegalPower = searched ? LegalPower.PaceS1 : LegalPower.RoadTrafficS163,
                Grounds = searched ? "Smell of cannabis from the open window" : "",
                ObjectOfSearch = searched ? ObjectOfSearch.ControlledDrugs : ObjectOfSearch.Unspecified,
                Outcome = searched ? (i % 8 == 0 ? Outcome.Arrest : Outcome.NoFurtherAction) : (i % 2 == 0 ? Outcome.WordsOfAdvice : Outcome.TrafficOffenceReport),
                OutcomeLinkedToObject = searched ? (i % 8 == 0 ? Answer.Yes : Answer.No) : Answer.Unspecified,
                RemovalOfMoreThanOuterClothing = searched ? Answer.No : Answer.Unspecified,
                Sex = i % 5 == 0 ? Sex.Female : Sex.Male,
                AgeRange = i % 2 == 0 ? AgeRange._25To34 : AgeRange.Over34,
                SelfDefinedEthnicity = i % 3 == 1 ? SelfDefinedEthnicity.BlackAfrican : SelfDefinedEthnicity.WhiteBritish,
                OfficerDefinedEthnicity = i % 3 == 1 ? OfficerDefinedEthnicity.Black : OfficerDefinedEthnicity.White,
                Vehicle = new Vehicle { Make = i % 2 == 0 ? "SYNTHETIC-A" : "synthetic-b ", Model = "M" + (i % 3) },
                Officer = new Officer { Pseudonym = "pc-roads", Team = "roads-1", PrecisionTrained = true },
                PartOfOperation = Answer.No,
            };
            if (searched)
            {
                encounter.ProceduralJustice = new ProceduralJustice
                {
                    GroundsExplained = Answer.Yes, PersonHeard = Answer.Yes, TreatedWithRespect = Answer.Yes,
                    DebriefGiven = Answer.Yes, RecordCopyOffered = Answer.Yes, BodyWornVideoOn = Answer.Yes,
                };
            }

            await officer.RecordEncounterAsync(new RecordEncounterRequest { RequestId = $"roads-{i}", Encounter = encounter });
            _recorded.Add(encounter);
        }

        // A person search is not a vehicle stop.
        var person = _recorded[0].Clone();
        person.Type = EncounterType.PersonSearch;
        person.Vehicle = null;
        await officer.RecordEncounterAsync(new RecordEncounterRequest { RequestId = "person-1", Encounter = person });

        _hotspot = await FakeSources.StartAsync([], [], []);
        _feedback = await _hosts.StartFeedbackAsync(_hotspot.Address, stops);
    }

    public async ValueTask DisposeAsync()
    {
        await _hosts.DisposeAsync();

        if (_hotspot is not null)
        {
            await _hotspot.DisposeAsync();
        }

        await _database.DisposeAsync();
        if (_folder is not null)
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private FeedbackClient Client(string role) =>
        new(new GrpcClient(_feedback, new GrpcClientOptions { BearerToken = DevelopmentTokens.Issue(role, "roads-test"), Retry = null }));

    private TimeWindow Window => new() { Start = Timestamp.FromDateTimeOffset(_start), End = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) };

    [Fact]
    public async Task AssessVehicleStops_RecordedStops_CountedByGroupOutcomeMakeAndHour()
    {
        var report = await Client(Roles.Analyst).AssessVehicleStopsAsync(new VehicleStopsRequest { Window = Window });

        Assert.Equal(_recorded.Count, report.VehicleStops);
        foreach (var group in new[] { ("White", OfficerDefinedEthnicity.White), ("Black", OfficerDefinedEthnicity.Black) })
        {
            var mine = _recorded.Where(e => e.OfficerDefinedEthnicity == group.Item2).ToList();
            var searches = mine.Where(e => e.Type == EncounterType.VehicleSearch).ToList();
            var row = report.Outcomes.Single(o => o.Group == group.Item1);
            Assert.Equal(mine.Count, row.Stops);
            Assert.Equal(searches.Count, row.SearchRate.Numerator);
            Assert.Equal((double)searches.Count / mine.Count, row.SearchRate.Value, 12);
            Assert.Equal(searches.Count(e => e.OutcomeLinkedToObject == Answer.Yes), row.FindRate.Numerator);
            Assert.Equal(mine.Count(e => e.Outcome == Outcome.Arrest), row.ArrestRate.Numerator);
        }

        // Makes are counted after trimming and upper-casing ("synthetic-b " is SYNTHETIC-B).
        Assert.Equal(20, report.ByVehicleMake.Rows.Single(r => r.Category == "SYNTHETIC-A").Count);
        Assert.Equal(20, report.ByVehicleMake.Rows.Single(r => r.Category == "SYNTHETIC-B").Count);
        Assert.Equal(_recorded.Count(e => e.Location.Latitude == Barking.Latitude), report.ByBorough.Rows.Single(r => r.Category == "Barking and Dagenham").Count);
        var london = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        foreach (var hour in report.ByHour.Rows)
        {
            var expected = _recorded.Count(e => TimeZoneInfo.ConvertTimeFromUtc(e.OccurredAt.ToDateTime(), london).Hour.ToString("00", System.Globalization.CultureInfo.InvariantCulture) == hour.Category);
            Assert.True(expected == hour.Count, $"hour {hour.Category}: {hour.Count}, expected {expected}");
        }

        Assert.Equal(_recorded.Count(e => e.Sex == Sex.Female), report.BySex.Rows.Single(r => r.Category == "Female").Count);
        Assert.Equal(["25-34", "35 and over"], report.ByAgeRange.Rows.Select(r => r.Category));
        // The darkness test's sample is the stops in the inter-twilight window, less those in twilight.
        Assert.All(report.Darkness, d => Assert.True(d.GroupLight + d.GroupDark + d.WhiteLight + d.WhiteDark <= report.InterTwilightStops));
        Assert.True(report.InterTwilightStops + report.TwilightDropped <= report.VehicleStops);
    }

    [Fact]
    public async Task AssessVehicleStops_OneBorough_OnlyItsStops()
    {
        var report = await Client(Roles.Analyst).AssessVehicleStopsAsync(new VehicleStopsRequest { Borough = "E09000002", Window = Window });

        Assert.Equal("Barking and Dagenham", report.Borough);
        Assert.Equal(_recorded.Count(e => e.Location.Latitude == Barking.Latitude), report.VehicleStops);
    }

    [Fact]
    public async Task AssessVehicleStops_BadInputAndRoles_RefusedClearly()
    {
        var client = Client(Roles.Analyst);
        var backwards = await Assert.ThrowsAsync<RpcException>(() => client.AssessVehicleStopsAsync(new VehicleStopsRequest
        {
            Window = new TimeWindow { Start = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow), End = Timestamp.FromDateTimeOffset(_start) },
        }));
        var unknown = await Assert.ThrowsAsync<RpcException>(() => client.AssessVehicleStopsAsync(new VehicleStopsRequest { Borough = "Atlantis", Window = Window }));
        var publicCaller = await Assert.ThrowsAsync<RpcException>(() => Client(Roles.Public).AssessVehicleStopsAsync(new VehicleStopsRequest { Window = Window }));

        Assert.Equal(StatusCode.InvalidArgument, backwards.StatusCode);
        Assert.StartsWith("window", backwards.GetBadRequest()!.FieldViolations.Single().Field, StringComparison.Ordinal);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("'Atlantis'", unknown.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.PermissionDenied, publicCaller.StatusCode);
    }
}
