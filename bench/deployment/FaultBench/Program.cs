// The load-and-fault run on the split services (bench/deployment/faults.sh runs it):
//   FaultBench run --stops URI --hotspot URI --feedback URI --run-dir DIR --pg-dir DIR --pg CS
//                  --out FILE [--rate 40] [--phase-seconds 40] [--warmup-seconds 20] [--pg-down-seconds 10]
//     An open-loop recording client (writes arrive at a fixed rate whatever the replies do, latency
//     counted from the arrival), officers of two teams, with plans proposed, plans evaluated and
//     supervisors' reads alongside; between phases it kills each service in turn with kill -9
//     (scripts/run-local.sh --restart starts it again), then stops and restarts PostgreSQL, then
//     crashes it (immediate shutdown). Afterwards it checks the database: every acknowledged write
//     stored exactly once. Writes a Markdown section and a JSON file of the raw counts.
//   FaultBench import --hotspot URI FILE...
//     imports street-crime files into the hotspot service (as `targeting import crimes --server`
//     does), so that plans can be proposed; prints the counts.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Health.V1;
using Npgsql;
using Targeting.Common.V1;
using Targeting.Feedback;
using Targeting.Feedback.V1;
using Targeting.Grpc;
using Targeting.Hotspot;
using Targeting.Hotspot.Import;
using Targeting.Hotspot.V1;
using Targeting.Stops;
using Targeting.Stops.V1;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (args.Length >= 3 && args[0] == "import" && args[1] == "--hotspot")
{
    using var channel = new GrpcClient(new Uri(args[2]), new GrpcClientOptions { BearerToken = DevelopmentTokens.Issue(Roles.Planner, "fault-bench-import") });
    var hotspot = new HotspotClient(channel);
    foreach (var path in args[3..])
    {
        await using var call = hotspot.ImportIncidents();
        var first = true;
        long rejectedByReader = 0;
        var read = await CrimeFileImporter.ReadAsync(path, async (batch, ct) =>
        {
            var message = new ImportIncidentsRequest { Source = first ? Path.GetFileName(path) : string.Empty };
            message.Incidents.AddRange(batch);
            first = false;
            await call.WriteAsync(message, ct);
        }, _ => rejectedByReader++);
        var summary = await call.CompleteAsync();
        Console.WriteLine($"{Path.GetFileName(path)}: {read.RowsRead} rows, {summary.Imported} imported, {summary.Duplicates} already held, {rejectedByReader + summary.Rejected} rejected");
    }
    return 0;
}

if (args.Length == 0 || args[0] != "run")
{
    Console.WriteLine("usage: FaultBench run --stops URI --hotspot URI --feedback URI --run-dir DIR --pg-dir DIR --pg CS --out FILE");
    Console.WriteLine("                      [--rate 40] [--phase-seconds 40] [--warmup-seconds 20] [--pg-down-seconds 10]");
    Console.WriteLine("       FaultBench import --hotspot URI FILE...");
    return 2;
}

var options = FaultOptions.Parse(args[1..]);
var run = new FaultRun(options);
return await run.RunAsync();

internal sealed record FaultOptions(
    Uri Stops, Uri Hotspot, Uri Feedback, string RunDir, string PgDir, string Postgres, string Out,
    double Rate, int PhaseSeconds, int WarmupSeconds, int PgDownSeconds, string Repo)
{
    public static FaultOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i]] = args[i + 1];
        }

        return new FaultOptions(
            new Uri(values["--stops"]), new Uri(values["--hotspot"]), new Uri(values["--feedback"]),
            values["--run-dir"], values["--pg-dir"], values["--pg"], values["--out"],
            double.Parse(values.GetValueOrDefault("--rate") ?? "40", CultureInfo.InvariantCulture),
            int.Parse(values.GetValueOrDefault("--phase-seconds") ?? "40"),
            int.Parse(values.GetValueOrDefault("--warmup-seconds") ?? "20"),
            int.Parse(values.GetValueOrDefault("--pg-down-seconds") ?? "10"),
            values.GetValueOrDefault("--repo") ?? Directory.GetCurrentDirectory());
    }
}

/// <summary>One phase: a name, when it starts (seconds from the run's start) and the fault at its start.</summary>
internal sealed record Phase(string Name, double Start, string? Fault, string? Target);

/// <summary>One acknowledged write: what the client keeps to check the store afterwards.</summary>
internal sealed record Ack(long Seq, string RequestId, string EncounterId, string Team, string Officer, bool Replayed, int Attempts, double Due, double AckedAt);

internal sealed class FaultRun(FaultOptions options)
{
    private static readonly GrpcMethod<HealthCheckRequest, HealthCheckResponse> HealthCheck =
        GrpcMethod<HealthCheckRequest, HealthCheckResponse>.For(HealthReflection.Descriptor.Services[0], "Check");

    private static readonly string[] Teams = ["team-north", "team-south"];
    private const int OfficersPerTeam = 4;

    // Points in Lambeth and in Barking and Dagenham (inside the Metropolitan Police boundary).
    private static readonly (double Lat, double Lon)[] Centres =
    [
        (51.4627, -0.1145), (51.4723, -0.1229), (51.4435, -0.1160), (51.4279, -0.1235),
        (51.5362, 0.0810), (51.5450, 0.1300), (51.5540, 0.1500),
    ];

