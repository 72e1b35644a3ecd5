using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using NetTopologySuite.Geometries;
using Targeting.Engine.Geography;
using Targeting.Feedback;
using Targeting.Feedback.Analysis;
using Targeting.Feedback.V1;
using Targeting.Grpc;
using Targeting.Hotspot;
using Targeting.Hotspot.Import;
using Targeting.Hotspot.Storage;
using Targeting.Hotspot.V1;
using Targeting.Stops;
using Targeting.Stops.Import;
using Targeting.Stops.V1;

namespace FeedbackBench;

/// <summary>
/// A full evaluation through the services, as <c>targeting serve</c> composes them (hotspot, stops
/// and feedback in one host, feedback reading the other two over gRPC, SQLite stores): all the
/// shared Met searches and London street crimes are loaded once into a data folder, a plan of the
/// 8 busiest 250 m cells of Jan–Mar 2022 is stored, and then, timed, EvaluatePlan (Jun 2021 – Sep
/// 2022: every search and incident), AssessFairness (force-wide, every search) and AssessCrimeChange
/// (before Jan–Mar, after Apr–Sep 2022: every incident), one after the other, N times.
/// </summary>
internal static class FullEvaluation
{
    public const string PlanId = "bench-plan";
    private const double CellM = 250;

    /// <param name="sharedData">The shared data folder (../shared/data).</param>
    /// <param name="folder">Where the SQLite stores and the peer's plan file live.</param>
    /// <param name="repeat">Timed repetitions after one warm-up.</param>
    /// <param name="postgres">A PostgreSQL + PostGIS connection string: both services store there instead of SQLite files in <paramref name="folder"/>, and the data is loaded once per data folder as for SQLite (give a fresh folder with a fresh database).</param>
    public static async Task<int> RunAsync(string sharedData, string folder, int repeat, string? postgres = null)
    {
        Directory.CreateDirectory(folder);
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var boroughs = Path.Combine(sharedData, "boundaries", "london_boroughs.geojson");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = postgres is null ? "sqlite" : "postgres",
            ["Storage:DataDirectory"] = folder,
            ["Storage:ConnectionString"] = postgres,
            ["Services:Hotspot:Address"] = address.ToString(),
            ["Services:Stops:Address"] = address.ToString(),
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

        var token = DevelopmentTokens.Issue([Roles.Analyst, Roles.Planner, Roles.Supervisor], "feedback-bench");
        using var client = new GrpcClient(address, new GrpcClientOptions { BearerToken = token, MaxReceiveMessageSize = 256 * 1024 * 1024 });
        var marker = Path.Combine(folder, "loaded");
        var crimes = Path.Combine(sharedData, "police-uk", "london_street_crime_2022-01_to_2022-09.csv.gz");
        if (!File.Exists(marker))
        {
            await LoadAsync(client, Path.Combine(sharedData, "police-uk", "metropolitan-stop-and-search"), crimes);
            await File.WriteAllTextAsync(marker, DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        }

        var projection = app.Services.GetRequiredService<Projection>();
        var store = app.Services.GetRequiredService<IHotspotStore>();
        if (await store.GetPlanAsync(PlanId, CancellationToken.None) is null)
        {
            var (plan, areas) = await BusiestCellsPlanAsync(crimes, projection);
            await store.SavePlanAsync(plan, areas, CancellationToken.None);
        }

        await WritePeerPlanAsync(await store.GetPlanAsync(PlanId, CancellationToken.None) ?? throw new InvalidOperationException("plan not stored"), projection, Path.Combine(folder, "plan.json"));

        var feedback = new FeedbackClient(client);
        var everything = LondonMonths.Window(LondonMonths.Key(2021, 6), LondonMonths.Key(2022, 9));
        var runs = new List<(double Evaluate, double Fairness, double Change, double Concurrent, double ReadStops, double ReadIncidents, double StoreStops, double StoreIncidents)>();
        var encounterStore = app.Services.GetRequiredService<Targeting.Stops.Storage.IEncounterStore>();
        var factsMethod = GrpcMethod<EncounterQuery, EncounterFacts>.For(StopsReflection.Descriptor.Services[0], "StreamEncounterFacts");
        var pointsMethod = GrpcMethod<StreamIncidentsRequest, IncidentPoints>.For(HotspotReflection.Descriptor.Services[0], "StreamIncidentPoints");
        var crimeChangeSpan = LondonMonths.Window(LondonMonths.Key(2022, 1), LondonMonths.Key(2022, 9));
        PlanEvaluation? evaluation = null;
        FairnessReport? fairness = null;
        CrimeChangeReport? change = null;
        var cpu = new CpuClock(postgres);
        var cpuRuns = new List<(double Process, double Postgres, double ReadProcess, double ReadPostgres)>();
        for (var i = 0; i <= repeat; i++)
        {
            var (process0, postgres0) = cpu.Read();
            var clock = Stopwatch.StartNew();
            evaluation = await feedback.EvaluatePlanAsync(new EvaluatePlanRequest { PlanId = PlanId, Window = everything });
            var evaluate = clock.Elapsed.TotalSeconds;
            clock.Restart();
            fairness = await feedback.AssessFairnessAsync(new FairnessRequest { Window = everything, PlanIds = { PlanId } });
            var fair = clock.Elapsed.TotalSeconds;
            clock.Restart();
            change = await feedback.AssessCrimeChangeAsync(new CrimeChangeRequest { PlanId = PlanId });
            var changed = clock.Elapsed.TotalSeconds;
            var (process1, postgres1) = cpu.Read();
            // The same three at once, as a dashboard asking for all of them would.
            clock.Restart();
            await Task.WhenAll(
                feedback.EvaluatePlanAsync(new EvaluatePlanRequest { PlanId = PlanId, Window = everything }),
                feedback.AssessFairnessAsync(new FairnessRequest { Window = everything, PlanIds = { PlanId } }),
                feedback.AssessCrimeChangeAsync(new CrimeChangeRequest { PlanId = PlanId }));
            var concurrent = clock.Elapsed.TotalSeconds;

            // What reading alone costs: the two source streams the evaluation reads, drained without analysis.
            var (process2, postgres2) = cpu.Read();
            clock.Restart();
            await foreach (var _ in client.ServerStreamingAsync(factsMethod, new EncounterQuery { Window = everything }))
            {
            }

            var readStops = clock.Elapsed.TotalSeconds;
            var (process3, postgres3) = cpu.Read();
            clock.Restart();
            await foreach (var _ in client.ServerStreamingAsync(pointsMethod, new StreamIncidentsRequest { Window = crimeChangeSpan, CrimeTypes = { evaluation.CrimeTypes } }))
            {
            }

            var readIncidents = clock.Elapsed.TotalSeconds;

            // And the stores alone, in process: what the services' reads cost before gRPC.
            clock.Restart();
            await foreach (var _ in encounterStore.QueryFactsAsync(new Targeting.Stops.Storage.EncounterFilter { From = everything.Start.ToDateTimeOffset(), To = everything.End.ToDateTimeOffset() }, CancellationToken.None))
            {
            }

            var storeStops = clock.Elapsed.TotalSeconds;
            clock.Restart();
            await foreach (var _ in store.QueryIncidentPointsAsync(new IncidentQuery(null, crimeChangeSpan.Start.ToDateTime(), crimeChangeSpan.End.ToDateTime(), evaluation.CrimeTypes), CancellationToken.None))
            {
            }

            var storeIncidents = clock.Elapsed.TotalSeconds;
            if (i > 0)
            {
                runs.Add((evaluate, fair, changed, concurrent, readStops, readIncidents, storeStops, storeIncidents));
                cpuRuns.Add((process1 - process0, postgres1 - postgres0, process3 - process2, postgres3 - postgres2));
            }

            Console.Error.WriteLine($"  run {i} CPU: sequential {process1 - process0:0.00} s in the services and client, {postgres1 - postgres0:0.00} s in PostgreSQL; " +
                $"encounters read alone {process3 - process2:0.00} s + {postgres3 - postgres2:0.00} s; load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");

            Console.Error.WriteLine($"  run {i}{(i == 0 ? " (warm-up)" : "")}: evaluate {evaluate:0.00} s, fairness {fair:0.00} s, crime change {changed:0.00} s, " +
                $"sequential {evaluate + fair + changed:0.00} s, concurrent {concurrent:0.00} s; reading alone: encounters {readStops:0.00} s, incidents {readIncidents:0.00} s; " +
                $"store alone: encounters {storeStops:0.00} s, incidents {storeIncidents:0.00} s");
        }

        await app.StopAsync();
        var json = new Dictionary<string, object>
        {
            ["evaluate_s"] = Median(runs.Select(r => r.Evaluate)),
            ["fairness_s"] = Median(runs.Select(r => r.Fairness)),
            ["crime_change_s"] = Median(runs.Select(r => r.Change)),
            ["sequential_s"] = Median(runs.Select(r => r.Evaluate + r.Fairness + r.Change)),
            ["concurrent_s"] = Median(runs.Select(r => r.Concurrent)),
            ["read_encounters_s"] = Median(runs.Select(r => r.ReadStops)),
            ["read_incidents_s"] = Median(runs.Select(r => r.ReadIncidents)),
            ["store_encounters_s"] = Median(runs.Select(r => r.StoreStops)),
            ["store_incidents_s"] = Median(runs.Select(r => r.StoreIncidents)),
            ["sequential_cpu_s"] = Median(cpuRuns.Select(r => r.Process)),
            ["sequential_pg_cpu_s"] = Median(cpuRuns.Select(r => r.Postgres)),
            ["read_encounters_cpu_s"] = Median(cpuRuns.Select(r => r.ReadProcess)),
            ["read_encounters_pg_cpu_s"] = Median(cpuRuns.Select(r => r.ReadPostgres)),
            ["repeat"] = repeat,
            ["searches_total"] = evaluation!.StopsTotal,
            ["searches_located"] = evaluation.StopsLocated,
            ["searches_inside"] = evaluation.StopsInside,
            ["incidents_total"] = evaluation.IncidentsTotal,
            ["incidents_inside"] = evaluation.IncidentsInside,
            ["fairness_searches"] = fairness!.Searches,
            ["black_white_ratio"] = fairness.Tables.First(t => t.Basis == EthnicityBasis.OfficerDefined).Groups.First(g => g.Group == "Black").RatioToWhite.Value,
            ["targeted_before"] = change!.TargetedBefore,
            ["targeted_after"] = change.TargetedAfter,
            ["buffer_before"] = change.BufferBefore,
            ["buffer_after"] = change.BufferAfter,
            ["control_cells"] = change.ControlCells,
            ["crime_types"] = evaluation.CrimeTypes.ToArray(),
        };
        Console.WriteLine(JsonSerializer.Serialize(json));
        return 0;
    }

    private static async Task LoadAsync(GrpcClient client, string stopFolder, string crimes)
    {
        var clock = Stopwatch.StartNew();
        var stops = new StopsClient(client);
        long searches = 0;
        foreach (var path in Directory.GetFiles(stopFolder, "*.csv").Order(StringComparer.Ordinal))
        {
            var file = StopSearchFile.Open(path);
            await using var call = stops.ImportEncounters();
            var first = true;
            foreach (var batch in file.ReadBatches(EncounterImporter.BatchSize, []))
            {
                var message = new ImportEncountersRequest { Source = first ? file.Source : "" };
                message.Encounters.Add(batch);
                await call.WriteAsync(message);
                first = false;
            }

            var summary = await call.CompleteAsync();
            searches += summary.Imported;
            Console.Error.WriteLine($"  loaded {file.Source}: {summary.Imported:N0} imported, {summary.Rejected:N0} rejected ({clock.Elapsed.TotalSeconds:0} s)");
        }

        var stopsSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var hotspot = new HotspotClient(client);
        await using (var call = hotspot.ImportIncidents())
        {
            var first = true;
            await CrimeFileImporter.ReadAsync(crimes, async (batch, ct) =>
            {
                var message = new ImportIncidentsRequest { Source = first ? Path.GetFileName(crimes) : "" };
                message.Incidents.Add(batch);
                await call.WriteAsync(message, ct);
                first = false;
            }, _ => { });
            var summary = await call.CompleteAsync();
            Console.Error.WriteLine($"  loaded {summary.Imported:N0} incidents ({summary.Rejected:N0} rejected) in {clock.Elapsed.TotalSeconds:0} s; " +
                $"{searches:N0} searches in {stopsSeconds:0} s");
        }
    }

    // The 8 250 m cells (British National Grid) holding most crimes of Jan–Mar 2022, valid Apr–Sep 2022.
    private static async Task<(PatrolPlan Plan, IReadOnlyList<Geometry> Areas)> BusiestCellsPlanAsync(string crimes, Projection projection)
    {
        var counts = new Dictionary<(long, long), int>();
        var types = new Dictionary<string, long>();
        var before = LondonMonths.Window(LondonMonths.Key(2022, 1), LondonMonths.Key(2022, 3));
        await CrimeFileImporter.ReadAsync(crimes, (batch, _) =>
        {
            foreach (var incident in batch)
            {
                if (incident.OccurredAt < before.Start || incident.OccurredAt >= before.End)
                {
                    continue;
                }

                var (x, y) = projection.Project(incident.Location.Longitude, incident.Location.Latitude);
                var key = ((long)Math.Floor(x / CellM), (long)Math.Floor(y / CellM));
                counts[key] = counts.GetValueOrDefault(key) + 1;
                types[incident.CrimeType] = types.GetValueOrDefault(incident.CrimeType) + 1;
            }

            return ValueTask.CompletedTask;
        }, _ => { });
        var plan = new PatrolPlan
        {
            PlanId = PlanId,
            AreaName = "custom",
            ValidWindow = LondonMonths.Window(LondonMonths.Key(2022, 4), LondonMonths.Key(2022, 9)),
            Provenance = new PlanProvenance
            {
                DataWindow = before,
                Crs = projection.Crs,
                TrainedOn = "feedback benchmark: the 8 busiest 250 m cells of Jan-Mar 2022",
                GeneratedAt = Timestamp.FromDateTime(DateTime.UtcNow),
            },
            Note = "bench/feedback",
            CreatedBy = "feedback-bench",
        };
        var areas = new List<Geometry>();
        var rank = 0;
        foreach (var ((cx, cy), count) in counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key).Take(8))
        {
            var square = projection.Factory.ToGeometry(new Envelope(cx * CellM, (cx + 1) * CellM, cy * CellM, (cy + 1) * CellM));
            var multi = projection.Factory.CreateMultiPolygon([(Polygon)square]);
            areas.Add(multi);
            rank++;
            plan.Areas.Add(new PatrolArea
            {
                AreaId = "A" + rank.ToString(CultureInfo.InvariantCulture),
                Rank = rank,
                Geometry = GeometryMapping.ToProto(projection.Unproject(multi)),
                HistoricalCount = count,
                AreaM2 = CellM * CellM,
            });
        }

        plan.PatrolAreaM2 = areas.Count * CellM * CellM;
        return (plan, areas);
    }

