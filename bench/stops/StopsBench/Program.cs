// The stops recording benchmark (bench/stops/run.sh runs it):
//   StopsBench record --postgres CS [--clients 1,8,32] [--seconds 10] [--warmup 3] --work DIR --out FILE
//     RecordEncounter throughput and latency through the real stops service (the Release host as a
//     child process, HTTP/2 on loopback) on SQLite and on PostGIS, beside pgbench single-row
//     INSERTs of the same row on the same cluster at the same concurrency; writes a Markdown table.
//   StopsBench token ROLE
//     prints a development bearer token (for `targeting import stops --server`).
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Health.V1;
using Npgsql;
using Targeting.Common.V1;
using Targeting.Grpc;
using Targeting.Stops;
using Targeting.Stops.V1;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("usage: StopsBench record --postgres CS --work DIR --out FILE [--clients 1,8,32] [--seconds 10] [--warmup 3] [--sqlite no]");
    Console.WriteLine("       StopsBench token ROLE");
    return 2;
}

if (args[0] == "createdb")
{
    // createdb SERVER_CS NAME: a fresh database (PostGIS from template1) for an import run.
    await using var admin = new NpgsqlConnection(args[1]);
    await admin.OpenAsync();
    await using (var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {args[2]}", admin))
    {
        await drop.ExecuteNonQueryAsync();
    }

    await using var create = new NpgsqlCommand($"CREATE DATABASE {args[2]} TEMPLATE template1", admin);
    await create.ExecuteNonQueryAsync();
    return 0;
}

if (args[0] == "token")
{
    Console.WriteLine(DevelopmentTokens.Issue([args.Length > 1 ? args[1] : Roles.Service], "stops-bench", "bench-team"));
    return 0;
}

var options = Options.Parse(args[1..]);
var bench = new Bench(options);
await bench.RunAsync();
return 0;

internal sealed record Options(string Postgres, string Work, string Out, int[] Clients, int Seconds, int Warmup, bool Sqlite)
{
    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i]] = args[i + 1];
        }

        return new Options(
            values["--postgres"], values["--work"], values["--out"],
            (values.GetValueOrDefault("--clients") ?? "1,8,32").Split(',').Select(int.Parse).ToArray(),
            int.Parse(values.GetValueOrDefault("--seconds") ?? "10"),
            int.Parse(values.GetValueOrDefault("--warmup") ?? "3"),
            (values.GetValueOrDefault("--sqlite") ?? "yes") != "no");
    }
}

internal sealed record Measurement(string Target, int Clients, long Records, double Seconds, double P50Ms, double P99Ms, long Errors)
{
    /// <summary>CPU time of the stops host and of the bench client per record (µs), null for pgbench.</summary>
    public double? HostCpuUs { get; init; }

    public double? ClientCpuUs { get; init; }

    /// <summary>The 1-minute load average when the level ended (2 cores: other work competes above 2).</summary>
    public string Load { get; init; } = "";

    public double PerSecond => Records / Seconds;
}

internal sealed class Bench(Options options)
{
    private const string PgBin = "/usr/lib/postgresql/15/bin";
    private static readonly GrpcMethod<HealthCheckRequest, HealthCheckResponse> HealthCheck =
        GrpcMethod<HealthCheckRequest, HealthCheckResponse>.For(HealthReflection.Descriptor.Services[0], "Check");

    private readonly List<Measurement> _results = [];
    private readonly List<string> _notes = [];
    private byte[] _sampleEncounter = [];

