using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Targeting.Common.V1;
using Targeting.Engine.Geography;
using Targeting.Grpc;
using Targeting.Hotspot;
using Targeting.Hotspot.Import;
using Targeting.Hotspot.Planning;
using Targeting.Hotspot.Storage;
using Targeting.Hotspot.Storage.Sqlite;
using EngineIncident = Targeting.Engine.Hotspots.Incident;
using ProtoMethod = Targeting.Hotspot.V1.Method;

namespace Targeting.Cli.Commands;

/// <summary>Bad input to a command: the message says what and how to fix it; the command exits 2, with no stack trace.</summary>
internal sealed class CommandInputException(string message) : Exception(message);

/// <summary>The data options shared by <c>brief</c> and <c>backtest</c>, and the loading they drive.</summary>
internal sealed class HotspotDataOptions
{
    /// <summary>The area used when --area is not given (it is in the shipped sample).</summary>
    public const string DefaultArea = "Lambeth";

    public Option<string[]> Crimes { get; } = new("--crimes")
    {
        Description = "data.police.uk street-crime CSV files (plain or .gz; the 12-column monthly format or the 10-column London extract), " +
            "or folders of them. Default: the crimes 'targeting import crimes' put in the data folder (--data-dir), or when it holds none " +
            "the shipped sample, data/police-uk/street-crime-barking-dagenham-lambeth-2022-01-to-2022-09.csv.gz. " +
            "With --server they are imported into the service first.",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string[]> Boundaries { get; } = new("--boundaries")
    {
        Description = "Boundary GeoJSON files in WGS84 (boroughs, wards, LSOAs; the kind comes from the GSS codes). " +
            "Default: the shipped Barking and Dagenham and Lambeth boroughs, wards and LSOAs in data/boundaries. Wards are drawn on the map.",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string?> Area { get; } = new("--area")
    {
        Description = $"The area of interest: a borough, ward or LSOA name or GSS code in the boundary files (default {DefaultArea}).",
    };

    public Option<string?> From { get; } = new("--from")
    {
        Description = "First month of data to learn from, YYYY-MM (brief's default: the six months ending with --to, or from the first month of the data if shorter; backtest's: the first month of the data).",
    };

    public Option<string?> To { get; } = new("--to")
    {
        Description = "Last month of data to learn from, YYYY-MM, inclusive (default: the last month of the crime data; " +
            "with --server and no --crimes, the last full month before today).",
    };

    public Option<Uri?> Server { get; } = ServerOption.Create(
        $"A running hotspot service (e.g. {ServerOption.Example}; see 'targeting serve'). Without it everything runs here, " +
        "with no server and no database.");

    public Option<string?> Token { get; } = TokenOption.Create();

    public Option<string> DataDirectory { get; } = new("--data-dir")
    {
        Description = "Without --crimes and --server: the folder whose hotspot.db is read for crimes. " + DataFolderHelp.Default,
        DefaultValueFactory = _ => DataFolder.Default,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(DataDirectory);
        command.Options.Add(Crimes);
        command.Options.Add(Boundaries);
        command.Options.Add(Area);
        command.Options.Add(From);
        command.Options.Add(To);
        command.Options.Add(Server);
        command.Options.Add(Token);
    }

    public DataSettings Read(ParseResult parse) => new(
        parse.GetValue(Crimes) ?? [],
        parse.GetValue(Boundaries) ?? [],
        parse.GetValue(Area),
        parse.GetValue(From),
        parse.GetValue(To),
        parse.GetValue(Server),
        TokenOption.Value(parse, Token),
        parse.GetRequiredValue(DataDirectory));
}

/// <summary>The data options' values, as given (null: the default).</summary>
internal sealed record DataSettings(
    IReadOnlyList<string> Crimes, IReadOnlyList<string> Boundaries, string? Area, string? From, string? To, Uri? Server, string? Token, string? DataDirectory = null);

/// <summary>Crimes read into memory for the engine: the incidents, where they came from, and the months they span.</summary>
internal sealed record LoadedCrimes(
    List<EngineIncident> Incidents, List<Hotspot.V1.Incident> Wire, IReadOnlyList<string> Sources, long RowsRead, long Rejected,
    List<RejectedRow> RejectedRows, DateTime? FirstMonth, DateTime? LastMonth);

/// <summary>Loading of boundaries and crime files for the hotspot commands, with progress on stderr.</summary>
internal static class HotspotData
{
    public const string SampleCrimeFile = "street-crime-barking-dagenham-lambeth-2022-01-to-2022-09.csv.gz";

    /// <summary>The boundary files: the ones given, else the shipped sample's.</summary>
    public static BoundaryCatalog LoadBoundaries(IReadOnlyList<string> paths, TextWriter progress)
    {
        var clock = Stopwatch.StartNew();
        IReadOnlyList<BoundaryFile> files;
        if (paths.Count > 0)
        {
            files = [.. paths.Select(p => new BoundaryFile { Path = p })];
        }
        else
        {
            var data = DataLocator.FindDataDirectory()
                ?? throw new CommandInputException($"no --boundaries given and the shipped data/ folder was not found; run from the repository or set {DataLocator.EnvironmentVariable}");
            files = BoundaryCatalog.SampleFiles(data);
        }

        foreach (var file in files)
        {
            if (!File.Exists(file.Path))
            {
                throw new CommandInputException($"boundary file not found: {file.Path}");
            }
        }

        try
        {
            var catalog = BoundaryCatalog.Load(files, Projection.BritishNationalGrid);
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"boundaries: {catalog.All.Count:N0} from {files.Count} file(s) ({catalog.All.OfKind(BoundaryKinds.Borough).Count()} boroughs, {catalog.Wards.Count} wards) in {clock.Elapsed.TotalSeconds:0.0} s"));
            return catalog;
        }
        catch (FormatException e)
        {
            throw new CommandInputException($"cannot read boundaries: {e.Message}");
        }
    }

