using System.Globalization;
using Targeting.Engine.Backtesting;
using Targeting.Engine.Geography;

namespace Targeting.Engine.Hotspots;

/// <summary>What <see cref="MethodSelection.Choose"/> chooses among, and on what data.</summary>
public sealed record MethodSelectionRequest
{
    /// <summary>The candidates every <c>auto</c> plan compares: naive counts, prospective hotspotting and the learned model.</summary>
    public static IReadOnlyList<HotspotMethod> DefaultCandidates { get; } = [HotspotMethod.NaiveCounts, HotspotMethod.Prospective, HotspotMethod.Learned];

    /// <summary>The plan's grid (its area is the backtest's area).</summary>
    public required AnalysisGrid Grid { get; init; }

    /// <summary>The incidents (projected, any window).</summary>
    public required IReadOnlyList<Incident> Incidents { get; init; }

    /// <summary>The plan's data window start (inclusive, UTC).</summary>
    public required DateTime DataStart { get; init; }

    /// <summary>The plan's data window end (exclusive, UTC).</summary>
    public required DateTime DataEnd { get; init; }

    /// <summary>The plan's coverage (its budget fraction): the hit rate compared is the one at this coverage.</summary>
    public required double Coverage { get; init; }

    /// <summary>The candidates (naive counts is always added: it is the baseline).</summary>
    public IReadOnlyList<HotspotMethod> Candidates { get; init; } = DefaultCandidates;

    /// <summary>Method parameters, as for the plan.</summary>
    public MethodParameters Parameters { get; init; } = MethodParameters.Default;

    /// <summary>Harm weights and the feedback-loop guard, as for the plan.</summary>
    public TargetingOptions Targeting { get; init; } = TargetingOptions.Default;

    /// <summary>Bootstrap replicates for the candidates' intervals (default 200: provenance only, the choice uses the point estimates).</summary>
    public int BootstrapSamples { get; init; } = 200;

    /// <summary>The bootstrap's seed (default 1).</summary>
    public long Seed { get; init; } = 1;

    /// <summary>
    /// Where the backtest keeps the learned method's feature rows, so that the plan's own fit
    /// (<see cref="PatrolPlanRequest.LearnedFeatures"/>) reuses the months it shares; null: the backtest's own.
    /// </summary>
    public LearnedFeatureCache? LearnedFeatures { get; init; }
}

/// <summary>One candidate's score in the choice's backtest.</summary>
/// <param name="Method">The method.</param>
/// <param name="HitRate">Its harm-weighted hit rate at the plan's coverage, with a bootstrap 95% interval.</param>
public sealed record CandidateScore(HotspotMethod Method, IntervalEstimate HitRate);

/// <summary>The method an <c>auto</c> plan uses and why.</summary>
/// <param name="Chosen">The method used.</param>
/// <param name="Candidates">Every candidate's score, in candidate order (empty when no backtest was possible).</param>
/// <param name="Reason">Why, in words, with the figures.</param>
/// <param name="BacktestStart">The backtest's first month (UTC).</param>
/// <param name="BacktestEnd">Its end (exclusive, UTC): the plan's data window end.</param>
/// <param name="Folds">Months scored.</param>
/// <param name="Coverage">The coverage compared at.</param>
public sealed record MethodChoice(HotspotMethod Chosen, IReadOnlyList<CandidateScore> Candidates, string Reason,
    DateTime BacktestStart, DateTime BacktestEnd, int Folds, double Coverage);

