using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using Targeting.Cli.Commands;
using Targeting.Grpc;
using Targeting.Stops;
using Targeting.Testing;

namespace Targeting.Cli.Tests;

/// <summary>
/// <c>targeting import stops</c> / <c>export stops</c> with <c>--server</c> and the token taken from
/// <c>TARGETING_TOKEN</c> instead of <c>--token</c>, against a real in-process stops service.
/// </summary>
/// <remarks>
/// The variable is set only in the environment of a child <c>targeting</c> process, never in this
/// test process: setting it here would leak into the other CLI tests that run in parallel (e.g.
/// the one that expects a missing token to be refused).
/// </remarks>
public sealed class StopsCommandTokenVariableTests : IDisposable
{
    private static readonly string June2021 = RepoPaths.InRepo("data", "police-uk", "stop-and-search", "2021-06-metropolitan-stop-and-search.csv");

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("targeting-stops-token-test-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string InFolder(string name) => Path.Combine(_folder.FullName, name);

    /// <summary>Data rows of the file, counted from its lines (header and blank lines left out).</summary>
    private static int DataRows(string path) => File.ReadLines(path).Skip(1).Count(l => l.Length > 0);

    private static string ExpiredToken() => DevelopmentTokens.Issue(Roles.Service, "cli-token-test", lifetime: TimeSpan.FromHours(-1));

    [Fact]
    public async Task ImportAndExportStops_ServerTokenOnlyInVariable_ImportsAndExportsEveryRow()
    {
        await using var host = await CliServiceHost.StartStopsAsync();
        var environment = new Dictionary<string, string?> { [TokenOption.Variable] = DevelopmentTokens.Issue(Roles.Service, "cli-token-test") };

        var import = await RunTargetingAsync(environment,
            "import", "stops", June2021, "--server", host.Address.ToString(), "--report", InFolder("rejected.csv"));
        var export = await RunTargetingAsync(environment,
            "export", "stops", "--server", host.Address.ToString(), "--out", InFolder("export.csv"));

        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Equal(DataRows(June2021), Number(import.Output, @"rows read:\s+([\d,]+)"));
        var imported = Number(import.Output, @"imported:\s+([\d,]+) \(");
        Assert.True(imported > 1000, import.ToString());
        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Contains($"written: {imported:N0} rows", export.Output, StringComparison.Ordinal);
        Assert.Equal(imported, DataRows(InFolder("export.csv")));
    }

    [Fact]
    public async Task ImportStops_ServerWithNoTokenAnywhere_ExitsNonZeroWithTheAdvice()
    {
        await using var host = await CliServiceHost.StartStopsAsync();

        var run = await RunTargetingAsync(new Dictionary<string, string?> { [TokenOption.Variable] = null },
            "import", "stops", June2021, "--server", host.Address.ToString(), "--report", InFolder("rejected.csv"));

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Contains("the service answered Unauthenticated", run.Error, StringComparison.Ordinal);
        Assert.Contains($"pass --token or set ${TokenOption.Variable}", run.Error, StringComparison.Ordinal);
        Cli.NoStackTrace(run);
    }

    [Fact]
    public async Task ImportAndExportStops_ServerExpiredTokenInVariable_UnauthenticatedExitOneNothingImported()
    {
        await using var host = await CliServiceHost.StartStopsAsync();
        var environment = new Dictionary<string, string?> { [TokenOption.Variable] = ExpiredToken() };

        var import = await RunTargetingAsync(environment,
            "import", "stops", June2021, "--server", host.Address.ToString(), "--report", InFolder("rejected.csv"));
        var export = await RunTargetingAsync(environment,
            "export", "stops", "--server", host.Address.ToString(), "--out", InFolder("x.csv"));

        // import: per-file failure, the import stops at the first authentication failure, exit 1.
        Assert.True(import.ExitCode == 1, import.ToString());
        Assert.Contains($"targeting import stops: {June2021}: the service answered Unauthenticated", import.Error, StringComparison.Ordinal);
        Cli.NoStackTrace(import);
        // export: exit 1 and no output file, not even a partial one.
        Assert.True(export.ExitCode == 1, export.ToString());
        Assert.Contains("targeting export stops: the service answered Unauthenticated", export.Error, StringComparison.Ordinal);
        Assert.Contains($"pass --token or set ${TokenOption.Variable} ('targeting token --role supervisor'", import.Error, StringComparison.Ordinal);
        Assert.Contains($"pass --token or set ${TokenOption.Variable} ('targeting token --role analyst'", export.Error, StringComparison.Ordinal);
        Cli.NoStackTrace(export);
        Assert.False(File.Exists(InFolder("x.csv")) || File.Exists(InFolder("x.csv.partial")), "a refused export leaves no file");

        // The refusal really kept the rows out: the service holds none (checked with a good token).
        using var client = new StopsClient(host.Address, new GrpcClientOptions { BearerToken = CliServiceHost.Token(Roles.Service) });
        var held = 0;
        await foreach (var _ in client.QueryEncountersAsync(new Targeting.Stops.V1.EncounterQuery(), new CallOptions { CancellationToken = TestContext.Current.CancellationToken }))
        {
            held++;
        }

        Assert.Equal(0, held);
    }

    [Fact]
    public async Task ImportStops_TokenOptionAndVariable_OptionWins()
    {
        await using var host = await CliServiceHost.StartStopsAsync();
        var valid = DevelopmentTokens.Issue(Roles.Service, "cli-token-test");

        var optionExpired = await RunTargetingAsync(new Dictionary<string, string?> { [TokenOption.Variable] = valid },
            "import", "stops", June2021, "--server", host.Address.ToString(), "--token", ExpiredToken(), "--report", InFolder("r1.csv"));
        var optionValid = await RunTargetingAsync(new Dictionary<string, string?> { [TokenOption.Variable] = ExpiredToken() },
            "import", "stops", June2021, "--server", host.Address.ToString(), "--token", valid, "--report", InFolder("r2.csv"));

        Assert.True(optionExpired.ExitCode == 1, optionExpired.ToString());
        Assert.Contains("Unauthenticated", optionExpired.Error, StringComparison.Ordinal);
        Assert.True(optionValid.ExitCode == 0, optionValid.ToString());
        Assert.Equal(DataRows(June2021), Number(optionValid.Output, @"rows read:\s+([\d,]+)"));
    }

    /// <summary>Runs the built <c>targeting</c> executable in the test's folder with these variables added to (or replacing, or removed from when null) the inherited ones.</summary>
    private async Task<CommandRun> RunTargetingAsync(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _folder.FullName, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "targeting.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            // Null takes the variable out of the child's environment, whatever the test run's shell has.
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return new CommandRun(process.ExitCode, await output, await error);
    }

    internal static long Number(string output, string pattern)
    {
        var match = Regex.Match(output, pattern);
        Assert.True(match.Success, $"no '{pattern}' in:\n{output}");
        return long.Parse(match.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// <c>import stops --postgres</c> then <c>export stops --postgres</c> on a real PostGIS database:
/// the file's rows come back unchanged, and the database itself (read with SQL, geometry checked
/// by PostGIS) holds what the command said it imported.
/// </summary>
public sealed class StopsCommandPostgresTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IDisposable
{
    private static readonly string June2021 = RepoPaths.InRepo("data", "police-uk", "stop-and-search", "2021-06-metropolitan-stop-and-search.csv");

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("targeting-stops-postgres-test-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string InFolder(string name) => Path.Combine(_folder.FullName, name);

    [Fact]
    public async Task ImportThenExportStops_Postgres_RoundTripsTheFileRows()
    {
        database.Require();
        var source = File.ReadAllLines(June2021);
        var header = source[0];
        var rows = source.Skip(1).Where(l => l.Length > 0).ToList();
        Assert.All(rows, r => Assert.DoesNotContain("\"", r, StringComparison.Ordinal)); // so a line split on ',' is its cells

        var import = await StopsCli.RunAsync("import", "stops", June2021, "--postgres", database.ConnectionString,
            "--data-dir", InFolder("unused"), "--report", InFolder("rejected.csv"));
        var export = await StopsCli.RunAsync("export", "stops", "--postgres", database.ConnectionString,
            "--data-dir", InFolder("unused"), "--out", InFolder("export.csv"));

        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Equal(rows.Count, StopsCommandTokenVariableTests.Number(import.Output, @"rows read:\s+([\d,]+)"));
        var imported = StopsCommandTokenVariableTests.Number(import.Output, @"imported:\s+([\d,]+) \(");
        var rejectedRows = File.ReadAllLines(InFolder("rejected.csv")).Skip(1)
            .Select(l => long.Parse(l.Split(',')[1], CultureInfo.InvariantCulture)).ToHashSet();
        Assert.Equal(rows.Count, imported + rejectedRows.Count);
        Assert.False(Directory.Exists(InFolder("unused")), "with --postgres nothing is written to the SQLite store");

        // Export: the same header, and exactly the source rows that were not rejected (as multisets of lines).
        Assert.True(export.ExitCode == 0, export.ToString());
        var exported = File.ReadAllLines(InFolder("export.csv"));
        Assert.Equal(header, exported[0]);
        var expected = rows.Where((_, i) => !rejectedRows.Contains(i + 2)).Order(StringComparer.Ordinal).ToList();
        var actual = exported.Skip(1).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(imported, actual.Count);
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i] == actual[i], $"sorted row {i}:\nsource   {expected[i]}\nexported {actual[i]}");
        }

        // The database, read directly (the store keeps its tables in schema "stops"): one encounter per
        // imported row, and the file's row 2 as the file has it.
        var first = rows[0].Split(',');
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var count = new NpgsqlCommand(
            "SELECT count(*), count(geom), count(*) FILTER (WHERE latitude IS NULL) FROM stops.encounters WHERE source = @source", connection);
        count.Parameters.AddWithValue("source", Path.GetFileName(June2021));
        await using (var reader = await count.ExecuteReaderAsync(TestContext.Current.CancellationToken))
        {
            Assert.True(await reader.ReadAsync(TestContext.Current.CancellationToken));
            var unlocated = rows.Count(r => r.Split(',')[4].Length == 0);
            Assert.True(unlocated > 0, "the June sample keeps some unlocated rows");
            Assert.Equal((imported, imported - unlocated, (long)unlocated), (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)));
        }

        await using var row = new NpgsqlCommand(
            "SELECT occurred_at, latitude, longitude, ST_Y(ST_Transform(geom, 4326)), ST_X(ST_Transform(geom, 4326)) " +
            "FROM stops.encounters WHERE source = @source AND source_row = 2", connection);
        row.Parameters.AddWithValue("source", Path.GetFileName(June2021));
        await using (var reader = await row.ExecuteReaderAsync(TestContext.Current.CancellationToken))
        {
            Assert.True(await reader.ReadAsync(TestContext.Current.CancellationToken), "the file's row 2 is not in the database");
            Assert.Equal(DateTimeOffset.Parse(first[1], CultureInfo.InvariantCulture).UtcDateTime, reader.GetDateTime(0));
            var (latitude, longitude) = (double.Parse(first[4], CultureInfo.InvariantCulture), double.Parse(first[5], CultureInfo.InvariantCulture));
            Assert.Equal((latitude, longitude), (reader.GetDouble(1), reader.GetDouble(2)));
            // The stored BNG point, projected back by PostGIS, is the file's point (to ~1 cm).
            Assert.Equal(latitude, reader.GetDouble(3), 1e-7);
            Assert.Equal(longitude, reader.GetDouble(4), 1e-7);
        }

        // Running the export was audited in the same database, one id per row written.
        await using var audit = new NpgsqlCommand("SELECT coalesce(sum(encounter_count), 0) FROM stops.audit_events WHERE action = 'export'", connection);
        Assert.Equal(imported, Convert.ToInt64(await audit.ExecuteScalarAsync(TestContext.Current.CancellationToken), CultureInfo.InvariantCulture));
    }
}
