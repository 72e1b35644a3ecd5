using Targeting.Engine.Geography;
using Targeting.Hotspot.Planning;
using Targeting.Testing;

namespace Targeting.Cli.Tests;

/// <summary><c>targeting gazetteer build</c> on the shipped 12-column street file, as a user runs it.</summary>
public sealed class GazetteerCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("targeting-gazetteer-test-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task Build_ShippedBurglaryFile_WritesOneStreetPerSnapPointAndCountsTheSkippedRows()
    {
        var source = RepoPaths.InRepo("data", "police-uk", "2022-01-metropolitan-street-burglary-barking-dagenham-lambeth.csv");
        var output = Path.Combine(_folder.FullName, "out", "points.csv.gz");

        var run = await Cli.RunExecutableAsync(_folder.FullName, "gazetteer", "build", source, "--out", output);

        // Counted independently (Python csv over the same file): 450 records, 151 without coordinates,
        // 33 at a point-of-interest type, 228 distinct points left; the first by latitude is Lacrosse Way.
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("228 snap points from 450 records in 1 file (skipped: 151 without coordinates, 0 with no street, 33 at a point-of-interest type)", run.Output, StringComparison.Ordinal);
        Assert.Contains("Lambeth", run.Output, StringComparison.Ordinal);
        var points = GazetteerFile.Read(output, Projection.BritishNationalGrid);
        Assert.Equal(228, points.Count);
        var (x, y) = Projection.BritishNationalGrid.Project(-0.133470, 51.412932);
        Assert.Equal(new StreetPoint(x, y, "Lacrosse Way"), points[0]);
    }

    [Fact]
    public async Task Build_MissingFile_Exit2NamingIt()
    {
        var run = await Cli.RunExecutableAsync(_folder.FullName, "gazetteer", "build", "no-such.csv");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no-such.csv: no such file or folder", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ShippedGazetteer_IsSmallAndCoversLondon()
    {
        var path = RepoPaths.InRepo(["data", .. GazetteerFile.ShippedPath]);
        var points = GazetteerFile.Read(path, Projection.BritishNationalGrid);

        Assert.InRange(new FileInfo(path).Length, 100_000, 3_000_000);
        Assert.InRange(points.Count, 20_000, 30_000);
        Assert.Contains(points, p => p.Street == "Coldharbour Lane");
    }
}
