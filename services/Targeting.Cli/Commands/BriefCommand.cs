using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using NetTopologySuite.Geometries;
using Targeting.Engine.Geography;
using Targeting.Hotspot;
using Targeting.Hotspot.Briefing;
using Targeting.Hotspot.Planning;
using Targeting.Hotspot.V1;

namespace Targeting.Cli.Commands;

/// <summary>
/// <c>targeting brief</c>: the main job. Proposes precision patrol areas for an area of interest
/// and writes a briefing folder: <c>briefing.html</c> (self-contained, printable, map and
/// evidence), <c>patrol-areas.geojson</c> (WGS84, one feature per area, for GIS tools) and
/// <c>plan.json</c> (the plan in proto JSON). With no options it runs on the shipped sample,
/// here, with no server and no database.
/// </summary>
internal static class BriefCommand
{
    public const string HtmlFile = "briefing.html";
    public const string GeoJsonFile = "patrol-areas.geojson";
    public const string PlanFile = "plan.json";
    public const string PdfFile = "briefing.pdf";

    /// <summary>Debian's Chromium, which prints the PDF (headless).</summary>
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>Months of data a plan learns from when --from is not given.</summary>
    public const int DefaultMonths = 6;

    /// <summary>The exit code of a brief that found no patrol areas (nothing written; the message says why and what to change).</summary>
    public const int NoAreas = 3;

