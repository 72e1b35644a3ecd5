using Microsoft.Extensions.Diagnostics.HealthChecks;
using Grpc.AspNetCore.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Targeting.Grpc;

/// <summary>A service's health, as grpc.health.v1 reports it.</summary>
public enum ServingStatus
{
    Unknown = 0,
    Serving = 1,
    NotServing = 2,
}

/// <summary>
/// The health of each service of this host, set by its store monitor (singleton): NOT_SERVING
/// while its database is unreachable, SERVING again when it is back. Grpc.AspNetCore.HealthChecks
/// reports it through one ASP.NET Core health check per mapped service
/// (<see cref="ServiceHealthCheck"/>, registered when the host first builds its health checks, after
/// mapping); a service nobody has marked yet is SERVING.
/// </summary>
public sealed class GrpcHealth(ILogger<GrpcHealth> logger)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal);
    private readonly List<string> _services = [];

    /// <summary>The services mapped on this host, in mapping order: each has a health check.</summary>
    public IReadOnlyList<string> Services
    {
        get
        {
            lock (_lock)
            {
                return [.. _services];
            }
        }
    }

    /// <summary>Adds a mapped service (once); it is SERVING until its monitor says otherwise.</summary>
    internal void Register(string service)
    {
        lock (_lock)
        {
            if (!_services.Contains(service))
            {
                _services.Add(service);
            }
        }
    }

    /// <summary>Sets a service's status (its full proto name, e.g. "targeting.stops.v1.StopsService").</summary>
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
        }
        Log.HealthChanged(logger, service, status);
    }

    /// <summary>The service's status: SERVING unless a monitor said otherwise.</summary>
    public ServingStatus GetStatus(string service)
    {
        lock (_lock)
        {
            return _statuses.TryGetValue(service, out var status) ? status : ServingStatus.Serving;
        }
    }
}

/// <summary>The ASP.NET Core health check of one gRPC service: healthy while it is SERVING.</summary>
internal sealed class ServiceHealthCheck(GrpcHealth health, string service) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(health.GetStatus(service) == ServingStatus.Serving
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"{service}: its store is unreachable"));
}

/// <summary>
/// One health check per mapped service, and its grpc.health.v1 name. Options are built on first
/// use, when the host starts, so every service mapped before then is included.
/// </summary>
internal sealed class MappedServiceHealthChecks(GrpcHealth health) : IConfigureOptions<HealthCheckServiceOptions>, IConfigureOptions<GrpcHealthChecksOptions>
{
    public void Configure(HealthCheckServiceOptions options)
    {
        foreach (var service in health.Services)
        {
            options.Registrations.Add(new HealthCheckRegistration(service, _ => new ServiceHealthCheck(health, service), HealthStatus.Unhealthy, tags: null));
        }
    }

    public void Configure(GrpcHealthChecksOptions options)
    {
        foreach (var service in health.Services)
        {
            options.Services.Map(service, registration => registration.Name == service);
        }
    }
}
