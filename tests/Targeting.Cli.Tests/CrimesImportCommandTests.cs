using Microsoft.Data.Sqlite;
using Targeting.Grpc;
using Targeting.Hotspot.Storage;
using Targeting.Hotspot.Storage.Sqlite;
using Targeting.Hotspot.V1;
using Targeting.Testing;

namespace Targeting.Cli.Tests;

/// <summary><c>targeting import crimes</c>: counts that add up, the rejected-rows report, the embedded store and a server.</summary>
public sealed class CrimesImportCommandTests : IDisposable
{
    // The 12-column January 2022 burglaries: 450 rows, 151 with blank coordinates (see data/README.md).
    private static readonly string Burglaries = RepoPaths.InRepo("data", "police-uk", "2022-01-metropolitan-street-burglary-barking-dagenham-lambeth.csv");

    /// <summary>The file's rows, split on commas (the columns read here, Crime ID and coordinates, come before any quoted text).</summary>
    private static readonly List<(string[] Fields, long Row)> Rows = [.. File.ReadAllLines(Burglaries).Select((line, i) => (line.Split(','), (long)i + 1)).Skip(1)];

    /// <summary>Located rows with distinct Crime IDs: the police.uk file repeats one id (01703b58...) on two located rows, so 298, not 299.</summary>
    private static readonly int DistinctLocated = Rows.Where(r => r.Fields[4] != "" && r.Fields[5] != "").Select(r => r.Fields[0]).Distinct().Count();

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("targeting-import-crimes-test-");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    private string InFolder(string name) => Path.Combine(_folder.FullName, name);

    [Fact]
    public async Task ImportCrimes_TwelveColumnFileTwice_CountsAddUpAndBlankCoordinatesAreReported()
    {
        var store = InFolder("store");

        var first = await Cli.ImportCrimesAsync([Burglaries], store, InFolder("rejected-1.csv"));
        var again = await Cli.ImportCrimesAsync([Burglaries], store, InFolder("rejected-2.csv"));

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("rows read:      450 from 1 file(s)", first.Output, StringComparison.Ordinal);
        Assert.Equal(298, DistinctLocated);
        Assert.Contains($"imported:       {DistinctLocated} into " + Path.Combine(store, "hotspot.db"), first.Output, StringComparison.Ordinal);
        Assert.Contains("already held:   1\n", first.Output, StringComparison.Ordinal); // the repeated Crime ID
        Assert.Contains("rejected:       151", first.Output, StringComparison.Ordinal);
        Assert.Contains("rejected rows:  " + InFolder("rejected-1.csv"), first.Output, StringComparison.Ordinal);
        Assert.Contains("imported:       0 into", again.Output, StringComparison.Ordinal);
        Assert.Contains("already held:   299", again.Output, StringComparison.Ordinal); // 450 read = 0 + 299 + 151

        // The report: one line per rejected row, each a blank-coordinate row of the file (counted here from the file itself).
        var report = File.ReadAllLines(InFolder("rejected-1.csv"));
        Assert.Equal("source,row,reason", report[0]);
        var blankRows = Rows.Where(r => r.Fields[4] is "" && r.Fields[5] is "").Select(r => r.Row).ToList();
        Assert.Equal(151, blankRows.Count);
        Assert.Equal(blankRows, report.Skip(1).Select(l => long.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)));

        // The store holds exactly the located burglaries, each id once.
        var held = new List<IncidentRecord>();
        await foreach (var record in new SqliteHotspotStore(Path.Combine(store, "hotspot.db")).QueryIncidentsAsync(new IncidentQuery(), TestContext.Current.CancellationToken))
        {
            held.Add(record);
        }

        Assert.Equal(DistinctLocated, held.Count);
        Assert.All(held, r => Assert.Equal("Burglary", r.CrimeType));
    }

    [Fact]
    public async Task ImportCrimes_Server_ImportsIntoTheServiceAndCountsAddUp()
    {
        await using var host = await CliServiceHost.StartHotspotAsync();

        var run = await Cli.ImportCrimesAsync([Burglaries], InFolder("unused"), InFolder("rejected.csv"), host.Address, CliServiceHost.Token(Roles.Planner));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("rows read:      450", run.Output, StringComparison.Ordinal);
        Assert.Contains($"imported:       {DistinctLocated} into the hotspot service at {host.Address}", run.Output, StringComparison.Ordinal);
        Assert.Contains("already held:   1\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("rejected:       151", run.Output, StringComparison.Ordinal);
        var streamed = 0;
        await foreach (var _ in host.CreateHotspotClient(Roles.Analyst).StreamIncidentsAsync(new StreamIncidentsRequest(), new CallOptions { CancellationToken = TestContext.Current.CancellationToken }))
        {
            streamed++;
        }

        Assert.Equal(DistinctLocated, streamed);
        Assert.False(Directory.Exists(InFolder("unused")), "with --server nothing is written to the embedded store");
    }

    [Fact]
    public async Task ImportCrimes_OfficerToken_Exit1WithoutStackTrace()
    {
        await using var host = await CliServiceHost.StartHotspotAsync();

        var run = await Cli.ImportCrimesAsync([Burglaries], InFolder("unused"), InFolder("rejected.csv"), host.Address, CliServiceHost.Token(Roles.Officer));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("the token's role may not do this", run.Error, StringComparison.Ordinal);
        Cli.NoStackTrace(run);
    }

    [Fact]
    public async Task ImportCrimes_MissingFile_Exit2NamingIt()
    {
        var missing = InFolder("2022-13-metropolitan-street.csv");

        var run = await Cli.ImportCrimesAsync([missing], InFolder("store"), InFolder("rejected.csv"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("crime file not found: " + missing, run.Error, StringComparison.Ordinal);
        Cli.NoStackTrace(run);
    }
}
