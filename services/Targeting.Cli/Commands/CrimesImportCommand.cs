using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Targeting.Common.V1;
using Targeting.Engine.Geography;
using Targeting.Grpc;
using Targeting.Hotspot;
using Targeting.Hotspot.Import;
using Targeting.Hotspot.Storage.Sqlite;
using Targeting.Hotspot.V1;

namespace Targeting.Cli.Commands;

/// <summary>
/// <c>targeting import crimes CSV... [--server URL]</c>: imports data.police.uk street-crime files
/// (plain or gzipped; 12-column monthly or 10-column London extract) into the hotspot service, or
/// with no server into the embedded store, and prints rows read, imported, already held and
/// rejected (adding up to rows read), with a rejected-rows report.
/// </summary>
internal static class CrimesImportCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("CSV")
        {
            Description = "data.police.uk street-crime files (.csv or .csv.gz; YYYY-MM-<force>-street.csv or the 10-column London extract), or folders of them.",
            Arity = ArgumentArity.OneOrMore,
        };
        var server = ServerOption.Create(
            $"The hotspot service (e.g. {ServerOption.Example}). Without it the crimes go into the embedded SQLite store (see --data-dir), as 'targeting serve' reads it.");
        var token = TokenOption.Create("role planner or service; 'targeting token' prints development ones");
        var dataDirectory = new Option<string>("--data-dir")
        {
            Description = "Embedded store folder (hotspot.db inside), as 'targeting serve --data-dir'. " + DataFolderHelp.Default,
            DefaultValueFactory = _ => DataFolder.Default,
        };
        var report = new Option<string?>("--report")
        {
            Description = "Where to write the rejected-rows report (CSV: source,row,reason), when a row was rejected. Default: crimes-import-rejected-<time>.csv here.",
        };
        var command = new Command("crimes",
            "Import data.police.uk street-crime CSV files (plain or gzipped, 12- or 10-column) as incidents; rows already held are counted, not imported twice.")
        {
            files, server, token, dataDirectory, report,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            new Settings(
                parse.GetRequiredValue(files),
                parse.GetValue(server),
                TokenOption.Value(parse, token),
                parse.GetValue(dataDirectory)!,
                parse.GetValue(report) ?? $"crimes-import-rejected-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.csv"),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    internal sealed record Settings(IReadOnlyList<string> Files, Uri? Server, string? Token, string DataDirectory, string ReportPath);

    internal static async Task<int> RunAsync(Settings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> files;
        try
        {
            files = HotspotData.CrimeFiles(settings.Files);
        }
        catch (CommandInputException e)
        {
            error.WriteLine($"targeting import crimes: {e.Message}");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        long read = 0, imported = 0, duplicates = 0, rejected = 0;
        var failedFiles = 0;
        var rejectedRows = new RejectedRowsReport(settings.ReportPath);
        if (settings.Server is { } server)
        {
            await ServerOption.WaitUntilServingAsync(server, error, cancellationToken);
        }

        await using var sink = await OpenAsync(settings, cancellationToken);
        foreach (var path in files)
        {
            try
            {
                var fileClock = Stopwatch.StartNew();
                var summary = await sink.ImportAsync(path, rejectedRows.Add, new Progress(error), cancellationToken);
                error.WriteLine();
                read += summary.RowsRead;
                imported += summary.Imported;
                duplicates += summary.Duplicates;
                rejected += summary.Rejected;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {summary.Source} ({summary.Format}): {summary.RowsRead:N0} rows, {summary.Imported:N0} imported, {summary.Duplicates:N0} already held, {summary.Rejected:N0} rejected in {fileClock.Elapsed.TotalSeconds:0.0} s"));
            }
            catch (Exception e) when (e is FormatException or IOException or InvalidDataException or UnauthorizedAccessException)
            {
                failedFiles++;
                error.WriteLine();
                error.WriteLine($"targeting import crimes: {path}: {e.Message}");
            }
            catch (RpcException e)
            {
                failedFiles++;
                error.WriteLine();
                error.WriteLine($"targeting import crimes: {path}: {HotspotData.Describe(e)}");
                if (e.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied or StatusCode.Unavailable)
                {
                    break;
                }
            }
        }

        rejectedRows.Dispose();
        var report = Path.GetFullPath(rejectedRows.Path);
        if (rejectedRows.Count == 0)
        {
            // The report exists from the start so that an unwritable path fails before importing; empty, it says nothing.
            File.Delete(report);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rows read:      {read:N0} from {files.Count - failedFiles} file(s) in {clock.Elapsed.TotalSeconds:0.0} s"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"imported:       {imported:N0} into {sink.Destination}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"already held:   {duplicates:N0}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rejected:       {rejected:N0}"));
        output.WriteLine(rejectedRows.Count == 0 ? "rejected rows:  none (no report written)" : $"rejected rows:  {report}");
        return failedFiles > 0 ? 1 : 0;
    }

    private static async Task<ICrimeSink> OpenAsync(Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Server is { } server)
        {
            return new ServerSink(HotspotData.Client(server, settings.Token), server);
        }

        Directory.CreateDirectory(settings.DataDirectory);
        var path = Path.GetFullPath(Path.Combine(settings.DataDirectory, "hotspot.db"));
        var store = new SqliteHotspotStore(path);
        await store.MigrateAsync(cancellationToken);
        return new EmbeddedSink(store, path);
    }

    /// <summary>Rows read so far, on one line of stderr.</summary>
    private sealed class Progress(TextWriter error) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => error.Write(string.Create(CultureInfo.InvariantCulture,
            $"\rreading {value.Source}: {value.RowsRead:N0} rows ({(value.TotalBytes > 0 ? (double)value.BytesRead / value.TotalBytes : 1):0%})"));
    }

    private interface ICrimeSink : IAsyncDisposable
    {
        string Destination { get; }

        Task<FileImportSummary> ImportAsync(string path, Action<RejectedRow> reject, IProgress<ImportProgress> progress, CancellationToken cancellationToken);
    }

    /// <summary>Straight into the local SQLite store, as the service's own import does.</summary>
    private sealed class EmbeddedSink(SqliteHotspotStore store, string path) : ICrimeSink
    {
        public string Destination => path;

        public Task<FileImportSummary> ImportAsync(string file, Action<RejectedRow> reject, IProgress<ImportProgress> progress, CancellationToken cancellationToken) =>
            StoreImporter.ImportFileAsync(store, file, Projection.BritishNationalGrid, reject, progress, cancellationToken);

        public ValueTask DisposeAsync()
        {
            // Pooled connections keep the file open (and its WAL unmerged) until released.
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>One ImportIncidents call per file, a message per batch; the service's rejections join the report.</summary>
    private sealed class ServerSink(HotspotClient client, Uri server) : ICrimeSink
    {
        public string Destination => $"the hotspot service at {server}";

        public async Task<FileImportSummary> ImportAsync(string path, Action<RejectedRow> reject, IProgress<ImportProgress> progress, CancellationToken cancellationToken)
        {
            await using var call = client.ImportIncidents(new CallOptions { CancellationToken = cancellationToken });
            var source = Path.GetFileName(path);
            var first = true;
            var read = await CrimeFileImporter.ReadAsync(
                path,
                async (batch, ct) =>
                {
                    var message = new ImportIncidentsRequest { Source = first ? source : string.Empty };
                    message.Incidents.AddRange(batch);
                    first = false;
                    await call.WriteAsync(message, ct);
                },
                reject,
                progress,
                cancellationToken: cancellationToken);
            if (first)
            {
                await call.WriteAsync(new ImportIncidentsRequest { Source = source }, cancellationToken);
            }

            var summary = await call.CompleteAsync();
            foreach (var row in summary.RejectedRows)
            {
                reject(row);
            }

            return new FileImportSummary(read.Source, read.Format, read.RowsRead, summary.Imported, summary.Duplicates, read.Rejected + summary.Rejected);
        }

        public ValueTask DisposeAsync()
        {
            client.Channel.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