    public async Task RunAsync()
    {
        Directory.CreateDirectory(options.Work);
        var database = await CreateDatabaseAsync("stops_bench");
        if (options.Sqlite)
        {
            await MeasureServiceAsync("sqlite", new Dictionary<string, string>
            {
                ["Storage__Provider"] = "sqlite",
                ["Storage__DataDirectory"] = FreshDirectory("sqlite-store"),
            }, afterEachLevel: null);
        }

        // The service on PostGIS and pgbench alternate level by level, so both see the same
        // background load on this shared machine.
        (string Script, string Label)[]? scripts = null;
        await MeasureServiceAsync("postgis", new Dictionary<string, string>
        {
            ["Storage__Provider"] = "postgres",
            ["Storage__ConnectionString"] = database,
        }, afterEachLevel: async concurrency =>
        {
            // After the host has migrated: the pgbench tables copy stops.encounters and stops.audit_events.
            scripts ??= await PreparePgbenchAsync(database);
            foreach (var (script, label) in scripts)
            {
                Console.WriteLine($"  {label}: {concurrency} clients");
                await PgbenchAsync(database, script, concurrency, options.Warmup, logPrefix: null);
                _results.Add(await PgbenchAsync(database, script, concurrency, options.Seconds, logPrefix: label) with { Target = label, Load = Load() });
                Console.WriteLine($"    {_results[^1].PerSecond:F0} rows/s, p50 {_results[^1].P50Ms:F2} ms, p99 {_results[^1].P99Ms:F2} ms");
            }
        });
        await WriteReportAsync(database);
    }

