using Google.Protobuf.WellKnownTypes;
using Targeting.Common.V1;
using Targeting.Feedback.Analysis;
using Targeting.Grpc;
using Targeting.Stops;
using Targeting.Stops.V1;
using Targeting.Testing;

namespace Targeting.Feedback.Tests.Support;

/// <summary>
/// A small world of searches over four London months (February to May 2024, across the change to
/// summer time) in the two shipped boroughs and unlocated, imported into the real stops service
/// (PostGIS when TARGETING_TEST_PG names a server, else SQLite), one patrol plan around Brixton on
/// a stand-in hotspot service, and the real feedback service with the shipped Census file and
/// borough polygons, reading both over gRPC. Every search's true attributes are kept for the tests.
/// </summary>
public sealed class TransparencyWorld : IAsyncLifetime
{
    /// <summary>The report's row labels in its order (boroughs by name, then not placed).</summary>
    public static readonly string[] RowLabels = ["Barking and Dagenham", "Lambeth", TransparencyReportBuilder.NotPlaced];

    /// <summary>The world's months, as London month keys.</summary>
    public static readonly int[] Months = [.. Enumerable.Range(LondonMonths.Key(2024, 2), 4)];

    /// <summary>Two searches an attacker knows of (their time to the second, their borough): whole seconds.</summary>
    public static readonly DateTime[] Known = [new(2024, 3, 14, 15, 20, 15, DateTimeKind.Utc), new(2024, 4, 9, 8, 0, 0, DateTimeKind.Utc)];

    private static readonly LatLng Brixton = new() { Latitude = 51.4627, Longitude = -0.1145 };
    private static readonly LatLng Stockwell = new() { Latitude = 51.4723, Longitude = -0.1230 };
    private static readonly LatLng Barking = new() { Latitude = 51.5396, Longitude = 0.0810 };