    // The plan's areas and their 250 m buffer ring in WGS84 for the peer (python has no projection library here; see peer.py).
    private static async Task WritePeerPlanAsync(PatrolPlan plan, Projection projection, string path)
    {
        var projected = plan.Areas.Select(a => projection.Project(GeometryMapping.ToNts(a.Geometry))).ToList();
        var union = NetTopologySuite.Operation.Union.UnaryUnionOp.Union(projected);
        var ring = union.Buffer(250).Difference(union);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(new
        {
            areas = Polygons(projection.Unproject(union)),
            buffer = Polygons(projection.Unproject(ring)),
            cell_m = CellM,
        }), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    private static object[] Polygons(Geometry geometry) =>
        [.. Enumerable.Range(0, geometry.NumGeometries).Select(i => (Polygon)geometry.GetGeometryN(i))
            .Select(p => new { exterior = Coordinates(p.ExteriorRing), holes = p.InteriorRings.Select(Coordinates).ToArray() })];

    private static double[][] Coordinates(LineString line) => [.. line.Coordinates.Select(c => new[] { c.X, c.Y })];

    // CPU seconds of this process (services and client) and of the PostgreSQL cluster behind the
    // connection string (its postmaster, live backends and the children it has reaped), from /proc.
    private sealed class CpuClock(string? postgres)
    {
        private readonly int _postmaster = postgres is null ? 0 : Postmaster(postgres);

        public (double Process, double Postgres) Read()
        {
            var process = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
            if (_postmaster == 0)
            {
                return (process, 0);
            }

            double ticks = 0;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                var stat = Stat(dir);
                if (stat is null)
                {
                    continue;
                }

                var pid = int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture);
                if (pid == _postmaster)
                {
                    ticks += stat[11] + stat[12] + stat[13] + stat[14];
                }
                else if ((int)stat[1] == _postmaster)
                {
                    ticks += stat[11] + stat[12];
                }
            }

            return (process, ticks / 100.0);
        }

        // Fields after the command's closing parenthesis: state, ppid, ... (stat[1] = ppid, [11..14] = utime, stime, cutime, cstime).
        private static double[]? Stat(string dir)
        {
            if (!int.TryParse(Path.GetFileName(dir), out _))
            {
                return null;
            }

            try
            {
                var text = File.ReadAllText(Path.Combine(dir, "stat"));
                return [.. text[(text.LastIndexOf(')') + 2)..].Split(' ').Select(f => double.TryParse(f, CultureInfo.InvariantCulture, out var v) ? v : 0)];
            }
            catch (IOException)
            {
                return null;
            }
        }

        private static int Postmaster(string connectionString)
        {
            using var connection = new Npgsql.NpgsqlConnection(connectionString);
            connection.Open();
            using var command = new Npgsql.NpgsqlCommand("SELECT pg_backend_pid()", connection);
            var backend = (int)command.ExecuteScalar()!;
            return (int)Stat($"/proc/{backend}")![1];
        }
    }

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
