using Targeting.Stops.Storage;

namespace Targeting.Stops.Linking;

/// <summary>
/// The background job that links pending encounters (recorded or imported while the hotspot
/// service could not answer). Each round takes the due encounters and asks hotspot for each. When
/// hotspot is unavailable the round stops and the job backs off exponentially (1 s doubling to
/// 5 min) as a whole, so an outage costs no per-record writes; a point hotspot refuses is deferred
/// on its own with its own exponential backoff (1 min doubling to 1 day).
/// </summary>
public sealed partial class PatrolLinkJob(
    IEncounterStore store, IPatrolAreaLocator locator, TimeProvider clock, StopsOptions options, ILogger<PatrolLinkJob> logger)
    : BackgroundService
{
    private const int RoundSize = 256;
    private const int Parallelism = 8;
    private static readonly TimeSpan MaxOutageBackoff = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MaxRefusedBackoff = TimeSpan.FromDays(1);

    /// <summary>Links one round of due encounters; returns how many were linked and whether hotspot was unavailable.</summary>
    public async Task<(int Linked, bool Unavailable, int Due)> RunRoundAsync(CancellationToken cancellationToken)
    {
        var due = await store.DuePendingLinksAsync(clock.GetUtcNow(), RoundSize, cancellationToken);
        var linked = 0;
        var unavailable = false;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = stop.Token }, async (pending, ct) =>
            {
                var result = await locator.LocateAsync(pending.Latitude, pending.Longitude, pending.OccurredAt, options.LinkDeadline * 4, ct);
                switch (result.Status)
                {
                    case LocateStatus.Inside or LocateStatus.Outside:
                        await store.SetLinkAsync(pending.EncounterId, PatrolLinker.ToLink(result, clock.GetUtcNow()), ct);
                        Interlocked.Increment(ref linked);
                        break;
                    case LocateStatus.Refused:
                        var attempts = pending.Attempts + 1;
                        var wait = TimeSpan.FromMinutes(Math.Min(Math.Pow(2, attempts - 1), MaxRefusedBackoff.TotalMinutes));
                        LogRefused(logger, pending.EncounterId, result.Detail, wait);
                        await store.DeferLinkAsync(pending.EncounterId, attempts, clock.GetUtcNow() + wait, ct);
                        break;
                    default:
                        // Hotspot is down: stop the round rather than ask for every encounter.
                        unavailable = true;
                        await stop.CancelAsync();
                        break;
                }
            });
        }
        catch (OperationCanceledException) when (unavailable && !cancellationToken.IsCancellationRequested)
        {
        }

        return (linked, unavailable, due.Count);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!locator.IsConfigured)
        {
            LogNotConfigured(logger);
            return;
        }

        var backoff = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var (linked, unavailable, due) = await RunRoundAsync(stoppingToken);
                if (unavailable)
                {
                    backoff = backoff == TimeSpan.Zero ? TimeSpan.FromSeconds(1) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxOutageBackoff.Ticks));
                    LogUnavailable(logger, backoff);
                    wait = backoff;
                }
                else
                {
                    backoff = TimeSpan.Zero;
                    wait = due == RoundSize ? TimeSpan.Zero : options.LinkPollInterval;
                    if (linked > 0)
                    {
                        LogLinked(logger, linked);
                    }
                }
            }
            catch (StoreUnavailableException)
            {
                wait = options.LinkPollInterval;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No hotspot service configured (Services:Hotspot:Address): encounters stay pending until one is")]
    private static partial void LogNotConfigured(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Linked {Count} pending encounters to patrol areas")]
    private static partial void LogLinked(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The hotspot service is unavailable; linking again in {Backoff}")]
    private static partial void LogUnavailable(ILogger logger, TimeSpan backoff);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The hotspot service refused to locate encounter {EncounterId} ({Detail}); trying again in {Wait}")]
    private static partial void LogRefused(ILogger logger, string encounterId, string detail, TimeSpan wait);
}
