using System.Collections.Concurrent;
using Targeting.Grpc;
using Targeting.Stops.V1;

namespace Targeting.Stops.Tests.Reliability;

/// <summary>
/// A client that records <c>count</c> encounters with <c>workers</c> calls in flight, each with
/// its own request id, retrying every failed call with the same request (same id, same bytes)
/// until it is acknowledged, as a device with a flaky link would. It keeps the first receipt of
/// each request and every status it saw.
/// </summary>
internal sealed class RetryingWriter
{
    private readonly RecordEncounterRequest[] _requests;
    private readonly EncounterReceipt?[] _receipts;
    private readonly ConcurrentDictionary<StatusCode, int> _failures = new();
    private readonly ConcurrentBag<string> _unexpected = [];
    private int _next = -1;
    private int _acknowledged;
    private int _replayed;

    public RetryingWriter(string runId, int count)
    {
        var now = DateTimeOffset.UtcNow;
        _requests = Enumerable.Range(0, count).Select(i => new RecordEncounterRequest
        {
            RequestId = $"{runId}-{i:D6}",
            // Distinct officers, teams and times, so a record mixed up with another shows.
            Encounter = TestEncounters.PersonSearch($"officer-{i % 97}", $"team-{i % 7}", occurredAt: now.AddMinutes(-30).AddMilliseconds(i)),
        }).ToArray();
        _receipts = new EncounterReceipt?[count];
    }

    public IReadOnlyList<RecordEncounterRequest> Requests => _requests;

    /// <summary>The first receipt per request, null where none came back.</summary>
    public IReadOnlyList<EncounterReceipt?> Receipts => _receipts;

    public int Acknowledged => Volatile.Read(ref _acknowledged);

    /// <summary>Receipts marked replayed: retries of writes that had committed before their reply was lost.</summary>
    public int Replayed => Volatile.Read(ref _replayed);

    /// <summary>Failed attempts by status (all retried).</summary>
    public IReadOnlyDictionary<StatusCode, int> Failures => _failures;

    /// <summary>Failures that a write of a valid encounter must never give: anything but UNAVAILABLE or DEADLINE_EXCEEDED.</summary>
    public IReadOnlyCollection<string> Unexpected => _unexpected;

    /// <summary>Writes everything, returning when every request has been acknowledged.</summary>
    public Task RunAsync(Func<StopsClient> client, int workers, CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkAsync(client(), cancellationToken), cancellationToken)));

    private async Task WorkAsync(StopsClient client, CancellationToken cancellationToken)
    {
        using var owned = client;
        while (true)
        {
            var index = Interlocked.Increment(ref _next);
            if (index >= _requests.Length)
            {
                return;
            }

            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    var receipt = await client.RecordEncounterAsync(_requests[index], CallOptions.WithTimeout(TimeSpan.FromSeconds(10), cancellationToken));
                    _receipts[index] = receipt;
                    if (receipt.Replayed)
                    {
                        Interlocked.Increment(ref _replayed);
                    }

                    Interlocked.Increment(ref _acknowledged);
                    break;
                }
                catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
                {
                    _failures.AddOrUpdate(e.StatusCode, 1, (_, n) => n + 1);
                    if (e.StatusCode is not (StatusCode.Unavailable or StatusCode.DeadlineExceeded))
                    {
                        _unexpected.Add($"{_requests[index].RequestId}: {e.StatusCode} {e.Detail}");
                    }

                    await Task.Delay(50, cancellationToken);
                }
            }
        }
    }
}
