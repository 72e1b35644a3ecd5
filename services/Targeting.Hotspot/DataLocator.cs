namespace Targeting.Hotspot;

/// <summary>
/// Finds the repository's <c>data/</c> folder (the shipped sample), so that the command line
/// and a development host work with no configuration on a fresh clone.
/// </summary>
public static class DataLocator
{
    /// <summary>Overrides the search: a folder holding <c>police-uk/</c> and <c>boundaries/</c>.</summary>
    public const string EnvironmentVariable = "TARGETING_DATA";

    /// <summary>
    /// The data folder: <c>$TARGETING_DATA</c>, else the first <c>data/</c> holding
    /// <c>boundaries/</c> and <c>police-uk/</c> above the executable, else above the working directory; null when none.
    /// </summary>
    public static string? FindDataDirectory()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Directory.Exists(configured) ? Path.GetFullPath(configured) : null;
        }

        return SearchUp(AppContext.BaseDirectory) ?? SearchUp(Directory.GetCurrentDirectory());
    }

    /// <summary>A path under the data folder, or null when there is no data folder.</summary>
    public static string? InData(params string[] parts) =>
        FindDataDirectory() is { } data ? Path.Combine([data, .. parts]) : null;

    private static string? SearchUp(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "data");
            // Both folders: a service may copy a few reference files to bin/.../data/boundaries,
            // which is not the sample.
            if (Directory.Exists(Path.Combine(candidate, "boundaries")) && Directory.Exists(Path.Combine(candidate, "police-uk")))
            {
                return candidate;
            }
        }

        return null;
    }
}
