using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Targeting.Grpc;
using Targeting.Stops.Access;
using Targeting.Stops.Tests.Support;
using Targeting.Stops.V1;
using static Targeting.Stops.Tests.Service.StopsServiceTests;

namespace Targeting.Stops.Tests.Service;

/// <summary>
/// What the issue asks of roles and the audit log beyond StopsServiceTests: streamed reads audited
/// before they leave (as query or export), the service role's stream across teams under keyed
/// pseudonyms, the amendment history as every permitted reader sees it, and supervisors kept to
/// their own team when amending.
/// </summary>
public sealed class AccessAndAuditTests
{
    [Fact]
    public async Task QueryEncounters_StreamedRead_AuditedAsQueryOrExportWithEveryId()
    {
        await using var host = await StopsTestHost.StartAsync();
        using var service = host.Client(Roles.Service, "feedback-service");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await service.RecordEncounterAsync(Request($"q-{i}", Now(TestEncounters.PersonSearch($"officer-{i}", "team-1"))))).EncounterId);
        }

        using var analyst = host.Client(Roles.Analyst, "analyst-1");
        using var supervisor = host.Client(Roles.Supervisor, "sergeant-1", "team-1");

        var queried = await ToListAsync(analyst.QueryEncountersAsync(new EncounterQuery()));
        var exported = await ToListAsync(analyst.QueryEncountersAsync(new EncounterQuery(),
            new CallOptions { Headers = new Metadata { { StopsGrpcService.AuditPurposeHeader, "export" } } }));
        var events = await ToListAsync(supervisor.ListAuditEventsAsync(new AuditQuery { Actor = "analyst-1" }));

        Assert.Equal(3, queried.Count);
        Assert.Equal(3, exported.Count);
        Assert.Equal(["query", "export"], events.Select(e => e.Action));
        Assert.All(events, e =>
        {
            Assert.Equal(("analyst", "QueryEncounters", 3L), (e.Role, e.Rpc, e.EncounterCount));
            Assert.Equal(ids.Order(), e.EncounterIds.Order());
            Assert.Contains("self_defined_ethnicity", e.Fields, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task StreamEncounterFacts_Analyst_EachEncountersCurrentColumnsAuditedWithEveryId()
    {
        await using var host = await StopsTestHost.StartAsync();
        using var service = host.Client(Roles.Service, "feedback-service");
        var search = Now(TestEncounters.PersonSearch("officer-1", "team-1"));
        var vehicle = TestEncounters.VehicleStop("officer-2", "roads-1");
        vehicle.OccurredAt = search.OccurredAt;
        var ids = new List<string>();
        foreach (var (request, encounter) in new[] { ("f-0", search), ("f-1", vehicle) })
        {
            ids.Add((await service.RecordEncounterAsync(Request(request, encounter))).EncounterId);
        }

        using var analyst = host.Client(Roles.Analyst, "analyst-1");
        using var supervisor = host.Client(Roles.Supervisor, "sergeant-1", "team-1");
        var records = await ToListAsync(analyst.QueryEncountersAsync(new EncounterQuery()));
        var batch = Assert.Single(await ToListAsync(analyst.StreamEncounterFactsAsync(new EncounterQuery())));
        var events = await ToListAsync(supervisor.ListAuditEventsAsync(new AuditQuery { Actor = "analyst-1" }));

        // Row i of the batch is record i of QueryEncounters (both oldest first), column by column.
        Assert.Equal(2, batch.OccurredAtSeconds.Count);
        for (var i = 0; i < records.Count; i++)
        {
            var e = records[i].Current;
            Assert.Equal(e.OccurredAt.Seconds, batch.OccurredAtSeconds[i]);
            Assert.Equal((e.Type, e.Location.Latitude, e.Location.Longitude), (batch.Type[i], batch.Latitude[i], batch.Longitude[i]));
            Assert.Equal((e.OfficerDefinedEthnicity, e.SelfDefinedEthnicity, e.Outcome, e.OutcomeLinkedToObject, e.ObjectOfSearch),
                (batch.OfficerDefinedEthnicity[i], batch.SelfDefinedEthnicity[i], batch.Outcome[i], batch.OutcomeLinkedToObject[i], batch.ObjectOfSearch[i]));
            Assert.Equal(records[i].PatrolLink.Status, batch.LinkStatus[i]);
            Assert.Equal(records[i].PatrolLink.PlanId, batch.LinkPlan[i] == 0 ? "" : batch.PlanIds[batch.LinkPlan[i] - 1]);
        }

        Assert.Equal([EncounterType.PersonSearch, EncounterType.VehicleStopWithoutSearch], batch.Type.Order());
        var facts = Assert.Single(events, e => e.Rpc == "StreamEncounterFacts");
        Assert.Equal(("analyst", "query", 2L), (facts.Role, facts.Action, facts.EncounterCount));
        Assert.Equal(ids.Order(), facts.EncounterIds.Order());
        Assert.DoesNotContain("officer", facts.Fields.Split(','));
    }

    [Fact]
    public async Task StreamEncounterFacts_OfficerOrSupervisor_PermissionDenied()
    {
        await using var host = await StopsTestHost.StartAsync();
        using var officer = host.Client(Roles.Officer, "officer-1", "team-1");
        using var supervisor = host.Client(Roles.Supervisor, "sergeant-1", "team-1");

        var asOfficer = await Assert.ThrowsAsync<RpcException>(() => ToListAsync(officer.StreamEncounterFactsAsync(new EncounterQuery())));
        var asSupervisor = await Assert.ThrowsAsync<RpcException>(() => ToListAsync(supervisor.StreamEncounterFactsAsync(new EncounterQuery())));

        Assert.Equal(StatusCode.PermissionDenied, asOfficer.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, asSupervisor.StatusCode);
    }

    [Fact]
    public async Task QueryEncounters_ServiceRole_StreamsEveryTeamUnderKeyedPseudonyms()
    {
        await using var host = await StopsTestHost.StartAsync();
        using var officerA = host.Client(Roles.Officer, "officer-a", "team-1");
        using var officerB = host.Client(Roles.Officer, "officer-b", "team-2");
        await officerA.RecordEncounterAsync(Request("a", Now(TestEncounters.PersonSearch("officer-a", "team-1"))));
        await officerB.RecordEncounterAsync(Request("b", Now(TestEncounters.PersonSearch("officer-b", "team-2"))));
        using var feedback = host.Client(Roles.Service, "feedback-service");
        var pseudonymiser = host.Services.GetRequiredService<Pseudonymiser>();

        var streamed = await ToListAsync(feedback.QueryEncountersAsync(new EncounterQuery()));

        Assert.Equal(["team-1", "team-2"], streamed.Select(r => r.Current.Officer.Team).Order());
        Assert.Equal(new[] { "officer-a", "officer-b" }.Select(pseudonymiser.Pseudonymise).Order(),
            streamed.Select(r => r.Current.Officer.Pseudonym).Order());
        Assert.DoesNotContain(streamed, r => r.RecordedBy is "officer-a" or "officer-b");
    }

    [Fact]
    public async Task AmendEncounter_TwoAmendments_HistoryInOrderForOfficerSupervisorAndAnalyst()
    {
        await using var host = await StopsTestHost.StartAsync();
        using var officer = host.Client(Roles.Officer, "officer-a", "team-1");
        var receipt = await officer.RecordEncounterAsync(Request("r-1", Now(TestEncounters.PersonSearch("officer-a", "team-1"))));
        using var sergeant1 = host.Client(Roles.Supervisor, "sergeant-1", "team-1");
        using var sergeant2 = host.Client(Roles.Supervisor, "sergeant-2", "team-1");
        using var analyst = host.Client(Roles.Analyst, "analyst-1");

        await sergeant1.AmendEncounterAsync(new AmendEncounterRequest
        {
            EncounterId = receipt.EncounterId, RequestId = "amend-1", Reason = "Outcome was a caution, not an arrest",
            UpdateMask = new FieldMask { Paths = { "outcome" } }, Changes = new Encounter { Outcome = Outcome.Caution },
        });
        await sergeant2.AmendEncounterAsync(new AmendEncounterRequest
        {
            EncounterId = receipt.EncounterId, RequestId = "amend-2", Reason = "Age range confirmed from ID",
            UpdateMask = new FieldMask { Paths = { "age_range" } }, Changes = new Encounter { AgeRange = AgeRange._25To34 },
        });

        foreach (var reader in new[] { officer, sergeant1, analyst })
        {
            var record = await reader.GetEncounterAsync(receipt.EncounterId);
            Assert.Equal((Outcome.Arrest, AgeRange._18To24), (record.Original.Outcome, record.Original.AgeRange));
            Assert.Equal((Outcome.Caution, AgeRange._25To34), (record.Current.Outcome, record.Current.AgeRange));
            Assert.Equal([1, 2], record.Amendments.Select(a => a.Sequence));
            Assert.Equal(["outcome", "age_range"], record.Amendments.Select(a => Assert.Single(a.UpdateMask.Paths)));
            Assert.Equal(["Outcome was a caution, not an arrest", "Age range confirmed from ID"], record.Amendments.Select(a => a.Reason));
            Assert.True(record.Amendments[0].AmendedAt.ToDateTimeOffset() <= record.Amendments[1].AmendedAt.ToDateTimeOffset());
        }

        // Supervisors see who amended; the author is a supervisor's subject, not an officer pseudonym.
        var bySupervisor = await sergeant1.GetEncounterAsync(receipt.EncounterId);
        Assert.Equal(["sergeant-1", "sergeant-2"], bySupervisor.Amendments.Select(a => a.Author));
    }

    [Fact]
    public async Task AmendEncounter_SupervisorOfAnotherTeam_NotFoundAndNothingAppended()
    {
        await using var host = await StopsTestHost.StartAsync();
        using var officer = host.Client(Roles.Officer, "officer-a", "team-1");
        var receipt = await officer.RecordEncounterAsync(Request("r-1", Now(TestEncounters.PersonSearch("officer-a", "team-1"))));
        using var outsider = host.Client(Roles.Supervisor, "sergeant-9", "team-9");
        using var own = host.Client(Roles.Supervisor, "sergeant-1", "team-1");

        var error = await Assert.ThrowsAsync<RpcException>(() => outsider.AmendEncounterAsync(new AmendEncounterRequest
        {
            EncounterId = receipt.EncounterId, RequestId = "amend-x", Reason = "Trying to change another team's record",
            UpdateMask = new FieldMask { Paths = { "outcome" } }, Changes = new Encounter { Outcome = Outcome.NoFurtherAction },
        }));
        var moveOut = await Assert.ThrowsAsync<RpcException>(() => own.AmendEncounterAsync(new AmendEncounterRequest
        {
            EncounterId = receipt.EncounterId, RequestId = "amend-y", Reason = "Moving it to another team",
            UpdateMask = new FieldMask { Paths = { "officer.team" } }, Changes = new Encounter { Officer = new Officer { Team = "team-9" } },
        }));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, moveOut.StatusCode);
        Assert.Equal("changes.officer.team", Assert.Single(moveOut.GetBadRequest()!.FieldViolations).Field);
        Assert.Empty((await own.GetEncounterAsync(receipt.EncounterId)).Amendments);
    }
}