    private readonly string _runId = "fault-" + DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
    private readonly long _t0 = Stopwatch.GetTimestamp();
    private readonly List<Phase> _phases = [];
    private readonly Lock _phaseLock = new();
    private readonly ConcurrentDictionary<long, Ack> _acks = new();
    private readonly ConcurrentDictionary<string, long> _attemptErrors = new();
    private readonly ConcurrentDictionary<string, long> _counters = new();
    private readonly ConcurrentDictionary<string, ConcurrentBag<double>> _latencies = new();
    private readonly ConcurrentBag<(double At, string Kind, bool Ok)> _events = [];
    private readonly ConcurrentBag<(double At, string Service, bool Serving)> _probes = [];
    private readonly ConcurrentBag<string> _violations = [];
    private readonly ConcurrentDictionary<StatusCode, string> _details = new();
    private readonly ConcurrentBag<string> _planIds = [];
    private readonly List<string> _log = [];
    private long _inFlight;
    private double _giveUpAt = double.MaxValue;
    private const int MaxAttemptsInFlight = 64;
    private readonly SemaphoreSlim _attemptSlots = new(MaxAttemptsInFlight);
    private string? _latestPlan;

    private double Now => Stopwatch.GetElapsedTime(_t0).TotalSeconds;

    public async Task<int> RunAsync()
    {
        var officers = Teams.SelectMany(team => Enumerable.Range(1, OfficersPerTeam).Select(k => (Team: team, Subject: $"{_runId}-{team}-o{k}"))).ToArray();
        var stopsClients = officers.Select(o => new StopsClient(options.Stops, Client(DevelopmentTokens.Issue(Roles.Officer, o.Subject, o.Team, TimeSpan.FromHours(4))))).ToArray();
        var supervisors = Teams.ToDictionary(t => t, t => new StopsClient(options.Stops, Client(DevelopmentTokens.Issue(Roles.Supervisor, $"{_runId}-{t}-sergeant", t, TimeSpan.FromHours(4)))));
        using var planner = new GrpcClient(options.Hotspot, Client(DevelopmentTokens.Issue(Roles.Planner, $"{_runId}-planner", null, TimeSpan.FromHours(4))));
        using var analyst = new GrpcClient(options.Feedback, Client(DevelopmentTokens.Issue(Roles.Analyst, $"{_runId}-analyst", null, TimeSpan.FromHours(4))));
        var hotspot = new HotspotClient(planner);
        var feedback = new FeedbackClient(analyst);

        // The schedule: warm-up, steady, then one fault per phase.
        var p = options.PhaseSeconds;
        var w = options.WarmupSeconds;
        var schedule = new List<Phase>
        {
            new("warm-up", 0, null, null),
            new("steady", w, null, null),
            new("kill -9 hotspot", w + p, "kill", "hotspot"),
            new("kill -9 stops", w + 2 * p, "kill", "stops"),
            new("kill -9 feedback", w + 3 * p, "kill", "feedback"),
            new($"PostgreSQL stopped {options.PgDownSeconds} s (fast shutdown), restarted", w + 4 * p, "pg-stop", "postgres"),
            new($"PostgreSQL crashed (immediate shutdown), restarted after {options.PgDownSeconds} s", w + 5 * p + options.PgDownSeconds, "pg-crash", "postgres"),
            new("after", w + 6 * p + 2 * options.PgDownSeconds, null, null),
        };
        var end = w + 7 * p + 2 * options.PgDownSeconds;
        // A write still failing two minutes after the load is over is given up (and counted).
        _giveUpAt = end + 120;
        lock (_phaseLock)
        {
            _phases.Add(schedule[0]);
        }

        Log($"run {_runId}: {options.Rate:F0} writes/s for {end} s, phases of {p} s");
        using var cts = new CancellationTokenSource();
        var loops = new List<Task>
        {
            RecordLoopAsync(stopsClients, officers, end),
            ProbeLoopAsync("stops", options.Stops, StopsServiceExtensions.HealthName, cts.Token),
            ProbeLoopAsync("hotspot", options.Hotspot, HotspotReflection.Descriptor.Services[0].FullName, cts.Token),
            ProbeLoopAsync("feedback", options.Feedback, FeedbackReflection.Descriptor.Services[0].FullName, cts.Token),
            EveryAsync("propose plan", 10, 1, end, maxInFlight: 2, () => ProposeAsync(hotspot)),
            EveryAsync("get plan", 0.5, 0.3, end, maxInFlight: 4, () => GetPlanAsync(hotspot)),
            EveryAsync("evaluate plan", 10, 6, end, maxInFlight: 2, () => EvaluateAsync(feedback)),
        };
        foreach (var team in Teams)
        {
            var other = Teams.Single(t => t != team);
            loops.Add(EveryAsync("supervisor query", 2, 0.5, end, maxInFlight: 2, () => SupervisorQueryAsync(supervisors[team], team)));
            loops.Add(EveryAsync("supervisor get", 0.25, 0.1, end, maxInFlight: 8, () => SupervisorGetAsync(supervisors[team], team, other)));
        }
        loops.Add(EveryAsync("officer get", 0.5, 0.2, end, maxInFlight: 4, () => OfficerGetAsync(stopsClients, officers)));

        foreach (var phase in schedule.Skip(1))
        {
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, phase.Start - Now)));
            lock (_phaseLock)
            {
                _phases.Add(phase with { Start = Now });
            }
            Log($"phase '{phase.Name}' at {Now:F1} s");
            await InjectAsync(phase);
        }

        await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, end - Now)));
        cts.Cancel();
        Log($"load over at {Now:F1} s; {Interlocked.Read(ref _inFlight)} writes still in flight, waiting for them (at most 120 s)");
        await Task.WhenAll(loops.Select(l => l.ContinueWith(_ => { })));

        var verification = await VerifyAsync(hotspot);
        await WriteReportAsync(end, verification);
        foreach (var client in stopsClients.Concat(supervisors.Values))
        {
            client.Dispose();
        }
        return verification.Ok && _violations.IsEmpty ? 0 : 1;
    }

    private static GrpcClientOptions Client(string token) => new() { BearerToken = token, Retry = null };

    private void Log(string line)
    {
        var text = $"[{Now,7:F1} s] {line}";
        Console.WriteLine(text);
        lock (_log)
        {
            _log.Add(text);
        }
    }

    private string PhaseAt(double t)
    {
        lock (_phaseLock)
        {
            return _phases.Last(ph => ph.Start <= t).Name;
        }
    }

    private void Count(string key) => _counters.AddOrUpdate(key, 1, (_, v) => v + 1);

    // ---------------------------------------------------------------- faults

    private async Task InjectAsync(Phase phase)
    {
        switch (phase.Fault)
        {
            case "kill":
                var pidFile = Path.Combine(options.RunDir, phase.Target + ".pid");
                var pid = File.ReadAllText(pidFile).Trim();
                Log($"kill -9 {phase.Target} (pid {pid})");
                await ShellAsync("kill", "-9", pid);
                break;
            case "pg-stop":
                Log("PostgreSQL: fast shutdown (scripts/pg.sh stop)");
                await ShellAsync("bash", Path.Combine(options.Repo, "scripts", "pg.sh"), "stop", options.PgDir);
                await Task.Delay(TimeSpan.FromSeconds(options.PgDownSeconds));
                Log("PostgreSQL: start (scripts/pg.sh start, same port)");
                await ShellAsync("bash", Path.Combine(options.Repo, "scripts", "pg.sh"), "start", options.PgDir);
                Log("PostgreSQL: accepting connections");
                break;
            case "pg-crash":
                Log("PostgreSQL: immediate shutdown (pg_ctl stop -m immediate: no checkpoint, crash recovery at start)");
                var pgCtl = new List<string> { "/usr/lib/postgresql/15/bin/pg_ctl", "-D", Path.Combine(options.PgDir, "data"), "-m", "immediate", "-w", "stop" };
                if (Environment.UserName == "root")
                {
                    pgCtl.InsertRange(0, ["-u", "postgres", "--"]);
                    await ShellAsync("runuser", [.. pgCtl]);
                }
                else
                {
                    await ShellAsync(pgCtl[0], [.. pgCtl.Skip(1)]);
                }
                await Task.Delay(TimeSpan.FromSeconds(options.PgDownSeconds));
                Log("PostgreSQL: start after the crash (scripts/pg.sh start, same port)");
                await ShellAsync("bash", Path.Combine(options.Repo, "scripts", "pg.sh"), "start", options.PgDir);
                Log("PostgreSQL: accepting connections");
                break;
        }
    }

    private async Task ShellAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            Log($"  {file} exited {process.ExitCode}: {(await stderr).Trim()} {(await stdout).Trim()}");
        }
    }

    // ---------------------------------------------------------------- load

    /// <summary>
    /// Open loop: write n is due at n / rate seconds; it is sent then whatever happened to the
    /// others, and retried with the same request id until acknowledged (the stops service's
    /// idempotency key), so its latency runs from when it was due (no coordinated omission).
    /// </summary>
    private async Task RecordLoopAsync(StopsClient[] clients, (string Team, string Subject)[] officers, double end)
    {
        var interval = 1 / options.Rate;
        var tasks = new List<Task>();
        for (long seq = 0; ; seq++)
        {
            var due = seq * interval;
            if (due >= end)
            {
                break;
            }

            var wait = due - Now;
            if (wait > 0.001)
            {
                await Task.Delay(TimeSpan.FromSeconds(wait));
            }

            var n = seq;
            tasks.Add(WriteAsync(clients[n % clients.Length], officers[n % officers.Length], n, due));
        }

        await Task.WhenAll(tasks);
    }

    private async Task WriteAsync(StopsClient client, (string Team, string Subject) officer, long seq, double due)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            var requestId = $"{_runId}-{seq}";
            var request = new RecordEncounterRequest { RequestId = requestId, Encounter = MakeEncounter(officer, seq, requestId) };
            var phase = PhaseAt(due);
            for (var attempt = 1; ; attempt++)
            {
                // At most MaxAttemptsInFlight attempts at once, as a fleet of devices each sending its
                // own queue: unbounded, the retries of a backlog would swamp the recovering service.
                await _attemptSlots.WaitAsync();
                var sent = Now;
                var slotHeld = true;
                try
                {
                    var receipt = await client.RecordEncounterAsync(request, CallOptions.WithTimeout(TimeSpan.FromSeconds(5)));
                    _attemptSlots.Release();
                    slotHeld = false;
                    var done = Now;
                    _acks[seq] = new Ack(seq, requestId, receipt.EncounterId, officer.Team, officer.Subject, receipt.Replayed, attempt, due, done);
                    _latencies.GetOrAdd("write|" + phase, _ => []).Add((done - due) * 1000);
                    _latencies.GetOrAdd("attempt-ok|" + PhaseAt(sent), _ => []).Add((done - sent) * 1000);
                    _events.Add((done, "record", true));
                    Count("attempts|" + PhaseAt(sent));
                    Count("acked|" + PhaseAt(done));
                    if (receipt.Replayed)
                    {
                        Count("replayed|" + phase);
                    }
                    return;
                }
                catch (RpcException ex)
                {
                    _attemptSlots.Release();
                    slotHeld = false;
                    var failed = Now;
                    Count("attempts|" + PhaseAt(sent));
                    _attemptErrors.AddOrUpdate($"record|{PhaseAt(sent)}|{ex.StatusCode}", 1, (_, v) => v + 1);
                    _details.TryAdd(ex.StatusCode, ex.Status.Detail);
                    _events.Add((failed, "record", false));
                    if (ex.StatusCode is not (StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown or StatusCode.Cancelled or StatusCode.ResourceExhausted))
                    {
                        // A refusal is a bug of this client or of the service: keep it, never retry.
                        _violations.Add($"write {requestId} refused: {ex.StatusCode} {ex.Status.Detail}");
                        Count("refused|" + phase);
                        return;
                    }

                    if (failed > _giveUpAt)
                    {
                        Count("gave up|" + phase);
                        return;
                    }

                    // Exponential backoff with jitter, at most 1 s: retries of the same request id.
                    var backoff = Math.Min(1.0, 0.05 * Math.Pow(2, Math.Min(attempt, 6))) * (0.5 + Random.Shared.NextDouble() / 2);
                    await Task.Delay(TimeSpan.FromSeconds(backoff));
                }
                finally
                {
                    if (slotHeld)
                    {
                        _attemptSlots.Release();
                    }
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static Encounter MakeEncounter((string Team, string Subject) officer, long seq, string requestId)
    {
        var centre = Centres[seq % Centres.Length];
        var jitter = (seq * 7919 % 600 - 300) * 1e-5;
        return new Encounter
        {
            OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-5)),
            Location = new LatLng { Latitude = centre.Lat + jitter, Longitude = centre.Lon - jitter / 2 },
            LocationPrecision = LocationPrecision.Exact,
            Type = EncounterType.PersonSearch,
            LegalPower = seq % 3 == 0 ? LegalPower.MisuseOfDrugsS23 : LegalPower.PaceS1,
            Grounds = "Seen passing a knife to another person outside the station",
            ObjectOfSearch = seq % 3 == 0 ? ObjectOfSearch.ControlledDrugs : ObjectOfSearch.OffensiveWeapons,
            Outcome = seq % 4 == 0 ? Outcome.Arrest : Outcome.NoFurtherAction,
            OutcomeLinkedToObject = seq % 4 == 0 ? Answer.Yes : Answer.No,
            RemovalOfMoreThanOuterClothing = Answer.No,
            Sex = seq % 5 == 0 ? Sex.Female : Sex.Male,
            AgeRange = AgeRange._18To24,
            SelfDefinedEthnicity = (SelfDefinedEthnicity)(2 + seq % 19),
            OfficerDefinedEthnicity = (OfficerDefinedEthnicity)(1 + seq % 5),
            ProceduralJustice = new ProceduralJustice
            {
                GroundsExplained = Answer.Yes, PersonHeard = Answer.Yes, TreatedWithRespect = Answer.Yes,
                DebriefGiven = Answer.No, RecordCopyOffered = Answer.Yes, BodyWornVideoOn = Answer.Yes,
            },
            Officer = new Officer { Pseudonym = officer.Subject, Team = officer.Team, PrecisionTrained = true },
            // The write's own id inside the record: the check afterwards finds a duplicate written
            // under any other request id too.
            PartOfOperation = Answer.Yes,
            Operation = requestId,
        };
    }

    /// <summary>Calls <paramref name="call"/> every <paramref name="period"/> seconds (open loop, at most maxInFlight at once).</summary>
    private async Task EveryAsync(string kind, double period, double offset, double end, int maxInFlight, Func<Task<bool>> call)
    {
        var running = 0;
        var tasks = new List<Task>();
        for (var n = 0; ; n++)
        {
            var due = offset + n * period;
            if (due >= end)
            {
                break;
            }
            var wait = due - Now;
            if (wait > 0.001)
            {
                await Task.Delay(TimeSpan.FromSeconds(wait));
            }
            if (Volatile.Read(ref running) >= maxInFlight)
            {
                Count($"skipped|{kind}|{PhaseAt(due)}");
                continue;
            }
            Interlocked.Increment(ref running);
            tasks.Add(Task.Run(async () =>
            {
                var sent = Now;
                var phase = PhaseAt(sent);
                try
                {
                    // False: nothing to do yet (no plan, no acknowledged record of that kind).
                    if (!await call())
                    {
                        Count($"idle|{kind}|{phase}");
                        return;
                    }
                    _latencies.GetOrAdd($"{kind}|{phase}", _ => []).Add((Now - sent) * 1000);
                    _events.Add((Now, kind, true));
                }
                catch (RpcException ex)
                {
                    _attemptErrors.AddOrUpdate($"{kind}|{phase}|{ex.StatusCode}", 1, (_, v) => v + 1);
                    _details.TryAdd(ex.StatusCode, ex.Status.Detail);
                    _events.Add((Now, kind, false));
                }
                finally
                {
                    Count($"calls|{kind}|{phase}");
                    Interlocked.Decrement(ref running);
                }
            }));
        }
        await Task.WhenAll(tasks);
    }

    private async Task ProbeLoopAsync(string service, Uri address, string healthName, CancellationToken cancellationToken)
    {
        using var client = new GrpcClient(address, new GrpcClientOptions { Retry = null });
        while (!cancellationToken.IsCancellationRequested)
        {
            var serving = false;
            try
            {
                var reply = await client.UnaryAsync(HealthCheck, new HealthCheckRequest { Service = healthName }, CallOptions.WithTimeout(TimeSpan.FromSeconds(1), CancellationToken.None));
                serving = reply.Status == HealthCheckResponse.Types.ServingStatus.Serving;
            }
            catch (RpcException)
            {
            }
            _probes.Add((Now, service, serving));
            try
            {
                await Task.Delay(200, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private static TimeWindow Window(DateTimeOffset start, DateTimeOffset end) =>
        new() { Start = Timestamp.FromDateTimeOffset(start), End = Timestamp.FromDateTimeOffset(end) };

    private int _plans;

    private async Task<bool> ProposeAsync(HotspotClient hotspot)
    {
        var borough = Interlocked.Increment(ref _plans) % 2 == 0 ? "Barking and Dagenham" : "Lambeth";
        var now = DateTimeOffset.UtcNow;
        var plan = await hotspot.ProposePatrolAreasAsync(new ProposePatrolAreasRequest
        {
            Area = new AreaOfInterest { BoundaryName = borough },
            DataWindow = Window(new DateTimeOffset(2022, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2022, 10, 1, 0, 0, 0, TimeSpan.Zero)),
            // Active now, so that the stops recorded during the run are linked to it.
            ValidWindow = Window(now.AddHours(-1), now.AddDays(1)),
            Method = Targeting.Hotspot.V1.Method.NaiveCounts,
            BudgetFraction = 0.02,
            Note = $"{_runId} load-and-fault run",
        }, CallOptions.WithTimeout(TimeSpan.FromSeconds(30)));
        _planIds.Add(plan.PlanId);
        _latestPlan = plan.PlanId;
        return true;
    }

    private async Task<bool> GetPlanAsync(HotspotClient hotspot)
    {
        if (_latestPlan is { } id)
        {
            await hotspot.GetPlanAsync(id, CallOptions.WithTimeout(TimeSpan.FromSeconds(5)));
        }
        else
        {
            await hotspot.ListPlansAsync(new ListPlansRequest(), CallOptions.WithTimeout(TimeSpan.FromSeconds(5)));
        }
        return true;
    }

    private async Task<bool> EvaluateAsync(FeedbackClient feedback)
    {
        if (_latestPlan is { } id)
        {
            var evaluation = await feedback.EvaluatePlanAsync(new EvaluatePlanRequest { PlanId = id }, CallOptions.WithTimeout(TimeSpan.FromSeconds(60)));
            if (evaluation.StopsTotal <= 0)
            {
                _violations.Add($"evaluation of {id} counted no stops");
            }
            return true;
        }
        return false;
    }

    /// <summary>A supervisor's query of the last 15 minutes: every record must be of their own team.</summary>
    private async Task<bool> SupervisorQueryAsync(StopsClient supervisor, string team)
    {
        var now = DateTimeOffset.UtcNow;
        var query = new EncounterQuery { Window = Window(now.AddMinutes(-15), now.AddMinutes(1)), Limit = 200 };
        var seen = 0;
        await foreach (var record in supervisor.QueryEncountersAsync(query, CallOptions.WithTimeout(TimeSpan.FromSeconds(10))))
        {
            seen++;
            if (record.Current.Officer.Team != team)
            {
                _violations.Add($"supervisor of {team} read {record.EncounterId} of {record.Current.Officer.Team}");
            }
        }
        _counters.AddOrUpdate("records checked|supervisor query", seen, (_, v) => v + seen);
        return true;
    }

    /// <summary>A supervisor reads one of their team's records (found) and one of the other team's (NOT_FOUND).</summary>
    private async Task<bool> SupervisorGetAsync(StopsClient supervisor, string team, string other)
    {
        if (RandomAck(team) is { } own)
        {
            var record = await supervisor.GetEncounterAsync(own.EncounterId, CallOptions.WithTimeout(TimeSpan.FromSeconds(5)));
            if (record.Current.Officer.Team != team || record.RequestId != own.RequestId)
            {
                _violations.Add($"supervisor of {team} got {own.EncounterId} back as {record.Current.Officer.Team}/{record.RequestId}");
            }
            Count("records checked|supervisor get own");
        }

        if (RandomAck(other) is { } theirs)
        {
            try
            {
                var leaked = await supervisor.GetEncounterAsync(theirs.EncounterId, CallOptions.WithTimeout(TimeSpan.FromSeconds(5)));
                _violations.Add($"supervisor of {team} read {theirs.EncounterId} of {leaked.Current.Officer.Team}");
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                Count("records checked|supervisor get other team (NOT_FOUND)");
            }
        }
        return _acks.Count > 0;
    }

    /// <summary>An officer reads their own record (found) and a colleague's (NOT_FOUND).</summary>
    private async Task<bool> OfficerGetAsync(StopsClient[] clients, (string Team, string Subject)[] officers)
    {
        var i = Random.Shared.Next(officers.Length);
        var mine = _acks.Values.Where(a => a.Officer == officers[i].Subject).Take(200).ToArray();
        var colleague = _acks.Values.Where(a => a.Team == officers[i].Team && a.Officer != officers[i].Subject).Take(200).ToArray();
        if (mine.Length > 0)
        {
            var own = mine[Random.Shared.Next(mine.Length)];
            var record = await clients[i].GetEncounterAsync(own.EncounterId, CallOptions.WithTimeout(TimeSpan.FromSeconds(5)));
            if (record.Current.Officer.Pseudonym != officers[i].Subject)
            {
                _violations.Add($"officer {officers[i].Subject} got {own.EncounterId} back as {record.Current.Officer.Pseudonym}");
            }
            Count("records checked|officer get own");
        }

        if (colleague.Length > 0)
        {
            var theirs = colleague[Random.Shared.Next(colleague.Length)];
            try
            {
                await clients[i].GetEncounterAsync(theirs.EncounterId, CallOptions.WithTimeout(TimeSpan.FromSeconds(5)));
                _violations.Add($"officer {officers[i].Subject} read {theirs.EncounterId} of {theirs.Officer}");
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                Count("records checked|officer get colleague's (NOT_FOUND)");
            }
        }
        return mine.Length > 0 || colleague.Length > 0;
    }

    private Ack? RandomAck(string team)
    {
        // The recent acknowledgements of a team (the dictionary is keyed by sequence number).
        var top = _acks.Count + 2L;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var seq = top - 1 - Random.Shared.NextInt64(Math.Min(top, 2000));
            if (_acks.TryGetValue(seq, out var ack) && ack.Team == team)
            {
                return ack;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- verification

    internal sealed record Verification(
        long Acked, long Stored, long Lost, long Duplicates, long WrongId, long WrongTeam, long Unacknowledged,
        long AuditMissing, long AuditDuplicated, Dictionary<string, long> LinkStatuses, long PlansAcked, long PlansMissing, List<string> Problems, List<string> Storage)
    {
        public bool Ok => Lost == 0 && Duplicates == 0 && WrongId == 0 && WrongTeam == 0 && AuditMissing == 0 && AuditDuplicated == 0 && PlansMissing == 0;
    }

    private async Task<Verification> VerifyAsync(HotspotClient hotspot)
    {
        Log("verifying against the database");
        var problems = new List<string>();
        var rows = new List<(string RequestId, string EncounterId, string Team, string Officer, string Operation, short LinkStatus)>();
        await using var dataSource = NpgsqlDataSource.Create(options.Postgres);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                rows.Clear();
                await using var command = dataSource.CreateCommand(
                    "SELECT request_id, encounter_id::text, team, officer_pseudonym, original, link_status FROM stops.encounters WHERE recorded_by LIKE @prefix");
                command.Parameters.AddWithValue("prefix", _runId + "-%");
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    var original = Encounter.Parser.ParseFrom((byte[])reader[4]);
                    rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), original.Operation, reader.GetInt16(5)));
                }
                break;
            }
            catch (NpgsqlException) when (attempt < 30)
            {
                await Task.Delay(1000);
            }
        }

        var byOperation = rows.GroupBy(r => r.Operation).ToDictionary(g => g.Key, g => g.ToList());
        var byRequest = rows.GroupBy(r => r.RequestId).ToDictionary(g => g.Key, g => g.ToList());
        long lost = 0, duplicates = 0, wrongId = 0, wrongTeam = 0;
        foreach (var ack in _acks.Values)
        {
            if (!byOperation.TryGetValue(ack.RequestId, out var stored))
            {
                lost++;
                problems.Add($"lost: {ack.RequestId} ({ack.EncounterId})");
                continue;
            }
            if (stored.Count > 1 || byRequest[ack.RequestId].Count > 1)
            {
                duplicates++;
                problems.Add($"duplicate: {ack.RequestId} stored {stored.Count} times");
            }
            if (stored[0].EncounterId != ack.EncounterId || stored[0].RequestId != ack.RequestId)
            {
                wrongId++;
                problems.Add($"acknowledged {ack.RequestId} as {ack.EncounterId}, stored as {stored[0].RequestId}/{stored[0].EncounterId}");
            }
            if (stored[0].Team != ack.Team || stored[0].Officer != ack.Officer)
            {
                wrongTeam++;
            }
        }
        var ackedIds = _acks.Values.Select(a => a.RequestId).ToHashSet();
        var unacknowledged = rows.Count(r => !ackedIds.Contains(r.RequestId));

        // Exactly one audit event of the write per stored encounter (written in the same transaction).
        long auditMissing = 0, auditDuplicated = 0;
        await using (var audit = dataSource.CreateCommand(
            "SELECT id::text, count(*) FROM stops.audit_events, unnest(encounter_ids) AS id WHERE action = 'record' AND actor LIKE @prefix GROUP BY id"))
        {
            audit.Parameters.AddWithValue("prefix", _runId + "-%");
            var audits = new Dictionary<string, long>();
            await using var reader = await audit.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                audits[reader.GetString(0)] = reader.GetInt64(1);
            }
            foreach (var row in rows)
            {
                var n = audits.GetValueOrDefault(row.EncounterId);
                if (n == 0)
                {
                    auditMissing++;
                }
                else if (n > 1)
                {
                    auditDuplicated++;
                }
            }
        }

        var links = rows.GroupBy(r => ((PatrolLinkStatus)r.LinkStatus).ToString()).ToDictionary(g => g.Key, g => (long)g.Count());

        long plansMissing = 0;
        foreach (var planId in _planIds)
        {
            try
            {
                await hotspot.GetPlanAsync(planId, CallOptions.WithTimeout(TimeSpan.FromSeconds(10)));
            }
            catch (RpcException ex)
            {
                plansMissing++;
                problems.Add($"plan {planId}: {ex.StatusCode}");
            }
        }

        // What the run left on disk, for docs/scaling.md: table and index bytes per row, and the
        // audit trail by action (reads write audit rows too).
        var storage = new List<string>();
        await using (var analyze = dataSource.CreateCommand("ANALYZE stops.encounters; ANALYZE stops.audit_events"))
        {
            await analyze.ExecuteNonQueryAsync();
        }
        await using (var sizes = dataSource.CreateCommand(
            "SELECT c.relname, c.reltuples::bigint, pg_relation_size(c.oid), pg_indexes_size(c.oid), pg_total_relation_size(c.oid) " +
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
            "WHERE n.nspname = 'stops' AND c.relkind = 'r' AND c.relname IN ('encounters', 'audit_events')"))
        await using (var reader = await sizes.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var n = Math.Max(1, reader.GetInt64(1));
                storage.Add($"stops.{reader.GetString(0)}: {reader.GetInt64(1):N0} rows, heap {reader.GetInt64(2) / n:N0} B/row, indexes {reader.GetInt64(3) / n:N0} B/row, total {reader.GetInt64(4) / 1048576.0:F1} MiB (TOAST included)");
            }
        }
        await using (var actions = dataSource.CreateCommand(
            "SELECT action, rpc, count(*), sum(encounter_count)::bigint, sum(pg_column_size(encounter_ids))::bigint FROM stops.audit_events GROUP BY action, rpc ORDER BY 3 DESC"))
        await using (var reader = await actions.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                storage.Add($"audit {reader.GetString(0)} ({reader.GetString(1)}): {reader.GetInt64(2):N0} rows naming {reader.GetInt64(3):N0} encounters, id arrays {reader.GetInt64(4) / 1048576.0:F2} MiB");
            }
        }

        var verification = new Verification(_acks.Count, rows.Count, lost, duplicates, wrongId, wrongTeam, unacknowledged,
            auditMissing, auditDuplicated, links, _planIds.Count, plansMissing, problems, storage);
        Log($"acknowledged {verification.Acked}, stored {verification.Stored}, lost {lost}, duplicates {duplicates}, wrong id {wrongId}, " +
            $"stored but unacknowledged {unacknowledged}, audit missing {auditMissing}, audit duplicated {auditDuplicated}; plans {verification.PlansAcked}, missing {plansMissing}; " +
            $"violations of read scope {_violations.Count}");
        return verification;
    }

    // ---------------------------------------------------------------- report

    private static double Percentile(IReadOnlyList<double> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];

    private async Task WriteReportAsync(double end, Verification v)
    {
        var phases = _phases.ToList();
        double PhaseEnd(int i) => i + 1 < phases.Count ? phases[i + 1].Start : end;
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Run `{_runId}`: {options.Rate:F0} RecordEncounter/s offered (open loop, {Teams.Length} teams × {OfficersPerTeam} officers, each with their own officer token), phases of {options.PhaseSeconds} s after a {options.WarmupSeconds} s warm-up; PostgreSQL down {options.PgDownSeconds} s each time.");
        md.AppendLine("Alongside: a plan proposed every 10 s (planner, naive counts, Lambeth or Barking and Dagenham), the latest plan fetched every 0.5 s, evaluated by feedback every 10 s (analyst), each team's supervisor querying the last 15 minutes every 2 s and reading one own-team and one other-team record every 0.25 s, an officer reading an own and a colleague's record every 0.5 s, and a gRPC health probe of each service every 0.2 s.");
        md.AppendLine();
        md.AppendLine("### Recording, per phase");
        md.AppendLine();
        md.AppendLine($"Write latency runs from when the write fell due (open loop: writes fall due at the fixed rate whatever the replies do, and wait for one of {MaxAttemptsInFlight} attempt slots, as a fleet of devices each sending its own queue) to its acknowledgement, retries included; attempts are single calls (5 s deadline), retried with the same request id after a backoff of 50 ms doubling to 1 s.");
        md.AppendLine();
        md.AppendLine("| phase | s | writes due | acked/s | write p50 ms | write p99 ms | write max ms | attempts | failed attempts by status | acks replayed |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|");
        for (var i = 0; i < phases.Count; i++)
        {
            var ph = phases[i];
            var seconds = PhaseEnd(i) - ph.Start;
            var lat = (_latencies.TryGetValue("write|" + ph.Name, out var bag) ? bag.ToArray() : []).Order().ToArray();
            var due = (long)(Math.Ceiling(PhaseEnd(i) * options.Rate) - Math.Ceiling(ph.Start * options.Rate));
            var errors = _attemptErrors.Where(e => e.Key.StartsWith($"record|{ph.Name}|", StringComparison.Ordinal))
                .Select(e => $"{e.Key.Split('|')[2]} {e.Value}").ToList();
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {ph.Name} | {seconds:F0} | {due} | {_counters.GetValueOrDefault("acked|" + ph.Name) / seconds:F1} | {Percentile(lat, 0.5):F1} | {Percentile(lat, 0.99):F1} | {(lat.Length > 0 ? lat[^1] : double.NaN):F0} | {_counters.GetValueOrDefault("attempts|" + ph.Name)} | {(errors.Count == 0 ? "none" : string.Join(", ", errors))} | {_counters.GetValueOrDefault("replayed|" + ph.Name)} |");
        }

        md.AppendLine();
        md.AppendLine("The first failure's detail of each status code seen: " +
            string.Join("; ", _details.OrderBy(d => d.Key).Select(d => $"{d.Key}: \"{(d.Value.Length > 160 ? d.Value[..160] + "..." : d.Value)}\"")) + ".");
        md.AppendLine();
        md.AppendLine("### Other calls, per phase");
        md.AppendLine();
        md.AppendLine("| phase | call | calls | p50 ms | p99 ms | failed by status | skipped (previous still running) / nothing to do yet |");
        md.AppendLine("|---|---|---:|---:|---:|---|---:|");
        string[] kinds = ["propose plan", "get plan", "evaluate plan", "supervisor query", "supervisor get", "officer get"];
        foreach (var ph in phases)
        {
            foreach (var kind in kinds)
            {
                var calls = _counters.GetValueOrDefault($"calls|{kind}|{ph.Name}");
                if (calls == 0)
                {
                    continue;
                }
                var lat = (_latencies.TryGetValue($"{kind}|{ph.Name}", out var bag) ? bag.ToArray() : []).Order().ToArray();
                var errors = _attemptErrors.Where(e => e.Key.StartsWith($"{kind}|{ph.Name}|", StringComparison.Ordinal)).Select(e => $"{e.Key.Split('|')[2]} {e.Value}").ToList();
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {ph.Name} | {kind} | {calls} | {Percentile(lat, 0.5):F1} | {Percentile(lat, 0.99):F1} | {(errors.Count == 0 ? "none" : string.Join(", ", errors))} | {_counters.GetValueOrDefault($"skipped|{kind}|{ph.Name}")} / {_counters.GetValueOrDefault($"idle|{kind}|{ph.Name}")} |");
            }
        }

        md.AppendLine();
        md.AppendLine("### Time to recover");
        md.AppendLine();
        md.AppendLine("From the fault (the kill, or the start of the PostgreSQL shutdown) to: the service's health probe SERVING again (its own service name, as the readiness probe asks); the first acknowledged write whose attempt started after the fault and after a failure; and the last acknowledgement of the writes that fell due between the fault and that recovery (the backlog drained).");
        md.AppendLine();
        md.AppendLine("| fault | probe first failed s | probe SERVING again s | writes failing from – to s | first write acked after failures s | backlog drained s |");
        md.AppendLine("|---|---:|---:|---|---:|---:|");
        var probes = _probes.ToArray().OrderBy(p => p.At).ToArray();
        var events = _events.ToArray().Where(e => e.Kind == "record").OrderBy(e => e.At).ToArray();
        for (var i = 0; i < phases.Count; i++)
        {
            var ph = phases[i];
            if (ph.Fault is null)
            {
                continue;
            }
            var service = ph.Target == "postgres" ? "stops" : ph.Target!;
            var window = probes.Where(p => p.Service == service && p.At >= ph.Start && p.At < PhaseEnd(i)).ToArray();
            var firstDown = window.FirstOrDefault(p => !p.Serving);
            var upAgain = firstDown.Service is null ? default : window.FirstOrDefault(p => p.At > firstDown.At && p.Serving);
            var writes = events.Where(e => e.At >= ph.Start && e.At < PhaseEnd(i)).ToArray();
            var firstFail = writes.FirstOrDefault(e => !e.Ok);
            var lastFail = writes.LastOrDefault(e => !e.Ok);
            var firstOkAfter = firstFail.Kind is null ? default : writes.FirstOrDefault(e => e.At > lastFail.At && e.Ok);
            var recovered = firstOkAfter.Kind is not null ? firstOkAfter.At : ph.Start;
            var backlog = _acks.Values.Where(a => a.Due >= ph.Start && a.Due <= recovered).ToArray();
            var drained = firstOkAfter.Kind is null || backlog.Length == 0 ? "–" : Rel(backlog.Max(a => a.AckedAt));
            string Rel(double at) => (at - ph.Start).ToString("F1", CultureInfo.InvariantCulture);
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {ph.Name} ({service} probe) | {(firstDown.Service is null ? "never" : Rel(firstDown.At))} | {(upAgain.Service is null ? (firstDown.Service is null ? "–" : "not in phase") : Rel(upAgain.At))} | {(firstFail.Kind is null ? "none failed" : $"{Rel(firstFail.At)} – {Rel(lastFail.At)}")} | {(firstOkAfter.Kind is null ? "–" : Rel(firstOkAfter.At))} | {drained} |");
        }

        md.AppendLine();
        md.AppendLine("### Exactly once, and no other team's record");
        md.AppendLine();
        md.AppendLine("After the load, the client's acknowledged writes (request id → encounter id) against `stops.encounters` and `stops.audit_events` read directly from PostgreSQL; each stored encounter carries its write's request id in `operation` too, so a copy written under any other request id would show as a duplicate.");
        md.AppendLine();
        md.AppendLine("| check | count |");
        md.AppendLine("|---|---:|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| writes acknowledged | {v.Acked} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| rows stored for the run's officers | {v.Stored} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| acknowledged, not stored (lost) | {v.Lost} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| stored more than once (duplicates) | {v.Duplicates} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| stored under another encounter id than acknowledged | {v.WrongId} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| stored under another team or officer | {v.WrongTeam} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| stored, never acknowledged (client gave up) | {v.Unacknowledged} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| acknowledged only on a retry that found the first attempt stored (`replayed`) | {_acks.Values.Count(a => a.Replayed)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| acknowledged after more than one attempt | {_acks.Values.Count(a => a.Attempts > 1)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| stored encounters without their audit event / with more than one | {v.AuditMissing} / {v.AuditDuplicated} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| patrol links at the end | {string.Join(", ", v.LinkStatuses.OrderBy(l => l.Key).Select(l => $"{l.Key} {l.Value}"))} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| plans acknowledged / not found afterwards (GetPlan) | {v.PlansAcked} / {v.PlansMissing} |");
        foreach (var key in _counters.Keys.Where(k => k.StartsWith("records checked|", StringComparison.Ordinal)).Order())
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| reads checked: {key.Split('|')[1]} | {_counters[key]} |");
        }
        md.AppendLine(CultureInfo.InvariantCulture, $"| reads that returned another team's (or colleague's) record, refused writes | {_violations.Count} |");
        foreach (var problem in v.Problems.Concat(_violations).Take(20))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| problem: {problem} | |");
        }
        md.AppendLine();
        md.AppendLine("### Storage after the run");
        md.AppendLine();
        foreach (var line in v.Storage)
        {
            md.AppendLine("- " + line);
        }
        md.AppendLine();
        md.AppendLine("### Log");
        md.AppendLine();
        md.AppendLine("```");
        lock (_log)
        {
            foreach (var line in _log)
            {
                md.AppendLine(line);
            }
        }
        md.AppendLine("```");
        await File.WriteAllTextAsync(options.Out, md.ToString());

        var raw = new
        {
            run = _runId,
            options.Rate,
            phases = phases.Select((ph, i) => new { ph.Name, ph.Start, End = PhaseEnd(i) }),
            counters = _counters.OrderBy(c => c.Key).ToDictionary(c => c.Key, c => c.Value),
            errors = _attemptErrors.OrderBy(c => c.Key).ToDictionary(c => c.Key, c => c.Value),
            verification = v,
            violations = _violations.ToArray(),
            perSecond = events.GroupBy(e => (int)e.At).OrderBy(g => g.Key).Select(g => new { second = g.Key, acked = g.Count(e => e.Ok), failed = g.Count(e => !e.Ok) }),
        };
        await File.WriteAllTextAsync(Path.ChangeExtension(options.Out, ".json"), JsonSerializer.Serialize(raw, new JsonSerializerOptions { WriteIndented = true }));
    }
}
