namespace Targeting.Stops.Storage;

/// <summary>
/// Whether the store's database is reachable, as last observed by a store operation or the
/// health probe. Subscribers (the gRPC health service) hear every change. Thread-safe.
/// </summary>
public sealed class StoreHealth
{
    private int _available = 1;

    /// <summary>Raised with the new state whenever it changes.</summary>
    public event Action<bool>? Changed;

    public bool IsAvailable => Volatile.Read(ref _available) == 1;

    public void MarkAvailable() => Set(true);

    public void MarkUnavailable() => Set(false);

    private void Set(bool available)
    {
        if (Interlocked.Exchange(ref _available, available ? 1 : 0) != (available ? 1 : 0))
        {
            Changed?.Invoke(available);
        }
    }
}
