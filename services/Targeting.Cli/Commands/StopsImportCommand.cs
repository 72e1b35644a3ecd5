using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Targeting.Common.V1;
using Targeting.Grpc;
using Targeting.Import;
using Targeting.Stops;
using Targeting.Stops.Geography;
using Targeting.Stops.Import;
using Targeting.Stops.Storage;
using Targeting.Stops.Storage.Postgres;
using Targeting.Stops.Storage.Sqlite;
using Targeting.Stops.Validation;
using Targeting.Stops.V1;

namespace Targeting.Cli.Commands;

/// <summary>
/// <c>targeting import stops CSV... [--server URL] [--format police-uk|open-policing]</c>: imports
/// data.police.uk stop-and-search files (15 columns), or vehicle-stop files in the Stanford Open
/// Policing Project's format, into the stops service, or with no server into the embedded store, and
/// prints a summary whose counts add up to the rows read, with a rejected-rows report.
/// </summary>
internal static class StopsImportCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("CSV")
        {
            Description = "data.police.uk stop-and-search files (YYYY-MM-<force>-stop-and-search.csv), or folders of them.",
            Arity = ArgumentArity.OneOrMore,
        };
        var server = StopsCommandOptions.Server();
        var token = StopsCommandOptions.Token();
        var dataDirectory = StopsCommandOptions.DataDirectory();
        var postgres = StopsCommandOptions.Postgres();
        var report = new Option<string?>("--report")
        {
            Description = "Where to write the rejected-rows report (CSV: source,row_number,reason). Default: stops-import-rejected-<time>.csv here.",
        };
        var boundary = new Option<string?>("--boundary")
        {
            Description = "Embedded import: the force boundary GeoJSON. Default: the shipped area of the force the file names name " +
                "(YYYY-MM-<force>-stop-and-search.csv: metropolitan = the 32 London boroughs, city-of-london); " +
                "a file naming another force needs this option.",
        };
        var tolerance = new Option<double>("--boundary-tolerance")
        {
            Description = "Embedded import: metres outside the boundary still accepted (default 100: the borough files stop at the Thames).",
            DefaultValueFactory = _ => new StopsOptions().BoundaryToleranceMetres,
            CustomParser = result => NumberParsing.Parse<double>(result, "100"),
        };
        var format = new Option<string>("--format")
        {
            Description = "police-uk (default): data.police.uk stop-and-search files. open-policing: vehicle stops in the Stanford Open Policing " +
                "Project's format, its standard columns (date, time, subject_race, subject_sex, subject_age, search_conducted, contraband_found, " +
                "arrest_made, outcome, lat, lng, vehicle_make, vehicle_model, district) or the older ones (stop_date, stop_time, driver_race, " +
                "driver_gender, search_conducted, stop_outcome, is_arrested, district); needs --time-zone.",
            DefaultValueFactory = _ => "police-uk",
        };
        format.AcceptOnlyFromAmong("police-uk", "open-policing");
        var timeZone = new Option<string?>("--time-zone")
        {
            Description = "open-policing: the IANA time zone of the file's clock times (Rhode Island: America/New_York). A clock time skipped " +
                "when the clocks went forward is rejected; one repeated when they went back is read as its first occurrence (daylight time).",
        };
        var placeColumn = new Option<string>("--place-column")
        {
            Description = "open-policing: the column naming the stop's area, kept as its district (the roads analysis's place; default district).",
            DefaultValueFactory = _ => "district",
        };
        var sunPoint = new Option<string?>("--sun-point")
        {
            Description = "open-policing: LAT,LNG where sunset is worked out for rows without coordinates (e.g. 41.824,-71.413, Providence, " +
                "for Rhode Island's file, which has none); without it such stops stay out of the veil-of-darkness test.",
        };
        var command = new Command("stops", "Import data.police.uk stop-and-search CSV files (15 columns), or open-policing vehicle-stop files, as encounters.")
        {
            files, server, token, dataDirectory, postgres, report, boundary, tolerance, format, timeZone, placeColumn, sunPoint,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            new Settings(
                ExpandFiles(parse.GetRequiredValue(files)),
                parse.GetValue(server),
                TokenOption.Value(parse, token),
                parse.GetValue(dataDirectory)!,
                parse.GetValue(postgres),
                parse.GetValue(report) ?? $"stops-import-rejected-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.csv",
                parse.GetValue(boundary),
                parse.GetValue(tolerance),
                parse.GetValue(format) == "open-policing",
                parse.GetValue(timeZone),
                parse.GetValue(placeColumn)!,
                parse.GetValue(sunPoint)),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    internal sealed record Settings(
        IReadOnlyList<string> Files, Uri? Server, string? Token, string DataDirectory, string? Postgres, string ReportPath,
        string? BoundaryPath, double BoundaryToleranceMetres,
        bool OpenPolicing = false, string? TimeZone = null, string PlaceColumn = "district", string? SunPoint = null);

    /// <summary>The open-policing reading settings, or null with the reason when an option is missing or bad.</summary>
    internal static (OpenPolicingSettings? Settings, string? Problem) OpenPolicingSettingsOf(Settings settings)
    {
        if (settings.TimeZone is null)
        {
            return (null, "--format open-policing needs --time-zone ZONE (the IANA zone of the file's clock times, e.g. America/New_York); it is not guessed");
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(settings.TimeZone, out var zone))
        {
            return (null, $"--time-zone '{settings.TimeZone}' is not a known IANA time zone (e.g. America/New_York, Europe/London)");
        }

        LatLng? sun = null;
        if (settings.SunPoint is { } text)
        {
            var parts = text.Split(',');
            if (parts.Length != 2
                || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var lat) || lat is < -90 or > 90
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var lng) || lng is < -180 or > 180)
            {
                return (null, $"--sun-point '{text}' is not LAT,LNG in degrees (e.g. 41.824,-71.413)");
            }

            sun = new LatLng { Latitude = lat, Longitude = lng };
        }

        return (new OpenPolicingSettings(zone, settings.PlaceColumn, sun), null);
    }

    /// <summary>
    /// The embedded import's boundary: the one given, else the shipped area of the force every
    /// file name names; null with the reason when the names don't tell one shipped force.
    /// </summary>
    internal static (string? Path, string? Problem) ChooseBoundary(string? given, IReadOnlyList<string> files)
    {
        if (given is not null)
        {
            return (given, null);
        }

        var forces = files.Select(f => (File: Path.GetFileName(f), Force: ForceAreas.ForceOfFile(f))).ToList();
        if (forces.FirstOrDefault(f => f.Force is null) is { File: not null } unnamed)
        {
            return (null, $"cannot tell the force from the file name '{unnamed.File}' (data.police.uk names files YYYY-MM-<force>-stop-and-search.csv); pass --boundary FILE");
        }

        var distinct = forces.Select(f => f.Force!.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();
        if (distinct.Count > 1)
        {
            return (null, $"the files name {distinct.Count} forces ({string.Join(", ", distinct)}); import one force at a time, or pass --boundary FILE covering them all");
        }

        return ForceAreas.PathOf(distinct[0]) is { } path
            ? (path, null)
            : (null, $"no boundary ships for force '{distinct[0]}' (shipped: {string.Join(", ", ForceAreas.Known)}); pass --boundary FILE");
    }

    internal static async Task<int> RunAsync(Settings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        OpenPolicingSettings? openPolicing = null;
        if (settings.OpenPolicing)
        {
            (openPolicing, var invalid) = OpenPolicingSettingsOf(settings);
            if (invalid is not null)
            {
                error.WriteLine($"targeting import stops: {invalid}");
                return 2;
            }
        }

        if (settings.Server is null && openPolicing is not null && settings.BoundaryPath is null)
        {
            // No force file name to go by: located rows are checked against the boundary given, and a file
            // without coordinates (Rhode Island's) needs none.
            output.WriteLine("force boundary:   none given (--boundary): rows with coordinates are rejected as outside it");
        }
        else if (settings.Server is null)
        {
            var (boundary, problem) = ChooseBoundary(settings.BoundaryPath, settings.Files);
            if (problem is not null)
            {
                error.WriteLine($"targeting import stops: {problem}");
                return 2;
            }

            settings = settings with { BoundaryPath = boundary };
            output.WriteLine($"force boundary:   {Path.GetFullPath(boundary!)}");
        }

        var clock = Stopwatch.StartNew();
        var total = new ImportEncountersSummary();
        var readRejected = new List<RejectedRow>();
        var failedFiles = 0;

        // The report is created before anything is imported: a report path that cannot be written
        // would otherwise fail only after the whole import, leaving rows in the store with no report.
        StreamWriter reportWriter;
        try
        {
            reportWriter = new StreamWriter(settings.ReportPath, append: false, StopSearchFormat.FileEncoding);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"targeting import stops: cannot write the rejected-rows report {Path.GetFullPath(settings.ReportPath)}: {e.Message}");
            return 2;
        }

        await using var report = reportWriter;
        IImportSink sink;
        try
        {
            sink = await OpenSinkAsync(settings, error, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException
            or System.Text.Json.JsonException or System.Data.Common.DbException)
        {
            error.WriteLine($"targeting import stops: cannot open the {(settings.Postgres is null ? "embedded store or the force boundary" : "PostgreSQL store or the force boundary")}: {e.Message}");
            return 2;
        }

        await using var disposeSink = sink;
        foreach (var path in settings.Files)
        {
            var stopSearch = openPolicing is null ? StopSearchFile.Open(path) : null;
            var vehicleStops = openPolicing is null ? null : OpenPolicingFile.Open(path, openPolicing);
            var source = stopSearch?.Source ?? vehicleStops!.Source;
            try
            {
                var batches = stopSearch?.ReadBatches(EncounterImporter.BatchSize, readRejected) ?? vehicleStops!.ReadBatches(EncounterImporter.BatchSize, readRejected);
                var summary = await sink.ImportFileAsync(source, batches, cancellationToken);
                Add(total, summary);
                output.WriteLine($"  {source}: {summary.Received:N0} rows sent, {summary.Imported:N0} imported, " +
                    $"{summary.Duplicates:N0} already imported, {summary.Rejected:N0} rejected by validation");
                if (vehicleStops is not null)
                {
                    output.WriteLine($"    open-policing layout: {vehicleStops.Variant.ToString().ToLowerInvariant()}; clock times in {openPolicing!.TimeZone.Id} " +
                        $"(repeated when the clocks went back, read as daylight time: {vehicleStops.AmbiguousTimes:N0})");
                    output.WriteLine(vehicleStops.MissingColumns.Count == 0
                        ? "    columns not in the file: none"
                        : $"    columns not in the file (not recorded on any stop): {string.Join(", ", vehicleStops.MissingColumns)}");
                }
            }
            catch (FileNotFoundException)
            {
                failedFiles++;
                error.WriteLine($"targeting import stops: stop-and-search file not found: {Path.GetFullPath(path)}");
            }
            catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
            {
                failedFiles++;
                error.WriteLine($"targeting import stops: {path}: {e.Message}");
            }
            catch (RpcException e)
            {
                failedFiles++;
                error.WriteLine($"targeting import stops: {path}: the service answered {e.StatusCode}: {e.Detail}"
                    + (TokenOption.Advice(e.StatusCode, Roles.Supervisor) is { } advice ? "; " + advice : ""));
                if (e.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied or StatusCode.Unavailable)
                {
                    break;
                }
            }
        }

        var rejectedRows = readRejected.Concat(total.RejectedRows).OrderBy(r => r.Source, StringComparer.Ordinal).ThenBy(r => r.RowNumber).ToList();
        await WriteReportAsync(report, rejectedRows, cancellationToken);
        var read = total.Received + readRejected.Count;
        var rejected = total.Rejected + readRejected.Count;
        output.WriteLine($"rows read:        {read:N0} from {settings.Files.Count - failedFiles} file(s) in {clock.Elapsed.TotalSeconds:0.0} s");
        output.WriteLine($"imported:         {total.Imported:N0} (unlocated, kept without coordinates: {total.Unlocated:N0})");
        output.WriteLine($"already imported: {total.Duplicates:N0}");
        output.WriteLine($"rejected:         {rejected:N0} (unreadable rows: {readRejected.Count:N0}; " +
            $"outside the force boundary: {total.OutsideBoundary:N0}; other invalid rows: {total.Rejected - total.OutsideBoundary:N0})");
        output.WriteLine($"rejected rows:    {Path.GetFullPath(settings.ReportPath)}");
        var addsUp = total.Imported + total.Duplicates + rejected == read;
        output.WriteLine(addsUp
            ? $"check:            {total.Imported:N0} + {total.Duplicates:N0} + {rejected:N0} = {read:N0} rows read"
            : $"check:            MISMATCH: {total.Imported:N0} + {total.Duplicates:N0} + {rejected:N0} != {read:N0} rows read");
        return failedFiles > 0 || !addsUp ? 1 : 0;
    }

    private static async Task<IImportSink> OpenSinkAsync(Settings settings, TextWriter error, CancellationToken cancellationToken)
    {
        if (settings.Server is { } address)
        {
            await ServerOption.WaitUntilServingAsync(address, error, cancellationToken);
            return new ServerSink(new StopsClient(address, new GrpcClientOptions
            {
                BearerToken = settings.Token,
                MaxReceiveMessageSize = 256 * 1024 * 1024,
            }));
        }

        var health = new StoreHealth();
        IEncounterStore store = settings.Postgres is { } connectionString
            ? new PostgresEncounterStore(connectionString, health)
            : new SqliteEncounterStore(Path.Combine(settings.DataDirectory, "stops.db"), health);
        await store.MigrateAsync(cancellationToken);
        var boundary = settings.BoundaryPath is { } path
            ? ForceBoundary.Load(path, settings.BoundaryToleranceMetres)
            : ForceBoundary.AcceptingNone("no force boundary given (--boundary)");
        var validator = new EncounterValidator(boundary, TimeProvider.System);
        return new EmbeddedSink(store, new EncounterImporter(store, validator, TimeProvider.System));
    }

    private static IReadOnlyList<string> ExpandFiles(string[] paths) =>
        paths.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p, "*.csv").Order(StringComparer.Ordinal) : (IEnumerable<string>)[p]).ToList();

    private static async Task WriteReportAsync(StreamWriter writer, IReadOnlyList<RejectedRow> rows, CancellationToken cancellationToken)
    {
        await using var csv = CsvRecordWriter.Create(writer, leaveOpen: true);
        csv.WriteRecord("source", "row_number", "reason");
        foreach (var row in rows)
        {
            csv.WriteRecord(row.Source, row.RowNumber.ToString(CultureInfo.InvariantCulture), row.Reason);
        }

        await csv.FlushAsync(cancellationToken);
    }

    private static void Add(ImportEncountersSummary total, ImportEncountersSummary file)
    {
        total.Received += file.Received;
        total.Imported += file.Imported;
        total.Unlocated += file.Unlocated;
        total.Duplicates += file.Duplicates;
        total.Rejected += file.Rejected;
        total.OutsideBoundary += file.OutsideBoundary;
        total.RejectedRows.Add(file.RejectedRows);
    }

    private interface IImportSink : IAsyncDisposable
    {
        Task<ImportEncountersSummary> ImportFileAsync(string source, IEnumerable<List<ImportedEncounter>> batches, CancellationToken cancellationToken);
    }

    /// <summary>One ImportEncounters call per file, a message per batch.</summary>
    private sealed class ServerSink(StopsClient client) : IImportSink
    {
        public async Task<ImportEncountersSummary> ImportFileAsync(string source, IEnumerable<List<ImportedEncounter>> batches, CancellationToken cancellationToken)
        {
            await using var call = client.ImportEncounters(new CallOptions { CancellationToken = cancellationToken });
            var first = true;
            foreach (var batch in batches)
            {
                var message = new ImportEncountersRequest { Source = first ? source : "" };
                message.Encounters.Add(batch);
                await call.WriteAsync(message, cancellationToken);
                first = false;
            }

            if (first)
            {
                await call.WriteAsync(new ImportEncountersRequest { Source = source }, cancellationToken);
            }

            return await call.CompleteAsync();
        }

        public ValueTask DisposeAsync()
        {
            client.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Straight into the local store, through the same importer the service uses.</summary>
    private sealed class EmbeddedSink(IEncounterStore store, EncounterImporter importer) : IImportSink
    {
        public async Task<ImportEncountersSummary> ImportFileAsync(string source, IEnumerable<List<ImportedEncounter>> batches, CancellationToken cancellationToken)
        {
            var summary = new ImportEncountersSummary();
            foreach (var batch in batches)
            {
                await importer.ImportAsync(source, batch, StopsCommandOptions.LocalActor, "supervisor", "cli import stops", summary, cancellationToken);
            }

            return summary;
        }

        public ValueTask DisposeAsync() => store.DisposeAsync();
    }
}
