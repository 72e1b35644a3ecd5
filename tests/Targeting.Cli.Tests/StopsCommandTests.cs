using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Targeting.Cli.Commands;
using Targeting.Grpc;
using Targeting.Testing;

namespace Targeting.Cli.Tests;

/// <summary>
/// <c>targeting import stops</c> and <c>targeting export stops</c>, driven through their real
/// command-line parsing: counts that add up to the shipped files' rows (counted here from the
/// files' lines), the rejected-rows report, a lossless round trip, the same results through the
/// stops service (--server), and clear failures on bad input.
/// </summary>
public sealed class StopsCommandTests : IDisposable
{
    private static readonly string SampleFolder = RepoPaths.InRepo("data", "police-uk", "stop-and-search");

    private static readonly string[] SampleFiles = [.. Directory.GetFiles(SampleFolder, "*.csv").Order(StringComparer.Ordinal)];

    /// <summary>The first sample month (2021-06), used where one file is enough.</summary>
    private static readonly string June2021 = Path.Combine(SampleFolder, "2021-06-metropolitan-stop-and-search.csv");

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("targeting-stops-cli-test-");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    private string InFolder(string name) => Path.Combine(_folder.FullName, name);

    [Fact]
    public async Task ImportStops_ShippedSample_CountsAddUpToTheFilesDataRows()
    {
        var expectedRows = SampleFiles.Sum(f => SourceRows(f).Count);
        Assert.Equal(17_299, expectedRows); // data/README.md's figure, as a check on the line count itself

        var run = await StopsCli.RunAsync("import", "stops", SampleFolder, "--data-dir", InFolder("store"), "--report", InFolder("rejected.csv"));

        Assert.True(run.ExitCode == 0, run.ToString());
        var summary = ImportSummary.Parse(run.Output);
        Assert.Equal(SampleFiles.Length, summary.Files);
        Assert.Equal(expectedRows, summary.Read);
        Assert.Equal(0, summary.AlreadyImported);
        Assert.Equal(summary.Read, summary.Imported + summary.AlreadyImported + summary.Rejected);
        // The sample is cut to the boundary's boroughs from unedited police.uk lines: every row is valid.
        Assert.Equal(0, summary.Rejected);

        // Every rejected row is in the report once, by file and row number, with a reason: nothing is dropped silently.
        var report = RejectedReport.Read(InFolder("rejected.csv"));
        Assert.Equal(summary.Rejected, report.Count);
        Assert.All(report, r => Assert.False(string.IsNullOrWhiteSpace(r.Reason), $"{r.Source} row {r.Row} has no reason"));
        Assert.Equal(report.Count, report.Select(r => (r.Source, r.Row)).Distinct().Count());

        // Unlocated = rows with both coordinates blank that were not rejected (counted from the files).
        var rejectedKeys = report.Select(r => (r.Source, r.Row)).ToHashSet();
        var unlocated = SampleFiles.Sum(f => SourceRows(f).Count(r => r.Cells[4] == "" && r.Cells[5] == "" && !rejectedKeys.Contains((Path.GetFileName(f), r.Row))));
        Assert.True(unlocated > 1000, $"the sample keeps every 20th unlocated row of the Met files; only {unlocated} found");
        Assert.Equal(unlocated, summary.Unlocated);

        // A second import of the same files adds nothing and says so.
        var again = await StopsCli.RunAsync("import", "stops", SampleFolder, "--data-dir", InFolder("store"), "--report", InFolder("rejected-again.csv"));
        Assert.True(again.ExitCode == 0, again.ToString());
        var second = ImportSummary.Parse(again.Output);
        Assert.Equal((expectedRows, 0L, summary.Imported, summary.Rejected), (second.Read, second.Imported, second.AlreadyImported, second.Rejected));
    }

