using Microsoft.Extensions.Options;
using Targeting.Grpc;
using Targeting.Hotspot.Planning;
using Targeting.Hotspot.Storage;
using Targeting.Hotspot.V1;

namespace Targeting.Hotspot;

/// <summary>
/// Keeps the store ready and the health service truthful: applies migrations at start-up (and
/// keeps retrying while the database is down), reports SERVING / NOT_SERVING for the hotspot
/// service as the database comes and goes, and loads plans into the locate index (all at
/// start, then those stored by other replicas).
/// </summary>
public sealed partial class HotspotStoreMonitor(
    IHotspotStore store,
    PatrolAreaIndex index,
    GrpcHealth health,
    IOptions<HotspotOptions> options,
    ILogger<HotspotStoreMonitor> logger) : BackgroundService
{
    public static readonly string ServiceName = HotspotReflection.Descriptor.Services[0].FullName;

    private bool _migrated;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // One attempt before the host takes calls, so a healthy database is ready at once.
        await CheckAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var healthEvery = options.Value.HealthCheckInterval;
        var refreshEvery = options.Value.PlanRefreshInterval;
        var sinceRefresh = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(healthEvery, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            sinceRefresh += healthEvery;
            var refresh = sinceRefresh >= refreshEvery;
            if (refresh)
            {
                sinceRefresh = TimeSpan.Zero;
            }

            await CheckAsync(stoppingToken, refresh);
        }
    }

    /// <summary>Reports the store unreachable at once (a call just failed), rather than at the next check.</summary>
    public void ReportUnavailable(Exception error)
    {
        LogUnavailable(logger, error.Message);
        health.SetStatus(ServiceName, ServingStatus.NotServing);
    }

    private async Task CheckAsync(CancellationToken cancellationToken, bool refreshPlans = true)
    {
        try
        {
            if (!_migrated)
            {
                await store.MigrateAsync(cancellationToken);
                _migrated = true;
                LogMigrated(logger, store.Provider);
            }

            if (refreshPlans)
            {
                index.AddRange(await store.PlansAfterAsync(index.LastSequence, cancellationToken));
            }

            var up = await store.PingAsync(cancellationToken);
            health.SetStatus(ServiceName, up ? ServingStatus.Serving : ServingStatus.NotServing);
        }
        catch (Exception e) when (store.IsUnavailable(e))
        {
            // Also a database that went away mid-check: an uncaught exception here would stop the host.
            ReportUnavailable(e);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Hotspot store ({Provider}) migrated and ready")]
    private static partial void LogMigrated(ILogger logger, string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hotspot store unavailable: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);
}
