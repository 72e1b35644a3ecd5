using System.CommandLine;
using Targeting.Grpc;

namespace Targeting.Cli.Commands;

/// <summary>What --help says of the one data folder every embedded command and 'targeting serve' share.</summary>
internal static class DataFolderHelp
{
    public static string Default =>
        $"Default: the data folder every command and 'targeting serve' share, {DataFolder.Default} " +
        $"({DataFolder.Name} at the root of this clone; ${DataFolder.EnvironmentVariable} changes it).";
}

/// <summary>Options shared by the stops commands (import stops, export stops).</summary>
internal static class StopsCommandOptions
{
    /// <summary>Who the embedded store's audit log names for local commands.</summary>
    public static string LocalActor => "cli:" + Environment.UserName;

    public static Option<Uri?> Server() =>
        ServerOption.Create($"The stops service (e.g. {ServerOption.Example}). Without it the command uses the embedded store.");

    public static Option<string?> Token() => TokenOption.Create();

    public static Option<string> DataDirectory() => new("--data-dir")
    {
        Description = "Embedded store folder (stops.db inside). " + DataFolderHelp.Default,
        DefaultValueFactory = _ => DataFolder.Default,
    };

    public static Option<string?> Postgres() => new("--postgres")
    {
        Description = "Embedded store on PostgreSQL + PostGIS instead of SQLite: a connection string.",
    };
}
