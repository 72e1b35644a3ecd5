using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Targeting.Grpc;

/// <summary>
/// Issues tokens signed with the built-in development key, which hosts accept only when their
/// environment is Development (see <see cref="GrpcAuthenticationOptions.SigningKey"/>). For the
/// <c>targeting token</c> command and for tests; never a way to sign production tokens.
/// </summary>
public static class DevelopmentTokens
{
    /// <summary>The default issuer and audience of every token the layer validates.</summary>
    public const string Issuer = "targeting";

    public const string Audience = "targeting";

    /// <summary>Public by design: anyone can mint tokens with it, so only Development hosts trust it.</summary>
    public const string SigningKey = "targeting-development-signing-key-do-not-use-outside-development";

    /// <summary>Default lifetime of a development token: 8 hours, one working shift.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(8);

    /// <summary>A development token for one role.</summary>
    /// <param name="role">One of <see cref="Roles"/>.</param>
    /// <param name="subject">The "sub" claim; defaults to "dev-" + role.</param>
    /// <param name="team">The "team" claim, if any.</param>
    /// <param name="lifetime">Time until expiry (negative gives an already-expired token, for tests).</param>
    public static string Issue(string role, string? subject = null, string? team = null, TimeSpan? lifetime = null) =>
        Issue([role], subject ?? "dev-" + role, team, lifetime);

    /// <summary>A development token carrying several roles.</summary>
    public static string Issue(IReadOnlyList<string> roles, string subject, string? team = null, TimeSpan? lifetime = null)
    {
        foreach (var role in roles)
        {
            if (!Roles.IsKnown(role))
            {
                throw new ArgumentException($"Unknown role '{role}'; roles are: {string.Join(", ", Roles.All)}.", nameof(roles));
            }
        }
        return CreateToken(SigningKey, Issuer, Audience, roles, subject, team, DateTime.UtcNow + (lifetime ?? DefaultLifetime));
    }

    /// <summary>Signs a token with any key (tests use it to forge tokens the server must reject).</summary>
    internal static string CreateToken(string signingKey, string issuer, string audience, IReadOnlyList<string> roles, string subject, string? team, DateTime expiresUtc)
    {
        var claims = new Dictionary<string, object>
        {
            [JwtRegisteredClaimNames.Sub] = subject,
            [TokenClaims.Role] = roles.Count == 1 ? roles[0] : roles.ToArray(),
        };
        if (!string.IsNullOrEmpty(team))
        {
            claims[TokenClaims.Team] = team;
        }
        // nbf and iat must precede exp, also for the expired tokens tests ask for.
        var notBefore = (expiresUtc < DateTime.UtcNow ? expiresUtc : DateTime.UtcNow) - TimeSpan.FromHours(1);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = notBefore,
            NotBefore = notBefore,
            Expires = expiresUtc,
            SigningCredentials = new SigningCredentials(CreateKey(signingKey), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    internal static SymmetricSecurityKey CreateKey(string signingKey) => new(Encoding.UTF8.GetBytes(signingKey));
}

/// <summary>The token of an "authorization: Bearer &lt;token&gt;" header value, or null when it is not one.</summary>
internal static class BearerHeader
{
    private const string Scheme = "Bearer ";

    public static string? TokenOf(string authorization)
    {
        if (!authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var token = authorization[Scheme.Length..].Trim();
        return token.Length == 0 ? null : token;
    }
}

/// <summary>Claim names of the project's tokens.</summary>
internal static class TokenClaims
{
    public const string Subject = JwtRegisteredClaimNames.Sub;
    public const string Role = "role";
    public const string Team = "team";
}
