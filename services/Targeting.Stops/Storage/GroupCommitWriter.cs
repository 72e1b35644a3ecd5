using System.Data.Common;
using System.Threading.Channels;

namespace Targeting.Stops.Storage;

/// <summary>
/// Group commit: concurrent writes are queued, and each writer loop takes every queued write (up
/// to a batch size), runs them in one transaction and commits once, so one fsync covers the whole
/// group. Each caller's task completes only after that commit, so a write is durable before its
/// reply. A failing write does not sink its group: the group is rolled back and its writes rerun
/// one transaction each, so only the failing one fails.
/// </summary>
/// <remarks>
/// This is the classic database group-commit technique applied above the driver: it turns N
/// commits (N fsyncs) into one under load, and costs nothing when writes arrive one at a time.
/// </remarks>
public sealed class GroupCommitWriter<TConnection> : IAsyncDisposable
    where TConnection : DbConnection
{
    private readonly Channel<IWork> _queue = Channel.CreateUnbounded<IWork>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Func<CancellationToken, Task<TConnection>> _open;
    private readonly Func<Exception, bool> _isTransient;
    private readonly StoreHealth _health;
    private readonly int _maxBatch;
    private readonly Task[] _loops;

    public GroupCommitWriter(Func<CancellationToken, Task<TConnection>> open, Func<Exception, bool> isTransient, StoreHealth health, int writers, int maxBatch)
    {
        _open = open;
        _isTransient = isTransient;
        _health = health;
        _maxBatch = maxBatch;
        _loops = Enumerable.Range(0, writers).Select(_ => Task.Run(RunAsync)).ToArray();
    }

    /// <summary>Queues a write and waits until it is committed (or failed).</summary>
    public Task<T> WriteAsync<T>(Func<TConnection, DbTransaction, Task<T>> write, CancellationToken cancellationToken)
    {
        var work = new Work<T>(write, cancellationToken);
        if (!_queue.Writer.TryWrite(work))
        {
            throw new ObjectDisposedException(nameof(GroupCommitWriter<TConnection>));
        }

        return work.Completion.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_loops).ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        TConnection? connection = null;
        var batch = new List<IWork>(_maxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var work))
                {
                    if (work.IsCancelled)
                    {
                        work.Cancel();
                    }
                    else
                    {
                        batch.Add(work);
                    }
                }

                if (batch.Count == 0)
                {
                    continue;
                }

                try
                {
                    connection ??= await _open(CancellationToken.None).ConfigureAwait(false);
                    if (!await TryRunGroupAsync(connection, batch).ConfigureAwait(false))
                    {
                        foreach (var work in batch)
                        {
                            await TryRunGroupAsync(connection, [work]).ConfigureAwait(false);
                        }
                    }

                    _health.MarkAvailable();
                }
                catch (Exception e) when (_isTransient(e))
                {
                    // The connection is suspect after a transient failure: drop it, fail the group
                    // as unavailable (callers may retry) and reopen on the next group.
                    _health.MarkUnavailable();
                    if (connection is not null)
                    {
                        await connection.DisposeAsync().ConfigureAwait(false);
                        connection = null;
                    }

                    var unavailable = new StoreUnavailableException("the database is unavailable: " + e.Message, e);
                    foreach (var work in batch)
                    {
                        work.Fail(unavailable);
                    }
                }
                catch (Exception e)
                {
                    foreach (var work in batch)
                    {
                        work.Fail(e);
                    }
                }
            }
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Runs the writes in one transaction and completes them on commit. Returns false (rolled
    /// back, nothing completed) when a write failed for a non-transient reason and the group had
    /// more than one write; with a single write, that write is failed instead.
    /// </summary>
    private async Task<bool> TryRunGroupAsync(TConnection connection, IReadOnlyList<IWork> group)
    {
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        foreach (var work in group)
        {
            try
            {
                await work.RunAsync(connection, transaction).ConfigureAwait(false);
            }
            catch (Exception e) when (!_isTransient(e))
            {
                await transaction.RollbackAsync().ConfigureAwait(false);
                if (group.Count > 1)
                {
                    return false;
                }

                work.Fail(e);
                return true;
            }
        }

        await transaction.CommitAsync().ConfigureAwait(false);
        foreach (var work in group)
        {
            work.Complete();
        }

        return true;
    }

    private interface IWork
    {
        bool IsCancelled { get; }

        Task RunAsync(TConnection connection, DbTransaction transaction);

        void Complete();

        void Fail(Exception exception);

        void Cancel();
    }

    private sealed class Work<T>(Func<TConnection, DbTransaction, Task<T>> write, CancellationToken cancellationToken) : IWork
    {
        private T? _result;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool IsCancelled => cancellationToken.IsCancellationRequested;

        public async Task RunAsync(TConnection connection, DbTransaction transaction) =>
            _result = await write(connection, transaction).ConfigureAwait(false);

        public void Complete() => Completion.TrySetResult(_result!);

        public void Fail(Exception exception) => Completion.TrySetException(exception);

        public void Cancel() => Completion.TrySetCanceled(cancellationToken);
    }
}
