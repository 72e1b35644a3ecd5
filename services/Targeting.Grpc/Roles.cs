namespace Targeting.Grpc;

/// <summary>The roles a token's "role" claims may carry (DESIGN.md, "Security").</summary>
public static class Roles
{
    /// <summary>Records encounters, reads their own.</summary>
    public const string Officer = "officer";

    /// <summary>Reads their team's encounters, amends them.</summary>
    public const string Supervisor = "supervisor";

    /// <summary>Pseudonymised queries and feedback.</summary>
    public const string Analyst = "analyst";

    /// <summary>Patrol plans.</summary>
    public const string Planner = "planner";

    /// <summary>Service-to-service calls.</summary>
    public const string Service = "service";

    /// <summary>The public transparency report only.</summary>
    public const string Public = "public";

    /// <summary>Every role, in the order above.</summary>
    public static IReadOnlyList<string> All { get; } = [Officer, Supervisor, Analyst, Planner, Service, Public];

    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);
}