    // The plan covers 250 m around Brixton from 1 March to 20 April 2024 (UTC).
    private static readonly DateTime PlanFrom = new(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime PlanTo = new(2024, 4, 20, 0, 0, 0, DateTimeKind.Utc);

    private readonly PostgresDatabase _database = new();
    private readonly ServiceHosts _hosts = new();
    private FakeSources? _hotspot;
    private string? _folder;

    /// <summary>The feedback service's address.</summary>
    public Uri Feedback { get; private set; } = null!;

    /// <summary>"PostGIS" or "SQLite".</summary>
    public string Store { get; private set; } = "";

    /// <summary>Every search imported, with its true attributes.</summary>
    public IReadOnlyList<Search> Searches { get; private set; } = [];

    /// <summary>A search as the report counts it: row index into <see cref="RowLabels"/>, ethnicity and object labels.</summary>
    public sealed record Search(DateTime At, int Row, string Ethnicity, string Object, bool Arrest, bool Find, bool Inside);

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        _folder = Directory.CreateTempSubdirectory("feedback-transparency-").FullName;
        var storage = new Dictionary<string, string?>
        {
            ["Stops:BoundaryPath"] = RepoPaths.InRepo("data", "boundaries", "london_boroughs_barking_dagenham_lambeth.geojson"),
        };
        if (_database.IsAvailable)
        {
            Store = "PostGIS";
            storage["Storage:Provider"] = "postgres";
            storage["Storage:ConnectionString"] = _database.ConnectionString;
        }
        else
        {
            Store = "SQLite";
            storage["Storage:Provider"] = "sqlite";
            storage["Storage:DataDirectory"] = _folder;
        }

        var stops = await _hosts.StartAsync(storage, (s, c) => s.AddStopsService(c), app => app.MapStopsService());
        var (encounters, searches) = Plant();
        Searches = searches;
        using (var client = new StopsClient(stops, new GrpcClientOptions { BearerToken = DevelopmentTokens.Issue(Roles.Service, "transparency-world") }))
        {
            await using var call = client.ImportEncounters();
            var message = new ImportEncountersRequest { Source = "transparency-world.csv" };
            message.Encounters.Add(encounters);
            await call.WriteAsync(message);
            var summary = await call.CompleteAsync();
            if (summary.Imported != encounters.Count)
            {
                throw new InvalidOperationException($"imported {summary.Imported} of {encounters.Count}: {string.Join("; ", summary.RejectedRows.Select(r => r.Reason))}");
            }
        }

        var (x, y) = World.Bng.Project(Brixton.Longitude, Brixton.Latitude);
        var plan = World.Plan("P-brixton", [(x - 250, y - 250, x + 250, y + 250)], Iso(PlanFrom), Iso(PlanTo));
        _hotspot = await FakeSources.StartAsync([plan], [], []);
        Feedback = await _hosts.StartFeedbackAsync(_hotspot.Address, stops);
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

    /// <summary>A feedback client with a development token of the given role.</summary>
    public FeedbackClient Client(string role) =>
        new(new GrpcClient(Feedback, new GrpcClientOptions { BearerToken = DevelopmentTokens.Issue(role, "transparency-test"), Retry = null }));

    private static string Iso(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    // Seeded: per month about 22 searches in Lambeth, 9 in Barking and Dagenham, 4 unlocated, so most
    // borough-months hold small counts; plus the two known searches (an Asian firearms arrest in
    // Lambeth, a Mixed stolen-goods search in Barking and Dagenham).
    private static (List<ImportedEncounter> Encounters, List<Search> Searches) Plant()
    {
        var random = new Random(44);
        var ethnicities = new[]
        {
            (OfficerDefinedEthnicity.White, 40), (OfficerDefinedEthnicity.Black, 30), (OfficerDefinedEthnicity.Asian, 12),
            (OfficerDefinedEthnicity.Other, 8), (OfficerDefinedEthnicity.Mixed, 5), (OfficerDefinedEthnicity.Unspecified, 5),
        };
        var objects = new[]
        {
            (ObjectOfSearch.ControlledDrugs, 50), (ObjectOfSearch.OffensiveWeapons, 25), (ObjectOfSearch.StolenGoods, 15),
            (ObjectOfSearch.Firearms, 5), (ObjectOfSearch.Unspecified, 5),
        };
        var outcomes = new[] { (Outcome.NoFurtherAction, 70), (Outcome.Arrest, 15), (Outcome.CommunityResolution, 15) };
        var encounters = new List<ImportedEncounter>();
        var searches = new List<Search>();
        void Add(DateTime at, LatLng? place, OfficerDefinedEthnicity ethnicity, ObjectOfSearch what, Outcome outcome, bool linked)
        {
            encounters.Add(new ImportedEncounter { RowNumber = encounters.Count + 2, Encounter = Encounter(at, place, ethnicity, what, outcome, linked) });
            var row = place is null ? 2 : ReferenceEquals(place, Barking) ? 0 : 1;
            var inside = ReferenceEquals(place, Brixton) && at >= PlanFrom && at < PlanTo;
            var group = StopFacts.ToBroad(ethnicity) is { } g ? Engine.Statistics.EthnicityMapping.Name(g) : "Not recorded";
            searches.Add(new Search(at, row, group, ObjectLabels.Label(what), outcome == Outcome.Arrest, linked, inside));
        }

        foreach (var month in Months)
        {
            var start = LondonMonths.StartUtc(month);
            var span = (LondonMonths.StartUtc(month + 1) - start).Ticks;
            foreach (var (place, mean) in new (LatLng?, int)[] { (Brixton, 12), (Stockwell, 10), (Barking, 9), (null, 4) })
            {
                var n = mean + random.Next(-3, 4);
                for (var i = 0; i < n; i++)
                {
                    // Whole microseconds, never in the second of a known search.
                    var at = start.AddTicks(random.NextInt64(span / 10) * 10);
                    if (Known.Any(k => Math.Abs((at - k).TotalSeconds) < 2))
                    {
                        continue;
                    }

                    var outcome = Pick(random, outcomes);
                    Add(at, place, Pick(random, ethnicities), Pick(random, objects), outcome, outcome != Outcome.NoFurtherAction && random.Next(2) == 0);
                }
            }
        }

        Add(Known[0], Brixton, OfficerDefinedEthnicity.Asian, ObjectOfSearch.Firearms, Outcome.Arrest, linked: true);
        Add(Known[1], Barking, OfficerDefinedEthnicity.Mixed, ObjectOfSearch.StolenGoods, Outcome.NoFurtherAction, linked: false);
        return (encounters, searches);
    }

    private static T Pick<T>(Random random, (T Value, int Weight)[] choices)
    {
        var roll = random.Next(choices.Sum(c => c.Weight));
        foreach (var (value, weight) in choices)
        {
            if ((roll -= weight) < 0)
            {
                return value;
            }
        }

        throw new InvalidOperationException("unreachable");
    }

    private static Encounter Encounter(DateTime at, LatLng? place, OfficerDefinedEthnicity ethnicity, ObjectOfSearch what, Outcome outcome, bool linked) => new()
    {
        OccurredAt = Timestamp.FromDateTime(at),
        Location = place?.Clone(),
        LocationPrecision = place is null ? LocationPrecision.Unlocated : LocationPrecision.Exact,
        Type = EncounterType.PersonSearch,
        LegalPower = LegalPower.PaceS1,
        Grounds = "Seen passing a package in exchange for cash",
        ObjectOfSearch = what,
        Outcome = outcome,
        OutcomeLinkedToObject = linked ? Answer.Yes : Answer.No,
        Sex = Sex.Male,
        AgeRange = AgeRange._18To24,
        OfficerDefinedEthnicity = ethnicity,
    };
}
