using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Targeting.Grpc;
using Targeting.Testing;

namespace Targeting.Cli.Tests;

/// <summary>
/// One default data folder for every embedded command: what <c>targeting import</c> writes with no
/// --data-dir, <c>feedback</c> and <c>brief</c> with no --data-dir read. Each command runs as its own
/// process, with the default folder set as a user would set it ($TARGETING_DATA_DIR).
/// </summary>
public sealed partial class DataFolderTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("targeting-data-folder-");

    private Dictionary<string, string> Environment => new() { [DataFolder.EnvironmentVariable] = Path.Combine(_folder.FullName, "data") };

    [Fact]
    public async Task ImportStops_ThenFairnessWithNoOptions_ReportsTheImportedSearches_NotTheSample()
    {
        var june = RepoPaths.InRepo("data", "police-uk", "stop-and-search", "2021-06-metropolitan-stop-and-search.csv");

        var import = await Run("import", "stops", june, "--report", InFolder("rejected.csv"));
        var export = await Run("export", "stops", "--area", "Lambeth", "--out", InFolder("lambeth.csv"));
        var fairness = await Run("feedback", "fairness", "--area", "Lambeth");

        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.True(fairness.ExitCode == 0, fairness.ToString());
        var lambeth = File.ReadAllLines(InFolder("lambeth.csv")).Length - 1;
        var sample = JsonDocument.Parse(File.ReadAllText(RepoPaths.InRepo("tests", "reference", "stats", "real_data_disproportionality.json"))).RootElement
            .GetProperty("sample").GetProperty("boroughs").GetProperty("Lambeth").GetProperty("searches").GetInt32();
        Assert.InRange(lambeth, 1, sample - 1);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"Searches: {lambeth:N0} located in the borough"), fairness.Output, StringComparison.Ordinal);
        Assert.Contains($"the data folder {Path.Combine(_folder.FullName, "data")}", fairness.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportCrimes_ThenBriefWithNoOptions_LearnsFromTheStore_AndAnEmptyFolderFallsBackToTheSample()
    {
        var empty = await Run("brief", "--out", InFolder("before"));
        var import = await Run("import", "crimes", RepoPaths.InRepo("data", "police-uk", "street-crime-barking-dagenham-lambeth-2022-01-to-2022-09.csv.gz"));
        var brief = await Run("brief", "--out", InFolder("after"));

        Assert.True(empty.ExitCode == 0, empty.ToString());
        Assert.Contains("holds none: using the shipped sample", empty.Error, StringComparison.Ordinal);
        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.True(brief.ExitCode == 0, brief.ToString());
        var imported = long.Parse(ImportedLine().Match(import.Output).Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"crimes: {imported:N0} incidents held in {Path.Combine(_folder.FullName, "data", "hotspot.db")}, 2022-01 to 2022-09"),
            brief.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("using the shipped sample", brief.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void TheServices_DefaultToTheSameFolder()
    {
        // The test process sets $TARGETING_DATA_DIR (TestEnvironment): every default follows it.
        var folder = System.Environment.GetEnvironmentVariable(DataFolder.EnvironmentVariable);

        Assert.Equal(folder, DataFolder.Default);
        Assert.Equal(folder, new Targeting.Hotspot.StorageOptions().DataDirectory);
        Assert.Equal(folder, new Targeting.Stops.StorageOptions().DataDirectory);
    }

    [Fact]
    public async Task WithoutTheVariable_TheDefaultIsTargetingDataAtTheCloneRoot_EvenFromAServicesFolder()
    {
        // Run from a service's source folder, where `dotnet run` starts one: the store must not land there.
        var run = await Cli.RunExecutableAsync(RepoPaths.InRepo("services", "Targeting.Hotspot"), new Dictionary<string, string> { [DataFolder.EnvironmentVariable] = "" }, "serve", "--help");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(RepoPaths.InRepo(DataFolder.Name), Collapse(run.Output), StringComparison.Ordinal);
        Assert.DoesNotContain(RepoPaths.InRepo("services", "Targeting.Hotspot", DataFolder.Name), Collapse(run.Output), StringComparison.Ordinal);
    }

    // Help wraps long lines.
    private static string Collapse(string text) => Regex.Replace(text, @"\s+", " ");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    private string InFolder(string name) => Path.Combine(_folder.FullName, name);

    private Task<CommandRun> Run(params string[] arguments) => Cli.RunExecutableAsync(_folder.FullName, Environment, arguments);

    [GeneratedRegex(@"imported:\s+([\d,]+) into")]
    private static partial Regex ImportedLine();
}
