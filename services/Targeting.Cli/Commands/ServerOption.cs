using System.CommandLine;

namespace Targeting.Cli.Commands;

/// <summary>The <c>--server URL</c> option every command that can call a running service shares.</summary>
internal static class ServerOption
{
    /// <summary>An absolute http:// or https:// address; anything else is a parse error naming the value.</summary>
    public static Option<Uri?> Create(string description) => new("--server")
    {
        Description = description,
        // System.CommandLine has no built-in Uri conversion: without this every --server value failed to parse.
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                return uri;
            }

            result.AddError($"--server must be an absolute http:// or https:// address, e.g. http://localhost:5000 (not '{text}')");
            return null;
        },
    };
}

/// <summary>The <c>--token T</c> option that goes with <c>--server</c>, defaulting to <see cref="Variable"/>.</summary>
internal static class TokenOption
{
    /// <summary>The environment variable a token is read from when --token is not given.</summary>
    public const string Variable = "TARGETING_TOKEN";

    /// <summary>The option; <paramref name="howToGetOne"/> ends the description's parenthesis.</summary>
    public static Option<string?> Create(string howToGetOne = "'targeting token' prints development ones") => new("--token")
    {
        Description = $"Bearer token for --server (default: ${Variable}; {howToGetOne}).",
    };

    /// <summary>What the user can do about a call the service refused, or null: the advice every command gives.</summary>
    /// <param name="code">The refusal's status.</param>
    /// <param name="role">The role the command's calls need, named in the advice.</param>
    public static string? Advice(StatusCode code, string role) => code switch
    {
        StatusCode.Unauthenticated => $"pass --token or set ${Variable} ('targeting token --role {role}' prints a development one)",
        StatusCode.PermissionDenied => $"a {role} token is needed",
        StatusCode.Unavailable => "is 'targeting serve' running at that address?",
        _ => null,
    };

    /// <summary>--token's value, else the environment variable's (null when neither is set).</summary>
    public static string? Value(ParseResult parse, Option<string?> option) =>
        parse.GetValue(option) ?? Environment.GetEnvironmentVariable(Variable);
}
