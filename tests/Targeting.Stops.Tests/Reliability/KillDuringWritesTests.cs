using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.Data.Sqlite;
using Npgsql;
using Targeting.Grpc;
using Targeting.Stops.V1;
using Targeting.Testing;

namespace Targeting.Stops.Tests.Reliability;

/// <summary>
/// kill -9 of the stops host (a real child process) while a client records 10,000 encounters with
/// retries: after restarts, every encounter is stored exactly once, every acknowledged receipt
/// names the stored record, and each creation's audit event committed with it.
/// </summary>
public sealed class KillDuringWritesTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private const int Encounters = 10_000;
    private const int InFlight = 16;

    /// <summary>Acknowledged counts at which the host is killed (twice, so a restarted host is killed too).</summary>
    private static readonly int[] KillAt = [2_500, 6_500];

    [Fact]
    public async Task RecordEncounter_HostKilledTwiceMidWrite_EveryEncounterStoredExactlyOnce_Sqlite()
    {
        var directory = Directory.CreateTempSubdirectory("stops-kill-");
        try
        {
            var stored = await RunWithKillsAsync(StopsProcess.SqliteSettings(directory.FullName), "sqlite");

            // Independently of the service: read the file it wrote.
            await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(directory.FullName, "stops.db"), Mode = SqliteOpenMode.ReadOnly, Pooling = false,
            }.ToString());
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            Assert.Equal("ok", await ScalarAsync<string>(connection, "PRAGMA integrity_check"));
            AssertDatabaseRows(stored,
                await RowsAsync(connection, "SELECT request_id, encounter_id, fingerprint FROM encounters"),
                await ScalarAsync<long>(connection, "SELECT count(*) FROM audit_events WHERE action = 'record'"));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task RecordEncounter_HostKilledTwiceMidWrite_EveryEncounterStoredExactlyOnce_PostGis()
    {
        database.Require();
        var stored = await RunWithKillsAsync(new Dictionary<string, string>
        {
            ["Storage__Provider"] = "postgres",
            ["Storage__ConnectionString"] = database.ConnectionString,
            ["Stops__BoundaryPath"] = TestEncounters.SampleBoundaryPath,
        }, "postgis");

        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        AssertDatabaseRows(stored,
            await RowsAsync(connection, "SELECT request_id, encounter_id::text, fingerprint FROM stops.encounters"),
            await ScalarAsync<long>(connection, "SELECT count(*) FROM stops.audit_events WHERE action = 'record'"));
    }

    /// <summary>
    /// Writes with kills at <see cref="KillAt"/>, then checks through the service itself that every
    /// request id is stored once with the acknowledged id and the sent values. Returns the writer.
    /// </summary>
    private static async Task<RetryingWriter> RunWithKillsAsync(Dictionary<string, string> settings, string label)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var host = new StopsProcess(settings);
        await host.StartAsync(cancellationToken);
        var token = DevelopmentTokens.Issue([Roles.Service], "kill-test");
        var writer = new RetryingWriter($"kill-{label}-{Guid.NewGuid():N}", Encounters);
        var writing = writer.RunAsync(() => new StopsClient(host.Address, new GrpcClientOptions { BearerToken = token, Retry = null }), InFlight, cancellationToken);

        var killedWhileWriting = new List<int>();
        foreach (var threshold in KillAt)
        {
            while (writer.Acknowledged < threshold && !writing.IsCompleted)
            {
                await Task.Delay(5, cancellationToken);
            }

            Assert.False(writing.IsCompleted, $"the writes finished before the kill at {threshold}: {writer.Acknowledged} acknowledged");
            await host.KillAsync();
            killedWhileWriting.Add(writer.Acknowledged);
            await host.StartAsync(cancellationToken);
        }

        await writing.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{label}: killed at {string.Join(" and ", killedWhileWriting)} acknowledged; failed attempts (retried): " +
            $"{string.Join(", ", writer.Failures.Select(f => $"{f.Key}={f.Value}"))}; replayed receipts: {writer.Replayed}");
        Assert.True(writer.Unexpected.Count == 0, "failures other than UNAVAILABLE/DEADLINE_EXCEEDED:\n" + string.Join('\n', writer.Unexpected.Take(10)));
        Assert.All(writer.Receipts, receipt => Assert.NotNull(receipt));
        Assert.True(writer.Failures.GetValueOrDefault(StatusCode.Unavailable) > 0, "no call saw the host down: the kills missed the writes");

        // Through the service: every record, with its request id, id and values.
        using var reader = new StopsClient(host.Address, new GrpcClientOptions { BearerToken = token });
        var byRequest = new Dictionary<string, List<EncounterRecord>>();
        await foreach (var record in reader.QueryEncountersAsync(new EncounterQuery(), new CallOptions { CancellationToken = cancellationToken }))
        {
            if (!byRequest.TryGetValue(record.RequestId, out var list))
            {
                byRequest[record.RequestId] = list = [];
            }

            list.Add(record);
        }

        Assert.Equal(Encounters, byRequest.Values.Sum(l => l.Count));
        for (var i = 0; i < Encounters; i++)
        {
            var request = writer.Requests[i];
            Assert.True(byRequest.TryGetValue(request.RequestId, out var records), $"{request.RequestId} was acknowledged but is not stored");
            var record = Assert.Single(records);
            Assert.Equal(writer.Receipts[i]!.EncounterId, record.EncounterId);
            // The service role reads officers by keyed pseudonym; everything else is as sent.
            var sent = request.Encounter.Clone();
            var read = record.Original.Clone();
            sent.Officer.Pseudonym = read.Officer.Pseudonym = "";
            Assert.Equal(sent, read);
        }

        Assert.False(host.HasExited, host.OutputTail);
        return writer;
    }

    /// <summary>
    /// The database holds exactly the acknowledged (request id, encounter id) pairs, each with the
    /// SHA-256 of the encounter as sent (the store's fingerprint), and one audit event per creation.
    /// </summary>
    private static void AssertDatabaseRows(RetryingWriter writer, IReadOnlyList<(string RequestId, string EncounterId, string Fingerprint)> rows, long recordAudits)
    {
        var expected = writer.Requests
            .Select((r, i) => (r.RequestId, writer.Receipts[i]!.EncounterId, Convert.ToHexString(SHA256.HashData(r.Encounter.ToByteArray()))))
            .Order().ToList();
        Assert.Equal(expected, rows.Order().ToList());
        Assert.Equal(Encounters, recordAudits);
    }

    private static async Task<List<(string, string, string)>> RowsAsync(System.Data.Common.DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string, string)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), Convert.ToHexString((byte[])reader[2])));
        }

        return rows;
    }

    private static async Task<T> ScalarAsync<T>(System.Data.Common.DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }
}
