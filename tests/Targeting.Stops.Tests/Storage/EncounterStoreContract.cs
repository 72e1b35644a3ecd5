using System.Security.Cryptography;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Targeting.Common.V1;
using Targeting.Stops.Storage;
using Targeting.Stops.V1;

namespace Targeting.Stops.Tests.Storage;

/// <summary>
/// The behaviour every <see cref="IEncounterStore"/> must have; run against SQLite and PostGIS.
/// Each test makes its own store (its own file or schema), so tests never share data.
/// </summary>
public abstract class EncounterStoreContract : IAsyncLifetime
{
    private readonly List<IEncounterStore> _stores = [];

    protected StoreHealth Health { get; } = new();

    /// <summary>A new, empty, migrated store.</summary>
    protected abstract Task<IEncounterStore> CreateStoreAsync();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
    }

    [Fact]
    public async Task RecordAsync_NewRequest_CreatedAndReadBackExactly()
    {
        var store = await StoreAsync();
        var encounter = NewRecord("r-1", TestEncounters.PersonSearch());

        var outcome = await store.RecordAsync(encounter, Audit("record"), Ct);
        var read = await store.GetAsync(encounter.EncounterId, Ct);

        Assert.Equal(RecordStatus.Created, outcome.Status);
        Assert.NotNull(read);
        Assert.Equal(encounter.Encounter, read.Original);
        Assert.Equal(encounter.Encounter, read.Current);
        Assert.Equal(encounter.RecordedAt, read.RecordedAt);
        Assert.Equal("r-1", read.RequestId);
        Assert.Equal("officer-a", read.RecordedBy);
        Assert.Equal(PatrolLinkStatus.Pending, read.Link.Status);
        Assert.Empty(read.Amendments);
    }

    [Fact]
    public async Task RecordAsync_RetryOfSameRequest_ReplayedWithFirstId()
    {
        var store = await StoreAsync();
        var first = NewRecord("r-1", TestEncounters.PersonSearch());
        await store.RecordAsync(first, Audit("record"), Ct);

        var retry = await store.RecordAsync(first with { EncounterId = Guid.CreateVersion7().ToString() }, Audit("record"), Ct);

        Assert.Equal(RecordStatus.Replayed, retry.Status);
        Assert.Equal(first.EncounterId, retry.Existing!.EncounterId);
        Assert.Single(await QueryAllAsync(store));
    }

    [Fact]
    public async Task RecordAsync_SameRequestDifferentEncounter_Conflict()
    {
        var store = await StoreAsync();
        await store.RecordAsync(NewRecord("r-1", TestEncounters.PersonSearch()), Audit("record"), Ct);
        var different = TestEncounters.PersonSearch();
        different.Outcome = Outcome.NoFurtherAction;

        var outcome = await store.RecordAsync(NewRecord("r-1", different), Audit("record"), Ct);

        Assert.Equal(RecordStatus.Conflict, outcome.Status);
        Assert.Single(await QueryAllAsync(store));
    }

    [Fact]
    public async Task RecordAsync_ConcurrentRetriesOfOneRequest_ExactlyOneStored()
    {
        var store = await StoreAsync();
        var encounter = TestEncounters.PersonSearch();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => store.RecordAsync(NewRecord("same", encounter), Audit("record"), Ct)));

        Assert.Single(outcomes, o => o.Status == RecordStatus.Created);
        Assert.Equal(39, outcomes.Count(o => o.Status == RecordStatus.Replayed));
        Assert.Single(outcomes.Select(o => o.Existing!.EncounterId).Distinct());
        Assert.Single(await QueryAllAsync(store));
    }

    [Fact]
    public async Task RecordAsync_ManyConcurrentWrites_AllStoredOnceWithTheirAudit()
    {
        var store = await StoreAsync();
        var records = Enumerable.Range(0, 500).Select(i => NewRecord($"r-{i}", TestEncounters.PersonSearch())).ToList();

        var outcomes = await Task.WhenAll(records.Select(r => store.RecordAsync(r, Audit("record", r.EncounterId), Ct)));

        Assert.All(outcomes, o => Assert.Equal(RecordStatus.Created, o.Status));
        Assert.Equal(records.Select(r => r.EncounterId).Order(), (await QueryAllAsync(store)).Select(e => e.EncounterId).Order());
        var audits = await ToListAsync(store.ListAuditAsync(new AuditFilter(null, null, null, null, 0), Ct));
        Assert.Equal(records.Select(r => r.EncounterId).Order(), audits.SelectMany(a => a.EncounterIds).Order());
    }

    [Fact]
    public async Task AmendAsync_FirstAmendment_AppendedWithHistoryAndNewCurrent()
    {
        var store = await StoreAsync();
        var record = NewRecord("r-1", TestEncounters.PersonSearch());
        await store.RecordAsync(record, Audit("record"), Ct);
        var current = record.Encounter.Clone();
        current.Outcome = Outcome.CommunityResolution;

        var outcome = await store.AmendAsync(NewAmendment(record.EncounterId, "a-1", current, record.Link, 1), 0, Audit("amend"), Ct);

        Assert.Equal(AmendStatus.Appended, outcome.Status);
        var read = await store.GetAsync(record.EncounterId, Ct);
        Assert.Equal(Outcome.Arrest, read!.Original.Outcome);
        Assert.Equal(Outcome.CommunityResolution, read.Current.Outcome);
        var amendment = Assert.Single(read.Amendments);
        Assert.Equal(1, amendment.Sequence);
        Assert.Equal("supervisor-1", amendment.Author);
        Assert.Equal("Outcome corrected after custody review", amendment.Reason);
        Assert.Equal(["outcome"], amendment.UpdateMask.Paths);
        var byNewOutcome = await ToListAsync(store.QueryAsync(new EncounterFilter { Outcomes = [Outcome.CommunityResolution] }, Ct));
        Assert.Equal(record.EncounterId, Assert.Single(byNewOutcome).EncounterId);
        Assert.Empty(await ToListAsync(store.QueryAsync(new EncounterFilter { Outcomes = [Outcome.Arrest] }, Ct)));
    }

    [Fact]
    public async Task AmendAsync_StaleExpectedCount_StaleAndNothingWritten()
    {
        var store = await StoreAsync();
        var record = NewRecord("r-1", TestEncounters.PersonSearch());
        await store.RecordAsync(record, Audit("record"), Ct);
        await store.AmendAsync(NewAmendment(record.EncounterId, "a-1", record.Encounter, record.Link, 1), 0, Audit("amend"), Ct);

        var stale = await store.AmendAsync(NewAmendment(record.EncounterId, "a-2", record.Encounter, record.Link, 1), 0, Audit("amend"), Ct);

        Assert.Equal(AmendStatus.Stale, stale.Status);
        Assert.Single((await store.GetAsync(record.EncounterId, Ct))!.Amendments);
    }

    [Fact]
    public async Task AmendAsync_RetryAndReuse_ReplayedThenConflict()
    {
        var store = await StoreAsync();
        var record = NewRecord("r-1", TestEncounters.PersonSearch());
        var other = NewRecord("r-2", TestEncounters.PersonSearch());
        await store.RecordAsync(record, Audit("record"), Ct);
        await store.RecordAsync(other, Audit("record"), Ct);
        var amendment = NewAmendment(record.EncounterId, "a-1", record.Encounter, record.Link, 1);
        await store.AmendAsync(amendment, 0, Audit("amend"), Ct);

        var retry = await store.AmendAsync(amendment, 0, Audit("amend"), Ct);
        var reuse = await store.AmendAsync(amendment with { EncounterId = other.EncounterId }, 0, Audit("amend"), Ct);

        Assert.Equal(AmendStatus.Replayed, retry.Status);
        Assert.Single(retry.Encounter!.Amendments);
        Assert.Equal(AmendStatus.Conflict, reuse.Status);
        Assert.Empty((await store.GetAsync(other.EncounterId, Ct))!.Amendments);
    }

    [Fact]
    public async Task AmendAsync_UnknownEncounter_NotFound()
    {
        var store = await StoreAsync();

        var outcome = await store.AmendAsync(
            NewAmendment(Guid.CreateVersion7().ToString(), "a-1", TestEncounters.PersonSearch(), new PatrolLink(), 1), 0, Audit("amend"), Ct);

        Assert.Equal(AmendStatus.NotFound, outcome.Status);
    }

    [Fact]
    public async Task GetAsync_UnknownOrMalformedId_Null()
    {
        var store = await StoreAsync();

        Assert.Null(await store.GetAsync(Guid.NewGuid().ToString(), Ct));
        Assert.Null(await store.GetAsync("not-a-uuid", Ct));
    }

    [Fact]
    public async Task QueryAsync_EachFilter_ReturnsWhatLinqOverTheSameRowsReturns()
    {
        var store = await StoreAsync();
        var rows = await SeedVariedAsync(store);
        var lambeth = TestEncounters.SampleBoundary.Find("Lambeth")!;
        var window = (From: TestEncounters.Now.AddHours(-30), To: TestEncounters.Now.AddHours(-10));
        var filters = new (string Name, EncounterFilter Filter, Func<NewEncounter, bool> Expected)[]
        {
            ("everything", new EncounterFilter(), _ => true),
            ("window", new EncounterFilter { From = window.From, To = window.To },
                r => Occurred(r) >= window.From && Occurred(r) < window.To),
            ("self-defined", new EncounterFilter { SelfDefinedEthnicities = [SelfDefinedEthnicity.BlackAfrican, SelfDefinedEthnicity.WhiteIrish] },
                r => r.Encounter.SelfDefinedEthnicity is SelfDefinedEthnicity.BlackAfrican or SelfDefinedEthnicity.WhiteIrish),
            ("officer-defined", new EncounterFilter { OfficerDefinedEthnicities = [OfficerDefinedEthnicity.Asian] },
                r => r.Encounter.OfficerDefinedEthnicity == OfficerDefinedEthnicity.Asian),
            ("outcome", new EncounterFilter { Outcomes = [Outcome.NoFurtherAction] }, r => r.Encounter.Outcome == Outcome.NoFurtherAction),
            ("officers", new EncounterFilter { OfficerPseudonyms = ["officer-1", "officer-3"] },
                r => r.Encounter.Officer.Pseudonym is "officer-1" or "officer-3"),
            ("team", new EncounterFilter { Team = "team-2" }, r => r.Encounter.Officer.Team == "team-2"),
            ("owned", new EncounterFilter { OwnedBy = "officer-2" }, r => r.Encounter.Officer.Pseudonym == "officer-2" || r.RecordedBy == "officer-2"),
            ("plan", new EncounterFilter { PlanId = "plan-1" }, r => r.Link.PlanId == "plan-1"),
            ("plan and area", new EncounterFilter { PlanId = "plan-1", AreaId = "area-2" }, r => r.Link.PlanId == "plan-1" && r.Link.AreaId == "area-2"),
            ("link status", new EncounterFilter { LinkStatuses = [PatrolLinkStatus.Inside, PatrolLinkStatus.Unlocated] },
                r => r.Link.Status is PatrolLinkStatus.Inside or PatrolLinkStatus.Unlocated),
            ("located only", new EncounterFilter { ExcludeUnlocated = true }, r => r.Encounter.Location is not null),
            ("Lambeth", new EncounterFilter { Area = lambeth },
                r => r.Encounter.Location is { } l && lambeth.Covers(GeoPoint(l))),
            ("Lambeth, team-1, NFA", new EncounterFilter { Area = lambeth, Team = "team-1", Outcomes = [Outcome.NoFurtherAction] },
                r => r.Encounter.Location is { } l && lambeth.Covers(GeoPoint(l)) && r.Encounter.Officer.Team == "team-1" && r.Encounter.Outcome == Outcome.NoFurtherAction),
        };

        foreach (var (name, filter, expected) in filters)
        {
            var got = (await ToListAsync(store.QueryAsync(filter, Ct))).Select(e => e.EncounterId).ToList();
            var want = rows.Where(expected).OrderBy(Occurred).Select(r => r.EncounterId).ToList();
            Assert.True(want.Count > 0 && want.Count < rows.Count || name == "everything", $"{name}: the seed should give the filter some rows to find and some to leave");
            Assert.True(want.SequenceEqual(got), $"{name}: expected {want.Count} in time order, got {got.Count}");
        }
    }

    [Fact]
    public async Task QueryFactsAsync_Filters_TheRowsOfQueryAsyncWithCurrentValuesAndLink()
    {
        var store = await StoreAsync();
        var rows = await SeedVariedAsync(store);
        var amended = rows.First(r => r.Encounter.Outcome == Outcome.NoFurtherAction);
        var current = amended.Encounter.Clone();
        current.Outcome = Outcome.Arrest;
        Assert.Equal(AmendStatus.Appended, (await store.AmendAsync(NewAmendment(amended.EncounterId, "a-facts", current, amended.Link, 1), 0, Audit("amend"), Ct)).Status);
        EncounterFilter[] filters =
        [
            new(),
            new() { From = TestEncounters.Now.AddHours(-30), To = TestEncounters.Now.AddHours(-10) },
            new() { Area = TestEncounters.SampleBoundary.Find("Lambeth") },
            new() { PlanId = "plan-1" },
            new() { Limit = 4 },
        ];

        foreach (var filter in filters)
        {
            var records = await ToListAsync(store.QueryAsync(filter, Ct));
            var facts = await ToListAsync(store.QueryFactsAsync(filter, Ct));

            Assert.NotEmpty(records);
            Assert.Equal(records.Select(r => r.EncounterId), facts.Select(f => f.EncounterId));
            Assert.Equal(records.Select(r => r.Current), facts.Select(f => StoredValues.ParseEncounter(f.Current)));
            Assert.Equal(records.Select(r => (r.Link.Status, r.Link.PlanId)), facts.Select(f => (f.LinkStatus, f.PlanId ?? "")));
        }

        var facts0 = await ToListAsync(store.QueryFactsAsync(new EncounterFilter(), Ct));
        Assert.Equal(Outcome.Arrest, StoredValues.ParseEncounter(facts0.Single(f => f.EncounterId == amended.EncounterId).Current).Outcome);
    }

    [Fact]
    public async Task QueryAsync_Limit_OldestFirst()
    {
        var store = await StoreAsync();
        var rows = await SeedVariedAsync(store);

        var limited = await ToListAsync(store.QueryAsync(new EncounterFilter { Limit = 5 }, Ct));
        var limitedInArea = await ToListAsync(store.QueryAsync(new EncounterFilter { Limit = 3, Area = TestEncounters.SampleBoundary.Find("Barking and Dagenham") }, Ct));

        Assert.Equal(rows.OrderBy(Occurred).Take(5).Select(r => r.EncounterId), limited.Select(e => e.EncounterId));
        Assert.Equal(3, limitedInArea.Count);
        Assert.All(limitedInArea, e => Assert.Equal(TestEncounters.Barking, e.Current.Location));
    }

    [Fact]
    public async Task ImportAsync_SameSourceRowsTwice_SecondTimeAllDuplicates()
    {
        var store = await StoreAsync();
        var batch = Enumerable.Range(2, 20).Select(row => NewImported("2021-06.csv", row)).ToList();

        var first = await store.ImportAsync(batch, Audit("import"), Ct);
        var second = await store.ImportAsync(batch.Select(b => b with { EncounterId = Guid.CreateVersion7().ToString() }).ToList(), Audit("import"), Ct);
        var otherSource = await store.ImportAsync(batch.Select(b => b with { EncounterId = Guid.CreateVersion7().ToString(), Source = "2021-07.csv" }).ToList(), Audit("import"), Ct);

        Assert.Equal((20, 0), (first.Imported, first.Duplicates));
        Assert.Equal((0, 20), (second.Imported, second.Duplicates));
        Assert.Equal(20, otherSource.Imported);
        var stored = await QueryAllAsync(store);
        Assert.Equal(40, stored.Count);
        Assert.All(stored, e => Assert.NotNull(e.SourceRow));
        var audits = await ToListAsync(store.ListAuditAsync(new AuditFilter(null, null, null, null, 0), Ct));
        Assert.Equal([20L, 20L], audits.Select(a => a.EncounterCount));
    }

    [Fact]
    public async Task DuePendingLinksAsync_PendingThenLinkedOrDeferred_LeavesTheQueue()
    {
        var store = await StoreAsync();
        var a = NewRecord("r-a", TestEncounters.PersonSearch());
        var b = NewRecord("r-b", TestEncounters.PersonSearch());
        var linked = NewRecord("r-c", TestEncounters.PersonSearch()) with { Link = new PatrolLink { Status = PatrolLinkStatus.Outside } };
        foreach (var record in new[] { a, b, linked })
        {
            await store.RecordAsync(record, Audit("record"), Ct);
        }

        var due = await store.DuePendingLinksAsync(DateTimeOffset.UtcNow.AddSeconds(1), 10, Ct);
        await store.SetLinkAsync(a.EncounterId, new PatrolLink
        {
            Status = PatrolLinkStatus.Inside, PlanId = "plan-9", AreaId = "area-1",
            LinkedAt = Timestamp.FromDateTimeOffset(StoredValues.TruncateToMicros(DateTimeOffset.UtcNow)),
        }, Ct);
        await store.DeferLinkAsync(b.EncounterId, 3, DateTimeOffset.UtcNow.AddHours(1), Ct);
        var dueAfter = await store.DuePendingLinksAsync(DateTimeOffset.UtcNow.AddSeconds(1), 10, Ct);
        var dueLater = await store.DuePendingLinksAsync(DateTimeOffset.UtcNow.AddHours(2), 10, Ct);

        Assert.Equal(new[] { a.EncounterId, b.EncounterId }.Order(), due.Select(d => d.EncounterId).Order());
        Assert.All(due, d => Assert.Equal((TestEncounters.Brixton.Latitude, TestEncounters.Brixton.Longitude), (d.Latitude, d.Longitude)));
        Assert.Empty(dueAfter);
        Assert.Equal(3, Assert.Single(dueLater).Attempts);
        var linkedA = (await store.GetAsync(a.EncounterId, Ct))!.Link;
        Assert.Equal((PatrolLinkStatus.Inside, "plan-9", "area-1"), (linkedA.Status, linkedA.PlanId, linkedA.AreaId));
        Assert.NotNull(linkedA.LinkedAt);
    }

    [Fact]
    public async Task ListAuditAsync_Filters_ByActorEncounterAndWindow()
    {
        var store = await StoreAsync();
        var t0 = StoredValues.TruncateToMicros(DateTimeOffset.UtcNow);
        // Audited ids are stored encounters' ids: uuids.
        var (e1, e2, e3) = (Guid.CreateVersion7().ToString(), Guid.CreateVersion7().ToString(), Guid.CreateVersion7().ToString());
        await store.AppendAuditAsync(new AuditEntry(t0, "alice", "analyst", "query", "QueryEncounters", [e1, e2], 2, "location"), Ct);
        await store.AppendAuditAsync(new AuditEntry(t0.AddMinutes(1), "bob", "supervisor", "read", "GetEncounter", [e2], 1, "location"), Ct);
        await store.AppendAuditAsync(new AuditEntry(t0.AddMinutes(2), "alice", "analyst", "read", "GetEncounter", [e3], 1, "location"), Ct);

        var byAlice = await ToListAsync(store.ListAuditAsync(new AuditFilter(null, null, "alice", null, 0), Ct));
        var byE2 = await ToListAsync(store.ListAuditAsync(new AuditFilter(null, null, null, e2, 0), Ct));
        var byNotAnId = await ToListAsync(store.ListAuditAsync(new AuditFilter(null, null, null, "e-2", 0), Ct));
        var window = await ToListAsync(store.ListAuditAsync(new AuditFilter(t0.AddSeconds(30), t0.AddMinutes(2), null, null, 0), Ct));
        var limited = await ToListAsync(store.ListAuditAsync(new AuditFilter(null, null, null, null, 1), Ct));

        Assert.Equal(["query", "read"], byAlice.Select(a => a.Action));
        Assert.Equal(["alice", "bob"], byE2.Select(a => a.Actor));
        Assert.Empty(byNotAnId);
        Assert.Equal("bob", Assert.Single(window).Actor);
        Assert.Equal(t0, Assert.Single(limited).At);
        Assert.Equal([e1, e2], byAlice[0].EncounterIds);
    }

    [Fact]
    public async Task ListAuditAsync_ReadAuditedAsSequenceRanges_ListsTheIdsAndFindsEachReadEncounterOnly()
    {
        var store = await StoreAsync();
        var rows = await SeedVariedAsync(store);
        var facts = await ToListAsync(store.QueryFactsAsync(new EncounterFilter(), Ct));
        // Every other row in time order: runs of one or more, with gaps that were not read.
        var read = facts.Where((_, i) => i % 2 == 0 || i == 1).ToList();
        var unread = facts.Except(read).ToList();
        var t0 = StoredValues.TruncateToMicros(DateTimeOffset.UtcNow);
        await store.AppendAuditAsync(new AuditEntry(t0, "alice", "analyst", "query", "StreamEncounterFacts",
            [.. read.Select(f => f.EncounterId)], read.Count, "location", SeqRange.Runs(read.Select(f => f.Seq))), Ct);
        await store.AppendAuditAsync(new AuditEntry(t0.AddMinutes(1), "bob", "supervisor", "read", "GetEncounter", [unread[0].EncounterId], 1, "location"), Ct);

        var all = await ToListAsync(store.ListAuditAsync(new AuditFilter(t0, null, null, null, 0), Ct));
        var byRead = await ToListAsync(store.ListAuditAsync(new AuditFilter(null, null, null, read[^1].EncounterId, 0), Ct));
        var byUnread = await ToListAsync(store.ListAuditAsync(new AuditFilter(null, null, null, unread[^1].EncounterId, 0), Ct));
        var byBob = await ToListAsync(store.ListAuditAsync(new AuditFilter(null, null, null, unread[0].EncounterId, 0), Ct));

        Assert.True(unread.Count >= 2 && rows.Count == facts.Count);
        Assert.Equal(read.Select(f => f.EncounterId).Order(), all[0].EncounterIds.Order());
        Assert.Equal(((long)read.Count, "alice"), (all[0].EncounterCount, all[0].Actor));
        foreach (var f in read)
        {
            var who = Assert.Single(await ToListAsync(store.ListAuditAsync(new AuditFilter(null, null, null, f.EncounterId, 0), Ct)));
            Assert.Equal(("alice", t0), (who.Actor, who.At));
        }

        Assert.Equal(["alice"], byRead.Select(a => a.Actor));
        Assert.Empty(byUnread);
        Assert.Equal(["bob"], byBob.Select(a => a.Actor));
    }

    [Fact]
    public void SeqRangeRuns_UnsortedWithGapsAndRepeats_FewestExactRanges() =>
        Assert.Equal([new SeqRange(1, 3), new SeqRange(5, 5), new SeqRange(9, 10)], SeqRange.Runs([10, 2, 1, 5, 3, 9, 2]));

    [Fact]
    public async Task OfficerPseudonymsAsync_SeveralEncounters_DistinctNonEmpty()
    {
        var store = await StoreAsync();
        await SeedVariedAsync(store);

        var pseudonyms = await store.OfficerPseudonymsAsync(Ct);

        Assert.Equal(["officer-0", "officer-1", "officer-2", "officer-3"], pseudonyms.Order());
    }

    [Fact]
    public async Task MigrateAsync_Twice_NoError()
    {
        var store = await StoreAsync();

        await store.MigrateAsync(Ct);
        await store.PingAsync(Ct);

        Assert.True(Health.IsAvailable);
    }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<IEncounterStore> StoreAsync()
    {
        var store = await CreateStoreAsync();
        _stores.Add(store);
        return store;
    }

    /// <summary>40 encounters varying in time, place (Lambeth, Barking, unlocated), people, officers, teams and links.</summary>
    private static async Task<List<NewEncounter>> SeedVariedAsync(IEncounterStore store)
    {
        var rows = new List<NewEncounter>();
        SelfDefinedEthnicity[] selfDefined = [SelfDefinedEthnicity.BlackAfrican, SelfDefinedEthnicity.WhiteIrish, SelfDefinedEthnicity.AsianBangladeshi, SelfDefinedEthnicity.NotStated, SelfDefinedEthnicity.MixedOther];
        OfficerDefinedEthnicity[] officerDefined = [OfficerDefinedEthnicity.Black, OfficerDefinedEthnicity.White, OfficerDefinedEthnicity.Asian];
        Outcome[] outcomes = [Outcome.NoFurtherAction, Outcome.Arrest, Outcome.CommunityResolution];
        for (var i = 0; i < 40; i++)
        {
            // Times are shuffled against insertion order, so ordering by time is really tested.
            var encounter = TestEncounters.PersonSearch($"officer-{i % 4}", $"team-{i % 3}", occurredAt: TestEncounters.Now.AddHours(-(i * 7 % 40)).AddMinutes(-i));
            encounter.Location = (i % 5) switch { 0 => null, 1 or 2 => TestEncounters.Brixton.Clone(), _ => TestEncounters.Barking.Clone() };
            encounter.LocationPrecision = encounter.Location is null ? LocationPrecision.Unlocated : LocationPrecision.Exact;
            encounter.SelfDefinedEthnicity = selfDefined[i % selfDefined.Length];
            encounter.OfficerDefinedEthnicity = officerDefined[i % officerDefined.Length];
            encounter.Outcome = outcomes[i / 2 % outcomes.Length];
            var link = encounter.Location is null
                ? new PatrolLink { Status = PatrolLinkStatus.Unlocated }
                : (i % 3) switch
                {
                    0 => new PatrolLink { Status = PatrolLinkStatus.Inside, PlanId = "plan-1", AreaId = $"area-{i % 2 + 1}" },
                    1 => new PatrolLink { Status = PatrolLinkStatus.Outside, PlanId = "plan-1" },
                    _ => new PatrolLink { Status = PatrolLinkStatus.Pending },
                };
            var row = NewRecord($"seed-{i}", encounter) with { Link = link, RecordedBy = i == 7 ? "officer-2" : $"officer-{i % 4}" };
            await store.RecordAsync(row, Audit("record"), Ct);
            rows.Add(row);
        }

        return rows;
    }

    private static DateTimeOffset Occurred(NewEncounter record) => record.Encounter.OccurredAt.ToDateTimeOffset();

    private static NetTopologySuite.Geometries.Point GeoPoint(LatLng location) => new(location.Longitude, location.Latitude);

    protected static NewEncounter NewRecord(string requestId, Encounter encounter) => new(
        Guid.CreateVersion7().ToString(), requestId, SHA256.HashData(encounter.ToByteArray()),
        StoredValues.TruncateToMicros(DateTimeOffset.UtcNow), encounter.Officer?.Pseudonym ?? "", encounter,
        new PatrolLink { Status = PatrolLinkStatus.Pending }, null, null);

    private static NewEncounter NewImported(string source, long row)
    {
        var encounter = TestEncounters.PersonSearch();
        encounter.Officer = null;
        return new NewEncounter(Guid.CreateVersion7().ToString(), null, null, StoredValues.TruncateToMicros(DateTimeOffset.UtcNow),
            "importer", encounter, new PatrolLink { Status = PatrolLinkStatus.Pending }, source, row);
    }

    private static NewAmendment NewAmendment(string encounterId, string requestId, Encounter newCurrent, PatrolLink link, int sequence) => new(
        encounterId, requestId, SHA256.HashData(newCurrent.ToByteArray()),
        new Amendment
        {
            Sequence = sequence,
            AmendedAt = Timestamp.FromDateTimeOffset(StoredValues.TruncateToMicros(DateTimeOffset.UtcNow)),
            Author = "supervisor-1",
            Reason = "Outcome corrected after custody review",
            UpdateMask = new FieldMask { Paths = { "outcome" } },
            Changes = new Encounter { Outcome = newCurrent.Outcome },
        },
        newCurrent, link);

    protected static AuditEntry Audit(string action, string? encounterId = null) => new(
        StoredValues.TruncateToMicros(DateTimeOffset.UtcNow), "tester", "service", action, "Test",
        encounterId is null ? [] : [encounterId], encounterId is null ? 0 : 1, "");

    private static Task<List<StoredEncounter>> QueryAllAsync(IEncounterStore store) => ToListAsync(store.QueryAsync(new EncounterFilter(), Ct));

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