    private static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private async Task MeasureServiceAsync(string store, Dictionary<string, string> settings, Func<int, Task>? afterEachLevel)
    {
        var port = FreePort();
        var address = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Targeting.Stops.dll"), "--urls", $"http://127.0.0.1:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        using var host = Process.Start(start)!;
        var log = new StringBuilder();
        host.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        host.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();
        try
        {
            await WaitServingAsync(address, host, log);
            var token = DevelopmentTokens.Issue([Roles.Service], "stops-bench");
            var clients = Enumerable.Range(0, options.Clients.Max())
                .Select(_ => new StopsClient(address, new GrpcClientOptions { BearerToken = token, Retry = null })).ToArray();
            // JIT and tiered compilation settle before the first level (else the first level,
            // 1 in flight, pays for them; on a loaded machine tier-1 code arrives late): a longer
            // warm-up at every concurrency first, so the figures are a running service's.
            foreach (var concurrency in options.Clients)
            {
                Console.WriteLine($"  {store}: start-up warm-up, {concurrency} in flight for {3 * options.Warmup} s");
                await RecordForAsync(clients, concurrency, $"{store}-startup-{concurrency}", TimeSpan.FromSeconds(3 * options.Warmup));
            }
            foreach (var concurrency in options.Clients)
            {
                Console.WriteLine($"  {store}: {concurrency} in flight, {options.Warmup} s warm-up + {options.Seconds} s");
                await RecordForAsync(clients, concurrency, $"{store}-warm-{concurrency}", TimeSpan.FromSeconds(options.Warmup));
                host.Refresh();
                var hostCpu = host.TotalProcessorTime;
                var clientCpu = Process.GetCurrentProcess().TotalProcessorTime;
                var measured = await RecordForAsync(clients, concurrency, $"{store}-{concurrency}", TimeSpan.FromSeconds(options.Seconds));
                host.Refresh();
                _results.Add(measured with
                {
                    Target = "service on " + (store == "sqlite" ? "SQLite" : "PostGIS"),
                    HostCpuUs = (host.TotalProcessorTime - hostCpu).TotalMicroseconds / measured.Records,
                    ClientCpuUs = (Process.GetCurrentProcess().TotalProcessorTime - clientCpu).TotalMicroseconds / measured.Records,
                    Load = Load(),
                });
                Console.WriteLine($"    {measured.PerSecond:F0} records/s, p50 {measured.P50Ms:F2} ms, p99 {measured.P99Ms:F2} ms");
                if (afterEachLevel is not null)
                {
                    await afterEachLevel(concurrency);
                }
            }

            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
        finally
        {
            host.Kill();
            await host.WaitForExitAsync();
        }
    }

    /// <summary>Keeps <paramref name="concurrency"/> RecordEncounter calls in flight for the duration.</summary>
    private async Task<Measurement> RecordForAsync(StopsClient[] clients, int concurrency, string run, TimeSpan duration)
    {
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var latencies = new List<long>[concurrency];
        long errors = 0;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var mine = latencies[worker] = new List<long>(100_000);
            var client = clients[worker];
            for (var i = 0; Stopwatch.GetTimestamp() < stopAt; i++)
            {
                var request = new RecordEncounterRequest { RequestId = $"{run}-{worker}-{i}-{Guid.NewGuid():N}", Encounter = MakeEncounter(worker, i) };
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    await client.RecordEncounterAsync(request);
                    mine.Add(Stopwatch.GetTimestamp() - t0);
                }
                catch (RpcException)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Measurement(run, concurrency, all.Length, seconds, Percentile(all, 0.50), Percentile(all, 0.99), errors);
    }

    private Encounter MakeEncounter(int worker, int i)
    {
        var encounter = new Encounter
        {
            OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-10)),
            Location = new LatLng { Latitude = 51.4627 + (i % 100) * 1e-5, Longitude = -0.1145 + (worker % 10) * 1e-5 },
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
                GroundsExplained = Answer.Yes, PersonHeard = Answer.Yes, TreatedWithRespect = Answer.Yes,
                DebriefGiven = Answer.No, RecordCopyOffered = Answer.Yes, BodyWornVideoOn = Answer.Yes,
            },
            Officer = new Officer { Pseudonym = $"officer-{worker}", Team = "team-1", PrecisionTrained = true },
            PartOfOperation = Answer.No,
        };
        if (_sampleEncounter.Length == 0)
        {
            _sampleEncounter = encounter.ToByteArray();
        }

        return encounter;
    }

    /// <summary>
    /// pgbench on the same cluster and database: (1) one INSERT per transaction of a row with the
    /// stored encounter's columns and sizes into a copy of stops.encounters (same indexes and
    /// constraints): the ceiling the issue names; (2) what one RecordEncounter writes: that row
    /// and its audit row in one transaction, as BEGIN, two INSERTs, COMMIT; (3) the same two rows
    /// as the service writes them: one statement (the audit INSERT over the encounter INSERT's
    /// RETURNING, in a CTE) in autocommit.
    /// </summary>
    private async Task<(string Script, string Label)[]> PreparePgbenchAsync(string connectionString)
    {
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("""
                DROP SCHEMA IF EXISTS pgbench_stops CASCADE;
                CREATE SCHEMA pgbench_stops;
                CREATE TABLE pgbench_stops.encounters (LIKE stops.encounters INCLUDING ALL);
                CREATE TABLE pgbench_stops.audit_events (LIKE stops.audit_events INCLUDING ALL);
                """, connection);
            await create.ExecuteNonQueryAsync();
        }

        const string insertEncounter = """
            INSERT INTO pgbench_stops.encounters (encounter_id, request_id, fingerprint, recorded_at, recorded_by, source, source_row,
                occurred_at, latitude, longitude, geom, self_defined_ethnicity, officer_defined_ethnicity, outcome,
                officer_pseudonym, team, link_status, plan_id, area_id, linked_at, next_link_at, original, current)
            VALUES (gen_random_uuid(), 'postgis-8-12345-' || md5(random()::text), sha256(md5(random()::text)::bytea), now(), 'stops-bench', NULL, NULL,
                now() - interval '10 minutes', :lat, :lon, ST_Transform(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), 27700), 4, 2, 1,
                'officer-' || :client_id, 'team-1', 1, NULL, NULL, NULL, now(), decode(:original, 'hex'), NULL)
            ON CONFLICT DO NOTHING RETURNING encounter_id;
            """;
        const string insertAudit = """
            INSERT INTO pgbench_stops.audit_events (at, actor, role, action, rpc, encounter_ids, encounter_count, fields)
            VALUES (now(), 'stops-bench', 'service', 'record', 'RecordEncounter', ARRAY[gen_random_uuid()], 1,
                'self_defined_ethnicity,officer_defined_ethnicity,sex,age_range,location,officer');
            """;
        MakeEncounter(0, 0); // the row's proto bytes, as the service stores them
        var single = Path.Combine(options.Work, "insert-encounter.sql");
        var withAudit = Path.Combine(options.Work, "insert-encounter-and-audit.sql");
        await File.WriteAllTextAsync(single, "\\set lat 51.4627\n\\set lon -0.1145\n" + insertEncounter);
        await File.WriteAllTextAsync(withAudit, "\\set lat 51.4627\n\\set lon -0.1145\nBEGIN;\n" + insertEncounter + insertAudit + "COMMIT;\n");
        var oneStatement = Path.Combine(options.Work, "insert-encounter-with-audit-one-statement.sql");
        const string auditOverInserted = """
            INSERT INTO pgbench_stops.audit_events (at, actor, role, action, rpc, encounter_ids, encounter_count, fields)
            SELECT now(), 'stops-bench', 'service', 'record', 'RecordEncounter', ARRAY[encounter_id], 1,
                'self_defined_ethnicity,officer_defined_ethnicity,sex,age_range,location,officer' FROM inserted;
            """;
        await File.WriteAllTextAsync(oneStatement, "\\set lat 51.4627\n\\set lon -0.1145\nWITH inserted AS (" + insertEncounter.TrimEnd().TrimEnd(';') + ")\n" + auditOverInserted);

        return [(single, "pgbench single-row INSERT"), (withAudit, "pgbench INSERT encounter + audit, one transaction"),
            (oneStatement, "pgbench INSERT encounter + audit, one statement")];
    }

    private async Task<Measurement> PgbenchAsync(string connectionString, string script, int clients, int seconds, string? logPrefix)
    {
        var cs = new NpgsqlConnectionStringBuilder(connectionString);
        var logs = FreshDirectory("pgbench-log");
        var start = new ProcessStartInfo(Path.Combine(PgBin, "pgbench"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = logs,
        };
        foreach (var argument in new[]
        {
            "-h", cs.Host!, "-p", cs.Port.ToString(CultureInfo.InvariantCulture), "-U", cs.Username!, "-n", "-M", "prepared",
            "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", Math.Min(clients, Environment.ProcessorCount).ToString(CultureInfo.InvariantCulture),
            "-T", seconds.ToString(CultureInfo.InvariantCulture), "-f", script, "-D", "original=" + Convert.ToHexString(_sampleEncounter).ToLowerInvariant(),
            "-l", "--log-prefix", Path.Combine(logs, "tx"), cs.Database!,
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var pgbench = Process.Start(start)!;
        var stdout = pgbench.StandardOutput.ReadToEndAsync();
        var stderr = pgbench.StandardError.ReadToEndAsync();
        await pgbench.WaitForExitAsync();
        var output = await stdout;
        if (pgbench.ExitCode != 0)
        {
            throw new InvalidOperationException($"pgbench failed ({pgbench.ExitCode}): {await stderr}\n{output}");
        }

        // Per-transaction log lines: client_id transaction_no latency_us script_no epoch_s epoch_us.
        var latencies = Directory.GetFiles(logs, "tx*")
            .SelectMany(File.ReadLines)
            .Select(line => line.Split(' '))
            .Select(fields => long.Parse(fields[2], CultureInfo.InvariantCulture) * Stopwatch.Frequency / 1_000_000)
            .Order().ToArray();
        var failed = output.Split('\n').FirstOrDefault(l => l.StartsWith("number of failed transactions", StringComparison.Ordinal));
        if (logPrefix is not null && failed is not null && !failed.Contains(": 0 ", StringComparison.Ordinal))
        {
            _notes.Add($"{logPrefix}, {clients} clients: {failed.Trim()}");
        }

        return new Measurement(script, clients, latencies.Length, seconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99), 0);
    }

    private async Task WriteReportAsync(string connectionString)
    {
        string serviceRow, benchRow;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            serviceRow = await ScalarAsync(connection, "SELECT round(avg(pg_column_size(e.*)))::text || ' bytes (' || count(*) || ' rows)' FROM stops.encounters e");
            benchRow = await ScalarAsync(connection, "SELECT round(avg(pg_column_size(e.*)))::text || ' bytes (' || count(*) || ' rows)' FROM pgbench_stops.encounters e");
        }

        var text = new StringBuilder();
        text.AppendLine("## Recording throughput and latency (RecordEncounter through the gRPC service vs pgbench)");
        text.AppendLine();
        text.AppendLine($"Start-up: {3 * options.Warmup} s of recording at each concurrency in turn (JIT and tiered compilation settle). Each level: {options.Warmup} s warm-up, then {options.Seconds} s measured; N calls (or pgbench clients) always in flight.");
        text.AppendLine($"Average stored row width (pg_column_size): service `stops.encounters` {serviceRow}; pgbench copy {benchRow}.");
        text.AppendLine();
        text.AppendLine("| target | in flight | records/s | p50 ms | p99 ms | errors | host CPU µs/record | client CPU µs/record | load avg |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var m in _results.OrderBy(r => r.Target.StartsWith("pgbench", StringComparison.Ordinal)).ThenBy(r => r.Target, StringComparer.Ordinal).ThenBy(r => r.Clients))
        {
            text.AppendLine($"| {m.Target} | {m.Clients} | {m.PerSecond:F0} | {m.P50Ms:F2} | {m.P99Ms:F2} | {m.Errors} | " +
                $"{(m.HostCpuUs is { } h ? h.ToString("F0", CultureInfo.InvariantCulture) : "")} | {(m.ClientCpuUs is { } c ? c.ToString("F0", CultureInfo.InvariantCulture) : "")} | {m.Load} |");
        }

        text.AppendLine();
        text.AppendLine("### PostGIS-backed recording against pgbench (same cluster, same concurrency)");
        text.AppendLine();
        text.AppendLine("| in flight | service on PostGIS | pgbench single-row INSERT | ratio | pgbench encounter + audit (BEGIN, 2 INSERTs, COMMIT) | ratio | pgbench encounter + audit (one statement) | ratio |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var clients in options.Clients)
        {
            var service = _results.Single(r => r.Target == "service on PostGIS" && r.Clients == clients);
            var single = _results.Single(r => r.Target == "pgbench single-row INSERT" && r.Clients == clients);
            var both = _results.Single(r => r.Target == "pgbench INSERT encounter + audit, one transaction" && r.Clients == clients);
            var one = _results.Single(r => r.Target == "pgbench INSERT encounter + audit, one statement" && r.Clients == clients);
            text.AppendLine($"| {clients} | {service.PerSecond:F0} | {single.PerSecond:F0} | {service.PerSecond / single.PerSecond:P0} | {both.PerSecond:F0} | {service.PerSecond / both.PerSecond:P0} | " +
                $"{one.PerSecond:F0} | {service.PerSecond / one.PerSecond:P0} |");
        }

        foreach (var note in _notes)
        {
            text.AppendLine();
            text.AppendLine("Note: " + note);
        }

        await File.WriteAllTextAsync(options.Out, text.ToString());
        Console.WriteLine(text);
    }

    private static async Task<string> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (await command.ExecuteScalarAsync())?.ToString() ?? "";
    }

    private async Task<string> CreateDatabaseAsync(string name)
    {
        await using (var admin = new NpgsqlConnection(options.Postgres))
        {
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name}", admin);
            await drop.ExecuteNonQueryAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE template1", admin);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(options.Postgres) { Database = name }.ConnectionString;
    }

    private string FreshDirectory(string name)
    {
        var path = Path.Combine(options.Work, name);
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }

        Directory.CreateDirectory(path);
        return path;
    }

    private static async Task WaitServingAsync(Uri address, Process host, StringBuilder log)
    {
        using var client = new GrpcClient(address, new GrpcClientOptions { Retry = null });
        for (var attempt = 0; attempt < 600; attempt++)
        {
            if (host.HasExited)
            {
                throw new InvalidOperationException("the stops host exited:\n" + log);
            }

            try
            {
                var health = await client.UnaryAsync(HealthCheck, new HealthCheckRequest { Service = StopsServiceExtensions.HealthName });
                if (health.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    return;
                }
            }
            catch (RpcException)
            {
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException("the stops host did not serve within 60 s:\n" + log);
    }

    private static double Percentile(long[] sortedTicks, double p) =>
        sortedTicks.Length == 0 ? double.NaN : sortedTicks[Math.Min(sortedTicks.Length - 1, (int)Math.Ceiling(p * sortedTicks.Length) - 1)] * 1000.0 / Stopwatch.Frequency;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
