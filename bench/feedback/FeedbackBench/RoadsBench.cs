using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Targeting.Common.V1;
using Targeting.Engine.Roads;
using Targeting.Feedback;
using Targeting.Feedback.Analysis;
using Targeting.Feedback.V1;
using Targeting.Grpc;
using Targeting.Hotspot;
using Targeting.Stops;
using Targeting.Stops.Access;
using Targeting.Stops.Storage;
using Targeting.Stops.V1;

namespace FeedbackBench;

/// <summary>
/// The roads analysis over generated vehicle stops through the services: N stops (default 1,000,000)
/// over the six months Jan–Jun 2022 at London street points, written once into the stops store of a
/// data folder (in process, by the store's bulk import: the load is not what is timed), then, timed,
/// AssessVehicleStops on the real feedback service reading the real stops service over gRPC, N times;
/// and, to see where the time goes, the same steps apart: the facts stream drained, the read into
/// VehicleStop records, and the engine's test, outcomes and tables in process.
/// </summary>
internal static class RoadsBench
{
    private static readonly string[] Makes = ["FORD", "VAUXHALL", "VOLKSWAGEN", "BMW", "MERCEDES-BENZ", "AUDI", "TOYOTA", "NISSAN", "PEUGEOT", "RENAULT", "KIA", "HYUNDAI", "HONDA", "SKODA", "TESLA"];

