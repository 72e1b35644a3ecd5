using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf.WellKnownTypes;
using Grpc.Health.V1;
using Targeting.Common.V1;
using Targeting.Feedback;
using Targeting.Feedback.V1;
using Targeting.Grpc;
using Targeting.Stops;
using Targeting.Stops.V1;
using Targeting.Testing;

namespace Targeting.Deployment.Tests;

/// <summary>
/// scripts/run-local.sh: hotspot, stops and feedback each in its own process against one PostGIS
/// database, answering health over gRPC and calling each other across processes.
/// </summary>
[Collection(SplitRunCollection.Name)]
public sealed class SplitRunTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly GrpcMethod<HealthCheckRequest, HealthCheckResponse> HealthCheck =
        GrpcMethod<HealthCheckRequest, HealthCheckResponse>.For(HealthReflection.Descriptor.Services[0], "Check");

    [Fact]
    public async Task RunLocal_ThreeProcesses_ServeHealthAndCallEachOther()
    {
        database.Require();
        var portBase = FreePortBase();
        using var script = Start(RepoPaths.InRepo("scripts", "run-local.sh"), "--pg", database.ConnectionString, "--port-base", portBase.ToString(), "--no-build");
        var errors = script.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var output = new List<string>();
        try
        {
            // The script prints "<service> <address>" per service once all listen.
            while (output.Count < 3 && await script.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
            {
                output.Add(line);
            }
            if (output.Count < 3)
            {
                // Only then: stderr ends when the script does.
                Assert.Fail("run-local.sh stopped early: " + await errors);
            }
            var addresses = output.Select(l => l.Split(' ')).ToDictionary(p => p[0], p => new Uri(p[1]));
            Assert.Equal(new Uri($"http://127.0.0.1:{portBase + 1}"), addresses["hotspot"]);
            Assert.Equal(new Uri($"http://127.0.0.1:{portBase + 2}"), addresses["stops"]);
            Assert.Equal(new Uri($"http://127.0.0.1:{portBase + 3}"), addresses["feedback"]);

            // Each process serves its own service, and only its own, as the probes ask.
            var own = new Dictionary<string, string>
            {
                ["hotspot"] = Targeting.Hotspot.V1.HotspotReflection.Descriptor.Services[0].FullName,
                ["stops"] = StopsServiceExtensions.HealthName,
                ["feedback"] = FeedbackReflection.Descriptor.Services[0].FullName,
            };
            foreach (var (service, address) in addresses)
            {
                using var anonymous = new GrpcClient(address);
                Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await WaitServingAsync(anonymous, ""));
                Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await WaitServingAsync(anonymous, own[service]));
                foreach (var other in own.Where(o => o.Key != service))
                {
                    var missing = await Assert.ThrowsAsync<RpcException>(() => anonymous.UnaryAsync(HealthCheck, new HealthCheckRequest { Service = other.Value }, new CallOptions { Deadline = DateTime.UtcNow.AddSeconds(10) }));
                    Assert.Equal(StatusCode.NotFound, missing.StatusCode);
                }
            }

            // stops -> hotspot: every recorded stop ends up linked (OUTSIDE: no plan yet), which
            // needs an answer from the hotspot process; unreachable, it stays PENDING. (The write
            // itself waits only Stops:LinkDeadline, 250 ms, so a cold first call may leave it to the link job.)
            using var officer = new GrpcClient(addresses["stops"], new GrpcClientOptions { BearerToken = DevelopmentTokens.Issue(Roles.Officer, "officer-split", "team-split") });
            var stops = new StopsClient(officer);
            // Recorded now (a record over 24 hours late needs a reason): the window is this London month.
            var london = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
            var now = DateTimeOffset.UtcNow;
            var local = TimeZoneInfo.ConvertTime(now, london);
            var monthStart = new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified);
            var start = new DateTimeOffset(monthStart, london.GetUtcOffset(monthStart));
            var end = new DateTimeOffset(monthStart.AddMonths(1), london.GetUtcOffset(monthStart.AddMonths(1)));
            var ids = new List<string>();
            for (var i = 0; i < 6; i++)
            {
                // Never before the month's start (the first minutes of a month).
                var at = now.AddMinutes(-(i + 1)) < start ? start.AddSeconds(i) : now.AddMinutes(-(i + 1));
                var receipt = await stops.RecordEncounterAsync(new RecordEncounterRequest { RequestId = $"split-{i}", Encounter = Search(at) });
                ids.Add(receipt.EncounterId);
            }
            foreach (var id in ids)
            {
                var link = (await stops.GetEncounterAsync(id)).PatrolLink.Status;
                for (var attempt = 0; attempt < 600 && link == PatrolLinkStatus.Pending; attempt++)
                {
                    await Task.Delay(100, TestContext.Current.CancellationToken);
                    link = (await stops.GetEncounterAsync(id)).PatrolLink.Status;
                }
                Assert.Equal(PatrolLinkStatus.Outside, link);
            }

            // feedback -> stops: the public report of the other process counts those six searches
            // (at least the threshold of 5, so shown), in Lambeth, this month.
            using var member = new GrpcClient(addresses["feedback"], new GrpcClientOptions { BearerToken = DevelopmentTokens.Issue(Roles.Public, "split-test") });
            var report = await new FeedbackClient(member).GetTransparencyReportAsync(new TransparencyRequest
            {
                Window = new TimeWindow { Start = Timestamp.FromDateTimeOffset(start), End = Timestamp.FromDateTimeOffset(end) },
            });
            var lambeth = Assert.Single(report.Rows, r => r.Borough == "Lambeth");
            Assert.Equal(local.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), lambeth.Month);
            Assert.False(lambeth.Searches.Suppressed);
            Assert.Equal(6, lambeth.Searches.Value);
        }
        finally
        {
            // What `kill` (or Ctrl-C's trap) does: the script stops every service and exits.
            Process.Start("kill", ["-TERM", script.Id.ToString()])!.WaitForExit();
            var stopped = script.WaitForExit(TimeSpan.FromSeconds(60));
            if (!stopped)
            {
                script.Kill(entireProcessTree: true);
            }
            Assert.True(stopped, "run-local.sh did not stop on SIGTERM");
            foreach (var offset in new[] { 1, 2, 3 })
            {
                Assert.False(Listening(portBase + offset), $"port {portBase + offset} still listens after run-local.sh stopped");
            }
        }
    }

    internal static Encounter Search(DateTimeOffset at) => new()
    {
        OccurredAt = Timestamp.FromDateTimeOffset(at),
        // Brixton, Lambeth.
        Location = new LatLng { Latitude = 51.4627, Longitude = -0.1145 },
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
            GroundsExplained = Answer.Yes,
            PersonHeard = Answer.Yes,
            TreatedWithRespect = Answer.Yes,
            DebriefGiven = Answer.No,
            RecordCopyOffered = Answer.Yes,
            BodyWornVideoOn = Answer.Yes,
        },
        Officer = new Officer { Pseudonym = "officer-split", Team = "team-split", PrecisionTrained = true },
        PartOfOperation = Answer.No,
    };

    /// <summary>Polls until SERVING (a store's first check may still be running), 60 s at most.</summary>
    private static async Task<HealthCheckResponse.Types.ServingStatus> WaitServingAsync(GrpcClient client, string service)
    {
        var status = HealthCheckResponse.Types.ServingStatus.Unknown;
        for (var attempt = 0; attempt < 600 && status != HealthCheckResponse.Types.ServingStatus.Serving; attempt++)
        {
            status = (await client.UnaryAsync(HealthCheck, new HealthCheckRequest { Service = service }, new CallOptions { Deadline = DateTime.UtcNow.AddSeconds(10) })).Status;
            if (status != HealthCheckResponse.Types.ServingStatus.Serving)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }
        return status;
    }

    internal static Process Start(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return Process.Start(start) ?? throw new InvalidOperationException("could not start run-local.sh");
    }

    /// <summary>Four consecutive free loopback ports, the first of them returned.</summary>
    internal static int FreePortBase()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var candidate = Random.Shared.Next(20_000, 60_000);
            if (Enumerable.Range(candidate, 4).All(p => !Listening(p)))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("no four free consecutive loopback ports");
    }

    internal static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
