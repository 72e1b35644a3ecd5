using System.IO.Compression;
using System.Text;
using Targeting.Common.V1;
using Targeting.Hotspot.Import;
using Targeting.Hotspot.V1;
using Targeting.Testing;

namespace Targeting.Hotspot.Tests.Import;

public sealed class CrimeFileImporterTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hotspot-import-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static async Task<(CrimeFileReadResult Result, List<Incident> Incidents, List<RejectedRow> Rejected)> ReadAsync(string path, int batchSize = CrimeFileImporter.DefaultBatchSize)
    {
        var incidents = new List<Incident>();
        var rejected = new List<RejectedRow>();
        var result = await CrimeFileImporter.ReadAsync(
            path,
            (batch, _) => { incidents.AddRange(batch); return ValueTask.CompletedTask; },
            rejected.Add,
            batchSize: batchSize,
            cancellationToken: TestContext.Current.CancellationToken);
        return (result, incidents, rejected);
    }

    [Fact]
    public async Task ReadAsync_ShippedStreetFixture_Rejects151BlankCoordinatesAndKeepsCrimeIds()
    {
        var (result, incidents, rejected) = await ReadAsync(RepoPaths.InRepo("data", "police-uk", "2022-01-metropolitan-street-burglary-barking-dagenham-lambeth.csv"));

        Assert.Equal(CrimeCsvFormat.PoliceUkStreet.Name, result.Format);
        Assert.Equal(450, result.RowsRead);
        Assert.Equal(151, result.Rejected);
        Assert.Equal(299, result.Accepted);
        Assert.Equal(299, incidents.Count);
        Assert.All(rejected, r => Assert.Equal("no coordinates (Longitude or Latitude blank)", r.Reason));
        Assert.All(incidents, i => Assert.Matches("^[0-9a-f]{64}$", i.Id));
        Assert.Equal("1b00bf3ec2ad25089b0c7ef85bc3c64d3d94ce180786128aab6ccf33f85cfc77", incidents[0].Id);
        Assert.All(incidents, i => Assert.Equal("Burglary", i.CrimeType));
    }

    [Fact]
    public async Task ReadAsync_ShippedGzippedExtract_ReadsAll39705RowsInBatches()
    {
        var batches = 0;
        var rejected = new List<RejectedRow>();
        var ids = new HashSet<string>();
        var result = await CrimeFileImporter.ReadAsync(
            RepoPaths.InRepo("data", "police-uk", "street-crime-barking-dagenham-lambeth-2022-01-to-2022-09.csv.gz"),
            (batch, _) => { batches++; foreach (var i in batch) { ids.Add(i.Id); } return ValueTask.CompletedTask; },
            rejected.Add,
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(CrimeCsvFormat.LondonExtract.Name, result.Format);
        Assert.Equal(39_705, result.RowsRead);
        Assert.Equal(result.RowsRead, result.Accepted + result.Rejected);
        Assert.Empty(rejected);
        Assert.Equal(39_705, ids.Count);
        Assert.Equal(8, batches); // 7 full batches of 5,000 and one of 4,705
    }

    [Fact]
    public async Task ReadAsync_GzippedWithBomAndMisleadingName_IsDetectedByContent()
    {
        var path = Path.Combine(_folder, "crimes.csv");
        await using (var file = File.Create(path))
        await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        {
            var text = "\uFEFFMonth,Crime type,Longitude,Latitude,Location type,LSOA code,LSOA name,Borough,Ward code (2014),Ward name (2014)\n2022-01,Robbery,-0.1,51.49,,E1,L,B,W,N\n";
            await gzip.WriteAsync(new UTF8Encoding(false).GetBytes(text), TestContext.Current.CancellationToken);
        }

        var (result, incidents, _) = await ReadAsync(path);

        Assert.Equal(1, result.Accepted);
        Assert.Equal("Robbery", incidents[0].CrimeType);
    }

    [Fact]
    public async Task ReadAsync_SameFileTwice_GivesTheSameIds()
    {
        var path = RepoPaths.InRepo("data", "police-uk", "street-crime-barking-dagenham-lambeth-2022-01-to-2022-09.csv.gz");

        var first = (await ReadAsync(path)).Incidents.Select(i => i.Id);
        var second = (await ReadAsync(path)).Incidents.Select(i => i.Id);

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task ReadAsync_SharedLondonExtract_Reads630949RowsAndCountsAddUp()
    {
        RepoPaths.RequireSharedData();
        long accepted = 0;
        var rejected = new List<RejectedRow>();
        var progress = new List<ImportProgress>();

        var result = await CrimeFileImporter.ReadAsync(
            RepoPaths.InSharedData("police-uk", "london_street_crime_2022-01_to_2022-09.csv.gz"),
            (batch, _) => { accepted += batch.Count; return ValueTask.CompletedTask; },
            rejected.Add,
            new SynchronousProgress<ImportProgress>(progress.Add),
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(630_949, result.RowsRead);
        Assert.Equal(result.RowsRead, accepted + rejected.Count);
        Assert.Equal(result.Accepted, accepted);
        Assert.True(progress.Count > 100);
        Assert.Equal(progress[^1].TotalBytes, progress[^1].BytesRead);
    }

    [Fact]
    public async Task ReadAsync_SharedBurglaryFiles_RejectExactlyTheBlankCoordinateRows()
    {
        RepoPaths.RequireSharedData();
        long read = 0, accepted = 0, rejected = 0;
        foreach (var path in Directory.GetFiles(RepoPaths.InSharedData("police-uk", "metropolitan-street-burglary-only"), "*.csv"))
        {
            var (result, _, rows) = await ReadAsync(path);
            read += result.RowsRead;
            accepted += result.Accepted;
            rejected += result.Rejected;
            Assert.All(rows, r => Assert.Equal("no coordinates (Longitude or Latitude blank)", r.Reason));
        }

        // Figures from ../shared/data/README.md section 3.
        Assert.Equal(39_377, read);
        Assert.Equal(1_393, rejected);
        Assert.Equal(39_377 - 1_393, accepted);
    }

    [Fact]
    public void RejectedRowsReport_ReasonWithCommaAndQuote_IsQuotedPerRfc4180()
    {
        var path = Path.Combine(_folder, "rejected.csv");
        using (var report = new RejectedRowsReport(path))
        {
            report.Add(new RejectedRow { Source = "a.csv", RowNumber = 7, Reason = "unknown crime type 'X, \"Y\"'" });
        }

        Assert.Equal(["source,row,reason", "a.csv,7,\"unknown crime type 'X, \"\"Y\"\"'\""], File.ReadAllLines(path));
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
