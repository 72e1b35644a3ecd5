using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Targeting.Grpc;

/// <summary>
/// Validates "authorization: Bearer ..." headers. Validated tokens are cached until they expire,
/// because clients reuse one token for many calls and HMAC + JSON parsing per call is the
/// largest cost of an authenticated unary call.
/// </summary>
internal sealed class BearerTokenAuthenticator
{
    private const int MaxCachedTokens = 10_000;

    private readonly JsonWebTokenHandler _handler = new();
    private readonly TokenValidationParameters _parameters;
    private readonly ConcurrentDictionary<string, CachedIdentity> _cache = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public BearerTokenAuthenticator(IOptions<GrpcAuthenticationOptions> options, TimeProvider time)
    {
        var settings = options.Value;
        _time = time;
        _parameters = new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudience = settings.Audience,
            IssuerSigningKey = DevelopmentTokens.CreateKey(settings.SigningKey ?? string.Empty),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ClockSkew = settings.ClockSkew,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            NameClaimType = JwtRegisteredClaimNames.Sub,
            RoleClaimType = TokenClaims.Role,
        };
    }

    public async ValueTask<AuthenticationResult> AuthenticateAsync(string? authorization)
    {
        const string scheme = "Bearer ";
        if (string.IsNullOrEmpty(authorization))
        {
            return AuthenticationResult.Fail("The call needs an authorization: Bearer <token> header.");
        }
        if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || authorization.Length == scheme.Length)
        {
            return AuthenticationResult.Fail("The authorization header must be 'Bearer <token>'.");
        }
        var token = authorization[scheme.Length..].Trim();
        var now = _time.GetUtcNow().UtcDateTime;
        if (_cache.TryGetValue(token, out var cached))
        {
            if (now < cached.ValidUntilUtc)
            {
                return AuthenticationResult.Success(cached.Identity);
            }
            _cache.TryRemove(token, out _);
        }

        var result = await _handler.ValidateTokenAsync(token, _parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return AuthenticationResult.Fail(result.Exception switch
            {
                SecurityTokenExpiredException => "The bearer token has expired.",
                _ => "The bearer token is not valid.",
            });
        }
        var jwt = (JsonWebToken)result.SecurityToken;
        var identity = ToIdentity(result.ClaimsIdentity);
        if (identity.Subject.Length == 0)
        {
            return AuthenticationResult.Fail("The bearer token has no subject (sub claim).");
        }
        if (_cache.Count >= MaxCachedTokens)
        {
            _cache.Clear();
        }
        _cache[token] = new CachedIdentity(identity, jwt.ValidTo + _parameters.ClockSkew);
        return AuthenticationResult.Success(identity);
    }

    private static CallerIdentity ToIdentity(ClaimsIdentity claims)
    {
        string? subject = null;
        string? team = null;
        var roles = new List<string>();
        foreach (var claim in claims.Claims)
        {
            switch (claim.Type)
            {
                case JwtRegisteredClaimNames.Sub:
                    subject = claim.Value;
                    break;
                case TokenClaims.Role:
                    roles.Add(claim.Value);
                    break;
                case TokenClaims.Team:
                    team = claim.Value;
                    break;
            }
        }
        return new CallerIdentity(subject ?? string.Empty, roles, team);
    }

    private sealed record CachedIdentity(CallerIdentity Identity, DateTime ValidUntilUtc);
}

internal readonly record struct AuthenticationResult(CallerIdentity? Identity, string? Failure)
{
    public static AuthenticationResult Success(CallerIdentity identity) => new(identity, null);

    public static AuthenticationResult Fail(string reason) => new(null, reason);
}