/// <summary>
/// <c>auto</c>: chooses a plan's method by the rolling-origin backtest (<see cref="Backtest"/>) of the
/// candidates on the plan's own area and data window, at the plan's coverage.
/// </summary>
/// <remarks>
/// <para>
/// Rule: the candidate with the highest harm-weighted hit rate at the plan's coverage, pooled over the
/// folds, is chosen — but only if it is strictly above naive counts'; otherwise naive counts are used.
/// So a method that does not beat the baseline in that backtest is never chosen over it (ties go to
/// naive counts, then to the earlier candidate). The choice uses point estimates; the bootstrap
/// intervals are reported so a reader can see when the margin is within the noise.
/// </para>
/// <para>
/// The backtest runs from the first whole month of the data window to its end; each month from the
/// second is scored after fitting every candidate on the months before it, so no candidate is ever
/// scored on a month it was fitted on. No grid shifts (they test robustness, not the choice). With
/// fewer than two whole months there is nothing to backtest, and naive counts are used.
/// Deterministic: seeded bootstrap, deterministic candidates. Thread safety: stateless.
/// </para>
/// </remarks>
public static class MethodSelection
{
    /// <summary>Runs the backtest of the candidates and chooses.</summary>
    public static MethodChoice Choose(MethodSelectionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var candidates = new List<HotspotMethod> { HotspotMethod.NaiveCounts };
        candidates.AddRange(request.Candidates.Where(m => m != HotspotMethod.NaiveCounts).Distinct());
        var start = FirstWholeMonth(request.DataStart);
        if (start.AddMonths(2) > request.DataEnd)
        {
            return new MethodChoice(HotspotMethod.NaiveCounts, [],
                string.Create(CultureInfo.InvariantCulture,
                    $"naive counts: the data window ({request.DataStart:yyyy-MM-dd} to {request.DataEnd:yyyy-MM-dd}) holds fewer than two whole months, so no method could be backtested against them"),
                start, request.DataEnd, 0, request.Coverage);
        }

        var report = Backtest.Run(new BacktestOptions
        {
            AreaOfInterest = request.Grid.AreaOfInterest,
            Grid = request.Grid,
            Incidents = request.Incidents,
            Start = start,
            End = request.DataEnd,
            Methods = candidates,
            Coverages = [request.Coverage],
            Parameters = request.Parameters,
            Targeting = request.Targeting,
            BootstrapSamples = request.BootstrapSamples,
            Seed = request.Seed,
            OriginShiftsInCells = [],
            LearnedFeatures = request.LearnedFeatures,
        }, cancellationToken);
        var scores = report.Rows.Select(r => new CandidateScore(r.Method, r.HitRate)).ToList();
        var (chosen, reason) = Decide(scores, request.Coverage, report.Folds);
        return new MethodChoice(chosen, scores, reason, start, request.DataEnd, report.Folds, request.Coverage);
    }

    /// <summary>
    /// The training windows <see cref="Choose"/> fits every candidate on for a data window, in fold order
    /// (start inclusive, end exclusive, UTC): from the first whole month to the start of each scored month.
    /// Empty when there is nothing to backtest. A shared learned fit (<see cref="LearnedRegion.Prepare"/>) can be made for these beforehand.
    /// </summary>
    public static IReadOnlyList<(DateTime Start, DateTime End)> TrainingWindows(DateTime dataStart, DateTime dataEnd)
    {
        var start = FirstWholeMonth(dataStart);
        var windows = new List<(DateTime, DateTime)>();
        if (start.AddMonths(2) > dataEnd)
        {
            return windows;
        }

        for (var month = start.AddMonths(1); month < dataEnd; month = month.AddMonths(1))
        {
            windows.Add((start, month));
        }

        return windows;
    }

    /// <summary>
    /// The rule on given scores: the best hit rate if strictly above naive counts', else naive counts.
    /// </summary>
    /// <exception cref="ArgumentException">Naive counts are not among the scores.</exception>
    public static (HotspotMethod Chosen, string Reason) Decide(IReadOnlyList<CandidateScore> scores, double coverage, int folds)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var naive = scores.FirstOrDefault(s => s.Method == HotspotMethod.NaiveCounts)
            ?? throw new ArgumentException("naive counts must be a candidate: they are the baseline", nameof(scores));
        var best = naive;
        foreach (var score in scores)
        {
            if (score.HitRate.Value > best.HitRate.Value)
            {
                best = score;
            }
        }

        var table = string.Join("; ", scores.Select(s => $"{Name(s.Method)} {Rate(s.HitRate)}"));
        var at = string.Create(CultureInfo.InvariantCulture, $"hit rate at {coverage * 100:0.##}% over {folds} monthly folds");
        if (best == naive)
        {
            return (HotspotMethod.NaiveCounts, $"naive counts: no candidate beat them ({at}: {table})");
        }

        var disjoint = best.HitRate.Lower > naive.HitRate.Upper;
        return (best.Method, $"{Name(best.Method)}: the best {at}, above naive counts " +
            (disjoint ? "with disjoint 95% intervals" : "but within their 95% intervals") + $" ({table})");
    }

    /// <summary>A method's name in the reasons.</summary>
    public static string Name(HotspotMethod method) => method switch
    {
        HotspotMethod.NaiveCounts => "naive counts",
        HotspotMethod.Kde => "KDE",
        HotspotMethod.Prospective => "prospective",
        HotspotMethod.GetisOrd => "Gi*",
        HotspotMethod.Dbscan => "DBSCAN",
        HotspotMethod.Learned => "learned",
        _ => method.ToString(),
    };

    private static string Rate(IntervalEstimate rate) => double.IsNaN(rate.Lower)
        ? rate.Value.ToString("0.0000", CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{rate.Value:0.0000} [{rate.Lower:0.0000}, {rate.Upper:0.0000}]");

    private static DateTime FirstWholeMonth(DateTime t)
    {
        var month = new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        return month < t ? month.AddMonths(1) : month;
    }
}
