using Microsoft.AspNetCore.Authorization;

namespace Targeting.Grpc;

/// <summary>
/// The roles that may call an rpc (DESIGN.md, "Security"): ASP.NET Core authorization by the
/// token's "role" claims. Every rpc override of a mapped service must carry one; with no roles
/// named, any authenticated caller may call it.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class AllowRolesAttribute : AuthorizeAttribute
{
    public AllowRolesAttribute(params string[] roles)
    {
        ArgumentNullException.ThrowIfNull(roles);
        Allowed = roles.Length == 0 ? Targeting.Grpc.Roles.All : roles;
        Roles = string.Join(',', Allowed);
    }

    /// <summary>The roles named, or every role when none was.</summary>
    public IReadOnlyList<string> Allowed { get; }
}
