using System.CommandLine;

namespace Targeting.Cli.Commands;

/// <summary>Options shared by the stops commands (import stops, export stops).</summary>
internal static class StopsCommandOptions
{
    public const string TokenVariable = "TARGETING_TOKEN";

    /// <summary>Who the embedded store's audit log names for local commands.</summary>
    public static string LocalActor => "cli:" + Environment.UserName;

    public static Option<Uri?> Server() => new("--server")
    {
        Description = "The stops service (e.g. http://localhost:5000). Without it the command uses the embedded store.",
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

    public static Option<string?> Token() => new("--token")
    {
        Description = $"Bearer token for --server (default: ${TokenVariable}; 'targeting token' prints development ones).",
    };

    public static Option<string> DataDirectory() => new("--data-dir")
    {
        Description = "Embedded store folder (stops.db inside). Default: data-store, as Storage:DataDirectory.",
        DefaultValueFactory = _ => new Targeting.Stops.StorageOptions().DataDirectory,
    };

    public static Option<string?> Postgres() => new("--postgres")
    {
        Description = "Embedded store on PostgreSQL + PostGIS instead of SQLite: a connection string.",
    };
}
