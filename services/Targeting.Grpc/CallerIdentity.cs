using System.Security.Claims;

namespace Targeting.Grpc;

/// <summary>Who made a call, from the bearer token's claims: "sub", "role" (one or more) and "team".</summary>
public sealed class CallerIdentity
{
    public CallerIdentity(string subject, IReadOnlyList<string> roles, string? team)
    {
        Subject = subject;
        Roles = roles;
        Team = team;
    }

    /// <summary>The caller of an anonymous rpc (health, reflection): no subject, no roles.</summary>
    public static CallerIdentity Anonymous { get; } = new(string.Empty, [], null);

    /// <summary>
    /// The identity of a validated token (JwtBearer keeps the JWT claim names: inbound claim mapping
    /// is off), or <see cref="Anonymous"/> when the call carried none.
    /// </summary>
    public static CallerIdentity From(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Identity is not { IsAuthenticated: true })
        {
            return Anonymous;
        }
        var subject = user.FindFirst(TokenClaims.Subject)?.Value ?? string.Empty;
        var roles = user.FindAll(TokenClaims.Role).Select(c => c.Value).ToArray();
        return new CallerIdentity(subject, roles, user.FindFirst(TokenClaims.Team)?.Value);
    }

    /// <summary>The token's "sub" claim (an officer's pseudonymous id, a service name...).</summary>
    public string Subject { get; }

    public IReadOnlyList<string> Roles { get; }

    /// <summary>The token's "team" claim, if any.</summary>
    public string? Team { get; }

    public bool IsAuthenticated => Subject.Length > 0;

    public bool IsInRole(string role)
    {
        foreach (var held in Roles)
        {
            if (string.Equals(held, role, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}
