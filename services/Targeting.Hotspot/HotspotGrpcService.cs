using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using Targeting.Common.V1;
using Targeting.Engine.Geography;
using Targeting.Engine.Hotspots;
using Targeting.Grpc;
using Targeting.Hotspot.Import;
using Targeting.Hotspot.Planning;
using Targeting.Hotspot.Storage;
using Targeting.Hotspot.V1;
using Incident = Targeting.Hotspot.V1.Incident;

namespace Targeting.Hotspot;

/// <summary>
/// The hotspot service's rpcs (hotspot.proto): a thin adapter that validates, maps, calls the
/// engine or the store, and maps back. Expected failures become statuses through the helpers at
/// the bottom; a database that cannot be reached becomes UNAVAILABLE (and NOT_SERVING).
/// </summary>
public sealed class HotspotGrpcService(
    IHotspotStore store,
    BoundaryCatalog boundaries,
    PatrolAreaIndex index,
    PlanProposer proposer,
    HotspotStoreMonitor monitor,
    SurfaceCache surfaces,
    IOptions<HotspotOptions> options,
    TimeProvider time)
    : HotspotService.HotspotServiceBase
{
    private const int SurfaceCellsPerChunk = 1_000;
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 1_000;

    // About 100 KB a batch: large enough that per-message costs vanish, small enough to stream.
    private const int IncidentPointsBatchSize = 4_096;

    [AllowRoles(Roles.Planner, Roles.Service)]
    public override async Task<ImportIncidentsSummary> ImportIncidents(IAsyncStreamReader<ImportIncidentsRequest> requestStream, ServerCallContext context)
    {
        var summary = new ImportIncidentsSummary();
        var maxListed = options.Value.MaxRejectedRowsInSummary;
        string? source = null;
        var latest = time.GetUtcNow().UtcDateTime + IncidentValidator.ClockSkew;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            if (source is null && string.IsNullOrWhiteSpace(request.Source))
            {
                new FieldViolations().Add("source", "is required on the first message (the file or stream name)").ThrowIfAny();
            }

            if (!string.IsNullOrWhiteSpace(request.Source))
            {
                source = request.Source;
            }

            var accepted = new List<Incident>(request.Incidents.Count);
            foreach (var incident in request.Incidents)
            {
                summary.Received++;
                if (string.IsNullOrWhiteSpace(incident.Source))
                {
                    incident.Source = source;
                }

                if (incident.RowNumber <= 0)
                {
                    incident.RowNumber = summary.Received;
                }

                if (string.IsNullOrWhiteSpace(incident.Id))
                {
                    incident.Id = IncidentIdentity.ForWireIncident(incident);
                }

                var reason = IncidentValidator.Validate(incident, CoordinateBounds.BritishNationalGrid, latest);
                if (reason is null)
                {
                    accepted.Add(incident);
                    continue;
                }

                summary.Rejected++;
                if (summary.RejectedRows.Count < maxListed)
                {
                    summary.RejectedRows.Add(new RejectedRow { Source = incident.Source, RowNumber = incident.RowNumber, Reason = reason });
                }
            }

            if (accepted.Count > 0)
            {
                var written = await StoreCall(() => store.AddIncidentsAsync(IncidentMapping.ToRecords(accepted, boundaries.Projection), context.CancellationToken));
                summary.Imported += written.Imported;
                if (written.Imported > 0)
                {
                    surfaces.Clear(); // a cached surface may hold the window these fell in
                }

                summary.Duplicates += written.Duplicates;
            }
        }

        return summary;
    }

    [AllowRoles(Roles.Analyst, Roles.Planner, Roles.Service)]
    public override async Task StreamIncidents(StreamIncidentsRequest request, IServerStreamWriter<Incident> writer, ServerCallContext context)
    {
        var query = ToIncidentQuery(request);
        await StoreCall(async () =>
        {
            await foreach (var record in store.QueryIncidentsAsync(query, context.CancellationToken))
            {
                await writer.WriteAsync(IncidentMapping.ToProto(record), bufferHint: true, context.CancellationToken);
            }

            return true;
        });
    }

    [AllowRoles(Roles.Analyst, Roles.Planner, Roles.Service)]
    public override async Task StreamIncidentPoints(StreamIncidentsRequest request, IServerStreamWriter<IncidentPoints> writer, ServerCallContext context)
    {
        var query = ToIncidentQuery(request);
        await StoreCall(async () =>
        {
            var batch = new IncidentPointsBatch(boundaries.Projection.Crs, IncidentPointsBatchSize);
            await foreach (var point in store.QueryIncidentPointsAsync(query, context.CancellationToken))
            {
                if (batch.Add(point))
                {
                    await writer.WriteAsync(batch.Take(), bufferHint: true, context.CancellationToken);
                }
            }

            if (batch.Count > 0)
            {
                await writer.WriteAsync(batch.Take(), context.CancellationToken);
            }

            return true;
        });
    }

    private IncidentQuery ToIncidentQuery(StreamIncidentsRequest request)
    {
        var violations = new FieldViolations();
        var area = request.Area is null ? null : boundaries.Resolve(request.Area, "area", violations);
        DateTime? start = null, end = null;
        if (request.Window is not null)
        {
            start = RequestValidation.Time(request.Window.Start, "window.start", violations, required: false);
            end = RequestValidation.Time(request.Window.End, "window.end", violations, required: false);
            if (start is not null && end is not null && end <= start)
            {
                violations.Add("window", "end must be after start");
            }
        }

        var types = new List<string>();
        for (var i = 0; i < request.CrimeTypes.Count; i++)
        {
            if (KnownCrimeTypes.TryCanonicalise(request.CrimeTypes[i], out var canonical))
            {
                types.Add(canonical);
            }
            else
            {
                violations.Add($"crime_types[{i}]", $"unknown crime type {FieldText.Quote(request.CrimeTypes[i])}");
            }
        }

        violations.ThrowIfAny();
        return new IncidentQuery(area?.Geometry, start, end, types.Count > 0 ? types : null);
    }

    [AllowRoles(Roles.Planner)]
    public override async Task<PatrolPlan> ProposePatrolAreas(ProposePatrolAreasRequest request, ServerCallContext context)
    {
        var proposal = PlanProposer.Validate(request, boundaries, time.GetUtcNow().UtcDateTime);
        var incidents = await LoadIncidentsAsync(proposal.Area, proposal.DataStart, proposal.DataEnd, context.CancellationToken);
        var (plan, shapes) = proposer.Propose(proposal, incidents, context.Caller.Subject, time.GetUtcNow().UtcDateTime);
        var sequence = await StoreCall(() => store.SavePlanAsync(plan, shapes, context.CancellationToken));
        index.AddRange([new StoredPlan(sequence, plan)]);
        return plan;
    }

    [AllowRoles(Roles.Planner)]
    public override async Task<ProposeForcePlansResponse> ProposeForcePlans(ProposeForcePlansRequest request, ServerCallContext context)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var force = PlanProposer.ValidateForce(request, boundaries, now);
        var plans = await proposer.ProposeAllAsync(force,
            async (p, token) => await LoadIncidentsAsync(p.Area, p.DataStart, p.DataEnd, token), context.Caller.Subject, now, context.CancellationToken);
        // Stored only once every borough's plan is made, in borough order.
        var stored = new List<StoredPlan>();
        foreach (var (plan, shapes) in plans)
        {
            stored.Add(new StoredPlan(await StoreCall(() => store.SavePlanAsync(plan, shapes, context.CancellationToken)), plan));
        }

        index.AddRange(stored);
        var response = new ProposeForcePlansResponse
        {
            Force = force.Force,
            AreaOfInterestM2 = plans.Sum(p => p.Plan.AreaOfInterestM2),
            PatrolAreaM2 = plans.Sum(p => p.Plan.PatrolAreaM2),
        };
        response.CoverageFraction = response.AreaOfInterestM2 > 0 ? response.PatrolAreaM2 / response.AreaOfInterestM2 : 0;
        response.Plans.AddRange(plans.Select(p => p.Plan));
        return response;
    }

    [AllowRoles(Roles.Planner, Roles.Analyst, Roles.Service)]
    public override async Task<PatrolPlan> GetPlan(GetPlanRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.PlanId))
        {
            new FieldViolations().Add("plan_id", "is required").ThrowIfAny();
        }

        return await StoreCall(() => store.GetPlanAsync(request.PlanId, context.CancellationToken))
            ?? throw NotFound($"no plan with id {FieldText.Quote(request.PlanId)}");
    }

    [AllowRoles(Roles.Planner, Roles.Analyst, Roles.Service)]
    public override async Task<ListPlansResponse> ListPlans(ListPlansRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        var activeAt = RequestValidation.Time(request.ActiveAt, "active_at", violations, required: false);
        var pageSize = request.Page?.PageSize ?? 0;
        if (pageSize < 0)
        {
            violations.Add("page.page_size", "must not be negative");
        }

        var before = DecodePageToken(request.Page?.PageToken, violations);
        violations.ThrowIfAny();
        var page = await StoreCall(() => store.ListPlansAsync(
            string.IsNullOrEmpty(request.AreaName) ? null : request.AreaName,
            activeAt,
            pageSize == 0 ? DefaultPageSize : Math.Min(pageSize, MaxPageSize),
            before,
            context.CancellationToken));
        var response = new ListPlansResponse { NextPageToken = page.NextBefore is { } next ? EncodePageToken(next) : string.Empty };
        response.Plans.AddRange(page.Plans.Select(p => p.Plan));
        return response;
    }

    [AllowRoles(Roles.Planner, Roles.Analyst)]
    public override async Task StreamHotspotSurface(HotspotSurfaceRequest request, IServerStreamWriter<HotspotSurfaceChunk> writer, ServerCallContext context)
    {
        var violations = new FieldViolations();
        var area = boundaries.Resolve(request.Area, "area", violations);
        var window = RequestValidation.Window(request.DataWindow, "data_window", violations, required: true);
        var method = RequestValidation.Method(request.Method, "method", violations);
        var parameters = RequestValidation.Parameters(request.Parameters, violations);
        var targeting = RequestValidation.Targeting(request.HarmWeights, request.DiscoveredPolicy, request.DiscoveredWeight, violations);
        violations.ThrowIfAny();

        var key = SurfaceCache.KeyOf(request);
        var chunks = surfaces.Get(key);
        if (chunks is null)
        {
            chunks = await ComputeSurfaceAsync(area!, window!.Value, method, parameters, targeting, context.CancellationToken);
            surfaces.Set(key, chunks);
        }

        foreach (var chunk in chunks)
        {
            await writer.WriteAsync(chunk, context.CancellationToken);
        }
    }

    /// <summary>A surface as the chunks StreamHotspotSurface writes: the grid first, then its non-zero cells.</summary>
    private async Task<List<HotspotSurfaceChunk>> ComputeSurfaceAsync(ResolvedArea area, (DateTime Start, DateTime End) window, HotspotMethod method,
        Engine.Hotspots.MethodParameters parameters, TargetingOptions targeting, CancellationToken cancellationToken)
    {
        var incidents = await LoadIncidentsAsync(area, window.Start, window.End, cancellationToken);
        var grid = boundaries.GridFor(area, parameters.CellSizeM, parameters.OriginOffsetXM, parameters.OriginOffsetYM);
        var training = TrainingSet.Build(grid, incidents, window.Start, window.End, targeting);
        var surface = HotspotSurfaces.Compute(training, method, parameters);

        var chunks = new List<HotspotSurfaceChunk>();
        var chunk = new HotspotSurfaceChunk
        {
            Grid = new Grid
            {
                Crs = boundaries.Projection.Crs,
                OriginX = grid.OriginX,
                OriginY = grid.OriginY,
                CellSizeM = grid.CellSize,
                Columns = grid.Columns,
                Rows = grid.Rows,
            },
        };
        for (var cell = 0; cell < grid.CellCount; cell++)
        {
            if (surface.Score[cell] == 0)
            {
                continue;
            }

            var (longitude, latitude) = boundaries.Projection.Unproject(grid.CentreX(cell), grid.CentreY(cell));
            chunk.Cells.Add(new SurfaceCell
            {
                Column = grid.Column(cell),
                Row = grid.Row(cell),
                Centre = new LatLng { Latitude = latitude, Longitude = longitude },
                Value = surface.Score[cell],
                WeightedCount = training.HarmPerCell[cell],
                Count = training.CountPerCell[cell],
                GiZ = surface.GiStar?.Z[cell] ?? 0,
            });
            if (chunk.Cells.Count == SurfaceCellsPerChunk)
            {
                chunks.Add(chunk);
                chunk = new HotspotSurfaceChunk();
            }
        }

        if (chunk.Grid is not null || chunk.Cells.Count > 0)
        {
            chunks.Add(chunk);
        }

        return chunks;
    }

    [AllowRoles(Roles.Service, Roles.Planner, Roles.Analyst)]
    public override Task<LocatePatrolAreaResponse> LocatePatrolArea(LocatePatrolAreaRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        if (request.Point is null)
        {
            violations.Add("point", "is required");
        }
        else
        {
            if (!(request.Point.Latitude is >= -90 and <= 90))
            {
                violations.Add("point.latitude", "must be between -90 and 90");
            }

            if (!(request.Point.Longitude is >= -180 and <= 180))
            {
                violations.Add("point.longitude", "must be between -180 and 180");
            }
        }

        var at = RequestValidation.Time(request.At, "at", violations, required: true);
        violations.ThrowIfAny();
        var found = index.Locate(request.Point!.Latitude, request.Point.Longitude, at!.Value);
        return Task.FromResult(found is { } area
            ? new LocatePatrolAreaResponse { Found = true, PlanId = area.PlanId, AreaId = area.AreaId, Rank = area.Rank }
            : new LocatePatrolAreaResponse { Found = false });
    }

    [AllowRoles(Roles.Planner, Roles.Analyst)]
    public override async Task<BacktestReport> RunBacktest(BacktestRequest request, ServerCallContext context)
    {
        var plan = BacktestRunner.Validate(request, boundaries);
        var incidents = await LoadIncidentsAsync(plan.Area, plan.Start, plan.End, context.CancellationToken);
        // CPU-bound for seconds on a borough; off the request thread, and stopped by the deadline.
        return await Task.Run(() => BacktestRunner.Run(plan, incidents, boundaries, time.GetUtcNow().UtcDateTime, context.CancellationToken), context.CancellationToken);
    }

    [AllowRoles]
    public override Task<ListBoundariesResponse> ListBoundaries(ListBoundariesRequest request, ServerCallContext context)
    {
        var kind = request.Kind?.Trim() ?? string.Empty;
        var known = boundaries.All.All.Select(b => b.Kind).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (kind.Length > 0 && !known.Contains(kind, StringComparer.OrdinalIgnoreCase) && kind is not (BoundaryKinds.Borough or BoundaryKinds.Ward or BoundaryKinds.Lsoa))
        {
            new FieldViolations().Add("kind", $"unknown kind {FieldText.Quote(kind)}; loaded kinds: {string.Join(", ", known)}").ThrowIfAny();
        }

        var response = new ListBoundariesResponse();
        response.Boundaries.AddRange((kind.Length == 0 ? boundaries.All.All : boundaries.All.OfKind(kind))
            .Select(b => new V1.Boundary { Name = b.Name, Code = b.Code, Kind = b.Kind, ParentName = b.ParentName ?? string.Empty, AreaM2 = b.AreaM2 }));
        return Task.FromResult(response);
    }

    /// <summary>The incidents of an area and window, as the engine takes them.</summary>
    private async Task<IReadOnlyList<Engine.Hotspots.Incident>> LoadIncidentsAsync(ResolvedArea area, DateTime start, DateTime end, CancellationToken cancellationToken) =>
        await StoreCall(async () =>
        {
            var incidents = new List<Engine.Hotspots.Incident>();
            await foreach (var record in store.QueryIncidentsAsync(new IncidentQuery(area.Geometry, start, end), cancellationToken))
            {
                incidents.Add(IncidentMapping.ToEngine(record));
            }

            return incidents;
        });

    private static string EncodePageToken(long before) =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes("before:" + before.ToString(CultureInfo.InvariantCulture)));

    private static long? DecodePageToken(string? token, FieldViolations violations)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            var text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(token));
            if (text.StartsWith("before:", StringComparison.Ordinal) &&
                long.TryParse(text.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out var before) && before > 0)
            {
                return before;
            }
        }
        catch (FormatException)
        {
        }

        violations.Add("page.page_token", "is not a token this service gave out");
        return null;
    }

    private async Task<T> StoreCall<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (store.IsUnavailable(e))
        {
            monitor.ReportUnavailable(e);
            throw new RpcException(new Status(StatusCode.Unavailable, "the hotspot database cannot be reached; try again shortly"));
        }
        catch (PlanAlreadyExistsException e)
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, e.Message));
        }
    }

    private static RpcException NotFound(string message) => new(new Status(StatusCode.NotFound, message));
}
