using Microsoft.Net.Http.Headers;
using Targeting.Grpc;

namespace Targeting.Web;

/// <summary>
/// The web's clients of the services (<see cref="ServiceClients"/> names). The "as caller" clients
/// carry the bearer token of the browser request being served, so each service checks that
/// caller's roles; the "as web" clients carry the web's own service token and are used only for
/// the anonymous public report and a planner's outcome-only stops.
/// </summary>
public static class WebClients
{
    public const string Hotspot = "web->hotspot", Stops = "web->stops", Feedback = "web->feedback";

    public const string StopsAsWeb = "web->stops (web identity)", FeedbackAsWeb = "web->feedback (web identity)";

    /// <summary>The bearer token of the request being served, or null (an anonymous request).</summary>
    internal static string? CallerToken(IHttpContextAccessor accessor)
    {
        var header = accessor.HttpContext?.Request.Headers[HeaderNames.Authorization].ToString();
        const string prefix = "Bearer ";
        return header is not null && header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? header[prefix.Length..].Trim() : null;
    }
}
