using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Targeting.Grpc;

/// <summary>
/// Answers a refused gRPC call as gRPC: trailers-only with UNAUTHENTICATED (no or bad token) or
/// PERMISSION_DENIED (role not allowed) and a message saying why. ASP.NET Core's default answers
/// HTTP 401/403, which clients turn into a status with no reason ("Bad gRPC response").
/// Other requests get the default behaviour.
/// </summary>
internal sealed class GrpcAuthorizationResultHandler(ILogger<GrpcAuthorizationResultHandler> logger) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded || !IsGrpc(context.Request))
        {
            await _default.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
            return;
        }

        var method = context.Request.Path.Value ?? string.Empty;
        var caller = CallerIdentity.From(context.User);
        var (code, message) = authorizeResult.Forbidden && caller.IsAuthenticated
            ? (StatusCode.PermissionDenied, $"The caller's roles do not allow {method}; it needs one of: {string.Join(", ", RolesOf(policy))}.")
            : (StatusCode.Unauthenticated, await WhyUnauthenticatedAsync(context).ConfigureAwait(false));
        Log.Refused(logger, method, message);

        // Trailers-only: one HEADERS frame with END_STREAM carries the status (gRPC over HTTP/2).
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(message);
    }

    private static bool IsGrpc(HttpRequest request) =>
        request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase)
        && !type.StartsWith("application/grpc-web", StringComparison.OrdinalIgnoreCase);

    private static async Task<string> WhyUnauthenticatedAsync(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.Length == 0)
        {
            return "The call needs an authorization: Bearer <token> header.";
        }
        if (BearerHeader.TokenOf(authorization) is null)
        {
            return "The authorization header must be 'Bearer <token>'.";
        }
        // The handler caches its result per request: this does not validate the token again.
        var result = await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme).ConfigureAwait(false);
        return result.Failure switch
        {
            SecurityTokenExpiredException => "The bearer token has expired.",
            NoSubjectException e => e.Message,
            _ => "The bearer token is not valid.",
        };
    }

    private static IEnumerable<string> RolesOf(AuthorizationPolicy policy) =>
        policy.Requirements.OfType<RolesAuthorizationRequirement>().SelectMany(r => r.AllowedRoles).Distinct(StringComparer.Ordinal);
}

/// <summary>A validly signed token without a "sub" claim: the caller cannot be named, so it is refused.</summary>
internal sealed class NoSubjectException() : SecurityTokenValidationException("The bearer token has no subject (sub claim).");