    public static Command Create()
    {
        var data = new HotspotDataOptions();
        var budget = new Option<double>("--budget")
        {
            Description = $"Fraction of the area the patrol areas may cover together, in (0, {PlanProposer.MaxBudgetFraction}]; 0.01 is 1%.",
            DefaultValueFactory = _ => PlanProposer.DefaultBudgetFraction,
            CustomParser = result => NumberParsing.Parse<double>(result, "0.01 for 1%"),
        };
        var areas = new Option<int>("--areas")
        {
            Description = $"At most this many patrol areas, 1 to {PlanProposer.MaxMaxAreas}; each is compact and 20,000 to 250,000 m².",
            DefaultValueFactory = _ => PlanProposer.DefaultMaxAreas,
            CustomParser = result => NumberParsing.Parse<int>(result, "8"),
        };
        var method = new Option<string?>("--method")
        {
            Description = $"The hotspot method: {HotspotData.MethodNames} (default auto: the best of naive, prospective and learned in a backtest on the plan's area and window, never below naive; see 'targeting backtest').",
        };
        var output = new Option<string>("--out")
        {
            Description = $"The folder to write {HtmlFile}, {GeoJsonFile} and {PlanFile} to (created if missing, relative to the current directory; those three files in it are replaced).",
            DefaultValueFactory = _ => "briefing",
        };
        var note = new Option<string?>("--note") { Description = "Free text stored with the plan (who asked, which briefing)." };
        var gazetteer = new Option<string?>("--gazetteer")
        {
            Description = $"The street gazetteer that names the areas (see 'targeting gazetteer build'); default the shipped data/{string.Join('/', GazetteerFile.ShippedPath)}, 'none' for unnamed areas. With --server the service names them.",
        };
        var marking = new Option<string>("--marking")
        {
            Description = $"The protective marking printed at the top and bottom of every page (default {BriefingHandling.DefaultMarking}).",
            DefaultValueFactory = _ => BriefingHandling.DefaultMarking,
        };
        var owner = new Option<string?>("--owner") { Description = "Who owns the briefing, printed under the title (default: who requested the plan)." };
        var review = new Option<string?>("--review")
        {
            Description = "The date the briefing must be reviewed by, YYYY-MM-DD (default: the last day of the plan's valid window).",
        };
        var pdf = new Option<bool>("--pdf")
        {
            Description = $"Also print {HtmlFile} to {PdfFile} (two A4 portrait pages) with headless Chromium ({Chromium}).",
        };
        var command = new Command("brief",
            "Propose precision patrol areas for an area and write a briefing folder: briefing.html (two A4 pages: a map with street names, one row per area and how to use them; " +
            "then the evidence and provenance; --pdf prints it to briefing.pdf), " +
            "patrol-areas.geojson (opens in QGIS) and plan.json. With no options: the shipped sample, Lambeth, the last six months of data. " +
            $"Exits {NoAreas}, writing nothing, when no patrol area can be proposed (the area is too small for the budget, or holds too little crime), " +
            "saying why and what to change; 2 for a usage error, 1 for a failure.");
        data.AddTo(command);
        command.Options.Add(budget);
        command.Options.Add(areas);
        command.Options.Add(method);
        command.Options.Add(output);
        command.Options.Add(note);
        command.Options.Add(gazetteer);
        command.Options.Add(marking);
        command.Options.Add(owner);
        command.Options.Add(review);
        command.Options.Add(pdf);
        command.SetAction((parse, cancellationToken) => RunAsync(
            new Settings(data.Read(parse), parse.GetValue(budget), parse.GetValue(areas), parse.GetValue(method), parse.GetValue(output)!, parse.GetValue(note), parse.GetValue(gazetteer),
                parse.GetValue(marking)!, parse.GetValue(owner), parse.GetValue(review), parse.GetValue(pdf)),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    internal sealed record Settings(DataSettings Data, double Budget, int MaxAreas, string? Method, string OutputDirectory, string? Note, string? Gazetteer = null,
        string Marking = BriefingHandling.DefaultMarking, string? Owner = null, string? Review = null, bool Pdf = false);

    internal static async Task<int> RunAsync(Settings settings, TextWriter output, TextWriter errorWriter, CancellationToken cancellationToken)
    {
        var error = ProgressWriter.Wrap(errorWriter);
        var clock = Stopwatch.StartNew();
        try
        {
            // Zero means "the default" on the wire; typed on the command line it is a mistake.
            if (settings.Budget == 0 || settings.MaxAreas == 0)
            {
                throw new CommandInputException(settings.Budget == 0
                    ? $"--budget: must be in (0, {PlanProposer.MaxBudgetFraction}]"
                    : $"--areas: must be between 1 and {PlanProposer.MaxMaxAreas}");
            }

            var handling = Handling(settings);
            var catalog = HotspotData.LoadBoundaries(settings.Data.Boundaries, error);
            var areaName = HotspotData.AreaFor(catalog, settings.Data);
            var method = settings.Method is { } m ? HotspotData.ParseMethod(m, "--method") : Method.Unspecified;
            var (plan, sources) = settings.Data.Server is { } server
                ? await ProposeOnServerAsync(settings, server, catalog, areaName, method, error, cancellationToken)
                : await ProposeHereAsync(settings, catalog, areaName, method, error, cancellationToken);

            if (plan.Areas.Count == 0)
            {
                error.WriteLine($"targeting brief: no patrol areas for {plan.AreaName}, so no briefing was written: {WhyNoAreas(plan)}");
                return NoAreas;
            }

            var written = await WriteAsync(settings.OutputDirectory, plan, catalog, sources, handling, error, cancellationToken);
            if (settings.Pdf)
            {
                written = [.. written, await PrintPdfAsync(written[0], error, cancellationToken)];
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{plan.Areas.Count} patrol area{(plan.Areas.Count == 1 ? "" : "s")} for {plan.AreaName}, valid {BriefingRenderer.Window(plan.ValidWindow)}: " +
                $"{plan.CoverageFraction:0.00%} of the area, expected to hold {plan.ExpectedShare:0.0%} of its harm-weighted crime (plan {plan.PlanId}, {clock.Elapsed.TotalSeconds:0.0} s)"));
            output.WriteLine("wrote:");
            foreach (var path in written)
            {
                output.WriteLine("  " + path);
            }

            return 0;
        }
        catch (CommandInputException e)
        {
            error.EndLine();
            error.WriteLine($"targeting brief: {e.Message}");
            return 2;
        }
        catch (RpcException e)
        {
            error.EndLine();
            error.WriteLine($"targeting brief: {HotspotData.Describe(e)}");
            return e.StatusCode is StatusCode.InvalidArgument or StatusCode.NotFound ? 2 : 1;
        }
        catch (IOException e)
        {
            error.EndLine();
            error.WriteLine($"targeting brief: {e.Message}");
            return 1;
        }
        catch (UnauthorizedAccessException e)
        {
            error.EndLine();
            error.WriteLine($"targeting brief: {e.Message}");
            return 1;
        }
    }

    /// <summary>Why a plan has no areas and what to change, from the plan's own figures.</summary>
    internal static string WhyNoAreas(PatrolPlan plan)
    {
        var budgetM2 = plan.BudgetFraction * plan.AreaOfInterestM2;
        const double smallest = PlanProposer.DefaultMinAreaM2;
        if (budgetM2 < smallest)
        {
            var needed = Math.Ceiling(smallest / plan.AreaOfInterestM2 * 1000) / 1000;
            return string.Create(CultureInfo.InvariantCulture,
                $"--budget {plan.BudgetFraction:0.###} of its {plan.AreaOfInterestM2:N0} m² is {budgetM2:N0} m², less than the smallest patrol area ({smallest:N0} m²); ") +
                (needed <= PlanProposer.MaxBudgetFraction
                    ? string.Create(CultureInfo.InvariantCulture, $"raise --budget to at least {needed:0.###}, or choose a larger --area (e.g. the borough)")
                    : string.Create(CultureInfo.InvariantCulture, $"even the largest --budget ({PlanProposer.MaxBudgetFraction}) is too small for it: choose a larger --area (e.g. the borough)"));
        }

        return $"too little harm-weighted crime in {BriefingRenderer.Window(plan.Provenance?.DataWindow)} to form a patrol area; " +
            "learn from more months (--from/--to), raise --budget, or choose a larger --area";
    }

    private static async Task<(PatrolPlan Plan, IReadOnlyList<string> Sources)> ProposeHereAsync(
        Settings settings, BoundaryCatalog catalog, string areaName, Method method, TextWriter progress, CancellationToken cancellationToken)
    {
        var crimes = await HotspotData.LoadCrimesAsync(settings.Data, catalog.Projection, progress, cancellationToken);
        var (start, end) = HotspotData.Window(settings.Data, crimes.FirstMonth, crimes.LastMonth, DefaultMonths, DateTime.UtcNow);
        var proposal = PlanProposer.Validate(Request(settings, areaName, method, start, end), catalog, DateTime.UtcNow);
        var gazetteer = LoadGazetteer(settings.Gazetteer, catalog.Projection, progress);
        var clock = Stopwatch.StartNew();
        progress.Write(string.Create(CultureInfo.InvariantCulture,
            $"proposing patrol areas for {areaName} from {start:yyyy-MM} to {end.AddMonths(-1):yyyy-MM} ({BriefingRenderer.MethodName(method == Method.Unspecified ? RequestValidation.ToProto(Engine.Hotspots.HotspotSurfaces.DefaultMethod) : method)})..."));
        var (plan, _) = new PlanProposer(catalog, gazetteer).Propose(proposal, crimes.Incidents, "cli:" + Environment.UserName, DateTime.UtcNow);
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $" {plan.Areas.Count} areas in {clock.Elapsed.TotalSeconds:0.00} s"));
        return (plan, crimes.Sources);
    }

