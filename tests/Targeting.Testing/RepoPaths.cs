using Xunit;

namespace Targeting.Testing;

/// <summary>Where the repository, its shipped sample data and the optional full shared data are.</summary>
public static class RepoPaths
{
    /// <summary>The repository root (the folder holding Targeting.sln).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The sample data shipped in the repository (<c>data/</c>).</summary>
    public static string SampleData => Path.Combine(Root, "data");

    /// <summary>The full shared data beside the repository (<c>../shared/data</c>), which may be absent.</summary>
    public static string SharedData => Path.GetFullPath(Path.Combine(Root, "..", "shared", "data"));

    /// <summary>A path under the repository root.</summary>
    public static string InRepo(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>A path under the shared data, after <see cref="RequireSharedData"/>.</summary>
    public static string InSharedData(params string[] parts) => Path.Combine([SharedData, .. parts]);

    /// <summary>
    /// Skips the calling test when <c>../shared/data</c> is absent, with a message; fails instead
    /// when <c>TARGETING_REQUIRE_SHARED_DATA=1</c> (set on CI), so a missing copy cannot pass silently.
    /// </summary>
    public static void RequireSharedData()
    {
        if (Directory.Exists(Path.Combine(SharedData, "police-uk")))
        {
            return;
        }

        var message = $"the full shared data is not at {SharedData}; tests that need it are skipped";
        if (Environment.GetEnvironmentVariable("TARGETING_REQUIRE_SHARED_DATA") == "1")
        {
            Assert.Fail(message + " (TARGETING_REQUIRE_SHARED_DATA=1, so this is a failure)");
        }

        Assert.Skip(message);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Targeting.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Targeting.sln above {AppContext.BaseDirectory}");
    }
}
