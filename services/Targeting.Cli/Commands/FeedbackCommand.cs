using System.CommandLine;
using System.Diagnostics;
using Targeting.Common.V1;
using Targeting.Feedback.Analysis;
using Targeting.Feedback.V1;
using Targeting.Grpc;
using Targeting.Hotspot.V1;

namespace Targeting.Cli.Commands;

/// <summary>
/// <c>targeting feedback evaluate|fairness|transparency [--area NAME] [--from YYYY-MM] [--to YYYY-MM]
/// [--plan ID] [--server URL] [--token T] [--out FILE]</c>: the feedback service's reports as
/// tables, or as JSON or CSV by --out's extension. With --server it asks a running service;
/// without, an embedded session on the shipped sample (<see cref="FeedbackSession"/>).
/// </summary>
internal static class FeedbackCommand
{

    // Without --plan, evaluate proposes a plan that learns from these months before the evaluation window.
    private const int ProposalDataMonths = 3;

    /// <summary>The settings every feedback subcommand shares.</summary>
    internal sealed record Settings(
        string? Area, string? From, string? To, string? PlanId, Uri? Server, string? Token, string? OutPath, string DataDirectory, int SuppressionThreshold,
        string? ReportPath = null);

    internal enum Report
    {
        Evaluate,
        Fairness,
        Transparency,
        Roads,
    }

    public static Command Create()
    {
        var command = new Command(
            "feedback",
            "Did the targeting work, and was it fair? Plan evaluation, disproportionality and the outcome test, and the public transparency report. " +
            "With --server it asks a running feedback service; without, it starts the services in this process on the data folder's stores " +
            "(what 'targeting import' wrote there; see --data-dir) or, when it holds nothing, on the shipped sample in data/ " +
            "(stop and search for Lambeth and Barking and Dagenham, Jun 2021 – Sep 2022; their street crime, Jan – Sep 2022).");
        command.Subcommands.Add(Subcommand(Report.Evaluate, "evaluate",
            "Evaluate a patrol plan over a window: share of searches inside its areas, find and arrest rates inside vs outside (Wilson 95% CIs, two-proportion test), " +
            "hit rate, PAI and PEI, and the crime change (difference in differences, weighted displacement quotient). " +
            "Without --plan the embedded session first proposes a plan for --area from the three months before --from."));
        command.Subcommands.Add(Subcommand(Report.Fairness, "fairness",
            "Searches per 1,000 residents by ethnic group and ratio to White (Census 2021; officer- and self-defined), their mismatch, " +
            "and the outcome test by group inside vs outside patrol areas."));
        command.Subcommands.Add(Subcommand(Report.Roads, "roads",
            "The roads-policing pilot: is the vehicle-stop pilot proportionate? The veil-of-darkness test per driver group against White " +
            "(who is stopped after dusk against before sunset at the same clock times; no population benchmark needed), search, find and arrest " +
            "rates after a stop by group with the lowered-bar alert, and stops by ethnicity, sex, age range, borough, hour, day and vehicle."));
        command.Subcommands.Add(Subcommand(Report.Transparency, "transparency",
            "The public transparency report: searches, arrests, finds and searches by ethnicity and object, by borough and month, " +
            "small counts suppressed so that they cannot be recovered from the totals."));
        return command;
    }

