using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Targeting.Testing;

namespace Targeting.Cli.Tests;

/// <summary>
/// <c>targeting import stops --format open-policing</c> into the embedded store, and the pilot report
/// (<c>targeting feedback roads --report</c>) on the imported Rhode Island file, rendered by Chromium.
/// </summary>
public sealed partial class OpenPolicingCommandTests : IDisposable
{
    private const string Header =
        "state,stop_date,stop_time,county_name,driver_gender,driver_race,violation_raw,violation,search_conducted,search_type,stop_outcome,is_arrested,stop_duration,drugs_related_stop,district";

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("targeting-open-policing-cli-");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task ImportOpenPolicing_SmallFile_SummaryAddsUpAndBadRowsInTheReport()
    {
        var file = Write("ri-sample.csv",
            Header,
            "RI,2005-01-04,12:55,,M,White,Equipment/Inspection Violation,Equipment,FALSE,,Citation,FALSE,0-15 Min,FALSE,Zone X4",
            "RI,2006-04-02,02:05,,M,White,Speeding,Speeding,FALSE,,Citation,FALSE,0-15 Min,FALSE,Zone X4",
            "RI,2005-02-20,17:15,,M,Black,Call for Service,Other,TRUE,Incident to Arrest,Arrest Driver,TRUE,16-30 Min,FALSE,Zone X1",
            "RI,2005-02-21,,,M,White,Speeding,Speeding,yes,,Citation,FALSE,0-15 Min,FALSE,Zone X1",
            "RI,2007-11-04,01:30,,F,Hispanic,Speeding,Speeding,FALSE,,Warning,FALSE,0-15 Min,FALSE,Zone K3",
            "RI,2008-08-07,19:11,,M,White,Special Detail/Directed Patrol,Other,FALSE,,Citation,FALSE,0-15 Min,FALSE");
        var report = Path.Combine(_folder.FullName, "rejected.csv");
        var store = Path.Combine(_folder.FullName, "store");

        var run = await StopsCli.RunAsync("import", "stops", file, "--format", "open-policing", "--time-zone", "America/New_York",
            "--sun-point", "41.824,-71.413", "--data-dir", store, "--report", report);

        Assert.True(run.ExitCode == 0, run.Error + run.Output);
        Assert.Contains("ri-sample.csv: 3 rows sent, 3 imported, 0 already imported, 0 rejected by validation", run.Output, StringComparison.Ordinal);
        Assert.Contains("open-policing layout: older; clock times in America/New_York (repeated when the clocks went back, read as daylight time: 1)", run.Output, StringComparison.Ordinal);
        Assert.Contains("columns not in the file (not recorded on any stop): driver_age, contraband_found", run.Output, StringComparison.Ordinal);
        Assert.Contains("rejected:         3 (unreadable rows: 3;", run.Output, StringComparison.Ordinal);
        Assert.Contains("check:            3 + 0 + 3 = 6 rows read", run.Output, StringComparison.Ordinal);
        Assert.Equal(
            [
                "source,row_number,reason",
                "ri-sample.csv,3,2006-04-02 02:05 does not exist in America/New_York: the clocks went forward over it (not guessed either way)",
                "ri-sample.csv,5,stop_time is blank; search_conducted 'yes' is not TRUE or FALSE",
                "ri-sample.csv,7,expected 15 columns (as the header), found 14",
            ],
            File.ReadAllLines(report).Select(l => l.Replace("\"", "", StringComparison.Ordinal)));

        // The store holds them as imported vehicle stops, marked with their source file and row.
        using var connection = new SqliteConnection($"Data Source={Path.Combine(store, "stops.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT source, source_row FROM encounters ORDER BY source_row";
        using var reader = command.ExecuteReader();
        var rows = new List<(string, long)>();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        Assert.Equal([("ri-sample.csv", 2L), ("ri-sample.csv", 4L), ("ri-sample.csv", 6L)], rows);
    }

    [Fact]
    public async Task ImportOpenPolicing_NoTimeZone_RefusedBeforeAnything()
    {
        var file = Write("ri.csv", Header);
        var report = Path.Combine(_folder.FullName, "rejected.csv");

        var run = await StopsCli.RunAsync("import", "stops", file, "--format", "open-policing", "--data-dir", Path.Combine(_folder.FullName, "store"), "--report", report);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--format open-policing needs --time-zone ZONE", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(report));

        var bad = await StopsCli.RunAsync("import", "stops", file, "--format", "open-policing", "--time-zone", "Europe/Atlantis", "--report", report);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--time-zone 'Europe/Atlantis' is not a known IANA time zone", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportOpenPolicing_MissingRequiredColumn_ErrorNamesIt()
    {
        var file = Write("no-race.csv", "date,time,subject_sex,search_conducted", "2017-01-01,10:00,male,FALSE");

        var run = await StopsCli.RunAsync("import", "stops", file, "--format", "open-policing", "--time-zone", "America/New_York",
            "--data-dir", Path.Combine(_folder.FullName, "store"), "--report", Path.Combine(_folder.FullName, "rejected.csv"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no-race.csv lacks the required column subject_race", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_NamesTheFormatAndItsOptions()
    {
        var import = await StopsCli.RunAsync("import", "stops", "--help");
        var roads = await StopsCli.RunAsync("feedback", "roads", "--help");

        foreach (var option in new[] { "--format", "--time-zone", "--place-column", "--sun-point", "America/New_York" })
        {
            Assert.Contains(option, import.Output, StringComparison.Ordinal);
        }

        Assert.Contains("--report", roads.Output, StringComparison.Ordinal);
        Assert.Contains("printable HTML", roads.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// The Rhode Island file imported, then the pilot report for January to June 2007, rendered with
    /// Debian's Chromium to PNG and PDF (kept under tests/Targeting.Cli.Tests/bin/.../artifacts/pilot-report).
    /// </summary>
    [Fact]
    public async Task PilotReport_RhodeIslandSixMonths_RendersWithThePlotAndTheResult()
    {
        RepoPaths.RequireSharedData();
        var store = Path.Combine(_folder.FullName, "store");
        var import = await StopsCli.RunAsync("import", "stops", RepoPaths.InSharedData("open-policing", "rhode-island-traffic-stops-2005-2008.csv"),
            "--format", "open-policing", "--time-zone", "America/New_York", "--sun-point", "41.824,-71.413", "--data-dir", store,
            "--report", Path.Combine(_folder.FullName, "rejected.csv"));
        Assert.True(import.ExitCode == 0, import.Error + import.Output);

        var artifacts = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts", "pilot-report")).FullName;
        var html = Path.Combine(artifacts, "pilot-report.html");
        var run = await StopsCli.RunAsync("feedback", "roads", "--from", "2007-01", "--to", "2007-06", "--data-dir", store, "--report", html);
        Assert.True(run.ExitCode == 0, run.Error + run.Output);

        var text = await File.ReadAllTextAsync(html, TestContext.Current.CancellationToken);
        Assert.DoesNotContain("<script", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http://", text.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", text, StringComparison.Ordinal);
        Assert.Contains("<svg", text, StringComparison.Ordinal);
        Assert.Equal(2, PolylineRegex().Count(text));
        Assert.Contains("Black drivers: after dark, at the same clock time and place", text, StringComparison.Ordinal);
        Assert.Contains("What this can and cannot show", text, StringComparison.Ordinal);
        Assert.Contains("Zone K3", text, StringComparison.Ordinal);

        var chromium = "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            Assert.Skip("Debian's Chromium is not at /usr/bin/chromium (scripts/install-deps.sh installs it): the report is written but not rendered");
        }

        var png = Path.Combine(artifacts, "pilot-report.png");
        var pdf = Path.Combine(artifacts, "pilot-report.pdf");
        File.Delete(png);
        File.Delete(pdf);
        await Chromium(chromium, $"--screenshot={png}", "--window-size=900,2600", html);
        await Chromium(chromium, $"--print-to-pdf={pdf}", "--no-pdf-header-footer", html);
        Assert.True(new FileInfo(png).Length > 20_000, "the screenshot is nearly empty");
        var pdfBytes = await File.ReadAllBytesAsync(pdf, TestContext.Current.CancellationToken);
        Assert.True(pdfBytes.Length > 20_000 && pdfBytes.AsSpan(0, 5).SequenceEqual("%PDF-"u8), "the PDF is missing or not a PDF");
        TestContext.Current.TestOutputHelper?.WriteLine($"pilot report: {html}, {png}, {pdf}");
    }

    private static async Task Chromium(string chromium, params string[] arguments)
    {
        var start = new ProcessStartInfo(chromium) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
            $"--user-data-dir={Path.Combine(Path.GetTempPath(), "targeting-chromium-" + Environment.ProcessId)}" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        _ = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        Assert.True(process.ExitCode == 0, $"chromium exited {process.ExitCode}: {await stderr}");
    }

    [GeneratedRegex("<polyline ")]
    private static partial Regex PolylineRegex();

    private string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_folder.FullName, name);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }
}