    /// <summary>The crime files given (folders expanded), else the shipped sample.</summary>
    public static IReadOnlyList<string> CrimeFiles(IReadOnlyList<string> paths)
    {
        if (paths.Count == 0)
        {
            var sample = DataLocator.InData("police-uk", SampleCrimeFile);
            return sample is not null && File.Exists(sample)
                ? [sample]
                : throw new CommandInputException($"no --crimes given and the shipped sample data/police-uk/{SampleCrimeFile} was not found; run from the repository or set {DataLocator.EnvironmentVariable}");
        }

        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var inside = Directory.GetFiles(path).Where(f => f.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".csv.gz", StringComparison.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal).ToList();
                files.AddRange(inside.Count > 0 ? inside : throw new CommandInputException($"folder {path} holds no .csv or .csv.gz files"));
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                throw new CommandInputException($"crime file not found: {path}");
            }
        }

        return files;
    }

    /// <summary>
    /// The crimes an embedded command learns from: the --crimes files; else the incidents held in the data
    /// folder's hotspot.db (what 'targeting import crimes' wrote); else, when it holds none, the shipped sample.
    /// </summary>
    public static async Task<LoadedCrimes> LoadCrimesAsync(DataSettings settings, Projection projection, TextWriter progress, CancellationToken cancellationToken)
    {
        if (settings.Crimes.Count == 0)
        {
            var folder = settings.DataDirectory ?? DataFolder.Default;
            if (await ReadStoreAsync(Path.Combine(folder, "hotspot.db"), progress, cancellationToken) is { } held)
            {
                return held;
            }

            progress.WriteLine($"crimes: the data folder {Path.GetFullPath(folder)} holds none: using the shipped sample");
        }

        return await ReadCrimesAsync(CrimeFiles(settings.Crimes), projection, progress, cancellationToken);
    }

    /// <summary>Every incident in an embedded hotspot store, in id order as the service reads them; null when there is no store or it is empty.</summary>
    private static async Task<LoadedCrimes?> ReadStoreAsync(string path, TextWriter progress, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var clock = Stopwatch.StartNew();
        var store = new SqliteHotspotStore(path);
        var incidents = new List<EngineIncident>();
        DateTime? first = null, last = null;
        try
        {
            await store.MigrateAsync(cancellationToken);
            await foreach (var record in store.QueryIncidentsAsync(new IncidentQuery(), cancellationToken))
            {
                incidents.Add(IncidentMapping.ToEngine(record));
                first = first is null || record.OccurredAt < first ? record.OccurredAt : first;
                last = last is null || record.OccurredAt > last ? record.OccurredAt : last;
            }
        }
        finally
        {
            // Pooled connections keep the file open (and its WAL unmerged) until released.
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }

        if (incidents.Count == 0)
        {
            return null;
        }

        incidents.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"crimes: {incidents.Count:N0} incidents held in {store.DatabasePath}, {first:yyyy-MM} to {last:yyyy-MM}, in {clock.Elapsed.TotalSeconds:0.0} s"));
        return new LoadedCrimes(incidents, [], [$"the store {store.DatabasePath}"], incidents.Count, 0, [], MonthStart(first!.Value), MonthStart(last!.Value));
    }

    /// <summary>Reads crime files into memory (rows with the same id counted once), reporting each file's rows.</summary>
    public static async Task<LoadedCrimes> ReadCrimesAsync(IReadOnlyList<string> files, Projection projection, TextWriter progress, CancellationToken cancellationToken)
    {
        var incidents = new List<EngineIncident>();
        var wire = new List<Hotspot.V1.Incident>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var rejectedRows = new List<RejectedRow>();
        long rows = 0, rejected = 0;
        DateTime? first = null, last = null;
        foreach (var path in files)
        {
            var clock = Stopwatch.StartNew();
            progress.Write($"reading {Path.GetFileName(path)}...");
            CrimeFileReadResult result;
            try
            {
                result = await CrimeFileImporter.ReadAsync(
                    path,
                    (batch, _) =>
                    {
                        var records = IncidentMapping.ToRecords(batch, projection);
                        for (var i = 0; i < records.Length; i++)
                        {
                            if (seen.Add(records[i].Id))
                            {
                                incidents.Add(IncidentMapping.ToEngine(records[i]));
                                wire.Add(batch[i]);
                                var month = records[i].OccurredAt;
                                first = first is null || month < first ? month : first;
                                last = last is null || month > last ? month : last;
                            }
                        }

                        return ValueTask.CompletedTask;
                    },
                    rejectedRows.Add,
                    cancellationToken: cancellationToken);
            }
            catch (Exception e) when (e is FormatException or IOException or InvalidDataException or UnauthorizedAccessException)
            {
                progress.WriteLine();
                throw new CommandInputException($"cannot read {path}: {e.Message}");
            }

            rows += result.RowsRead;
            rejected += result.Rejected;
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $" {result.RowsRead:N0} rows ({result.Format}), {result.Accepted:N0} usable, {result.Rejected:N0} rejected, in {clock.Elapsed.TotalSeconds:0.0} s"));
        }

        // The service's store hands incidents to the engine in id order; the same order here makes the
        // command line's figures (bootstrap intervals, harm sums) the service's, to the last bit.
        incidents.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return new LoadedCrimes(incidents, wire, [.. files.Select(Path.GetFileName).OfType<string>()], rows, rejected, rejectedRows,
            first is { } f ? MonthStart(f) : null, last is { } l ? MonthStart(l) : null);
    }

    /// <summary>The area name as the catalog knows it; an unknown one lists the closest names.</summary>
    public static string ResolveArea(BoundaryCatalog catalog, string? requested)
    {
        var name = string.IsNullOrWhiteSpace(requested) ? HotspotDataOptions.DefaultArea : requested.Trim();
        Boundary? boundary;
        try
        {
            boundary = catalog.All.Find(name);
        }
        catch (ArgumentException e)
        {
            throw new CommandInputException($"--area: {e.Message.Split(" (Parameter", 2)[0]}");
        }

        if (boundary is not null)
        {
            return boundary.Code.Length > 0 && catalog.All.Lookup(boundary.Name).Count > 1 ? boundary.Code : boundary.Name;
        }

        if (requested is null)
        {
            var borough = catalog.All.OfKind(BoundaryKinds.Borough).FirstOrDefault() ?? catalog.All.All.FirstOrDefault()
                ?? throw new CommandInputException("the boundary files hold no boundaries");
            return borough.Name;
        }

        var close = ClosestNames(catalog, name, 5);
        throw new CommandInputException($"--area: no boundary named '{name}' in the boundary files" +
            (close.Count > 0 ? $"; did you mean {string.Join(", ", close.Select(c => $"'{c}'"))}?" : "") +
            $" ({catalog.All.OfKind(BoundaryKinds.Borough).Count()} boroughs and {catalog.Wards.Count} wards loaded: e.g. {string.Join(", ", catalog.All.OfKind(BoundaryKinds.Borough).Take(3).Select(b => b.Name))})");
    }

    /// <summary>
    /// The area to ask for: resolved against the local boundary files; with --server, a name they
    /// do not hold is passed on as typed, since the service may have loaded other boundaries.
    /// </summary>
    public static string AreaFor(BoundaryCatalog catalog, DataSettings settings)
    {
        try
        {
            return ResolveArea(catalog, settings.Area);
        }
        catch (CommandInputException) when (settings.Server is not null && !string.IsNullOrWhiteSpace(settings.Area))
        {
            return settings.Area.Trim();
        }
    }

    /// <summary>Names nearest to a misspelt one: those containing it first, then by edit distance.</summary>
    internal static IReadOnlyList<string> ClosestNames(BoundaryCatalog catalog, string name, int count)
    {
        var wanted = name.ToLowerInvariant();
        return catalog.All.All
            .Select(b => b.Name)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(n => (Name: n, Lower: n.ToLowerInvariant()))
            .Select(n => (n.Name, Score: n.Lower.Contains(wanted, StringComparison.Ordinal) || wanted.Contains(n.Lower, StringComparison.Ordinal)
                ? 0
                : EditDistance(wanted, n.Lower)))
            .Where(n => n.Score <= Math.Max(2, wanted.Length / 3))
            .OrderBy(n => n.Score).ThenBy(n => n.Name, StringComparer.Ordinal)
            .Take(count)
            .Select(n => n.Name)
            .ToList();
    }

    /// <summary>A month given as YYYY-MM, as its first instant (UTC).</summary>
    public static DateTime ParseMonth(string text, string option)
    {
        if (DateTime.TryParseExact(text.Trim(), "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var month))
        {
            return DateTime.SpecifyKind(month, DateTimeKind.Utc);
        }

        throw new CommandInputException($"{option} '{text}': expected a month as YYYY-MM, e.g. 2022-04");
    }

    /// <summary>
    /// The months to learn from, [start, end): --from and --to if given, else the last <paramref name="defaultMonths"/>
    /// months of the data (or before today when there is no data to look at).
    /// </summary>
    public static (DateTime Start, DateTime End) Window(DataSettings settings, DateTime? firstDataMonth, DateTime? lastDataMonth, int defaultMonths, DateTime today)
    {
        var to = settings.To is { } t ? ParseMonth(t, "--to") : lastDataMonth ?? MonthStart(today).AddMonths(-1);
        var from = settings.From is { } f ? ParseMonth(f, "--from") : to.AddMonths(1 - defaultMonths);
        if (settings.From is null && firstDataMonth is { } first && from < first && first <= to)
        {
            from = first;
        }

        return from > to
            ? throw new CommandInputException($"--from {from:yyyy-MM} is after --to {to:yyyy-MM}")
            : (from, to.AddMonths(1));
    }

    /// <summary>A method name (naive, kde, prospective, getis-ord, dbscan, learned, auto) as the proto's enum.</summary>
    public static ProtoMethod ParseMethod(string text, string option) => text.Trim().ToLowerInvariant().Replace('_', '-') switch
    {
        "naive" or "naive-counts" or "counts" => ProtoMethod.NaiveCounts,
        "kde" => ProtoMethod.Kde,
        "prospective" => ProtoMethod.Prospective,
        "getis-ord" or "gi" or "gi*" or "gistar" => ProtoMethod.GetisOrd,
        "dbscan" => ProtoMethod.Dbscan,
        "learned" => ProtoMethod.Learned,
        "auto" => ProtoMethod.Auto,
        _ => throw new CommandInputException($"{option} '{text}': unknown method; use one of {MethodNames}"),
    };

    public const string MethodNames = "naive, kde, prospective, getis-ord, dbscan, learned, auto";

    public static string ShortName(ProtoMethod method) => method switch
    {
        ProtoMethod.NaiveCounts => "naive counts",
        ProtoMethod.Kde => "kde",
        ProtoMethod.Prospective => "prospective",
        ProtoMethod.GetisOrd => "getis-ord",
        ProtoMethod.Dbscan => "dbscan",
        ProtoMethod.Learned => "learned",
        ProtoMethod.Auto => "auto",
        _ => "default",
    };

    /// <summary>A client of --server with the token.</summary>
    public static HotspotClient Client(Uri server, string? token) =>
        new(new GrpcClient(server, new GrpcClientOptions { BearerToken = token, MaxReceiveMessageSize = 64 * 1024 * 1024 }));

    /// <summary>Imports crime records into a running service, one ImportIncidents call per file.</summary>
    public static async Task<(long Imported, long Duplicates, long Rejected)> ImportToServerAsync(
        HotspotClient client, LoadedCrimes crimes, TextWriter progress, CancellationToken cancellationToken)
    {
        progress.Write($"importing {crimes.Wire.Count:N0} incidents into the service...");
        await using var call = client.ImportIncidents(new CallOptions { CancellationToken = cancellationToken });
        const int batchSize = CrimeFileImporter.DefaultBatchSize;
        for (var offset = 0; offset < crimes.Wire.Count || offset == 0; offset += batchSize)
        {
            var message = new Hotspot.V1.ImportIncidentsRequest { Source = offset == 0 ? string.Join(", ", crimes.Sources) : string.Empty };
            message.Incidents.AddRange(crimes.Wire.Skip(offset).Take(batchSize));
            await call.WriteAsync(message, cancellationToken);
            if (crimes.Wire.Count == 0)
            {
                break;
            }
        }

        var summary = await call.CompleteAsync();
        progress.WriteLine($" {summary.Imported:N0} new, {summary.Duplicates:N0} already held, {summary.Rejected:N0} rejected");
        return (summary.Imported, summary.Duplicates, summary.Rejected);
    }

    /// <summary>An RpcException as a line for the user; INVALID_ARGUMENT lists each field.</summary>
    public static string Describe(RpcException e)
    {
        var badRequest = e.StatusCode == StatusCode.InvalidArgument ? e.GetBadRequest() : null;
        return badRequest is { FieldViolations.Count: > 0 }
            ? string.Join("; ", badRequest.FieldViolations.Select(v => $"{OptionFor(v.Field)}: {v.Description}"))
            : e.StatusCode switch
            {
                StatusCode.Unavailable => $"the service is unavailable ({e.Detail}); {TokenOption.Advice(e.StatusCode, Roles.Planner)}",
                StatusCode.Unauthenticated => $"the service wants a token: {TokenOption.Advice(e.StatusCode, Roles.Planner)} ({e.Detail})",
                StatusCode.PermissionDenied => $"the token's role may not do this ({e.Detail}); {TokenOption.Advice(e.StatusCode, Roles.Planner)}",
                _ => e.Detail,
            };
    }

    /// <summary>The command-line option a request field came from, so that errors name what the user typed.</summary>
    private static string OptionFor(string field) => field switch
    {
        "budget_fraction" => "--budget",
        "max_areas" => "--areas",
        "method" => "--method",
        "area" or "area.boundary_name" => "--area",
        "data_window" or "data_window.start" or "data_window.end" or "window" or "window.start" or "window.end" => "--from/--to",
        _ when field.StartsWith("coverages", StringComparison.Ordinal) => "--coverage",
        _ when field.StartsWith("methods", StringComparison.Ordinal) => "--methods",
        _ => field,
    };

    private static DateTime MonthStart(DateTime t) => new(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Utc);

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
