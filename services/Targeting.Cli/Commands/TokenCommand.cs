using System.CommandLine;
using Targeting.Grpc;

namespace Targeting.Cli.Commands;

/// <summary>
/// <c>targeting token --role ROLE [--subject ID] [--team T]</c>: prints a bearer token signed with
/// the development key. Refuses outside Development, because only Development hosts trust that key.
/// </summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var role = new Option<string>("--role")
        {
            Description = "The role the token carries: " + string.Join(", ", Roles.All) + ".",
            Required = true,
        };
        role.AcceptOnlyFromAmong([.. Roles.All]);
        var subject = new Option<string?>("--subject") { Description = "The token's subject (sub claim). Default: dev-<role>." };
        var team = new Option<string?>("--team") { Description = "The caller's team (team claim), for supervisors and officers." };
        var command = new Command("token", "Print a development bearer token for a role (Development only). Use it as 'authorization: Bearer <token>'.")
        {
            role,
            subject,
            team,
        };
        command.SetAction(parse => Run(
            parse.GetRequiredValue(role),
            parse.GetValue(subject),
            parse.GetValue(team),
            CurrentEnvironment(),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error));
        return command;
    }

    internal static int Run(string role, string? subject, string? team, string environment, TextWriter output, TextWriter error)
    {
        if (!string.Equals(environment, "Development", StringComparison.OrdinalIgnoreCase))
        {
            error.WriteLine($"targeting token issues development tokens only in Development (the environment is {environment}). " +
                "Set DOTNET_ENVIRONMENT=Development here and for the services, which trust the development key only then.");
            return 1;
        }
        output.WriteLine(DevelopmentTokens.Issue(role, subject, team));
        return 0;
    }

    /// <summary>The environment as ASP.NET Core hosts resolve it (ASPNETCORE_ then DOTNET_, else Production).</summary>
    private static string CurrentEnvironment() =>
        Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT")
        ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")
        ?? "Production";
}
