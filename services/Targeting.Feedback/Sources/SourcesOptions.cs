namespace Targeting.Feedback.Sources;

/// <summary>
/// How the feedback service reaches the hotspot and stops services (configuration section
/// <c>Services</c>, shared by every service): <c>Services:Hotspot:Address</c>,
/// <c>Services:Stops:Address</c>, and the service token <c>Services:Token</c> (a JWT with role
/// "service"). In Development, with no token configured, the service mints its own development
/// token (<see cref="Grpc.DevelopmentTokens"/>).
/// </summary>
public sealed class SourcesOptions
{
    public const string Section = "Services";

    /// <summary>The hotspot service, e.g. http://hotspot:8080.</summary>
    public ServiceAddress Hotspot { get; set; } = new();

    /// <summary>The stops service.</summary>
    public ServiceAddress Stops { get; set; } = new();

    /// <summary>The bearer token the feedback service presents (role "service").</summary>
    public string? Token { get; set; }

    /// <summary>Longest a source call may take when the caller set no deadline (default 5 minutes).</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest message accepted from a source, bytes (default 16 MiB: a plan with many areas, or a batch).</summary>
    public int MaxReceiveMessageSize { get; set; } = 16 * 1024 * 1024;
}

/// <summary>One service's address, and its Dapr app id when calls go through a Dapr sidecar.</summary>
public sealed class ServiceAddress
{
    public string? Address { get; set; }

    public string? DaprAppId { get; set; }
}
