namespace Targeting.Grpc;

/// <summary>
/// The one folder the embedded stores (hotspot.db, stops.db) default to, for the services and every
/// command of the command line alike, so that what one writes the next reads.
/// </summary>
public static class DataFolder
{
    /// <summary>Overrides the default folder.</summary>
    public const string EnvironmentVariable = "TARGETING_DATA_DIR";

    /// <summary>The folder's name.</summary>
    public const string Name = "targeting-data";

    /// <summary>
    /// <c>$TARGETING_DATA_DIR</c>, else <c>targeting-data</c> at the root of the clone the program runs
    /// from (the first folder holding Targeting.sln above the program, else above the working directory),
    /// else <c>targeting-data</c> in the working directory. Never inside a project's source folder, where
    /// <c>dotnet run</c> starts a service.
    /// </summary>
    public static string Default
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (!string.IsNullOrWhiteSpace(configured))
            {
                return Path.GetFullPath(configured.Trim());
            }

            var root = CloneRoot(AppContext.BaseDirectory) ?? CloneRoot(Directory.GetCurrentDirectory());
            return Path.GetFullPath(Path.Combine(root ?? Directory.GetCurrentDirectory(), Name));
        }
    }

    private static string? CloneRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Targeting.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