    [Fact]
    public async Task ImportStops_FileWithBadRows_ReportNamesEachRowAndReason()
    {
        var good = File.ReadLines(June2021).Skip(1).Take(2).ToArray();
        var template = good[0].Split(',');
        string Row(int column, string value)
        {
            var cells = (string[])template.Clone();
            cells[column] = value;
            return string.Join(',', cells);
        }

        string Row2(int column1, string value1, int column2, string value2)
        {
            var cells = (string[])template.Clone();
            cells[column1] = value1;
            cells[column2] = value2;
            return string.Join(',', cells);
        }

        var file = InFolder("2021-06-metropolitan-stop-and-search.csv");
        string[] lines =
        [
            File.ReadLines(June2021).First(),
            good[0], // row 2: fine
            Row(1, ""), // 3: blank date
            Row(1, "2021-06-31T10:00:00+00:00"), // 4: no such day
            Row(6, "Alien"), // 5: unknown Gender
            Row(10, "Vagrancy Act 1824 (section 4)"), // 6: unknown Legislation
            Row2(4, "north", 5, "-0.1"), // 7: latitude not a number
            Row2(4, "51.45", 5, ""), // 8: only one coordinate
            Row2(4, "53.4808", 5, "-2.2426"), // 9: Manchester, outside the force boundary
            Row(1, "2099-01-01T00:00:00+00:00"), // 10: in the future
            string.Join(',', template.Take(10)), // 11: ten columns
            good[1], // 12: fine
        ];
        await File.WriteAllLinesAsync(file, lines, TestContext.Current.CancellationToken);

        var run = await StopsCli.RunAsync("import", "stops", file, "--data-dir", InFolder("store"), "--report", InFolder("rejected.csv"));

        Assert.True(run.ExitCode == 0, run.ToString());
        var summary = ImportSummary.Parse(run.Output);
        Assert.Equal((11L, 2L, 9L, 0L), (summary.Read, summary.Imported, summary.Rejected, summary.AlreadyImported));
        Assert.Equal(1, summary.OutsideBoundary);
        var report = RejectedReport.Read(InFolder("rejected.csv"));
        Assert.Equal(new long[] { 3, 4, 5, 6, 7, 8, 9, 10, 11 }, report.Select(r => r.Row));
        Assert.All(report, r => Assert.Equal(Path.GetFileName(file), r.Source));
        var reasons = report.ToDictionary(r => r.Row, r => r.Reason);
        Assert.Contains("Date ''", reasons[3], StringComparison.Ordinal);
        Assert.Contains("Date '2021-06-31T10:00:00+00:00'", reasons[4], StringComparison.Ordinal);
        Assert.Contains("Gender 'Alien'", reasons[5], StringComparison.Ordinal);
        Assert.Contains("Legislation 'Vagrancy Act 1824 (section 4)'", reasons[6], StringComparison.Ordinal);
        Assert.Contains("Latitude 'north' is not a number", reasons[7], StringComparison.Ordinal);
        Assert.Contains("only one of Latitude and Longitude", reasons[8], StringComparison.Ordinal);
        Assert.Contains("outside the force boundary", reasons[9], StringComparison.Ordinal);
        Assert.Contains("in the future", reasons[10], StringComparison.Ordinal);
        Assert.Contains("expected 15 columns, found 10", reasons[11], StringComparison.Ordinal);

        // The two good rows are what the store holds: exported, they are the file's rows 2 and 12.
        var export = await StopsCli.RunAsync("export", "stops", "--data-dir", InFolder("store"), "--out", InFolder("export.csv"));
        Assert.True(export.ExitCode == 0, export.ToString());
        AssertSameRows([SourceRows(file)[0], SourceRows(file)[10]], ExportedRows(InFolder("export.csv")));
    }

    [Fact]
    public async Task ExportStops_AfterImport_GivesBackTheSourceRowsFieldByField()
    {
        var import = await StopsCli.RunAsync("import", "stops", June2021, "--data-dir", InFolder("store"), "--report", InFolder("rejected.csv"));
        Assert.True(import.ExitCode == 0, import.ToString());
        var rejected = RejectedReport.Read(InFolder("rejected.csv")).Select(r => r.Row).ToHashSet();

        var export = await StopsCli.RunAsync("export", "stops", "--data-dir", InFolder("store"), "--out", InFolder("export.csv"));

        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Equal(string.Join(',', Targeting.Stops.Import.StopSearchFormat.Columns), File.ReadLines(InFolder("export.csv")).First());
        var expected = SourceRows(June2021).Where(r => !rejected.Contains(r.Row)).ToList();
        Assert.Contains($"written: {expected.Count:N0} rows", export.Output, StringComparison.Ordinal);
        AssertSameRows(expected, ExportedRows(InFolder("export.csv")));

        // A filter narrows the export to exactly the matching source rows.
        var arrests = await StopsCli.RunAsync("export", "stops", "--data-dir", InFolder("store"), "--outcome", "arrest", "--out", InFolder("arrests.csv"));
        Assert.True(arrests.ExitCode == 0, arrests.ToString());
        var expectedArrests = expected.Where(r => r.Cells[12] == "Arrest").ToList();
        Assert.NotEmpty(expectedArrests);
        AssertSameRows(expectedArrests, ExportedRows(InFolder("arrests.csv")));
    }