    /// <summary>The gazetteer given (null for "none"), else the shipped one when the data folder has it.</summary>
    private static Gazetteer? LoadGazetteer(string? given, Projection projection, TextWriter progress)
    {
        if (string.Equals(given, "none", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var path = given ?? DataLocator.InData(GazetteerFile.ShippedPath);
        if (path is null || !File.Exists(path))
        {
            return given is null ? null : throw new CommandInputException($"--gazetteer: no file at {Path.GetFullPath(given)}");
        }

        try
        {
            var gazetteer = new Gazetteer(GazetteerFile.Read(path, projection));
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"gazetteer: {gazetteer.Count:N0} street points from {path}"));
            return gazetteer;
        }
        catch (InvalidDataException e)
        {
            throw new CommandInputException($"--gazetteer: {e.Message}");
        }
    }

    private static async Task<(PatrolPlan Plan, IReadOnlyList<string> Sources)> ProposeOnServerAsync(
        Settings settings, Uri server, BoundaryCatalog catalog, string areaName, Method method, TextWriter progress, CancellationToken cancellationToken)
    {
        await ServerOption.WaitUntilServingAsync(server, progress, cancellationToken);
        var client = HotspotData.Client(server, settings.Data.Token);
        LoadedCrimes? crimes = null;
        if (settings.Data.Crimes.Count > 0)
        {
            crimes = await HotspotData.ReadCrimesAsync(HotspotData.CrimeFiles(settings.Data.Crimes), catalog.Projection, progress, cancellationToken);
            await HotspotData.ImportToServerAsync(client, crimes, progress, cancellationToken);
        }

        var (start, end) = HotspotData.Window(settings.Data, crimes?.FirstMonth, crimes?.LastMonth, DefaultMonths, DateTime.UtcNow);
        progress.Write($"asking {server} to propose patrol areas for {areaName} from {start:yyyy-MM} to {end.AddMonths(-1):yyyy-MM}...");
        PatrolPlan plan;
        try
        {
            plan = await client.ProposePatrolAreasAsync(Request(settings, areaName, method, start, end), new CallOptions { CancellationToken = cancellationToken });
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition && settings.Data.From is null && settings.Data.To is null && crimes is null)
        {
            // The default window (months before today) says nothing of what the service holds: say which months it does.
            var (first, last) = await MonthsHeldAsync(client, areaName, cancellationToken);
            var window = $"the default window, {start:yyyy-MM} to {end.AddMonths(-1):yyyy-MM} (the {DefaultMonths} months to the last full month)";
            throw new CommandInputException(first is { } a && last is { } b
                ? $"the service holds no incidents for {areaName} in {window}; it holds {a:yyyy-MM} to {b:yyyy-MM}: " +
                  $"give --from/--to within those months, e.g. --from {(b.AddMonths(1 - DefaultMonths) < a ? a : b.AddMonths(1 - DefaultMonths)):yyyy-MM} --to {b:yyyy-MM}"
                : $"the service holds no incidents for {areaName} at all: import crimes first ('targeting import crimes FILE --server {server}')");
        }

        progress.WriteLine($" {plan.Areas.Count} areas");
        return (plan, [$"hotspot service at {server}"]);
    }

