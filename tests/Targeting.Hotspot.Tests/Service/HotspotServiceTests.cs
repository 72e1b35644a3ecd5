using Targeting.Common.V1;
using Targeting.Engine.Geography;
using Targeting.Engine.Hotspots;
using Targeting.Grpc;
using Targeting.Hotspot.Import;
using Targeting.Import;
using Targeting.Hotspot.Storage;
using Targeting.Hotspot.V1;
using Targeting.Testing;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;
using Incident = Targeting.Hotspot.V1.Incident;
using TimePrecision = Targeting.Hotspot.V1.TimePrecision;
using TimeWindow = Targeting.Common.V1.TimeWindow;

namespace Targeting.Hotspot.Tests.Service;

/// <summary>The hotspot rpcs through the real client against the real host (embedded store).</summary>
public sealed class HotspotServiceTests : IAsyncLifetime
{
    private static readonly DateTime January = new(2022, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private HotspotTestHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await HotspotTestHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private static Incident Crime(string id, double latitude, double longitude, string type = "Robbery", int month = 1, long row = 2) => new()
    {
        Id = id,
        OccurredAt = Timestamp.FromDateTime(January.AddMonths(month - 1)),
        TimePrecision = TimePrecision.Month,
        Location = new LatLng { Latitude = latitude, Longitude = longitude },
        CrimeType = type,
        RowNumber = row,
    };

    private static TimeWindow Window(int fromMonth, int toMonthExclusive) => new()
    {
        Start = Timestamp.FromDateTime(January.AddMonths(fromMonth - 1)),
        End = Timestamp.FromDateTime(January.AddMonths(toMonthExclusive - 1)),
    };

    private static async Task<ImportIncidentsSummary> ImportAsync(HotspotClient client, params ImportIncidentsRequest[] batches)
    {
        await using var call = client.ImportIncidents(new CallOptions { CancellationToken = Ct });
        foreach (var batch in batches)
        {
            await call.WriteAsync(batch, Ct);
        }

        return await call.CompleteAsync();
    }

    /// <summary>Streams the shipped 10-column sample (39,705 crimes) through ImportIncidents, 5,000 a message.</summary>
    private static async Task<ImportIncidentsSummary> ImportSampleAsync(HotspotClient client)
    {
        await using var call = client.ImportIncidents(new CallOptions { CancellationToken = Ct });
        var first = true;
        await CrimeFileImporter.ReadAsync(
            RepoPaths.InRepo("data", "police-uk", "street-crime-barking-dagenham-lambeth-2022-01-to-2022-09.csv.gz"),
            async (batch, ct) =>
            {
                var request = new ImportIncidentsRequest { Source = first ? "sample.csv.gz" : string.Empty };
                request.Incidents.AddRange(batch);
                first = false;
                await call.WriteAsync(request, ct);
            },
            _ => { },
            cancellationToken: Ct);
        return await call.CompleteAsync();
    }

    private static BadRequestAssertion AssertInvalid(RpcException error) => new(error);

    [Fact]
    public async Task ListBoundaries_Sample_HasTwoBoroughs38WardsAnd288Lsoas()
    {
        var client = _host.CreateClient(Roles.Officer);

        var all = await client.ListBoundariesAsync(new ListBoundariesRequest(), new CallOptions { CancellationToken = Ct });
        var boroughs = await client.ListBoundariesAsync(new ListBoundariesRequest { Kind = "borough" }, new CallOptions { CancellationToken = Ct });

        Assert.Equal(2 + 38 + 288, all.Boundaries.Count);
        Assert.Equal(["Lambeth", "Barking and Dagenham"], boroughs.Boundaries.Select(b => b.Name));
        var lambeth = boroughs.Boundaries[0];
        Assert.Equal("E09000022", lambeth.Code);
        // The GLA file's land area for Lambeth (HECTARES 2,724.94 less NONLD_AREA 43.927, the
        // Thames below mean high water) is 2,681.013 ha; the projected polygon agrees within 0.01%.
        Assert.Equal(26_810_130, lambeth.AreaM2, 26_810_130 * 0.0001);
        Assert.Equal(17, all.Boundaries.Count(b => b.Kind == "ward" && b.ParentName == "Barking and Dagenham"));
    }

    [Fact]
    public async Task ListBoundaries_UnknownKind_InvalidArgumentOnKind()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _host.CreateClient().ListBoundariesAsync(new ListBoundariesRequest { Kind = "county" }, new CallOptions { CancellationToken = Ct }));

