using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Targeting.Grpc;

/// <summary>
/// Remembers the principal of each token JwtBearer has validated, until the token expires, and
/// answers later calls with the same token from it (JwtBearer's OnMessageReceived may settle the
/// result itself). A client reuses one token for many calls, and parsing, HMAC and building the
/// principal on every call made authenticated unary calls 64% as fast as anonymous ones
/// (bench/grpc). Keyed by the whole token string; never past exp + clock skew, so the answer is
/// the one validation would give.
/// </summary>
internal sealed class ValidatedTokenCache(TimeProvider time, TimeSpan clockSkew)
{
    private const int MaxCachedTokens = 10_000;

    private readonly ConcurrentDictionary<string, CachedPrincipal> _cache = new(StringComparer.Ordinal);

    /// <summary>OnMessageReceived: a token validated before and not yet expired succeeds at once.</summary>
    public Task TryAnswer(MessageReceivedContext context)
    {
        if (BearerHeader.TokenOf(context.Request.Headers.Authorization.ToString()) is not { } token)
        {
            return Task.CompletedTask;
        }
        if (_cache.TryGetValue(token, out var cached))
        {
            if (time.GetUtcNow().UtcDateTime < cached.ValidUntilUtc)
            {
                context.Principal = cached.Principal;
                context.Success();
                return Task.CompletedTask;
            }
            _cache.TryRemove(token, out _);
        }
        // Saves JwtBearer reading the header again.
        context.Token = token;
        return Task.CompletedTask;
    }

    /// <summary>OnTokenValidated (after the project's own checks passed): remember the principal.</summary>
    public void Remember(TokenValidatedContext context)
    {
        if (context.Principal is not { } principal || context.SecurityToken is not JsonWebToken jwt)
        {
            return;
        }
        if (_cache.Count >= MaxCachedTokens)
        {
            _cache.Clear();
        }
        _cache[jwt.EncodedToken] = new CachedPrincipal(principal, jwt.ValidTo + clockSkew);
    }

    private sealed record CachedPrincipal(ClaimsPrincipal Principal, DateTime ValidUntilUtc);
}