    /// <summary>The first and last months of the incidents the service holds for an area (null, null when none).</summary>
    private static async Task<(DateTime? First, DateTime? Last)> MonthsHeldAsync(HotspotClient client, string areaName, CancellationToken cancellationToken)
    {
        long? first = null, last = null;
        var request = new StreamIncidentsRequest { Area = new Common.V1.AreaOfInterest { BoundaryName = areaName } };
        await foreach (var batch in client.StreamIncidentPointsAsync(request, new CallOptions { CancellationToken = cancellationToken }).WithCancellation(cancellationToken))
        {
            foreach (var seconds in batch.OccurredAtSeconds)
            {
                first = first is null || seconds < first ? seconds : first;
                last = last is null || seconds > last ? seconds : last;
            }
        }

        static DateTime? Month(long? seconds) => seconds is { } s ? new DateTime(DateTime.UnixEpoch.AddSeconds(s).Year, DateTime.UnixEpoch.AddSeconds(s).Month, 1, 0, 0, 0, DateTimeKind.Utc) : null;
        return (Month(first), Month(last));
    }

    private static ProposePatrolAreasRequest Request(Settings settings, string areaName, Method method, DateTime start, DateTime end) => new()
    {
        Area = new Common.V1.AreaOfInterest { BoundaryName = areaName },
        DataWindow = new Common.V1.TimeWindow
        {
            Start = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(start),
            End = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(end),
        },
        BudgetFraction = settings.Budget,
        MaxAreas = settings.MaxAreas,
        Method = method,
        Note = settings.Note ?? "targeting brief",
    };