    [Fact]
    public async Task ImportAndExportStops_Server_SameCountsAndRowsAsEmbedded()
    {
        await using var host = await CliServiceHost.StartStopsAsync();
        var token = DevelopmentTokens.Issue(Roles.Service, "cli-stops-test");
        var embedded = await StopsCli.RunAsync("import", "stops", SampleFolder, "--data-dir", InFolder("store"), "--report", InFolder("rejected-embedded.csv"));

        var served = await StopsCli.RunAsync("import", "stops", SampleFolder, "--server", host.Address.ToString(), "--token", token,
            "--data-dir", InFolder("unused"), "--report", InFolder("rejected-served.csv"));

        Assert.True(embedded.ExitCode == 0, embedded.ToString());
        Assert.True(served.ExitCode == 0, served.ToString());
        var (local, remote) = (ImportSummary.Parse(embedded.Output), ImportSummary.Parse(served.Output));
        Assert.Equal(SampleFiles.Sum(f => SourceRows(f).Count), remote.Read);
        Assert.Equal(local, remote);
        Assert.Equal(File.ReadAllLines(InFolder("rejected-embedded.csv")), File.ReadAllLines(InFolder("rejected-served.csv")));
        Assert.False(Directory.Exists(InFolder("unused")), "with --server nothing is written to the embedded store");

        var localExport = await StopsCli.RunAsync("export", "stops", "--data-dir", InFolder("store"), "--out", InFolder("embedded.csv"));
        var remoteExport = await StopsCli.RunAsync("export", "stops", "--server", host.Address.ToString(), "--token", token, "--out", InFolder("served.csv"));

        Assert.True(localExport.ExitCode == 0, localExport.ToString());
        Assert.True(remoteExport.ExitCode == 0, remoteExport.ToString());
        var served2 = ExportedRows(InFolder("served.csv"));
        Assert.Equal(local.Imported, served2.Count);
        AssertSameRows(ExportedRows(InFolder("embedded.csv")), served2);
    }

