using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Targeting.Common.V1;
using Targeting.Grpc;
using Targeting.Stops.Access;
using Targeting.Stops.Tests.Support;
using Targeting.Stops.V1;

namespace Targeting.Stops.Tests.Service;

/// <summary>The stops service end to end: a real client calling the in-process service over HTTP/2.</summary>
public sealed class StopsServiceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RecordEncounter_HotspotAnswers_ReceiptLinkedToThePatrolArea()
    {
        await using var hotspot = await FakeHotspot.StartAsync();
        await using var host = await StopsTestHost.StartAsync(HotspotAt(hotspot));
        using var officer = host.Client(Roles.Officer, "officer-a", "team-1");

        var inside = await officer.RecordEncounterAsync(Request("r-1", Now(TestEncounters.PersonSearch())));
        var outside = await officer.RecordEncounterAsync(Request("r-2", Now(TestEncounters.PersonSearch(at: TestEncounters.Barking))));

        Assert.False(inside.Replayed);
        Assert.Equal((PatrolLinkStatus.Inside, FakeHotspot.PlanId, FakeHotspot.AreaId), (inside.PatrolLink.Status, inside.PatrolLink.PlanId, inside.PatrolLink.AreaId));
        Assert.NotNull(inside.PatrolLink.LinkedAt);
        Assert.Equal(PatrolLinkStatus.Outside, outside.PatrolLink.Status);
        Assert.All(hotspot.State.Callers, caller => Assert.Equal("stops-service", caller));
    }

    [Fact]
    public async Task RecordEncounter_Retry_SameReceiptReplayedAndOneRecord()
    {
        await using var host = await StopsTestHost.StartAsync();
        using var officer = host.Client(Roles.Officer, "officer-a", "team-1");
        var request = Request("r-1", Now(TestEncounters.PersonSearch()));

        var first = await officer.RecordEncounterAsync(request);
        var retry = await officer.RecordEncounterAsync(request);

        Assert.False(first.Replayed);
        Assert.True(retry.Replayed);
        Assert.Equal(first.EncounterId, retry.EncounterId);
        Assert.Equal(first.RecordedAt, retry.RecordedAt);
        Assert.Single(await ToListAsync(officer.QueryEncountersAsync(new EncounterQuery())));
    }

    [Fact]
    public async Task RecordEncounter_SameRequestIdDifferentEncounter_AlreadyExists()
    {
        await using var host = await StopsTestHost.StartAsync();
        using var officer = host.Client(Roles.Officer, "officer-a", "team-1");
        await officer.RecordEncounterAsync(Request("r-1", Now(TestEncounters.PersonSearch())));
        var different = Now(TestEncounters.PersonSearch());
        different.Outcome = Outcome.NoFurtherAction;

        var error = await Assert.ThrowsAsync<RpcException>(() => officer.RecordEncounterAsync(Request("r-1", different)));

        Assert.Equal(StatusCode.AlreadyExists, error.StatusCode);
    }

    [Fact]
    public async Task RecordEncounter_SeveralBadFields_InvalidArgumentWithOneViolationPerField()
    {
        await using var host = await StopsTestHost.StartAsync();
        using var officer = host.Client(Roles.Officer, "officer-a", "team-1");
        var encounter = Now(TestEncounters.PersonSearch());
        encounter.Location.Latitude = double.NaN;
        encounter.Grounds = "";
        encounter.LegalPower = (LegalPower)77;
        encounter.Vehicle = new Vehicle { Make = "SYNTHETIC" };

        var error = await Assert.ThrowsAsync<RpcException>(() => officer.RecordEncounterAsync(Request("", encounter)));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var fields = error.GetBadRequest()!.FieldViolations.Select(v => v.Field).Order().ToList();
        Assert.Equal(["encounter.legal_power", "encounter.location.latitude", "encounter.vehicle", "request_id"], fields);
    }

    [Fact]
    public async Task RecordEncounter_OfficerRecordingForAnother_PermissionDenied()
    {
        await using var host = await StopsTestHost.StartAsync();
        using var officer = host.Client(Roles.Officer, "officer-b", "team-1");

        var error = await Assert.ThrowsAsync<RpcException>(() => officer.RecordEncounterAsync(Request("r-1", Now(TestEncounters.PersonSearch("officer-a")))));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task RecordEncounter_OfficerUnderAnotherTeam_PermissionDeniedAndNeitherSupervisorSeesIt()
    {
        // The team comes from the token: an officer of team-1 cannot file a record under team-2,
        // where their own supervisor would not see it and team-2's would.
        await using var host = await StopsTestHost.StartAsync();
        using var officer = host.Client(Roles.Officer, "officer-a", "team-1");
        using var noTeam = host.Client(Roles.Officer, "officer-a");
        using var ownSupervisor = host.Client(Roles.Supervisor, "sergeant-1", "team-1");
        using var otherSupervisor = host.Client(Roles.Supervisor, "sergeant-2", "team-2");

        var underOther = await Assert.ThrowsAsync<RpcException>(() => officer.RecordEncounterAsync(Request("t-1", Now(TestEncounters.PersonSearch("officer-a", "team-2")))));
        var withoutTeam = await Assert.ThrowsAsync<RpcException>(() => noTeam.RecordEncounterAsync(Request("t-2", Now(TestEncounters.PersonSearch("officer-a", "team-1")))));
        var supervisorForOther = await Assert.ThrowsAsync<RpcException>(() => ownSupervisor.RecordEncounterAsync(Request("t-3", Now(TestEncounters.PersonSearch("officer-a", "team-2")))));
        var own = await officer.RecordEncounterAsync(Request("t-4", Now(TestEncounters.PersonSearch("officer-a", "team-1"))));

        Assert.Equal(StatusCode.PermissionDenied, underOther.StatusCode);
        Assert.Contains("team-1", underOther.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.PermissionDenied, withoutTeam.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, supervisorForOther.StatusCode);
        Assert.Equal([own.EncounterId], (await ToListAsync(ownSupervisor.QueryEncountersAsync(new EncounterQuery()))).Select(r => r.EncounterId));
        Assert.Empty(await ToListAsync(otherSupervisor.QueryEncountersAsync(new EncounterQuery())));
    }

    [Fact]
    public async Task RecordEncounter_HotspotUnreachable_WrittenPendingAtOnceThenLinkedByTheJob()
    {
        // Reserve a port for a hotspot that is not running yet.
        var port = FreePort();
        await using var host = await StopsTestHost.StartAsync(new() { ["Services:Hotspot:Address"] = $"http://127.0.0.1:{port}" });
        using var officer = host.Client(Roles.Officer, "officer-a", "team-1");

        var clock = Stopwatch.StartNew();
        var receipt = await officer.RecordEncounterAsync(Request("r-1", Now(TestEncounters.PersonSearch())));
        var elapsed = clock.Elapsed;

        Assert.Equal(PatrolLinkStatus.Pending, receipt.PatrolLink.Status);
        Assert.True(elapsed < TimeSpan.FromSeconds(2), $"the write waited {elapsed} on an unreachable hotspot");

        await using var hotspot = await FakeHotspot.StartAsync(port);
        var linked = await PollAsync(async () => (await officer.GetEncounterAsync(receipt.EncounterId)).PatrolLink,
            link => link.Status != PatrolLinkStatus.Pending, TimeSpan.FromSeconds(20));
        Assert.Equal((PatrolLinkStatus.Inside, FakeHotspot.AreaId), (linked.Status, linked.AreaId));
    }

    [Fact]
    public async Task RecordEncounter_HotspotSlow_RepliesWithinTheLinkDeadlineAsPending()
    {
        await using var hotspot = await FakeHotspot.StartAsync(behaviour: new FakeHotspot.Behaviour { Delay = TimeSpan.FromSeconds(3) });
        await using var host = await StopsTestHost.StartAsync(HotspotAt(hotspot, ("Stops:LinkDeadline", "00:00:00.200")));
        using var officer = host.Client(Roles.Officer, "officer-a", "team-1");

        var clock = Stopwatch.StartNew();
        var first = await officer.RecordEncounterAsync(Request("r-1", Now(TestEncounters.PersonSearch())));
        var firstElapsed = clock.Elapsed;
        clock.Restart();
        var second = await officer.RecordEncounterAsync(Request("r-2", Now(TestEncounters.PersonSearch())));
        var secondElapsed = clock.Elapsed;

        Assert.Equal(PatrolLinkStatus.Pending, first.PatrolLink.Status);
        Assert.Equal(PatrolLinkStatus.Pending, second.PatrolLink.Status);
        Assert.True(firstElapsed < TimeSpan.FromSeconds(1.5), $"first write took {firstElapsed}");
        // The breaker is open after the first timeout: the second write does not ask at all.
        Assert.True(secondElapsed < TimeSpan.FromSeconds(1), $"second write took {secondElapsed}");
    }

    [Fact]
    public async Task GetEncounter_EachRole_SeesWhatItsScopeAllows()
    {
        await using var host = await StopsTestHost.StartAsync();
        using var officerA = host.Client(Roles.Officer, "officer-a", "team-1");
        var receipt = await officerA.RecordEncounterAsync(Request("r-1", Now(TestEncounters.PersonSearch("officer-a", "team-1"))));
        using var officerB = host.Client(Roles.Officer, "officer-b", "team-1");
        using var supervisor = host.Client(Roles.Supervisor, "sergeant-1", "team-1");
        using var otherSupervisor = host.Client(Roles.Supervisor, "sergeant-2", "team-2");
        using var analyst = host.Client(Roles.Analyst, "analyst-1");
        var pseudonymiser = host.Services.GetRequiredService<Pseudonymiser>();

        var own = await officerA.GetEncounterAsync(receipt.EncounterId);
        var team = await supervisor.GetEncounterAsync(receipt.EncounterId);
        var analysed = await analyst.GetEncounterAsync(receipt.EncounterId);
        var notOwn = await Assert.ThrowsAsync<RpcException>(() => officerB.GetEncounterAsync(receipt.EncounterId));
        var otherTeam = await Assert.ThrowsAsync<RpcException>(() => otherSupervisor.GetEncounterAsync(receipt.EncounterId));

        Assert.Equal("officer-a", own.Current.Officer.Pseudonym);
        Assert.Equal("officer-a", team.Current.Officer.Pseudonym);
        Assert.Equal(pseudonymiser.Pseudonymise("officer-a"), analysed.Current.Officer.Pseudonym);
        Assert.Equal(pseudonymiser.Pseudonymise("officer-a"), analysed.RecordedBy);
        Assert.StartsWith(Pseudonymiser.Prefix, analysed.Current.Officer.Pseudonym, StringComparison.Ordinal);
        Assert.Equal(own.Current.SelfDefinedEthnicity, analysed.Current.SelfDefinedEthnicity);
        Assert.Equal(StatusCode.NotFound, notOwn.StatusCode);
        Assert.Equal(StatusCode.NotFound, otherTeam.StatusCode);
    }

    [Fact]
    public async Task GetEncounter_Read_AuditedWithWhoWhenAndWhichFields()
    {
        await using var host = await StopsTestHost.StartAsync();
        using var officer = host.Client(Roles.Officer, "officer-a", "team-1");
        var receipt = await officer.RecordEncounterAsync(Request("r-1", Now(TestEncounters.PersonSearch())));
        using var analyst = host.Client(Roles.Analyst, "analyst-1");
        using var supervisor = host.Client(Roles.Supervisor, "sergeant-1", "team-1");
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        await analyst.GetEncounterAsync(receipt.EncounterId);
        var events = await ToListAsync(supervisor.ListAuditEventsAsync(new AuditQuery { EncounterId = receipt.EncounterId }));

        Assert.Equal(["record", "read"], events.Select(e => e.Action));
        var read = events[1];
        Assert.Equal(("analyst-1", "analyst", "GetEncounter"), (read.Actor, read.Role, read.Rpc));
        Assert.Equal([receipt.EncounterId], read.EncounterIds);
        Assert.Contains("self_defined_ethnicity", read.Fields, StringComparison.Ordinal);
        Assert.InRange(read.At.ToDateTimeOffset(), before, DateTimeOffset.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task QueryEncounters_AnalystFiltersByKeyedPseudonym_FindsThatOfficersOnly()
    {
        await using var host = await StopsTestHost.StartAsync();
        using var service = host.Client(Roles.Service, "feedback-service");
        for (var i = 0; i < 6; i++)
        {
            await service.RecordEncounterAsync(Request($"r-{i}", Now(TestEncounters.PersonSearch($"officer-{i % 3}", "team-1"))));
        }

        using var analyst = host.Client(Roles.Analyst, "analyst-1");
        var keyed = host.Services.GetRequiredService<Pseudonymiser>().Pseudonymise("officer-1");

        var found = await ToListAsync(analyst.QueryEncountersAsync(new EncounterQuery { OfficerPseudonym = keyed }));
        var byRealName = await ToListAsync(analyst.QueryEncountersAsync(new EncounterQuery { OfficerPseudonym = "officer-1" }));

        Assert.Equal(2, found.Count);
        Assert.All(found, r => Assert.Equal(keyed, r.Current.Officer.Pseudonym));
        Assert.Empty(byRealName);
    }

    [Fact]
    public async Task QueryEncounters_ScopesAndFilters_OfficerOwnSupervisorTeamAreaAndWindow()
    {
        await using var host = await StopsTestHost.StartAsync();
        using var service = host.Client(Roles.Service, "feedback-service");
        await service.RecordEncounterAsync(Request("a1", Now(TestEncounters.PersonSearch("officer-a", "team-1"))));
        await service.RecordEncounterAsync(Request("a2", Now(TestEncounters.PersonSearch("officer-a", "team-1", at: TestEncounters.Barking))));
        await service.RecordEncounterAsync(Request("b1", Now(TestEncounters.PersonSearch("officer-b", "team-2"))));
        using var officerA = host.Client(Roles.Officer, "officer-a", "team-1");
        using var supervisor2 = host.Client(Roles.Supervisor, "sergeant-2", "team-2");

        var own = await ToListAsync(officerA.QueryEncountersAsync(new EncounterQuery()));
        var ownInLambeth = await ToListAsync(officerA.QueryEncountersAsync(new EncounterQuery { Area = new AreaOfInterest { BoundaryName = "Lambeth" } }));
        var team2 = await ToListAsync(supervisor2.QueryEncountersAsync(new EncounterQuery()));
        var emptyWindow = await ToListAsync(officerA.QueryEncountersAsync(new EncounterQuery
        {
            Window = new TimeWindow { Start = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-3)), End = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-2)) },
        }));
        var otherOfficer = await Assert.ThrowsAsync<RpcException>(() => ToListAsync(officerA.QueryEncountersAsync(new EncounterQuery { OfficerPseudonym = "officer-b" })));
        var otherTeam = await Assert.ThrowsAsync<RpcException>(() => ToListAsync(supervisor2.QueryEncountersAsync(new EncounterQuery { Team = "team-1" })));

        Assert.Equal(["a1", "a2"], own.Select(r => r.RequestId));
        Assert.Equal(["a1"], ownInLambeth.Select(r => r.RequestId));
        Assert.Equal(["b1"], team2.Select(r => r.RequestId));
        Assert.Empty(emptyWindow);
        Assert.Equal(StatusCode.PermissionDenied, otherOfficer.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, otherTeam.StatusCode);
    }

    [Fact]
    public async Task QueryEncounters_BadQuery_OneViolationPerField()
    {
        await using var host = await StopsTestHost.StartAsync();
        using var analyst = host.Client(Roles.Analyst, "analyst-1");
        var query = new EncounterQuery
        {
            Window = new TimeWindow { Start = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow), End = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-1)) },
            Area = new AreaOfInterest { Wkt = "POLYGON((0 0, 1 1, 1 0, 0 1, 0 0))" },
            Outcomes = { (Outcome)99 },
            AreaId = "area-1",
            Limit = -1,
        };

        var error = await Assert.ThrowsAsync<RpcException>(() => ToListAsync(analyst.QueryEncountersAsync(query)));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["area.wkt", "area_id", "limit", "outcomes", "window"], error.GetBadRequest()!.FieldViolations.Select(v => v.Field).Order());
    }

    [Fact]
    public async Task AmendEncounter_Supervisor_AppendsWithAuthorAndReasonKeepingTheOriginal()
    {
        await using var host = await StopsTestHost.StartAsync();
        using var officer = host.Client(Roles.Officer, "officer-a", "team-1");
        var receipt = await officer.RecordEncounterAsync(Request("r-1", Now(TestEncounters.PersonSearch())));
        using var supervisor = host.Client(Roles.Supervisor, "sergeant-1", "team-1");
        var amend = new AmendEncounterRequest
        {
            EncounterId = receipt.EncounterId,
            RequestId = "amend-1",
            Reason = "Debrief was given at the scene; recorded wrongly",
            UpdateMask = new FieldMask { Paths = { "procedural_justice.debrief_given" } },
            Changes = new Encounter { ProceduralJustice = new ProceduralJustice { DebriefGiven = Answer.Yes } },
        };

        var amended = await supervisor.AmendEncounterAsync(amend);
        var retried = await supervisor.AmendEncounterAsync(amend);
        var byOfficer = await Assert.ThrowsAsync<RpcException>(() => officer.AmendEncounterAsync(amend));

        Assert.Equal(Answer.No, amended.Original.ProceduralJustice.DebriefGiven);
        Assert.Equal(Answer.Yes, amended.Current.ProceduralJustice.DebriefGiven);
        Assert.Equal(Answer.Yes, amended.Current.ProceduralJustice.GroundsExplained);
        var amendment = Assert.Single(amended.Amendments);
        Assert.Equal(("sergeant-1", "Debrief was given at the scene; recorded wrongly", 1), (amendment.Author, amendment.Reason, amendment.Sequence));
        Assert.Single(retried.Amendments);
        Assert.Equal(StatusCode.PermissionDenied, byOfficer.StatusCode);
    }

    [Fact]
    public async Task AmendEncounter_BadMaskAndMissingReason_InvalidArgument()
    {
        await using var host = await StopsTestHost.StartAsync();
        using var supervisor = host.Client(Roles.Supervisor, "sergeant-1", "team-1");

        var error = await Assert.ThrowsAsync<RpcException>(() => supervisor.AmendEncounterAsync(new AmendEncounterRequest
        {
            EncounterId = Guid.NewGuid().ToString(),
            RequestId = "amend-1",
            Reason = "",
            UpdateMask = new FieldMask { Paths = { "outcome", "no_such_field", "officer.pseudonym" } },
        }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["reason", "update_mask.paths[1]", "update_mask.paths[2]"], error.GetBadRequest()!.FieldViolations.Select(v => v.Field).Order());
    }

    [Fact]
    public async Task AmendEncounter_ChangesMakingTheRecordInvalid_ViolationOnTheChangedField()
    {
        await using var host = await StopsTestHost.StartAsync();
        using var officer = host.Client(Roles.Officer, "officer-a", "team-1");
        var receipt = await officer.RecordEncounterAsync(Request("r-1", Now(TestEncounters.PersonSearch())));
        using var supervisor = host.Client(Roles.Supervisor, "sergeant-1", "team-1");

        var error = await Assert.ThrowsAsync<RpcException>(() => supervisor.AmendEncounterAsync(new AmendEncounterRequest
        {
            EncounterId = receipt.EncounterId,
            RequestId = "amend-1",
            Reason = "Power was section 60",
            UpdateMask = new FieldMask { Paths = { "legal_power" } },
            Changes = new Encounter { LegalPower = LegalPower.CjpoaS60 },
        }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("changes.authorisation_reference", Assert.Single(error.GetBadRequest()!.FieldViolations).Field);
    }

    [Fact]
    public async Task AmendEncounter_NewLocation_LinkPendingAgainThenRelinked()
    {
        await using var hotspot = await FakeHotspot.StartAsync();
        await using var host = await StopsTestHost.StartAsync(HotspotAt(hotspot));
        using var officer = host.Client(Roles.Officer, "officer-a", "team-1");
        var receipt = await officer.RecordEncounterAsync(Request("r-1", Now(TestEncounters.PersonSearch(at: TestEncounters.Barking))));
        using var supervisor = host.Client(Roles.Supervisor, "sergeant-1", "team-1");

        var amended = await supervisor.AmendEncounterAsync(new AmendEncounterRequest
        {
            EncounterId = receipt.EncounterId,
            RequestId = "amend-1",
            Reason = "Wrong place typed on the device",
            UpdateMask = new FieldMask { Paths = { "location" } },
            Changes = new Encounter { Location = TestEncounters.Brixton.Clone() },
        });

        Assert.Equal(PatrolLinkStatus.Outside, receipt.PatrolLink.Status);
        Assert.Equal(PatrolLinkStatus.Pending, amended.PatrolLink.Status);
        var relinked = await PollAsync(async () => (await supervisor.GetEncounterAsync(receipt.EncounterId)).PatrolLink,
            link => link.Status != PatrolLinkStatus.Pending, TimeSpan.FromSeconds(20));
        Assert.Equal(PatrolLinkStatus.Inside, relinked.Status);
    }

    [Fact]
    public async Task Calls_WithoutTokenOrWithWrongRole_RefusedByTheLayer()
    {
        await using var host = await StopsTestHost.StartAsync();
        using var anonymous = new StopsClient(host.Address);
        using var planner = host.Client(Roles.Planner, "planner-1");

        var noToken = await Assert.ThrowsAsync<RpcException>(() => anonymous.GetEncounterAsync(Guid.NewGuid().ToString()));
        var wrongRole = await Assert.ThrowsAsync<RpcException>(() => planner.GetEncounterAsync(Guid.NewGuid().ToString()));

        Assert.Equal(StatusCode.Unauthenticated, noToken.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, wrongRole.StatusCode);
    }

    internal static RecordEncounterRequest Request(string requestId, Encounter encounter) => new() { RequestId = requestId, Encounter = encounter };

    /// <summary>The test encounters are dated relative to a fixed clock; the live service checks against now.</summary>
    internal static Encounter Now(Encounter encounter)
    {
        var shift = DateTimeOffset.UtcNow - TestEncounters.Now;
        encounter.OccurredAt = Timestamp.FromDateTimeOffset(encounter.OccurredAt.ToDateTimeOffset() + shift);
        return encounter;
    }

    internal static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }

    internal static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value) || clock.Elapsed > timeout)
            {
                return value;
            }

            await Task.Delay(100, Ct);
        }
    }

    private static Dictionary<string, string?> HotspotAt(FakeHotspot hotspot, params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?> { ["Services:Hotspot:Address"] = hotspot.Address.ToString() };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