    /// <summary>The marking, owner and review date as given (checked), and the clock.</summary>
    private static BriefingHandling Handling(Settings settings)
    {
        if (string.IsNullOrWhiteSpace(settings.Marking) || settings.Marking.Length > 100)
        {
            throw new CommandInputException("--marking: must be 1 to 100 characters, e.g. OFFICIAL-SENSITIVE");
        }

        DateTime? review = null;
        if (settings.Review is { } text)
        {
            review = DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date)
                ? date
                : throw new CommandInputException($"--review: '{text}' is not a date YYYY-MM-DD");
        }

        return new BriefingHandling(settings.Marking.Trim(), settings.Owner?.Trim() ?? string.Empty, review, DateTime.UtcNow);
    }

    /// <summary>
    /// Prints the briefing to PDF with headless Chromium: its own header and footer come from the page's CSS
    /// margin boxes (<c>@page</c>), so Chromium's (date, file URL) are turned off.
    /// </summary>
    private static async Task<string> PrintPdfAsync(string htmlPath, TextWriter progress, CancellationToken cancellationToken)
    {
        if (!File.Exists(Chromium))
        {
            throw new IOException($"--pdf needs Chromium at {Chromium} (apt-get install chromium; scripts/install-deps.sh installs it)");
        }

        var pdfPath = Path.Combine(Path.GetDirectoryName(htmlPath)!, PdfFile);
        var profile = Directory.CreateTempSubdirectory("targeting-chromium-");
        try
        {
            var start = new ProcessStartInfo(Chromium)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                ArgumentList =
                {
                    "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions",
                    $"--user-data-dir={profile.FullName}", "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
                    $"--print-to-pdf={pdfPath}", new Uri(htmlPath).AbsoluteUri,
                },
            };
            progress.Write($"printing {PdfFile} with {Chromium}...");
            using var chromium = Process.Start(start) ?? throw new IOException($"could not start {Chromium}");
            var stderr = chromium.StandardError.ReadToEndAsync(cancellationToken);
            _ = chromium.StandardOutput.ReadToEndAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(2));
            try
            {
                await chromium.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                chromium.Kill(entireProcessTree: true);
                throw new IOException($"{Chromium} did not finish printing {PdfFile} within 2 minutes");
            }

            if (chromium.ExitCode != 0 || !File.Exists(pdfPath))
            {
                throw new IOException($"{Chromium} failed to print {PdfFile} (exit {chromium.ExitCode}): {(await stderr).Trim()}");
            }

            progress.WriteLine(" done");
            return pdfPath;
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }

    /// <summary>Writes the three files; returns their full paths.</summary>
    private static async Task<IReadOnlyList<string>> WriteAsync(string directory, PatrolPlan plan, BoundaryCatalog catalog, IReadOnlyList<string> sources,
        BriefingHandling handling, TextWriter progress, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateDirectory(directory).FullName;
        progress.WriteLine($"writing {folder}{Path.DirectorySeparatorChar}");
        var shapes = plan.Areas.Select(a => catalog.Projection.Project(GeometryMapping.ToNts(a.Geometry))).ToList();
        var areaOfInterest = catalog.All.Find(plan.AreaName)?.Geometry ?? ExtentOf(shapes, catalog);
        var wards = catalog.Wards.Overlapping(areaOfInterest).Select(w => new MapShape(w.Name, w.Geometry)).ToList();
        var html = BriefingRenderer.RenderHtml(new BriefingDocument(plan, areaOfInterest, wards, shapes, sources, handling));

        var paths = new[] { Path.Combine(folder, HtmlFile), Path.Combine(folder, GeoJsonFile), Path.Combine(folder, PlanFile) };
        var utf8 = new UTF8Encoding(false);
        await File.WriteAllTextAsync(paths[0], html, utf8, cancellationToken);
        await File.WriteAllTextAsync(paths[1], PatrolAreasGeoJson(plan), utf8, cancellationToken);
        var json = new JsonFormatter(JsonFormatter.Settings.Default.WithIndentation()).Format(plan);
        await File.WriteAllTextAsync(paths[2], json + "\n", utf8, cancellationToken);
        return paths;
    }

    /// <summary>
    /// The plan's areas as an RFC 7946 FeatureCollection: WGS84 longitude/latitude, exterior rings
    /// anticlockwise, a Polygon where the area is one piece and a MultiPolygon where a river splits
    /// it; the figures as flat properties (strings for lists) so that every GIS tool reads them.
    /// </summary>
    internal static string PatrolAreasGeoJson(PatrolPlan plan)
    {
        var features = plan.Areas.Select(area =>
        {
            var shape = Simplest(GeometryMapping.ToNts(area.Geometry));
            var properties = new Dictionary<string, object?>
            {
                ["area_id"] = area.AreaId,
                ["rank"] = area.Rank,
                ["name"] = area.Name,
                ["streets"] = string.Join("; ", area.Streets),
                ["plan_id"] = plan.PlanId,
                ["area_name"] = plan.AreaName,
                ["valid_from"] = plan.ValidWindow?.Start?.ToDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["valid_to"] = plan.ValidWindow?.End?.ToDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["method"] = HotspotData.ShortName(plan.Provenance?.Method ?? Method.Unspecified),
                ["expected_share"] = area.ExpectedShare,
                ["historical_count"] = area.HistoricalCount,
                ["harm_score"] = area.HarmScore,
                ["gi_z"] = area.GiZ,
                ["fdr_q"] = area.FdrQ,
                ["compactness"] = area.Compactness,
                ["area_m2"] = area.AreaM2,
                ["wards"] = string.Join("; ", area.Wards),
                ["peak_hours"] = string.Join(", ", area.PeakHours),
                ["counts_by_type"] = string.Join("; ", area.CountsByType.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)
                    .Select(c => $"{c.Key} {c.Value.ToString(CultureInfo.InvariantCulture)}")),
                ["centroid_lat"] = area.Centroid?.Latitude,
                ["centroid_lon"] = area.Centroid?.Longitude,
            };
            return new GeoJsonFeature(shape, properties, area.AreaId);
        });
        return GeoJson.WriteFeatureCollection(features, coordinateDecimals: 7, new Dictionary<string, object?> { ["name"] = $"patrol areas {plan.PlanId}" });
    }

    /// <summary>One polygon as a Polygon, several as a MultiPolygon (GeoJson writes the rings with RFC 7946 §3.1.6's winding).</summary>
    private static Geometry Simplest(NetTopologySuite.Geometries.MultiPolygon shape) =>
        shape.NumGeometries == 1 ? shape.GetGeometryN(0) : shape;

    /// <summary>For a plan whose area is not in the local boundary files: a frame around its patrol areas.</summary>
    private static Geometry ExtentOf(IReadOnlyList<Geometry> shapes, BoundaryCatalog catalog)
    {
        var envelope = new Envelope();
        foreach (var shape in shapes)
        {
            envelope.ExpandToInclude(shape.EnvelopeInternal);
        }

        if (envelope.IsNull)
        {
            envelope = new Envelope(0, 1, 0, 1);
        }

        envelope.ExpandBy(Math.Max(200, Math.Max(envelope.Width, envelope.Height) * 0.2));
        return catalog.Projection.Factory.ToGeometry(envelope);
    }
}