    public static TheoryData<string, string[]> BadInput => new()
    {
        { "stop-and-search file not found: {folder}/2021-13-metropolitan-stop-and-search.csv", ["import", "stops", "{folder}/2021-13-metropolitan-stop-and-search.csv", "--data-dir", "{folder}/store", "--report", "{folder}/r.csv"] },
        { "--server must be an absolute http", ["import", "stops", "{june}", "--server", "localhost:5000", "--report", "{folder}/r.csv"] },
        { "--server must be an absolute http", ["export", "stops", "--server", "not a url", "--out", "{folder}/x.csv"] },
        { "Unavailable", ["import", "stops", "{june}", "--server", "http://127.0.0.1:1", "--token", "{token}", "--report", "{folder}/r.csv"] },
        { "Unavailable", ["export", "stops", "--server", "http://127.0.0.1:1", "--token", "{token}", "--out", "{folder}/x.csv"] },
        { "--outcome 'BANANA' is not one of", ["export", "stops", "--data-dir", "{folder}/store", "--outcome", "BANANA", "--out", "{folder}/x.csv"] },
        { "--officer-defined-ethnicity 'PURPLE' is not one of", ["export", "stops", "--data-dir", "{folder}/store", "--officer-defined-ethnicity", "PURPLE", "--out", "{folder}/x.csv"] },
        { "--from", ["export", "stops", "--data-dir", "{folder}/store", "--from", "last tuesday", "--out", "{folder}/x.csv"] },
        { "no-such-borough", ["export", "stops", "--data-dir", "{folder}/store", "--area", "no-such-borough", "--out", "{folder}/x.csv"] },
        { "no embedded stops store at {folder}/nowhere/stops.db", ["export", "stops", "--data-dir", "{folder}/nowhere", "--out", "{folder}/x.csv"] },
        { "{folder}/missing/x.csv", ["export", "stops", "--data-dir", "{folder}/store", "--out", "{folder}/missing/x.csv"] },
        { "{folder}/missing/r.csv", ["import", "stops", "{june}", "--data-dir", "{folder}/store", "--report", "{folder}/missing/r.csv"] },
        { "{folder}/no-boundary.geojson", ["import", "stops", "{june}", "--data-dir", "{folder}/store", "--boundary", "{folder}/no-boundary.geojson", "--report", "{folder}/r.csv"] },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task StopsCommands_BadInput_ClearMessageNonZeroExitNoStackTrace(string message, string[] arguments)
    {
        string Fill(string text) => text.Replace("{folder}", _folder.FullName, StringComparison.Ordinal).Replace("{june}", June2021, StringComparison.Ordinal)
            .Replace("{token}", CliServiceHost.Token(Roles.Analyst), StringComparison.Ordinal);

        var run = await StopsCli.RunAsync([.. arguments.Select(Fill)]);

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Contains(Fill(message), run.Error, StringComparison.Ordinal);
        Cli.NoStackTrace(run);
        Assert.False(File.Exists(InFolder("x.csv")), "a failed export leaves no output file");
        Assert.False(File.Exists(InFolder("x.csv.partial")), "a failed export leaves no partial file");
    }

    /// <summary>A data row of a source file: its row number (header = 1) and cells (the sample files quote nothing).</summary>
    private sealed record SourceRow(long Row, string[] Cells);

    private static List<SourceRow> SourceRows(string path)
    {
        var lines = File.ReadAllLines(path);
        Assert.All(lines, l => Assert.DoesNotContain("\"", l, StringComparison.Ordinal));
        return [.. lines.Select((line, i) => new SourceRow(i + 1, line.Split(','))).Skip(1).Where(r => r.Cells is not [""])];
    }

    private static List<SourceRow> ExportedRows(string path) => SourceRows(path);

    /// <summary>Same rows as multisets: both sorted by all 15 cells, then compared cell by cell naming the column.</summary>
    private static void AssertSameRows(IReadOnlyList<SourceRow> expected, IReadOnlyList<SourceRow> actual)
    {
        static List<string[]> Sorted(IEnumerable<SourceRow> rows) => [.. rows.Select(r => r.Cells).Order(CellsComparer.Instance)];
        var (want, got) = (Sorted(expected), Sorted(actual));
        Assert.Equal(want.Count, got.Count);
        for (var i = 0; i < want.Count; i++)
        {
            Assert.Equal(15, got[i].Length);
            for (var column = 0; column < 15; column++)
            {
                Assert.True(want[i][column] == got[i][column],
                    $"row {i} (sorted), column '{Targeting.Stops.Import.StopSearchFormat.Columns[column]}': expected '{want[i][column]}', exported '{got[i][column]}'\n" +
                    $"expected {string.Join(',', want[i])}\nexported {string.Join(',', got[i])}");
            }
        }
    }

    private sealed class CellsComparer : IComparer<string[]>
    {
        public static readonly CellsComparer Instance = new();

        public int Compare(string[]? x, string[]? y)
        {
            for (var i = 0; i < Math.Min(x!.Length, y!.Length); i++)
            {
                var order = string.CompareOrdinal(x[i], y[i]);
                if (order != 0)
                {
                    return order;
                }
            }

            return x.Length.CompareTo(y.Length);
        }
    }

    private sealed record ImportSummary(long Files, long Read, long Imported, long Unlocated, long AlreadyImported, long Rejected, long OutsideBoundary)
    {
        public static ImportSummary Parse(string output) => new(
            Number(output, @"rows read:\s+[\d,]+ from (\d+) file"),
            Number(output, @"rows read:\s+([\d,]+)"),
            Number(output, @"imported:\s+([\d,]+) \(unlocated"),
            Number(output, @"unlocated, kept without coordinates: ([\d,]+)"),
            Number(output, @"already imported:\s+([\d,]+)"),
            Number(output, @"rejected:\s+([\d,]+) \("),
            Number(output, @"outside the force boundary: ([\d,]+)"));

        private static long Number(string output, string pattern)
        {
            var match = Regex.Match(output, pattern);
            Assert.True(match.Success, $"no '{pattern}' in the summary:\n{output}");
            return long.Parse(match.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        }
    }

    private sealed record RejectedReport(string Source, long Row, string Reason)
    {
        public static List<RejectedReport> Read(string path)
        {
            var lines = File.ReadAllLines(path);
            Assert.Equal("source,row_number,reason", lines[0]);
            return [.. lines.Skip(1).Select(Parse)];
        }

        // source,row_number,reason: the source (a file name) and number hold no comma; the reason may be quoted.
        private static RejectedReport Parse(string line)
        {
            var parts = line.Split(',', 3);
            var reason = parts[2].StartsWith('"') ? parts[2][1..^1].Replace("\"\"", "\"", StringComparison.Ordinal) : parts[2];
            return new(parts[0], long.Parse(parts[1], CultureInfo.InvariantCulture), reason);
        }
    }
}

/// <summary>Runs the stops commands in-process through System.CommandLine, as <c>targeting</c>'s Program.cs wires them.</summary>
internal static class StopsCli
{
    public static async Task<CommandRun> RunAsync(params string[] arguments)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var configuration = new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null };
        var code = await CliRoot.InvokeAsync(arguments, configuration, TestContext.Current.CancellationToken);
        return new CommandRun(code, output.ToString(), error.ToString());
    }
}
