using System.Diagnostics;
using Grpc.Health.V1;
using Targeting.Grpc;
using Targeting.Stops;
using Targeting.Stops.V1;
using Targeting.Testing;

namespace Targeting.Deployment.Tests;

/// <summary>
/// scripts/run-local.sh --restart: a service killed with kill -9 is started again, as a kubelet
/// would, and a write it acknowledged before it died is still there: its retry with the same
/// request id is answered as a replay of the same encounter (bench/deployment/faults.sh runs the
/// same under load, for every service and PostgreSQL).
/// </summary>
[Collection(SplitRunCollection.Name)]
public sealed class SplitRunRestartTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly GrpcMethod<HealthCheckRequest, HealthCheckResponse> HealthCheck =
        GrpcMethod<HealthCheckRequest, HealthCheckResponse>.For(HealthReflection.Descriptor.Services[0], "Check");

    [Fact]
    public async Task RunLocalRestart_StopsKilled_StartedAgainAndAcknowledgedWriteReplayed()
    {
        database.Require();
        var cancellation = TestContext.Current.CancellationToken;
        var portBase = SplitRunTests.FreePortBase();
        var runDir = Directory.CreateTempSubdirectory("run-local-restart-").FullName;
        using var script = SplitRunTests.Start(RepoPaths.InRepo("scripts", "run-local.sh"),
            "--pg", database.ConnectionString, "--port-base", portBase.ToString(), "--no-build", "--restart", "--run-dir", runDir);
        var errors = script.StandardError.ReadToEndAsync(cancellation);
        try
        {
            for (var lines = 0; lines < 3; lines++)
            {
                if (await script.StandardOutput.ReadLineAsync(cancellation) is null)
                {
                    Assert.Fail("run-local.sh stopped early: " + await errors);
                }
            }

            var address = new Uri($"http://127.0.0.1:{portBase + 2}");
            using var officer = new GrpcClient(address, new GrpcClientOptions
            {
                BearerToken = DevelopmentTokens.Issue(Roles.Officer, "officer-restart", "team-restart"),
                Retry = null,
            });
            var stops = new StopsClient(officer);
            Assert.True(await ServingWithinAsync(address, TimeSpan.FromSeconds(120)), "stops never SERVING");
            var request = new RecordEncounterRequest { RequestId = "restart-1", Encounter = Search() };
            var first = await stops.RecordEncounterAsync(request, CallOptions.WithTimeout(TimeSpan.FromSeconds(30), cancellation));
            Assert.False(first.Replayed);

            var pidFile = Path.Combine(runDir, "stops.pid");
            var killed = int.Parse(File.ReadAllText(pidFile).Trim());
            Process.Start("kill", ["-9", killed.ToString()])!.WaitForExit();

            // The script notices, starts stops again (a new process) and it serves the same port.
            var restarted = killed;
            for (var attempt = 0; attempt < 1200 && restarted == killed; attempt++)
            {
                await Task.Delay(100, cancellation);
                restarted = int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid) ? pid : killed;
            }
            Assert.NotEqual(killed, restarted);
            Assert.True(await ServingWithinAsync(address, TimeSpan.FromSeconds(120)), "stops not SERVING after its restart");

            // The acknowledged write survived the kill: the retry is a replay of the same encounter.
            var retry = await stops.RecordEncounterAsync(request, CallOptions.WithTimeout(TimeSpan.FromSeconds(30), cancellation));
            Assert.True(retry.Replayed);
            Assert.Equal(first.EncounterId, retry.EncounterId);
            Assert.Equal("team-restart", (await stops.GetEncounterAsync(first.EncounterId)).Current.Officer.Team);
        }
        finally
        {
            Process.Start("kill", ["-TERM", script.Id.ToString()])!.WaitForExit();
            var stopped = script.WaitForExit(TimeSpan.FromSeconds(60));
            if (!stopped)
            {
                script.Kill(entireProcessTree: true);
            }
            Assert.True(stopped, "run-local.sh did not stop on SIGTERM");
            foreach (var offset in new[] { 1, 2, 3 })
            {
                Assert.False(SplitRunTests.Listening(portBase + offset), $"port {portBase + offset} still listens after run-local.sh stopped");
            }
            Directory.Delete(runDir, recursive: true);
        }
    }

    /// <summary>Polls the stops health (its own service name, as the readiness probe asks) until SERVING.</summary>
    private static async Task<bool> ServingWithinAsync(Uri address, TimeSpan limit)
    {
        using var client = new GrpcClient(address, new GrpcClientOptions { Retry = null });
        var until = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < until)
        {
            try
            {
                var reply = await client.UnaryAsync(HealthCheck, new HealthCheckRequest { Service = StopsServiceExtensions.HealthName }, CallOptions.WithTimeout(TimeSpan.FromSeconds(5)));
                if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    return true;
                }
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                // Not listening yet (or too busy to answer): try again.
            }
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
        return false;
    }

    private static Encounter Search()
    {
        var encounter = SplitRunTests.Search(DateTimeOffset.UtcNow.AddMinutes(-5));
        encounter.Officer = new Officer { Pseudonym = "officer-restart", Team = "team-restart", PrecisionTrained = true };
        return encounter;
    }
}

/// <summary>The split runs start three services each: one at a time, so they do not crowd 2 cores together.</summary>
[CollectionDefinition(Name)]
public sealed class SplitRunCollection
{
    public const string Name = "split run";
}
