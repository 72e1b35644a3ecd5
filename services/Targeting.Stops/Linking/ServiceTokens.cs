using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Targeting.Grpc;

namespace Targeting.Stops.Linking;

/// <summary>
/// The stops service's own bearer token for calling other services with the "service" role,
/// signed with the deployment's HS256 key (section <c>Authentication</c>, which every service
/// shares to validate tokens). Short-lived and renewed before it expires. Thread-safe.
/// </summary>
public sealed class ServiceTokens(GrpcAuthenticationOptions authentication, TimeProvider clock, string subject = "stops-service")
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);
    private readonly Lock _lock = new();
    private (string Token, DateTimeOffset RenewAfter)? _current;

    public ValueTask<string?> GetAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            if (_current is not { } current || now >= current.RenewAfter)
            {
                current = (Issue(now), now + Lifetime / 2);
                _current = current;
            }

            return ValueTask.FromResult<string?>(current.Token);
        }
    }

    private string Issue(DateTimeOffset now)
    {
        var key = authentication.SigningKey
            ?? throw new InvalidOperationException("Authentication:SigningKey is needed to sign the service's own token");
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = authentication.Issuer,
            Audience = authentication.Audience,
            Claims = new Dictionary<string, object> { [JwtRegisteredClaimNames.Sub] = subject, ["role"] = Roles.Service },
            IssuedAt = now.UtcDateTime.AddMinutes(-1),
            NotBefore = now.UtcDateTime.AddMinutes(-1),
            Expires = (now + Lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
    }
}