    public static async Task<int> RunAsync(string sharedData, string folder, int count, int repeat, bool inTimeOrder = true)
    {
        Directory.CreateDirectory(folder);
        var address = new Uri($"http://127.0.0.1:{FullEvaluation.FreePort()}");
        var boroughs = Path.Combine(sharedData, "boundaries", "london_boroughs.geojson");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "sqlite",
            ["Storage:DataDirectory"] = folder,
            ["Services:Hotspot:Address"] = address.ToString(),
            ["Services:Stops:Address"] = address.ToString(),
            // A loaded, shared machine can take minutes; the bench times the call, it does not bound it.
            ["Services:CallTimeout"] = "00:10:00",
            ["Hotspot:Boundaries:0:Path"] = boroughs,
            ["Hotspot:Boundaries:0:Kind"] = "borough",
            ["Stops:BoundaryPath"] = boroughs,
            ["Feedback:CensusPath"] = Path.Combine(sharedData, "census", "census2021_ethnic_group_london_boroughs.csv"),
            ["Feedback:BoroughBoundaryPath"] = boroughs,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(address.ToString());
        builder.Services.AddGrpcServer(builder.Configuration);
        builder.Services.AddHotspotService(builder.Configuration);
        builder.Services.AddStopsService(builder.Configuration);
        builder.Services.AddFeedbackService(builder.Configuration);
        await using var app = builder.Build();
        app.UseGrpcServer();
        app.MapHotspotService();
        app.MapStopsService();
        app.MapFeedbackService();
        await app.StartAsync();

        var store = app.Services.GetRequiredService<IEncounterStore>();
        var marker = Path.Combine(folder, inTimeOrder ? $"roads-loaded-{count}-in-time-order" : $"roads-loaded-{count}");
        var loadSeconds = double.NaN;
        if (!File.Exists(marker))
        {
            var load = Stopwatch.StartNew();
            await LoadAsync(store, count, inTimeOrder);
            loadSeconds = load.Elapsed.TotalSeconds;
            await File.WriteAllTextAsync(marker, DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        }

        var token = DevelopmentTokens.Issue([Roles.Analyst], "roads-bench");
        using var client = new GrpcClient(address, new GrpcClientOptions { BearerToken = token, MaxReceiveMessageSize = 256 * 1024 * 1024, UnaryDeadline = TimeSpan.FromMinutes(10) });
        var feedback = new FeedbackClient(client);
        var window = LondonMonths.Window(LondonMonths.Key(2022, 1), LondonMonths.Key(2022, 6));
        var factsMethod = GrpcMethod<EncounterQuery, EncounterFacts>.For(StopsReflection.Descriptor.Services[0], "StreamEncounterFacts");
        var places = app.Services.GetRequiredService<Targeting.Feedback.Reference.ReferenceData>().Places;
        var runs = new List<Dictionary<string, double>>();
        VehicleStopsReport? report = null;
        for (var i = 0; i <= repeat; i++)
        {
            var t = new Dictionary<string, double>();
            var clock = new StageClock();
            report = await feedback.AssessVehicleStopsAsync(new VehicleStopsRequest { Window = window });
            clock.Mark(t, "service");
            await foreach (var _ in client.ServerStreamingAsync(factsMethod, new EncounterQuery { Window = window }))
            {
            }

            clock.Mark(t, "stream");
            var sample = await RoadsAnalysis.ReadAsync(client.ServerStreamingAsync(factsMethod, new EncounterQuery { Window = window }), places, CancellationToken.None);
            clock.Mark(t, "read");
            VeilOfDarkness.Run(sample.Stops);
            clock.Mark(t, "darkness");
            VeilOfDarkness.SharesByClockTime(sample.Stops);
            clock.Mark(t, "plot bins");
            PostStopOutcomes.Compute(sample.Stops);
            clock.Mark(t, "outcomes");
            RoadsTables.Describe(sample.Stops);
            clock.Mark(t, "tables");
            await StagesAsync(store, window, places, t);
            if (i > 0)
            {
                runs.Add(t);
            }

            Console.Error.WriteLine($"run {i}{(i == 0 ? " (warm-up)" : "")}: " + string.Join(", ", t.Select(kv => $"{kv.Key} {kv.Value:0.00} s")));
        }

        var medians = runs[0].Keys.ToDictionary(k => k, k => FullEvaluation.Median(runs.Select(r => r[k])));
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            stops = count,
            vehicle_stops = report!.VehicleStops,
            inter_twilight = report.InterTwilightStops,
            load_seconds = double.IsNaN(loadSeconds) ? (double?)null : loadSeconds,
            medians,
            darkness = report.Darkness.Select(d => new { d.Group, d.Coefficient, d.CiLow, d.CiHigh, d.Note }),
        }));
        return 0;
    }

    /// <summary>
    /// The stream's stages apart, in process, without gRPC: the store's read of the fact rows, their
    /// columns built into EncounterFacts batches, the batches serialised and parsed back, each batch's
    /// audit entry written, and the parsed batches read into vehicle stops.
    /// </summary>
    private static async Task StagesAsync(IEncounterStore store, Targeting.Common.V1.TimeWindow window, Targeting.Feedback.Analysis.StopPlaces places, Dictionary<string, double> t)
    {
        var filter = new EncounterFilter { From = window.Start.ToDateTimeOffset(), To = window.End.ToDateTimeOffset() };
        var clock = new StageClock();
        var rows = new List<EncounterFactRow>();
        await foreach (var row in store.QueryFactsAsync(filter, CancellationToken.None))
        {
            rows.Add(row);
        }

        clock.Mark(t, "stage: store read");
        var batches = rows.Chunk(4096).Select(c => EncounterViews.ToFacts(c)).ToList();
        clock.Mark(t, "stage: columns built");
        var bytes = batches.Select(b => b.ToByteArray()).ToList();
        clock.Mark(t, "stage: serialised");
        var parsed = bytes.Select(EncounterFacts.Parser.ParseFrom).ToList();
        clock.Mark(t, "stage: parsed");
        t["stage: MB"] = bytes.Sum(b => (double)b.Length) / 1e6;
        var now = DateTimeOffset.UtcNow;
        foreach (var chunk in rows.Chunk(4096))
        {
            await store.AppendAuditAsync(new AuditEntry(now, "roads-bench", "analyst", "query", "StreamEncounterFacts", chunk.Select(r => r.EncounterId).ToList(), chunk.Length, EncounterViews.FactFields), CancellationToken.None);
        }

        clock.Mark(t, "stage: audits written");
        await RoadsAnalysis.ReadAsync(parsed.ToAsyncEnumerable(), places, CancellationToken.None);
        clock.Mark(t, "stage: decoded (ReadAsync)");
    }

    /// <summary>Writes <paramref name="count"/> generated vehicle stops (about 10% followed by a vehicle search) in batches.</summary>
    private static async Task LoadAsync(IEncounterStore store, int count, bool inTimeOrder)
    {
        var random = new Random(20261203);
        var start = new DateTimeOffset(2022, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var span = (new DateTimeOffset(2022, 7, 1, 0, 0, 0, TimeSpan.Zero) - start).TotalSeconds;
        var recordedAt = DateTimeOffset.UtcNow;
        var batch = new List<NewEncounter>(5000);
        for (var i = 0; i < count; i++)
        {
            var searched = random.NextDouble() < 0.1;
            var group = random.NextDouble() switch
            {
                < 0.55 => OfficerDefinedEthnicity.White,
                < 0.75 => OfficerDefinedEthnicity.Black,
                < 0.90 => OfficerDefinedEthnicity.Asian,
                < 0.97 => OfficerDefinedEthnicity.Other,
                _ => OfficerDefinedEthnicity.Mixed,
            };
            var found = searched && random.NextDouble() < 0.25;
            var encounter = new Encounter
            {
                // Uniform over the six months, whole seconds.
                // In time order, stop i falls in the i-th of count equal slices of the span: recorded as
                // they happen, rows lie in the store much as they are read (oldest first). Otherwise in
                // random order, the worst case for that read (see results-roads-2026-12-04.md).
                OccurredAt = Timestamp.FromDateTimeOffset(start.AddSeconds(Math.Floor(inTimeOrder ? (i + random.NextDouble()) * span / count : random.NextDouble() * span))),
                // London street points snapped to a 0.002° grid (about 15,000 points), as data.police.uk snaps.
                Location = new LatLng { Latitude = Math.Round((51.40 + (random.NextDouble() * 0.20)) / 0.002) * 0.002, Longitude = Math.Round((-0.30 + (random.NextDouble() * 0.35)) / 0.002) * 0.002 },
                LocationPrecision = LocationPrecision.Exact,
                Type = searched ? EncounterType.VehicleSearch : EncounterType.VehicleStopWithoutSearch,
                LegalPower = searched ? LegalPower.PaceS1 : LegalPower.RoadTrafficS163,
                ObjectOfSearch = searched ? ObjectOfSearch.ControlledDrugs : ObjectOfSearch.Unspecified,
                Outcome = found ? Outcome.Arrest : searched ? Outcome.NoFurtherAction : random.NextDouble() < 0.5 ? Outcome.WordsOfAdvice : Outcome.TrafficOffenceReport,
                OutcomeLinkedToObject = searched ? (found ? Answer.Yes : Answer.No) : Answer.Unspecified,
                Sex = random.NextDouble() < 0.8 ? Sex.Male : Sex.Female,
                AgeRange = (AgeRange)random.Next(3, 6),
                OfficerDefinedEthnicity = group,
                Vehicle = new Vehicle { Make = Makes[random.Next(Makes.Length)], Model = "M" + random.Next(0, 12).ToString(CultureInfo.InvariantCulture) },
            };
            var id = Guid.CreateVersion7().ToString();
            batch.Add(new NewEncounter(id, null, null, recordedAt, "roads-bench", encounter, new PatrolLink { Status = PatrolLinkStatus.Outside }, "roads-bench", i + 2));
            if (batch.Count == batch.Capacity || i == count - 1)
            {
                await store.ImportAsync(batch, new AuditEntry(recordedAt, "roads-bench", "service", "import", "roads bench load", [], 0, ""), CancellationToken.None);
                batch.Clear();
                if ((i + 1) % 100_000 == 0)
                {
                    Console.Error.WriteLine($"loaded {i + 1:N0} stops");
                }
            }
        }
    }
}

/// <summary>
/// Wall time and this process's CPU time (all threads) between marks. On a shared, loaded machine the
/// wall time is mostly waiting for a core; the CPU time is what the step itself costs.
/// </summary>
internal sealed class StageClock
{
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private TimeSpan _cpu = Process.GetCurrentProcess().TotalProcessorTime;

    /// <summary>Records the step since the last mark as t[key] (wall seconds) and t[key + " cpu"] (CPU seconds), and starts the next.</summary>
    public void Mark(Dictionary<string, double> t, string key)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        t[key] = _wall.Elapsed.TotalSeconds;
        t[key + " cpu"] = (cpu - _cpu).TotalSeconds;
        _cpu = cpu;
        _wall.Restart();
    }
}
