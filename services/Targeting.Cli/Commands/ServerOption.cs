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