        AssertInvalid(error).HasExactly("kind");
    }

    [Fact]
    public async Task ImportIncidents_GoodAndBadRows_CountsAddUpAndReportsEachRejection()
    {
        var client = _host.CreateClient(Roles.Service);
        var first = new ImportIncidentsRequest { Source = "batch.csv" };
        first.Incidents.Add(Crime("a", 51.47, -0.12, row: 2));
        first.Incidents.Add(Crime("b", 51.47, -0.12, "Shoplifting", row: 3));
        first.Incidents.Add(Crime("c", 95, -0.12, row: 4));
        var second = new ImportIncidentsRequest();
        second.Incidents.Add(Crime("d", 51.47, -0.12, "Jaywalking", row: 5));
        second.Incidents.Add(Crime("a", 51.47, -0.12, row: 6));
        second.Incidents.Add(new Incident { Id = "e", Location = new LatLng { Latitude = 51.5, Longitude = -0.1 }, CrimeType = "Robbery", RowNumber = 7 });

        var summary = await ImportAsync(client, first, second);

        Assert.Equal(6, summary.Received);
        Assert.Equal(2, summary.Imported);
        Assert.Equal(1, summary.Duplicates);
        Assert.Equal(3, summary.Rejected);
        Assert.Equal(summary.Received, summary.Imported + summary.Duplicates + summary.Rejected);
        Assert.Equal(
            [("batch.csv", 4L, "coordinates (95, -0.12) are not a valid latitude and longitude"), ("batch.csv", 5L, "unknown crime type 'Jaywalking'"), ("batch.csv", 7L, "no time (occurred_at)")],
            summary.RejectedRows.Select(r => (r.Source, r.RowNumber, r.Reason)));
    }

    [Fact]
    public async Task ImportIncidents_SourceOfAMegabyte_InvalidArgumentOnSourceWithoutQuotingIt()
    {
        var batch = new ImportIncidentsRequest { Source = new string('s', 1_000_000) };
        batch.Incidents.Add(Crime("a", 51.47, -0.12));

        var error = await Assert.ThrowsAsync<RpcException>(() => ImportAsync(_host.CreateClient(Roles.Service), batch));

        AssertInvalid(error).HasExactly("source");
        Assert.Equal("is 1000000 characters; at most 500", error.GetBadRequest()!.FieldViolations[0].Description);
        Assert.True(error.Detail.Length < 200, error.Detail);
    }

    [Fact]
    public async Task ImportIncidents_RowWithAnOverlongCrimeType_RejectsThatRowAndImportsTheRest()
    {
        var batch = new ImportIncidentsRequest { Source = "long.csv" };
        batch.Incidents.Add(Crime("a", 51.47, -0.12, row: 2));
        batch.Incidents.Add(Crime("b", 51.47, -0.12, new string('R', 300), row: 3));

        var summary = await ImportAsync(_host.CreateClient(Roles.Service), batch);

        Assert.Equal(1, summary.Imported);
        Assert.Equal([("long.csv", 3L, "crime_type is 300 characters; at most 100")], summary.RejectedRows.Select(r => (r.Source, r.RowNumber, r.Reason)));
    }

    [Fact]
    public async Task ImportIncidents_IncidentsIn2099AndAtAnInvalidTime_RejectedRows()
    {
        var batch = new ImportIncidentsRequest { Source = "future.csv" };
        batch.Incidents.Add(Crime("now", 51.47, -0.12, row: 2));
        var future = Crime("2099", 51.47, -0.12, row: 3);
        future.OccurredAt = Timestamp.FromDateTime(new DateTime(2099, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        batch.Incidents.Add(future);
        var invalid = Crime("invalid", 51.47, -0.12, row: 4);
        invalid.OccurredAt = new Timestamp { Seconds = long.MaxValue };
        batch.Incidents.Add(invalid);

        var summary = await ImportAsync(_host.CreateClient(Roles.Service), batch);

        Assert.Equal(1, summary.Imported);
        Assert.Equal([3L, 4L], summary.RejectedRows.Select(r => r.RowNumber));
        Assert.StartsWith("occurred_at 2099-01-01 00:00:00Z is in the future (after ", summary.RejectedRows[0].Reason, StringComparison.Ordinal);
        Assert.Equal("occurred_at is not a valid timestamp", summary.RejectedRows[1].Reason);
    }

    [Fact]
    public async Task ProposePatrolAreas_DataWindowIn2099_InvalidArgumentOnDataWindowStart()
    {
        var request = new ProposePatrolAreasRequest
        {
            Area = new AreaOfInterest { BoundaryName = "Lambeth" },
            DataWindow = new TimeWindow
            {
                Start = Timestamp.FromDateTime(new DateTime(2099, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
                End = Timestamp.FromDateTime(new DateTime(2099, 7, 1, 0, 0, 0, DateTimeKind.Utc)),
            },
        };

        var error = await Assert.ThrowsAsync<RpcException>(() => _host.CreateClient(Roles.Planner).ProposePatrolAreasAsync(request, new CallOptions { CancellationToken = Ct }));

        AssertInvalid(error).HasExactly("data_window.start");
    }

    [Fact]
    public async Task GetPlan_LongUnknownId_NotFoundQuotingAtMost60Characters()
    {
        var id = string.Concat(Enumerable.Repeat("0123456789", 15));

        var error = await Assert.ThrowsAsync<RpcException>(() => _host.CreateClient(Roles.Analyst).GetPlanAsync(id, new CallOptions { CancellationToken = Ct }));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains($"'{id[..60]}…' (150 characters)", error.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(id[..61], error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetPlan_IdOver200Characters_InvalidArgumentOnPlanId()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _host.CreateClient(Roles.Analyst).GetPlanAsync(new string('p', 8_000), new CallOptions { CancellationToken = Ct }));

        AssertInvalid(error).HasExactly("plan_id");
        Assert.DoesNotContain(new string('p', 61), error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportIncidents_FirstMessageWithoutSource_InvalidArgumentOnSource()
    {
        var batch = new ImportIncidentsRequest();
        batch.Incidents.Add(Crime("a", 51.47, -0.12));

        var error = await Assert.ThrowsAsync<RpcException>(() => ImportAsync(_host.CreateClient(), batch));

        AssertInvalid(error).HasExactly("source");
    }

    [Fact]
    public async Task ImportIncidents_NoId_GetsAStableIdSoResendingCountsDuplicates()
    {
        var client = _host.CreateClient();
        var batch = new ImportIncidentsRequest { Source = "no-ids.csv" };
        batch.Incidents.Add(Crime("", 51.47, -0.12, row: 2));
        batch.Incidents.Add(Crime("", 51.47, -0.12, row: 3));

        var first = await ImportAsync(client, batch);
        var again = await ImportAsync(client, batch);

        Assert.Equal((2L, 0L), (first.Imported, first.Duplicates));
        Assert.Equal((0L, 2L), (again.Imported, again.Duplicates));
    }

    [Fact]
    public async Task ImportIncidents_OfficerRole_PermissionDenied()
    {
        var batch = new ImportIncidentsRequest { Source = "x" };

        var error = await Assert.ThrowsAsync<RpcException>(() => ImportAsync(_host.CreateClient(Roles.Officer), batch));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task StreamIncidents_NoToken_Unauthenticated()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in _host.CreateClient(role: null).StreamIncidentsAsync(new StreamIncidentsRequest(), new CallOptions { CancellationToken = Ct }))
            {
            }
        });

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task StreamIncidents_AreaWindowAndType_ReturnsExactlyTheMatchingSampleRows()
    {
        var client = _host.CreateClient(Roles.Planner);
        var summary = await ImportSampleAsync(client);
        Assert.Equal(39_705, summary.Imported);

        var request = new StreamIncidentsRequest { Area = new AreaOfInterest { BoundaryName = "Lambeth" }, Window = Window(1, 4) };
        request.CrimeTypes.Add("robbery");
        var streamed = new List<Incident>();
        await foreach (var incident in client.StreamIncidentsAsync(request, new CallOptions { CancellationToken = Ct }))
        {
            streamed.Add(incident);
        }

        // Independent count: the sample's own Borough column, for Robbery in Jan-Mar 2022.
        var expected = SampleRows().Count(r => r.Borough == "Lambeth" && r.Type == "Robbery" && r.Month is "2022-01" or "2022-02" or "2022-03");
        Assert.InRange(streamed.Count, expected - 3, expected + 3); // the extract's borough came from 4-decimal points; see data README
        Assert.All(streamed, i => Assert.Equal("Robbery", i.CrimeType));
        Assert.All(streamed, i => Assert.InRange(i.OccurredAt.ToDateTime(), January, January.AddMonths(3).AddTicks(-1)));
        Assert.Equal(streamed.Select(i => i.Id).Order(StringComparer.Ordinal), streamed.Select(i => i.Id));
    }

    [Fact]
    public async Task StreamIncidents_BadFields_OneViolationEach()
    {
        var request = new StreamIncidentsRequest
        {
            Window = new TimeWindow { Start = Timestamp.FromDateTime(January.AddMonths(2)), End = Timestamp.FromDateTime(January) },
        };
        request.CrimeTypes.Add("Robbery");
        request.CrimeTypes.Add("Jaywalking");

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in _host.CreateClient().StreamIncidentsAsync(request, new CallOptions { CancellationToken = Ct }))
            {
            }
        });

        AssertInvalid(error).HasExactly("window", "crime_types[1]");
    }

    [Fact]
    public async Task StreamIncidentPoints_WholeSample_TheIncidentsOfStreamIncidentsProjectedInFullBatches()
    {
        var client = _host.CreateClient(Roles.Planner);
        await ImportSampleAsync(client);
        var request = new StreamIncidentsRequest();
        var incidents = new List<Incident>();
        await foreach (var incident in client.StreamIncidentsAsync(request, new CallOptions { CancellationToken = Ct }))
        {
            incidents.Add(incident);
        }

        var batches = new List<IncidentPoints>();
        await foreach (var batch in client.StreamIncidentPointsAsync(request, new CallOptions { CancellationToken = Ct }))
        {
            batches.Add(batch);
        }

        // 39,705 incidents: nine full batches of 4,096 and the rest, every column as long as x.
        Assert.Equal(39_705, incidents.Count);
        Assert.Equal([.. Enumerable.Repeat(4_096, 9), 39_705 - (9 * 4_096)], batches.Select(b => b.X.Count));
        Assert.All(batches, b => Assert.Equal("EPSG:27700", b.Crs));
        Assert.All(batches, b => Assert.Equal(
            [b.X.Count, b.X.Count, b.X.Count, b.X.Count],
            [b.Y.Count, b.OccurredAtSeconds.Count, b.CrimeTypeIndex.Count, b.Provenance.Count]));

        // The same incidents: what, when and provenance exactly; where within a micrometre of projecting the WGS84 location here.
        var projection = Projection.BritishNationalGrid;
        var expected = incidents
            .Select(i => (Point: projection.Project(i.Location.Longitude, i.Location.Latitude), i.OccurredAt.Seconds, i.CrimeType, i.Provenance))
            .OrderBy(e => e.Point.X).ThenBy(e => e.Point.Y).ThenBy(e => e.Seconds).ThenBy(e => e.CrimeType, StringComparer.Ordinal).ToList();
        var actual = batches
            .SelectMany(b => Enumerable.Range(0, b.X.Count).Select(i => (Point: (X: b.X[i], Y: b.Y[i]), Seconds: b.OccurredAtSeconds[i], CrimeType: b.CrimeTypes[b.CrimeTypeIndex[i]], Provenance: b.Provenance[i])))
            .OrderBy(e => e.Point.X).ThenBy(e => e.Point.Y).ThenBy(e => e.Seconds).ThenBy(e => e.CrimeType, StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Select(e => (e.Seconds, e.CrimeType, e.Provenance)).Order(), actual.Select(e => (e.Seconds, e.CrimeType, e.Provenance)).Order());
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Point.X, actual[i].Point.X, 1e-6);
            Assert.Equal(expected[i].Point.Y, actual[i].Point.Y, 1e-6);
        }
    }

    [Fact]
    public async Task StreamIncidentPoints_AreaWindowAndType_SameCountAsStreamIncidents()
    {
        var client = _host.CreateClient(Roles.Planner);
        await ImportSampleAsync(client);
        var request = new StreamIncidentsRequest { Area = new AreaOfInterest { BoundaryName = "Lambeth" }, Window = Window(1, 4) };
        request.CrimeTypes.Add("robbery");
        var incidents = 0;
        await foreach (var _ in client.StreamIncidentsAsync(request, new CallOptions { CancellationToken = Ct }))
        {
            incidents++;
        }

        var points = new List<IncidentPoints>();
        await foreach (var batch in client.StreamIncidentPointsAsync(request, new CallOptions { CancellationToken = Ct }))
        {
            points.Add(batch);
        }

        Assert.InRange(incidents, 100, 4_096);
        Assert.Equal(incidents, Assert.Single(points).X.Count);
        Assert.Equal(["Robbery"], points[0].CrimeTypes);
        Assert.All(points[0].OccurredAtSeconds, s => Assert.InRange(DateTimeOffset.FromUnixTimeSeconds(s).UtcDateTime, January, January.AddMonths(3).AddTicks(-1)));
    }

    [Fact]
    public async Task StreamIncidentPoints_BadFieldsOrOfficer_RefusedAsStreamIncidentsIs()
    {
        var request = new StreamIncidentsRequest
        {
            Window = new TimeWindow { Start = Timestamp.FromDateTime(January.AddMonths(2)), End = Timestamp.FromDateTime(January) },
        };
        request.CrimeTypes.Add("Jaywalking");

        var invalid = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in _host.CreateClient().StreamIncidentPointsAsync(request, new CallOptions { CancellationToken = Ct }))
            {
            }
        });
        var denied = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in _host.CreateClient(Roles.Officer).StreamIncidentPointsAsync(new StreamIncidentsRequest(), new CallOptions { CancellationToken = Ct }))
            {
            }
        });

        AssertInvalid(invalid).HasExactly("window", "crime_types[0]");
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
    }

    [Fact]
    public async Task StreamIncidents_UnknownBoundary_NotFound()
    {
        var request = new StreamIncidentsRequest { Area = new AreaOfInterest { BoundaryName = "Atlantis" } };

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in _host.CreateClient().StreamIncidentsAsync(request, new CallOptions { CancellationToken = Ct }))
            {
            }
        });

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task StreamHotspotSurface_NaiveCountsOnLambeth_EqualsTheEngineOnTheSameIncidents()
    {
        var client = _host.CreateClient(Roles.Analyst);
        await ImportSampleAsync(_host.CreateClient(Roles.Planner));
        var request = new HotspotSurfaceRequest { Area = new AreaOfInterest { BoundaryName = "Lambeth" }, DataWindow = Window(1, 4), Method = Method.NaiveCounts };

        var chunks = new List<HotspotSurfaceChunk>();
        await foreach (var chunk in client.StreamHotspotSurfaceAsync(request, new CallOptions { CancellationToken = Ct }))
        {
            chunks.Add(chunk);
        }

        // The engine directly, on the incidents the store holds for Lambeth.
        var lambeth = BoundarySet.FromGeoJson(File.ReadAllText(RepoPaths.InRepo("data", "boundaries", "london_boroughs_barking_dagenham_lambeth.geojson")), Projection.BritishNationalGrid).Find("Lambeth")!;
        var incidents = new List<Engine.Hotspots.Incident>();
        await foreach (var record in _host.Store.QueryIncidentsAsync(new IncidentQuery(lambeth.Geometry), Ct))
        {
            incidents.Add(IncidentMapping.ToEngine(record));
        }

        var grid = AnalysisGrid.Create(lambeth.Geometry, 100);
        var training = TrainingSet.Build(grid, incidents, January, January.AddMonths(3));
        var expected = NaiveCounts.Compute(training);

        Assert.NotNull(chunks[0].Grid);
        Assert.All(chunks.Skip(1), c => Assert.Null(c.Grid));
        Assert.Equal(("EPSG:27700", grid.OriginX, grid.OriginY, 100.0, grid.Columns, grid.Rows),
            (chunks[0].Grid.Crs, chunks[0].Grid.OriginX, chunks[0].Grid.OriginY, chunks[0].Grid.CellSizeM, chunks[0].Grid.Columns, chunks[0].Grid.Rows));
        var cells = chunks.SelectMany(c => c.Cells).ToList();
        Assert.True(chunks.Count > 1, "expected the cells to arrive in several chunks");
        Assert.Equal(expected.Score.Count(s => s != 0), cells.Count);
        foreach (var cell in cells)
        {
            var index = grid.CellAt(cell.Column, cell.Row);
            Assert.Equal(expected.Score[index], cell.Value, 1e-9);
            Assert.Equal(training.CountPerCell[index], cell.Count);
        }

        Assert.Equal(training.Count, cells.Sum(c => c.Count));
    }

    [Fact]
    public async Task StreamHotspotSurface_AskedAgainAfterAnImport_CountsTheNewIncident()
    {
        var planner = _host.CreateClient(Roles.Planner);
        var request = new HotspotSurfaceRequest { Area = new AreaOfInterest { BoundaryName = "Lambeth" }, DataWindow = Window(1, 2), Method = Method.NaiveCounts };
        async Task<long> IncidentsOnSurface()
        {
            long total = 0;
            await foreach (var chunk in planner.StreamHotspotSurfaceAsync(request, new CallOptions { CancellationToken = Ct }))
            {
                total += chunk.Cells.Sum(c => c.Count);
            }
            return total;
        }

        var first = new ImportIncidentsRequest { Source = "cache.csv" };
        first.Incidents.Add(Crime("c1", 51.4613, -0.1156));
        first.Incidents.Add(Crime("c2", 51.4700, -0.1200));
        await ImportAsync(planner, first);
        Assert.Equal(2, await IncidentsOnSurface());
        Assert.Equal(2, await IncidentsOnSurface()); // the cached surface

        // The cache holds the surface, but an import into its window must not be hidden by it.
        var second = new ImportIncidentsRequest { Source = "cache-2.csv" };
        second.Incidents.Add(Crime("c3", 51.4650, -0.1180));
        Assert.Equal(1, (await ImportAsync(planner, second)).Imported);
        Assert.Equal(3, await IncidentsOnSurface());
    }

    [Fact]
    public async Task GetPlan_EmptyAndUnknownIds_InvalidArgumentThenNotFound()
    {
        var client = _host.CreateClient(Roles.Analyst);

        var empty = await Assert.ThrowsAsync<RpcException>(() => client.GetPlanAsync("", new CallOptions { CancellationToken = Ct }));
        var unknown = await Assert.ThrowsAsync<RpcException>(() => client.GetPlanAsync("plan-404", new CallOptions { CancellationToken = Ct }));

        AssertInvalid(empty).HasExactly("plan_id");
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task ListPlans_BadTokenAndNegativeSize_OneViolationEach()
    {
        var request = new ListPlansRequest { Page = new PageRequest { PageSize = -1, PageToken = "not-ours" } };

        var error = await Assert.ThrowsAsync<RpcException>(() => _host.CreateClient().ListPlansAsync(request, new CallOptions { CancellationToken = Ct }));

        AssertInvalid(error).HasExactly("page.page_size", "page.page_token");
    }

    [Fact]
    public async Task LocatePatrolArea_BadPointAndNoTime_OneViolationEach()
    {
        var request = new LocatePatrolAreaRequest { Point = new LatLng { Latitude = 91, Longitude = -181 } };

        var error = await Assert.ThrowsAsync<RpcException>(() => _host.CreateClient(Roles.Service).LocatePatrolAreaAsync(request, new CallOptions { CancellationToken = Ct }));

        AssertInvalid(error).HasExactly("point.latitude", "point.longitude", "at");
    }

    [Fact]
    public async Task LocatePatrolArea_PlanStoredByAnotherReplica_FoundAfterTheRefreshAndOnlyInItsWindow()
    {
        var client = _host.CreateClient(Roles.Service);
        var plan = StoredPlans.Square("replica-plan", "Lambeth", new DateTime(2022, 10, 1, 0, 0, 0, DateTimeKind.Utc), 51.4700, -0.1200, 0.002);
        await _host.Store.SavePlanAsync(plan.Plan, plan.Shapes, Ct);
        var inside = new LatLng { Latitude = 51.4710, Longitude = -0.1190 };
        var during = Timestamp.FromDateTime(new DateTime(2022, 10, 15, 0, 0, 0, DateTimeKind.Utc));

        LocatePatrolAreaResponse found = new();
        for (var attempt = 0; attempt < 50 && !found.Found; attempt++)
        {
            await Task.Delay(100, Ct);
            found = await client.LocatePatrolAreaAsync(new LocatePatrolAreaRequest { Point = inside, At = during }, new CallOptions { CancellationToken = Ct });
        }

        var after = await client.LocatePatrolAreaAsync(new LocatePatrolAreaRequest { Point = inside, At = Timestamp.FromDateTime(new DateTime(2022, 11, 1, 0, 0, 0, DateTimeKind.Utc)) }, new CallOptions { CancellationToken = Ct });
        var outside = await client.LocatePatrolAreaAsync(new LocatePatrolAreaRequest { Point = new LatLng { Latitude = 51.48, Longitude = -0.1190 }, At = during }, new CallOptions { CancellationToken = Ct });

        Assert.True(found.Found);
        Assert.Equal(("replica-plan", "A1", 1), (found.PlanId, found.AreaId, found.Rank));
        Assert.False(after.Found);
        Assert.False(outside.Found);
    }

    private static IEnumerable<(string Month, string Type, string Borough)> SampleRows()
    {
        using var file = File.OpenRead(RepoPaths.InRepo("data", "police-uk", "street-crime-barking-dagenham-lambeth-2022-01-to-2022-09.csv.gz"));
        using var reader = CsvRecordReader.Open(CrimeFileImporter.OpenText(file));
        var fields = new List<string>();
        reader.TryRead(fields, out _);
        var rows = new List<(string, string, string)>();
        while (reader.TryRead(fields, out _))
        {
            rows.Add((fields[0], fields[1], fields[7]));
        }

        return rows;
    }
}
