namespace Targeting.Stops.Access;

/// <summary>Which encounters a caller may see.</summary>
public enum ScopeKind
{
    /// <summary>An officer: the encounters they recorded or that carry their pseudonym.</summary>
    Own,

    /// <summary>A supervisor: their team's encounters.</summary>
    Team,

    /// <summary>An analyst or a service: every encounter, with people's ids pseudonymised.</summary>
    AllPseudonymised,
}

/// <summary>
/// What a caller may see, from their roles: analyst or service sees everything pseudonymised;
/// otherwise a supervisor sees their team and an officer their own (the widest role wins, and a
/// role that sees real ids never widens to everything).
/// </summary>
public sealed record CallerScope(ScopeKind Kind, string Subject, string Team, string Role)
{
    public const string Officer = "officer";
    public const string Supervisor = "supervisor";
    public const string Analyst = "analyst";
    public const string Service = "service";

    /// <summary>The scope for a caller, or null when none of their roles may read encounters.</summary>
    public static CallerScope? For(string subject, IReadOnlyCollection<string> roles, string? team)
    {
        if (roles.Contains(Service))
        {
            return new(ScopeKind.AllPseudonymised, subject, team ?? "", Service);
        }

        if (roles.Contains(Analyst))
        {
            return new(ScopeKind.AllPseudonymised, subject, team ?? "", Analyst);
        }

        if (roles.Contains(Supervisor) && !string.IsNullOrEmpty(team))
        {
            return new(ScopeKind.Team, subject, team, Supervisor);
        }

        return roles.Contains(Officer) ? new(ScopeKind.Own, subject, team ?? "", Officer) : null;
    }

    public bool Pseudonymised => Kind == ScopeKind.AllPseudonymised;

    /// <summary>Whether this caller may see a stored encounter.</summary>
    public bool CanSee(Storage.StoredEncounter encounter) => Kind switch
    {
        ScopeKind.Own => encounter.RecordedBy == Subject || encounter.Current.Officer?.Pseudonym == Subject,
        ScopeKind.Team => encounter.Current.Officer?.Team == Team,
        _ => true,
    };
}
