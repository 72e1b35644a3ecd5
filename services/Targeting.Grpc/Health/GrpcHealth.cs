using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Targeting.Grpc;

/// <summary>A service's health, as grpc.health.v1 reports it.</summary>
public enum ServingStatus
{
    Unknown = 0,
    Serving = 1,
    NotServing = 2,
    /// <summary>Only in Watch answers, for a service the server does not know.</summary>
    ServiceUnknown = 3,
}

/// <summary>
/// The health the grpc.health.v1.Health service reports (singleton). Each mapped service starts
/// SERVING; a store that loses its database sets NOT_SERVING for its service and SERVING again
/// when the database is back. The empty name "" is the server as a whole.
/// </summary>
public sealed class GrpcHealth(ILogger<GrpcHealth> logger)
{
    /// <summary>The name that stands for the whole server.</summary>
    public const string Server = "";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal) { [Server] = ServingStatus.Serving };
    private readonly List<(string Service, Channel<ServingStatus> Changes)> _watchers = [];

    /// <summary>Sets a service's status; Watch calls on it see the change.</summary>
    public void SetStatus(string service, ServingStatus status)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_lock)
        {
            if (_statuses.TryGetValue(service, out var current) && current == status)
            {
                return;
            }
            _statuses[service] = status;
            foreach (var (watched, changes) in _watchers)
            {
                if (watched == service)
                {
                    changes.Writer.TryWrite(status);
                }
            }
        }
        Log.HealthChanged(logger, service, status);
    }

    /// <summary>The service's status, or null when the service is unknown.</summary>
    public ServingStatus? GetStatus(string service)
    {
        lock (_lock)
        {
            return _statuses.TryGetValue(service, out var status) ? status : null;
        }
    }

    /// <summary>Every service with a status, "" included.</summary>
    public IReadOnlyDictionary<string, ServingStatus> GetAll()
    {
        lock (_lock)
        {
            return new Dictionary<string, ServingStatus>(_statuses, StringComparer.Ordinal);
        }
    }

    /// <summary>Registers a service as SERVING unless something already set its status.</summary>
    internal void Register(string service)
    {
        lock (_lock)
        {
            _statuses.TryAdd(service, ServingStatus.Serving);
        }
    }

    /// <summary>The current status (ServiceUnknown when unknown) and a reader of later changes.</summary>
    internal (ServingStatus Current, ChannelReader<ServingStatus> Changes, Action Unsubscribe) Watch(string service)
    {
        // Only the latest status matters to a watcher that falls behind.
        var channel = Channel.CreateBounded<ServingStatus>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        var entry = (service, channel);
        lock (_lock)
        {
            _watchers.Add(entry);
            var current = _statuses.TryGetValue(service, out var status) ? status : ServingStatus.ServiceUnknown;
            return (current, channel.Reader, () =>
            {
                lock (_lock)
                {
                    _watchers.Remove(entry);
                }
            });
        }
    }
}
