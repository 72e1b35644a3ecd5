using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Targeting.Cli.Commands;
using Targeting.Stops.Geography;
using Targeting.Testing;

namespace Targeting.Cli.Tests;

/// <summary>
/// The embedded stop-and-search import picks its force boundary from the files' force name
/// (issue 11 item 8: a Met file used to lose 82% of its rows as "outside the force boundary").
/// </summary>
public sealed class StopsImportBoundaryTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("targeting-stops-boundary-test-");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public void ChooseBoundary_MetFiles_TheShippedMetArea()
    {
        var (path, problem) = StopsImportCommand.ChooseBoundary(null, ["/x/2022-06-metropolitan-stop-and-search.csv", "2022-07-Metropolitan-stop-and-search.csv"]);

        Assert.Null(problem);
        Assert.Equal(ForceAreas.PathOf("metropolitan"), path);
        var boroughs = ForceBoundary.Load(path!, 0).Features.Select(f => f.Name).ToList();
        Assert.Equal(32, boroughs.Count);
        Assert.DoesNotContain("City of London", boroughs);
        Assert.Contains("Westminster", boroughs);
    }

    [Theory]
    [InlineData("stops.csv", "cannot tell the force from the file name 'stops.csv'")]
    [InlineData("2022-06-kent-stop-and-search.csv", "no boundary ships for force 'kent' (shipped: city-of-london, metropolitan)")]
    public void ChooseBoundary_NoShippedForce_SaysWhyAndAsksForBoundary(string file, string expected)
    {
        var (path, problem) = StopsImportCommand.ChooseBoundary(null, [file]);

        Assert.Null(path);
        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
        Assert.EndsWith("pass --boundary FILE", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ChooseBoundary_TwoForces_Refused_AndAGivenBoundaryWins()
    {
        var files = new[] { "2022-06-metropolitan-stop-and-search.csv", "2022-06-city-of-london-stop-and-search.csv" };

        var (_, problem) = StopsImportCommand.ChooseBoundary(null, files);
        var (given, none) = StopsImportCommand.ChooseBoundary("mine.geojson", files);

        Assert.Contains("2 forces (metropolitan, city-of-london)", problem, StringComparison.Ordinal);
        Assert.Equal(("mine.geojson", (string?)null), (given, none));
    }

    [Fact]
    public async Task ImportStops_UnknownForceWithoutBoundary_ExitsTwoBeforeWritingAnything()
    {
        var file = Path.Combine(_folder.FullName, "2022-06-kent-stop-and-search.csv");
        File.Copy(RepoPaths.InRepo("data", "police-uk", "stop-and-search", "2022-06-metropolitan-stop-and-search.csv"), file);
        var report = Path.Combine(_folder.FullName, "rejected.csv");

        var run = await StopsCli.RunAsync("import", "stops", file, "--data-dir", Path.Combine(_folder.FullName, "store"), "--report", report);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no boundary ships for force 'kent'", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(report));
        Assert.False(Directory.Exists(Path.Combine(_folder.FullName, "store")));
    }

    [Fact]
    public async Task ImportStops_FullMetMonthWithNoBoundaryOption_AlmostEveryRowInside()
    {
        RepoPaths.RequireSharedData();
        var file = RepoPaths.InSharedData("police-uk", "metropolitan-stop-and-search", "2022-06-metropolitan-stop-and-search.csv");
        var run = await StopsCli.RunAsync("import", "stops", file, "--data-dir", Path.Combine(_folder.FullName, "store"), "--report", Path.Combine(_folder.FullName, "rejected.csv"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("metropolitan.geojson", run.Output, StringComparison.Ordinal);
        var read = Number(run.Output, @"rows read:\s+([\d,]+)");
        var outside = Number(run.Output, @"outside the force boundary: ([\d,]+)");
        Assert.True(read > 10_000, run.Output);
        // With the two sample boroughs as the default, 82% of this month was "outside"; the Met
        // area leaves only stops in the City of London (its own force) and a few far outside.
        Assert.InRange(outside, 1, read / 500);
    }

    private static long Number(string output, string pattern)
    {
        var match = Regex.Match(output, pattern);
        Assert.True(match.Success, $"no '{pattern}' in:\n{output}");
        return long.Parse(match.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
    }
}