    private static Command Subcommand(Report report, string name, string description)
    {
        var area = new Option<string?>("--area")
        {
            Description = report switch
            {
                Report.Transparency => "A borough name or GSS code (E09…). Default: every borough.",
                Report.Roads => "A borough name or GSS code (E09…). Default: every vehicle stop, with a borough fixed effect in the darkness test.",
                Report.Fairness => "A borough name or GSS code (E09…), e.g. Lambeth. Default with --server: the whole force; required for the embedded sample, which holds two boroughs only.",
                _ => "The borough to propose a plan for when no --plan is given (default Lambeth).",
            },
        };
        var from = new Option<string?>("--from")
        {
            Description = report == Report.Evaluate
                ? "First month evaluated, YYYY-MM (London time). Default: the plan's valid window; for a proposed plan 2022-04."
                : "First month, YYYY-MM (London time). Default: from the first record held.",
        };
        var to = new Option<string?>("--to")
        {
            Description = report == Report.Evaluate
                ? "Last month evaluated, YYYY-MM (inclusive). Default: the plan's valid window; for a proposed plan 2022-06."
                : "Last month, YYYY-MM (inclusive). Default: to the last record held.",
        };
        var plan = new Option<string?>("--plan")
        {
            Description = report switch
            {
                Report.Evaluate => "The stored plan to evaluate (see ListPlans). Default: propose one for --area.",
                Report.Fairness => "A plan whose areas are 'inside' for the outcome test. Default: every stored plan active in the window.",
                _ => "Not used by this report.",
            },
        };
        var server = ServerOption.Create(
            $"A running feedback service, e.g. {ServerOption.Example} ('targeting serve'). Default: the embedded services on the data folder (see --data-dir).");
        var token = TokenOption.Create("'targeting token --role analyst' prints a development one");
        var output = new Option<string?>("--out")
        {
            Description = "Also write the report to this file: .json (the proto's JSON form) or .csv (one line per figure; the transparency report in its published layout).",
        };
        var dataDirectory = new Option<string>("--data-dir")
        {
            Description = "Without --server: the folder whose stores the report reads, as 'targeting import' writes them; when it holds no searches " +
                "and no crimes, the shipped sample is used instead (loaded into a temporary folder). " + DataFolderHelp.Default,
            DefaultValueFactory = _ => Targeting.Grpc.DataFolder.Default,
        };
        var threshold = new Option<int>("--threshold")
        {
            Description = "Transparency: counts from 1 to threshold − 1 are suppressed (default and minimum: the service's, 5; it may be raised, not lowered).",
            CustomParser = result => NumberParsing.Parse<int>(result, "10"),
        };
        var pilotReport = new Option<string?>("--report")
        {
            Description = "Also write the pilot report to this file: one printable HTML document (no scripts, nothing fetched) with the veil-of-darkness " +
                "result and its plot (share of minority drivers by clock time, light against dark), the post-stop outcomes, the tables, and what the test " +
                "can and cannot show. The pilot runs six months: e.g. --from 2007-01 --to 2007-06 --report pilot-report.html; print it from a browser, " +
                "or 'chromium --headless --print-to-pdf=report.pdf pilot-report.html'.",
        };
        var command = new Command(name, description) { area, from, to, server, token, output, dataDirectory };
        if (report is Report.Evaluate or Report.Fairness)
        {
            command.Options.Add(plan);
        }
        else if (report == Report.Roads)
        {
            command.Options.Add(pilotReport);
        }
        else if (report == Report.Transparency)
        {
            command.Options.Add(threshold);
        }

        command.SetAction((parse, cancellationToken) => RunAsync(
            report,
            new Settings(
                parse.GetValue(area),
                parse.GetValue(from),
                parse.GetValue(to),
                report is Report.Evaluate or Report.Fairness ? parse.GetValue(plan) : null,
                parse.GetValue(server),
                TokenOption.Value(parse, token),
                parse.GetValue(output),
                parse.GetRequiredValue(dataDirectory),
                report == Report.Transparency ? parse.GetValue(threshold) : 0,
                report == Report.Roads ? parse.GetValue(pilotReport) : null),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    /// <summary>Runs one report; 0 on success, 1 when the service refused or failed, 2 for a usage error.</summary>
    internal static async Task<int> RunAsync(Report report, Settings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var prefix = "targeting feedback " + report.ToString().ToLowerInvariant();
        try
        {
            var window = ParseWindow(settings.From, settings.To);
            var format = OutputFormat(settings.OutPath);
            if (settings.SuppressionThreshold < 0)
            {
                throw new FeedbackCommandException("--threshold must be at least 1", 2);
            }

            if (settings.Server is null && report == Report.Fairness && string.IsNullOrWhiteSpace(settings.Area))
            {
                throw new FeedbackCommandException(
                    "--area is required without --server: the embedded data (the shipped sample holds searches in Lambeth and Barking and Dagenham only) " +
                    "would make force-wide rates over all London residents meaningless (e.g. --area Lambeth)", 2);
            }

            await using var session = settings.Server is { } server
                ? await FeedbackSession.ConnectAsync(server, settings.Token, error, cancellationToken)
                : await FeedbackSession.StartEmbeddedAsync(settings.DataDirectory, error, cancellationToken);
            var clock = Stopwatch.StartNew();
            string? json, csv;
            switch (report)
            {
                case Report.Fairness:
                {
                    var request = new FairnessRequest { Borough = settings.Area?.Trim() ?? "", Window = window };
                    if (!string.IsNullOrWhiteSpace(settings.PlanId))
                    {
                        request.PlanIds.Add(settings.PlanId.Trim());
                    }

                    var result = await session.Feedback.AssessFairnessAsync(request, Call(cancellationToken));
                    FeedbackTables.WriteFairness(result, output);
                    (json, csv) = (FeedbackTables.ToJson(("fairness", result)), FeedbackTables.FairnessCsv(result));
                    break;
                }

                case Report.Roads:
                {
                    var result = await session.Feedback.AssessVehicleStopsAsync(
                        new VehicleStopsRequest { Borough = settings.Area?.Trim() ?? "", Window = window }, Call(cancellationToken));
                    FeedbackTables.WriteRoads(result, output);
                    (json, csv) = (FeedbackTables.ToJson(("vehicle_stops", result)), FeedbackTables.RoadsCsv(result));
                    if (settings.ReportPath is { } reportPath)
                    {
                        await File.WriteAllTextAsync(reportPath, PilotReport.Html(result, DateTimeOffset.UtcNow), cancellationToken);
                        error.WriteLine($"{prefix}: wrote the pilot report {Path.GetFullPath(reportPath)}");
                    }

                    break;
                }

                case Report.Transparency:
                {
                    var request = new TransparencyRequest { Window = window, SuppressionThreshold = settings.SuppressionThreshold };
                    if (!string.IsNullOrWhiteSpace(settings.Area))
                    {
                        request.Boroughs.Add(settings.Area.Trim());
                    }

                    var result = await session.Feedback.GetTransparencyReportAsync(request, Call(cancellationToken));
                    FeedbackTables.WriteTransparency(result, output);
                    (json, csv) = (TransparencyFormats.ToJson(result) + "\n", TransparencyFormats.ToCsv(result));
                    break;
                }

                default:
                {
                    var planId = settings.PlanId?.Trim();
                    if (string.IsNullOrEmpty(planId))
                    {
                        planId = await ProposeAsync(session, settings, error, cancellationToken);
                    }

                    error.WriteLine($"{prefix}: evaluating plan {planId}...");
                    var evaluation = session.Feedback.EvaluatePlanAsync(new EvaluatePlanRequest { PlanId = planId, Window = window }, Call(cancellationToken));
                    var change = session.Feedback.AssessCrimeChangeAsync(new CrimeChangeRequest { PlanId = planId }, Call(cancellationToken));
                    var result = await evaluation;
                    CrimeChangeReport? changed = null;
                    try
                    {
                        changed = await change;
                    }
                    catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
                    {
                        error.WriteLine($"{prefix}: no crime change for this plan: {e.Detail}");
                    }

                    FeedbackTables.WriteEvaluation(result, changed, output);
                    (json, csv) = (FeedbackTables.ToJson(("plan_evaluation", result), ("crime_change", changed)), FeedbackTables.EvaluationCsv(result, changed));
                    break;
                }
            }

            error.WriteLine($"{prefix}: answered by {(session.IsEmbedded ? "the embedded services on " + session.Source : session.Address.ToString())} in {clock.Elapsed.TotalSeconds:0.0} s");
            if (format is not null)
            {
                await File.WriteAllTextAsync(settings.OutPath!, format == "json" ? json : csv, cancellationToken);
                error.WriteLine($"{prefix}: wrote {Path.GetFullPath(settings.OutPath!)}");
            }

            return 0;
        }
        catch (FeedbackCommandException e)
        {
            error.WriteLine($"{prefix}: {e.Message}");
            return e.ExitCode;
        }
        catch (RpcException e)
        {
            error.WriteLine($"{prefix}: {Describe(e, settings)}");
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"{prefix}: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error.WriteLine($"{prefix}: cancelled");
            return 130;
        }
    }

    /// <summary>The window of --from/--to in London months; either end may be open.</summary>
    internal static TimeWindow? ParseWindow(string? from, string? to)
    {
        int? start = null, end = null;
        if (from is not null)
        {
            start = LondonMonths.TryParse(from.Trim(), out var key) ? key : throw new FeedbackCommandException($"--from must be a month as YYYY-MM (e.g. 2022-01), not '{from}'", 2);
        }

        if (to is not null)
        {
            end = LondonMonths.TryParse(to.Trim(), out var key) ? key : throw new FeedbackCommandException($"--to must be a month as YYYY-MM (e.g. 2022-09), not '{to}'", 2);
        }

        if (start is not null && end is not null && end < start)
        {
            throw new FeedbackCommandException($"--to ({to}) is before --from ({from})", 2);
        }

        if (start is null && end is null)
        {
            return null;
        }

        var window = new TimeWindow();
        if (start is { } s)
        {
            window.Start = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(LondonMonths.StartUtc(s));
        }

        if (end is { } e)
        {
            window.End = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(LondonMonths.StartUtc(e + 1));
        }

        return window;
    }

    private static string? OutputFormat(string? path)
    {
        if (path is null)
        {
            return null;
        }

        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".json" => "json",
            ".csv" => "csv",
            _ => throw new FeedbackCommandException($"--out must end in .json or .csv (the format is chosen by the extension), not '{path}'", 2),
        };
    }

    // A plan for --area learning from the months before the evaluation window, valid over it.
    private static async Task<string> ProposeAsync(FeedbackSession session, Settings settings, TextWriter error, CancellationToken cancellationToken)
    {
        LondonMonths.TryParse(settings.From?.Trim() ?? "2022-04", out var from);
        LondonMonths.TryParse(settings.To?.Trim() ?? LondonMonths.Format(from + 2), out var to);
        var area = string.IsNullOrWhiteSpace(settings.Area) ? "Lambeth" : settings.Area.Trim();
        var request = new ProposePatrolAreasRequest
        {
            Area = new AreaOfInterest { BoundaryName = area },
            DataWindow = LondonMonths.Window(from - ProposalDataMonths, from - 1),
            ValidWindow = LondonMonths.Window(from, to),
            Note = "proposed by 'targeting feedback evaluate' to evaluate",
        };
        error.WriteLine($"targeting feedback evaluate: proposing a plan for {area}, learning from {LondonMonths.Format(from - ProposalDataMonths)} to {LondonMonths.Format(from - 1)}, valid {LondonMonths.Format(from)} to {LondonMonths.Format(to)}...");
        try
        {
            var plan = await session.Hotspot.ProposePatrolAreasAsync(request, Call(cancellationToken));
            error.WriteLine($"targeting feedback evaluate: plan {plan.PlanId}: {plan.Areas.Count} patrol area(s), {plan.CoverageFraction * 100:0.00}% of {plan.AreaName}");
            return plan.PlanId;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
        {
            throw new FeedbackCommandException($"the hotspot service cannot propose a plan yet ({e.Detail}): give a stored plan with --plan", 1);
        }
    }

    private static CallOptions Call(CancellationToken cancellationToken) => new() { CancellationToken = cancellationToken };

    private static string Describe(RpcException e, Settings settings)
    {
        var where = settings.Server is null ? "the embedded service" : $"the service at {settings.Server}";
        if (e.GetBadRequest() is { FieldViolations.Count: > 0 } bad)
        {
            return $"{where} refused the request:" + string.Concat(bad.FieldViolations.Select(v => $"\n  {v.Field}: {v.Description}"));
        }

        return e.StatusCode switch
        {
            StatusCode.Unavailable => $"{where} is unavailable: {e.Detail}",
            StatusCode.Unauthenticated => $"{where} wants a valid token: {e.Detail}; {TokenOption.Advice(e.StatusCode, Roles.Analyst)}",
            StatusCode.PermissionDenied => $"{where} refused this token's role: {e.Detail}; {TokenOption.Advice(e.StatusCode, Roles.Analyst)}",
            StatusCode.NotFound => e.Detail,
            StatusCode.DeadlineExceeded => $"{where} did not answer in time: {e.Detail}",
            _ => $"{where} answered {e.StatusCode}: {e.Detail}",
        };
    }
}
