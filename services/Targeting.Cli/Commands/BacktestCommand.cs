using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Targeting.Hotspot.Planning;
using Targeting.Hotspot.V1;

namespace Targeting.Cli.Commands;

/// <summary>
/// <c>targeting backtest</c>: how well each hotspot method would have done. Rolling origin by
/// month (fit on the months before, score the next), hit rate and PAI with bootstrap 95%
/// intervals at each coverage, PEI, and the hit rate's range when the grid origin shifts.
/// </summary>
internal static class BacktestCommand
{
    public static Command Create()
    {
        var data = new HotspotDataOptions();
        var methods = new Option<string[]>("--methods")
        {
            Description = $"Methods to compare, comma-separated or repeated: naive, kde, prospective, getis-ord, dbscan, learned (default: all six; auto is a choice among them, not a method to compare).",
            AllowMultipleArgumentsPerToken = true,
        };
        var coverages = new Option<string[]>("--coverage")
        {
            Description = "Coverages as fractions of the area, comma-separated or repeated, each in (0, 1] (default 0.005,0.01,0.02,0.05).",
            AllowMultipleArgumentsPerToken = true,
        };
        var bootstrap = new Option<int>("--bootstrap")
        {
            Description = $"Bootstrap resamples for the 95% intervals, 1 to {BacktestRunner.MaxBootstrapSamples}.",
            DefaultValueFactory = _ => BacktestRunner.DefaultBootstrapSamples,
            CustomParser = result => NumberParsing.Parse<int>(result, "1000"),
        };
        var seed = new Option<long>("--seed")
        {
            Description = "The bootstrap's seed, for reproducible intervals.",
            DefaultValueFactory = _ => 1,
            CustomParser = result => NumberParsing.Parse<long>(result, "1"),
        };
        var command = new Command("backtest",
            "Backtest the hotspot methods on crime data: each month from the second is forecast from the months before it; prints a table of " +
            "methods by coverage with hit rate and PAI (95% bootstrap CIs), PEI and the grid-origin robustness range. " +
            "With no options: the shipped sample, Lambeth, every month of the data.");
        data.AddTo(command);
        command.Options.Add(methods);
        command.Options.Add(coverages);
        command.Options.Add(bootstrap);
        command.Options.Add(seed);
        command.SetAction((parse, cancellationToken) => RunAsync(
            new Settings(data.Read(parse), parse.GetValue(methods) ?? [], parse.GetValue(coverages) ?? [], parse.GetValue(bootstrap), parse.GetValue(seed)),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    internal sealed record Settings(DataSettings Data, IReadOnlyList<string> Methods, IReadOnlyList<string> Coverages, int BootstrapSamples, long Seed);

    internal static async Task<int> RunAsync(Settings settings, TextWriter output, TextWriter errorWriter, CancellationToken cancellationToken)
    {
        var error = ProgressWriter.Wrap(errorWriter);
        try
        {
            if (settings.BootstrapSamples < 1)
            {
                throw new CommandInputException($"--bootstrap: must be between 1 and {BacktestRunner.MaxBootstrapSamples}");
            }

            var catalog = HotspotData.LoadBoundaries(settings.Data.Boundaries, error);
            var areaName = HotspotData.AreaFor(catalog, settings.Data);
            var request = new BacktestRequest
            {
                Area = new Common.V1.AreaOfInterest { BoundaryName = areaName },
                BootstrapSamples = settings.BootstrapSamples,
                Seed = settings.Seed,
            };
            request.Methods.AddRange(Split(settings.Methods).Select(m => HotspotData.ParseMethod(m, "--methods")));
            request.Coverages.AddRange(Split(settings.Coverages).Select(ParseCoverage));

            BacktestReport report;
            var clock = Stopwatch.StartNew();
            if (settings.Data.Server is { } server)
            {
                await ServerOption.WaitUntilServingAsync(server, error, cancellationToken);
                var client = HotspotData.Client(server, settings.Data.Token);
                LoadedCrimes? crimes = null;
                if (settings.Data.Crimes.Count > 0)
                {
                    crimes = await HotspotData.ReadCrimesAsync(HotspotData.CrimeFiles(settings.Data.Crimes), catalog.Projection, error, cancellationToken);
                    await HotspotData.ImportToServerAsync(client, crimes, error, cancellationToken);
                }

                request.Window = Window(settings.Data, crimes);
                error.Write($"asking {server} to backtest {areaName}...");
                report = await client.RunBacktestAsync(request, new CallOptions { CancellationToken = cancellationToken });
            }
            else
            {
                var crimes = await HotspotData.LoadCrimesAsync(settings.Data, catalog.Projection, error, cancellationToken);
                request.Window = Window(settings.Data, crimes);
                var plan = BacktestRunner.Validate(request, catalog);
                error.Write(string.Create(CultureInfo.InvariantCulture,
                    $"backtesting {plan.Methods.Count} method(s) on {areaName}, {plan.Start:yyyy-MM} to {plan.End.AddMonths(-1):yyyy-MM}, {plan.BootstrapSamples:N0} bootstrap resamples..."));
                report = BacktestRunner.Run(plan, crimes.Incidents, catalog, DateTime.UtcNow, cancellationToken);
            }

            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $" done in {clock.Elapsed.TotalSeconds:0.0} s"));
            Print(report, settings.BootstrapSamples, output);
            return 0;
        }
        catch (CommandInputException e)
        {
            error.EndLine();
            error.WriteLine($"targeting backtest: {e.Message}");
            return 2;
        }
        catch (RpcException e)
        {
            error.EndLine();
            error.WriteLine($"targeting backtest: {HotspotData.Describe(e)}");
            return e.StatusCode is StatusCode.InvalidArgument or StatusCode.NotFound ? 2 : 1;
        }
        catch (IOException e)
        {
            error.EndLine();
            error.WriteLine($"targeting backtest: {e.Message}");
            return 1;
        }
    }

    /// <summary>The table: one line per method and coverage.</summary>
    internal static void Print(BacktestReport report, int bootstrapSamples, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c,
            $"Backtest of {report.AreaName}, {Hotspot.Briefing.BriefingRenderer.Window(report.Window)}: {report.Folds} months scored, each after fitting on the months before it; " +
            $"{report.ScoredIncidents:N0} reported incidents scored, weighted by harm."));
        output.WriteLine(string.Create(c, $"Hit rate: share of the scored harm inside the chosen cells. PAI = hit rate / coverage. PEI = hit rate / best possible. " +
            $"95% intervals: percentile bootstrap, {bootstrapSamples:N0} resamples. Shifted: hit rate with the grid moved half a cell (min-max)."));
        output.WriteLine();
        var header = new[] { "method", "coverage", "hit rate (95% CI)", "PAI (95% CI)", "PEI (95% CI)", "shifted hit rate" };
        var rows = report.Rows.Select(r => new[]
        {
            HotspotData.ShortName(r.Method),
            Percent(r.Coverage),
            $"{Percent(r.HitRate.Value)} ({Percent(r.HitRate.Lower)}-{Percent(r.HitRate.Upper)})",
            string.Create(c, $"{r.Pai.Value:0.0} ({r.Pai.Lower:0.0}-{r.Pai.Upper:0.0})"),
            string.Create(c, $"{r.Pei.Value:0.00} ({r.Pei.Lower:0.00}-{r.Pei.Upper:0.00})"),
            $"{Percent(r.ShiftedHitRateMin)}-{Percent(r.ShiftedHitRateMax)}",
        }).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        output.WriteLine(Line(header, widths));
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        Method? previous = null;
        for (var i = 0; i < rows.Count; i++)
        {
            if (previous is not null && report.Rows[i].Method != previous)
            {
                output.WriteLine();
            }

            output.WriteLine(Line(rows[i], widths));
            previous = report.Rows[i].Method;
        }
    }

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((cell, i) => i is 0 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]))).TrimEnd();

    private static string Percent(double fraction) =>
        double.IsFinite(fraction) ? (fraction * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "n/a";

    private static IEnumerable<string> Split(IEnumerable<string> values) =>
        values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static double ParseCoverage(string text)
    {
        var percent = text.EndsWith('%');
        if (double.TryParse(percent ? text[..^1] : text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            value = percent ? value / 100 : value;
            if (value > 0 && value <= 1)
            {
                return value;
            }
        }

        throw new CommandInputException($"--coverage '{text}': expected a fraction of the area in (0, 1], e.g. 0.01 (or 1%)");
    }

    /// <summary>--from/--to, else every month of the data (a backtest wants as many folds as there are).</summary>
    private static Common.V1.TimeWindow Window(DataSettings data, LoadedCrimes? crimes)
    {
        var months = crimes?.FirstMonth is { } first && crimes.LastMonth is { } last
            ? ((last.Year - first.Year) * 12) + last.Month - first.Month + 1
            : 12;
        var (start, end) = HotspotData.Window(data, crimes?.FirstMonth, crimes?.LastMonth, months, DateTime.UtcNow);
        return new Common.V1.TimeWindow
        {
            Start = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(start),
            End = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(end),
        };
    }
}
