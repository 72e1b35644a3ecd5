using Microsoft.Extensions.Options;

namespace Targeting.Stops.Storage;

/// <summary>
/// Applies the store's migrations at start-up (waiting up to a minute for the database) and then
/// probes the database: every <see cref="StopsOptions.HealthProbeInterval"/> while it is up, every
/// half second while it is down, so health returns to SERVING on its own when it comes back.
/// </summary>
public sealed partial class StoreLifecycle(IEncounterStore store, StoreHealth health, IOptions<StopsOptions> options, ILogger<StoreLifecycle> logger)
    : BackgroundService
{
    private static readonly TimeSpan StartupWait = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan DownProbeInterval = TimeSpan.FromMilliseconds(500);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Runs before the server listens: no call reaches an unmigrated store.
        var giveUp = DateTimeOffset.UtcNow + StartupWait;
        while (true)
        {
            try
            {
                await store.MigrateAsync(cancellationToken);
                health.MarkAvailable();
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException && DateTimeOffset.UtcNow < giveUp)
            {
                LogWaiting(logger, e.Message);
                health.MarkUnavailable();
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                await store.PingAsync(timeout.Token);
                health.MarkAvailable();
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                if (health.IsAvailable)
                {
                    LogLost(logger, e.Message);
                }

                health.MarkUnavailable();
            }

            try
            {
                await Task.Delay(health.IsAvailable ? options.Value.HealthProbeInterval : DownProbeInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waiting for the encounter database: {Reason}")]
    private static partial void LogWaiting(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Lost the encounter database: {Reason}")]
    private static partial void LogLost(ILogger logger, string reason);
}
