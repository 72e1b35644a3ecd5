using Grpc.Health.V1;
using Npgsql;
using Targeting.Grpc;
using Targeting.Stops.Tests.Support;
using Targeting.Stops.V1;

namespace Targeting.Stops.Tests.Reliability;

/// <summary>
/// PostgreSQL stopped under a running stops service (on a cluster of the test's own): health goes
/// NOT_SERVING, callers get UNAVAILABLE (never INTERNAL), and when the database returns the same
/// service process recovers on its own: SERVING again, the writers' retries succeed, and every
/// encounter is stored exactly once.
/// </summary>
public sealed class DatabaseOutageTests
{
    private const int Encounters = 2_000;
    private const int InFlight = 8;
    private static readonly HealthCheckResponse.Types.ServingStatus Serving = HealthCheckResponse.Types.ServingStatus.Serving;
    private static readonly HealthCheckResponse.Types.ServingStatus NotServing = HealthCheckResponse.Types.ServingStatus.NotServing;

    private static readonly GrpcMethod<HealthCheckRequest, HealthCheckResponse> HealthCheck =
        GrpcMethod<HealthCheckRequest, HealthCheckResponse>.For(HealthReflection.Descriptor.Services[0], "Check");

    [Fact]
    public async Task Calls_PostgresStoppedDuringWrites_NotServingAndUnavailableThenRecoversWithoutRestart()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var cluster = await ThrowawayCluster.StartAsync();
        await using var host = await StopsTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgres",
            ["Storage:ConnectionString"] = cluster.ConnectionString,
            ["Stops:HealthProbeInterval"] = "00:00:00.200",
        });
        using var health = new GrpcClient(host.Address, new GrpcClientOptions { Retry = null });
        Assert.Equal(Serving, await StatusAsync(health));

        var token = DevelopmentTokens.Issue([Roles.Service], "outage-test");
        var writer = new RetryingWriter("outage-" + Guid.NewGuid().ToString("N"), Encounters);
        var writing = writer.RunAsync(() => new StopsClient(host.Address, new GrpcClientOptions { BearerToken = token, Retry = null }), InFlight, cancellationToken);
        while (writer.Acknowledged < 300)
        {
            Assert.False(writing.IsCompleted, "the writes finished before the outage");
            await Task.Delay(5, cancellationToken);
        }

        await cluster.StopAsync();
        var acknowledgedAtStop = writer.Acknowledged;

        Assert.True(await WaitForAsync(health, NotServing, TimeSpan.FromSeconds(15)), "health did not go NOT_SERVING within 15 s of the database stopping");

        // Each kind of call fails as UNAVAILABLE while the database is away: safe to retry, not a server bug.
        using var direct = new StopsClient(host.Address, new GrpcClientOptions { BearerToken = token, Retry = null });
        var known = writer.Receipts.First(r => r is not null)!.EncounterId;
        var record = await Assert.ThrowsAsync<RpcException>(() => direct.RecordEncounterAsync(new RecordEncounterRequest
        {
            RequestId = "outage-direct",
            Encounter = TestEncounters.PersonSearch(occurredAt: DateTimeOffset.UtcNow.AddMinutes(-1)),
        }));
        Assert.Equal(StatusCode.Unavailable, record.StatusCode);
        var get = await Assert.ThrowsAsync<RpcException>(() => direct.GetEncounterAsync(known));
        Assert.Equal(StatusCode.Unavailable, get.StatusCode);
        var query = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var unused in direct.QueryEncountersAsync(new EncounterQuery()))
            {
            }
        });
        Assert.Equal(StatusCode.Unavailable, query.StatusCode);

        // The writers keep retrying through the outage; nothing is acknowledged meanwhile.
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        Assert.False(writing.IsCompleted);
        var acknowledgedDuringOutage = writer.Acknowledged - acknowledgedAtStop;
        Assert.True(acknowledgedDuringOutage <= InFlight, $"{acknowledgedDuringOutage} writes acknowledged with the database down");

        await cluster.StartAgainAsync();
        Assert.True(await WaitForAsync(health, Serving, TimeSpan.FromSeconds(30)), "health did not return to SERVING within 30 s of the database starting");
        await writing.WaitAsync(TimeSpan.FromMinutes(1), cancellationToken);

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"failed attempts (retried): {string.Join(", ", writer.Failures.Select(f => $"{f.Key}={f.Value}"))}; replayed receipts: {writer.Replayed}");
        Assert.True(writer.Unexpected.Count == 0, "failures other than UNAVAILABLE/DEADLINE_EXCEEDED:\n" + string.Join('\n', writer.Unexpected.Take(10)));
        Assert.True(writer.Failures.GetValueOrDefault(StatusCode.Unavailable) > 0);

        // The same request the outage refused now succeeds, and the service's own reads work.
        var after = await direct.RecordEncounterAsync(new RecordEncounterRequest
        {
            RequestId = "outage-direct",
            Encounter = TestEncounters.PersonSearch(occurredAt: DateTimeOffset.UtcNow.AddMinutes(-1)),
        });
        Assert.False(after.Replayed);
        Assert.Equal(known, (await direct.GetEncounterAsync(known)).EncounterId);

        // Exactly once, read from the database itself.
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var select = new NpgsqlCommand("SELECT request_id, encounter_id::text FROM stops.encounters WHERE request_id <> 'outage-direct'", connection);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        var rows = new List<(string, string)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetString(0), reader.GetString(1)));
        }

        var expected = writer.Requests.Select((r, i) => (r.RequestId, writer.Receipts[i]!.EncounterId)).Order().ToList();
        Assert.Equal(expected, rows.Order().ToList());
    }

    private static async Task<HealthCheckResponse.Types.ServingStatus> StatusAsync(GrpcClient client) =>
        (await client.UnaryAsync(HealthCheck, new HealthCheckRequest { Service = StopsServiceExtensions.HealthName })).Status;

    private static async Task<bool> WaitForAsync(GrpcClient client, HealthCheckResponse.Types.ServingStatus status, TimeSpan within)
    {
        var giveUp = DateTime.UtcNow + within;
        while (DateTime.UtcNow < giveUp)
        {
            if (await StatusAsync(client) == status)
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }
}
