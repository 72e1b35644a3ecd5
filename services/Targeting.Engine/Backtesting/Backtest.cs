using NetTopologySuite.Geometries;
using Targeting.Engine.Geography;
using Targeting.Engine.Hotspots;

namespace Targeting.Engine.Backtesting;

/// <summary>A point estimate with its 95% confidence interval.</summary>
/// <param name="Value">The estimate.</param>
/// <param name="Lower">The interval's lower bound (2.5th bootstrap percentile).</param>
/// <param name="Upper">The interval's upper bound (97.5th percentile).</param>
public sealed record IntervalEstimate(double Value, double Lower, double Upper);

/// <summary>What to backtest.</summary>
public sealed record BacktestOptions
{
    /// <summary>The area of interest in the projected CRS.</summary>
    public required Geometry AreaOfInterest { get; init; }

    /// <summary>The incidents (projected); those outside the window or area are ignored.</summary>
    public required IReadOnlyList<Incident> Incidents { get; init; }

    /// <summary>The first month (its first instant, UTC).</summary>
    public required DateTime Start { get; init; }

    /// <summary>The end of the last month (exclusive, UTC); the window must hold at least two months.</summary>
    public required DateTime End { get; init; }

    /// <summary>The methods to compare (default all six, the learned model included).</summary>
    public IReadOnlyList<HotspotMethod> Methods { get; init; } = Enum.GetValues<HotspotMethod>();

    /// <summary>Coverage fractions of the area of interest (default 0.5%, 1%, 2%, 5%).</summary>
    public IReadOnlyList<double> Coverages { get; init; } = [0.005, 0.01, 0.02, 0.05];

    /// <summary>Method parameters (one set for every method).</summary>
    public MethodParameters Parameters { get; init; } = MethodParameters.Default;

    /// <summary>Harm weights and the feedback-loop guard, for fitting and for scoring.</summary>
    public TargetingOptions Targeting { get; init; } = TargetingOptions.Default;

    /// <summary>Bootstrap resamples for the confidence intervals (default 1000; 0 skips them).</summary>
    public int BootstrapSamples { get; init; } = 1000;

    /// <summary>The bootstrap's seed (default 1), so reports are reproducible.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>
    /// Grid origin shifts for the robustness check, in cells (default: half a cell east, half north, and both).
    /// </summary>
    public IReadOnlyList<(double X, double Y)> OriginShiftsInCells { get; init; } = [(0.5, 0), (0, 0.5), (0.5, 0.5)];

    /// <summary>
    /// A grid already made for the area with the parameters' cell size and origin offset (services cache
    /// them per boundary); when null it is made here. The shifted grids are always made here.
    /// </summary>
    public AnalysisGrid? Grid { get; init; }

    /// <summary>
    /// The learned method's feature rows for the main grid, to share with a later fit on the same inputs
    /// (an <c>auto</c> plan's); when null the backtest keeps its own. The shifted grids always keep their own.
    /// </summary>
    public LearnedFeatureCache? LearnedFeatures { get; init; }

    /// <summary>Problems as (proto field name, message) pairs; empty when valid.</summary>
    public IReadOnlyList<(string Field, string Message)> Validate()
    {
        var problems = new List<(string, string)>();
        if (Grid is { } grid && (grid.CellSize != Parameters.CellSizeM || grid.OriginOffsetX != Parameters.OriginOffsetXM || grid.OriginOffsetY != Parameters.OriginOffsetYM))
        {
            problems.Add(("grid", "the cached grid's cell size or origin offset differs from the parameters"));
        }

        if (AreaOfInterest is not (Polygon or MultiPolygon) || AreaOfInterest.IsEmpty)
        {
            problems.Add(("area", "must be a non-empty polygon or multipolygon"));
        }

        if (Start != MonthStart(Start))
        {
            problems.Add(("window.start", "must be the first instant of a month (UTC)"));
        }

        if (End < MonthStart(Start).AddMonths(2))
        {
            problems.Add(("window.end", "the window must hold at least two months"));
        }

        if (Methods.Count == 0 || Methods.Any(m => !Enum.IsDefined(m)))
        {
            problems.Add(("methods", "must name known methods"));
        }

        if (Coverages.Count == 0 || Coverages.Any(c => !(c > 0 && c <= 1)))
        {
            problems.Add(("coverages", "each coverage must be in (0, 1]"));
        }

        if (BootstrapSamples is < 0 or > 100_000)
        {
            problems.Add(("bootstrap_samples", "must be between 0 and 100000"));
        }

        problems.AddRange(Parameters.Validate());
        problems.AddRange(Targeting.Validate());
        return problems;
    }

    internal static DateTime MonthStart(DateTime t) => new(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Utc);
}

/// <summary>One method at one coverage, over all folds.</summary>
public sealed record BacktestRow
{
    /// <summary>The method.</summary>
    public required HotspotMethod Method { get; init; }

    /// <summary>The coverage asked for (fraction of the area of interest).</summary>
    public required double Coverage { get; init; }

    /// <summary>The coverage the chosen cells actually had, mean over folds (at most <see cref="Coverage"/>).</summary>
    public required double ActualCoverage { get; init; }

    /// <summary>Share of the scored months' harm inside the chosen cells, with bootstrap 95% CI.</summary>
    public required IntervalEstimate HitRate { get; init; }

    /// <summary>Predictive accuracy index: hit rate / actual coverage (Chainey, Tompson and Uhlig 2008).</summary>
    public required IntervalEstimate Pai { get; init; }

    /// <summary>Predictive efficiency index: captured harm / the most harm any cells of that coverage held (Hunt 2016).</summary>
    public required IntervalEstimate Pei { get; init; }

    /// <summary>Scored incidents inside the chosen cells (all folds).</summary>
    public required long CapturedIncidents { get; init; }

    /// <summary>Scored incidents in all folds.</summary>
    public required long ScoredIncidents { get; init; }

    /// <summary>The hit rate counting incidents rather than harm.</summary>
    public double CountHitRate => ScoredIncidents > 0 ? (double)CapturedIncidents / ScoredIncidents : 0;

    /// <summary>Hit rate on grids with shifted origins: mean over the shifts.</summary>
    public required double ShiftedHitRateMean { get; init; }

    /// <summary>Lowest hit rate over the shifts.</summary>
    public required double ShiftedHitRateMin { get; init; }

    /// <summary>Highest hit rate over the shifts.</summary>
    public required double ShiftedHitRateMax { get; init; }
}

/// <summary>The backtest's result.</summary>
public sealed record BacktestReport
{
    /// <summary>Months scored (each after fitting on all the months before it).</summary>
    public required int Folds { get; init; }

    /// <summary>Scored incidents over all folds.</summary>
    public required long ScoredIncidents { get; init; }

    /// <summary>Their harm over all folds.</summary>
    public required double ScoredHarm { get; init; }

    /// <summary>One row per method and coverage, in the order asked.</summary>
    public required IReadOnlyList<BacktestRow> Rows { get; init; }

    /// <summary>The parameters used (defaults resolved for the first method).</summary>
    public required MethodParameters Parameters { get; init; }

    /// <summary>What the last fold was trained on.</summary>
    public required TrainingSummary LastFoldSummary { get; init; }
}

/// <summary>
/// Rolling-origin backtest of the hotspot methods by month: for each month from the second, fit each
/// method on all the months before it, choose the best cells up to each coverage, and score the
/// month's incidents that fall in them.
/// </summary>
/// <remarks>
/// <para>
/// Scored incidents are those that would drive targeting and are independent of policing: reported
/// incidents with a positive harm weight (discovered ones are never scored, whatever the training
/// policy, because where police find things measures where they looked). Hits are harm-weighted:
/// the hit rate is the share of the month's harm inside the chosen cells, pooled over folds; the
/// count-based hit rate is reported alongside.
/// </para>
/// <para>
/// Cells are taken in each method's rank order (<see cref="HotspotSurface.RankCells"/>) while their
/// in-area size keeps within coverage × area; PAI = hit rate / that actual coverage (Chainey, Tompson
/// and Uhlig 2008, "The utility of hotspot mapping for predicting spatial patterns of crime");
/// PEI = captured harm / the harm of the best cells chosen by the same rule from the month's actual
/// harm (Hunt 2016; Drawve 2016). 95% intervals are percentile bootstraps: the scored incidents of each
/// month are resampled with replacement (stratified by month, seeded), with every set of chosen cells
/// held fixed — each method's and the month's best — and hit rate, PAI and PEI recomputed. (Re-choosing
/// the best cells in every resample would bias PEI down: resampling noise makes the best cells of a
/// resample look better than the month's.) Robustness: the
/// whole backtest is repeated, without bootstrap, on grids whose origin is shifted (default half a
/// cell east, north, and both), and the hit rate's mean and range over the shifts reported.
/// </para>
/// <para>Thread safety: stateless. Deterministic for a seed.</para>
/// </remarks>
public static class Backtest
{
    /// <summary>Runs the backtest.</summary>
    /// <exception cref="ArgumentException">The options are invalid (the message lists every problem).</exception>
    public static BacktestReport Run(BacktestOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems.Select(p => $"{p.Field}: {p.Message}")), nameof(options));
        }

        var parameters = options.Parameters;
        var months = Months(options.Start, options.End);
        var grid = options.Grid ?? AnalysisGrid.Create(options.AreaOfInterest, parameters.CellSizeM, parameters.OriginOffsetXM, parameters.OriginOffsetYM);
        var main = Evaluate(grid, options, months, options.LearnedFeatures ?? new LearnedFeatureCache(), cancellationToken);

        var shifted = new List<Evaluation>();
        foreach (var (sx, sy) in options.OriginShiftsInCells)
        {
            var shiftedGrid = AnalysisGrid.Create(options.AreaOfInterest, parameters.CellSizeM,
                parameters.OriginOffsetXM + (sx * parameters.CellSizeM), parameters.OriginOffsetYM + (sy * parameters.CellSizeM));
            shifted.Add(Evaluate(shiftedGrid, options, months, new LearnedFeatureCache(), cancellationToken));
        }

        var intervals = Bootstrap(main, options, cancellationToken);
        var rows = new List<BacktestRow>();
        for (var m = 0; m < options.Methods.Count; m++)
        {
            for (var c = 0; c < options.Coverages.Count; c++)
            {
                var shiftedRates = shifted.Select(s => s.HitRate(m, c)).ToArray();
                rows.Add(new BacktestRow
                {
                    Method = options.Methods[m],
                    Coverage = options.Coverages[c],
                    ActualCoverage = main.MeanCoverage(m, c),
                    HitRate = new IntervalEstimate(main.HitRate(m, c), intervals.HitRate[m, c].Lower, intervals.HitRate[m, c].Upper),
                    Pai = new IntervalEstimate(main.Pai(m, c), intervals.Pai[m, c].Lower, intervals.Pai[m, c].Upper),
                    Pei = new IntervalEstimate(main.Pei(m, c), intervals.Pei[m, c].Lower, intervals.Pei[m, c].Upper),
                    CapturedIncidents = main.CapturedCount(m, c),
                    ScoredIncidents = main.ScoredCount,
                    ShiftedHitRateMean = shiftedRates.Length > 0 ? shiftedRates.Average() : double.NaN,
                    ShiftedHitRateMin = shiftedRates.Length > 0 ? shiftedRates.Min() : double.NaN,
                    ShiftedHitRateMax = shiftedRates.Length > 0 ? shiftedRates.Max() : double.NaN,
                });
            }
        }

        return new BacktestReport
        {
            Folds = months.Count - 1,
            ScoredIncidents = main.ScoredCount,
            ScoredHarm = main.ScoredHarm,
            Rows = rows,
            Parameters = parameters.Resolved(options.Methods[0]),
            LastFoldSummary = main.LastSummary!,
        };
    }

    private static List<DateTime> Months(DateTime start, DateTime end)
    {
        var months = new List<DateTime>();
        for (var m = BacktestOptions.MonthStart(start); m < end; m = m.AddMonths(1))
        {
            months.Add(m);
        }

        return months;
    }

    // One feature cache per grid: every fold's window starts at months[0], so a month's learned features are computed once.
    private static Evaluation Evaluate(AnalysisGrid grid, BacktestOptions options, List<DateTime> months, LearnedFeatureCache learnedFeatures,
        CancellationToken cancellationToken)
    {
        var incidents = options.Incidents;
        var cellOf = new int[incidents.Count];
        for (var i = 0; i < incidents.Count; i++)
        {
            cellOf[i] = grid.Locate(incidents[i].X, incidents[i].Y);
        }

        var harm = options.Targeting.HarmWeights;
        int methods = options.Methods.Count, coverages = options.Coverages.Count;
        var evaluation = new Evaluation(grid);
        for (var k = 1; k < months.Count; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var monthStart = months[k];
            var monthEnd = monthStart.AddMonths(1) < options.End ? monthStart.AddMonths(1) : options.End;
            var training = TrainingSet.BuildLocated(grid, incidents, months[0], monthStart, options.Targeting, cellOf);
            evaluation.LastSummary = training.Summary;

            // The month's scored incidents: reported, positive harm, in the area.
            var scoredCells = new List<int>();
            var scoredWeights = new List<double>();
            for (var i = 0; i < incidents.Count; i++)
            {
                var incident = incidents[i];
                if (cellOf[i] < 0 || incident.OccurredAt < monthStart || incident.OccurredAt >= monthEnd || incident.Provenance != Provenance.Reported)
                {
                    continue;
                }

                var weight = harm.WeightOf(incident.CrimeType);
                if (weight > 0)
                {
                    scoredCells.Add(cellOf[i]);
                    scoredWeights.Add(weight);
                }
            }

            var fold = new Fold([.. scoredCells], [.. scoredWeights], methods, coverages);
            var actual = new double[grid.CellCount];
            for (var j = 0; j < fold.Cells.Length; j++)
            {
                actual[fold.Cells[j]] += fold.Weights[j];
            }

            var bestOrder = RankByValue(actual);
            var bestPosition = new int[grid.CellCount];
            for (var r = 0; r < bestOrder.Length; r++)
            {
                bestPosition[bestOrder[r]] = r;
            }

            for (var c = 0; c < coverages; c++)
            {
                var (cut, harmHeld, _) = Capture(grid, bestOrder, actual, options.Coverages[c]);
                fold.BestCut[c] = cut;
                fold.BestHarm[c] = harmHeld;
            }

            fold.BestPosition = Array.ConvertAll(fold.Cells, cell => bestPosition[cell]);

            for (var m = 0; m < methods; m++)
            {
                var order = HotspotSurfaces.Compute(training, options.Methods[m], options.Parameters, learnedFeatures).RankCells();
                var position = new int[grid.CellCount];
                for (var r = 0; r < order.Length; r++)
                {
                    position[order[r]] = r;
                }

                for (var c = 0; c < coverages; c++)
                {
                    var (cut, _, area) = Capture(grid, order, actual, options.Coverages[c]);
                    fold.Cut[m, c] = cut;
                    fold.Area[m, c] = area;
                }

                fold.Position[m] = Array.ConvertAll(fold.Cells, cell => position[cell]);
            }

            evaluation.Folds.Add(fold);
        }

        return evaluation;
    }

    /// <summary>Takes cells in order while their total size stays within coverage × area: how many, the harm they hold, their size.</summary>
    private static (int Count, double Harm, double Area) Capture(AnalysisGrid grid, int[] order, double[] value, double coverage)
    {
        var budget = coverage * grid.AreaOfInterestM2 * (1 + 1e-12);
        var area = 0.0;
        var harm = 0.0;
        var count = 0;
        foreach (var cell in order)
        {
            var next = area + grid.CellAreaM2(cell);
            if (next > budget)
            {
                break;
            }

            area = next;
            harm += value[cell];
            count++;
        }

        return (count, harm, area);
    }

    private static int[] RankByValue(double[] value) => Ranking.Descending(value);

    private static (IntervalEstimate[,] HitRate, IntervalEstimate[,] Pai, IntervalEstimate[,] Pei) Bootstrap(Evaluation evaluation,
        BacktestOptions options, CancellationToken cancellationToken)
    {
        int methods = options.Methods.Count, coverages = options.Coverages.Count, samples = options.BootstrapSamples;
        var hit = new double[methods, coverages, samples];
        var pai = new double[methods, coverages, samples];
        var pei = new double[methods, coverages, samples];
        var random = new Random(unchecked((int)(options.Seed ^ (options.Seed >> 32))));
        var captured = new double[methods, coverages];
        var best = new double[coverages];
        for (var b = 0; b < samples; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Array.Clear(captured);
            Array.Clear(best);
            double total = 0;
            foreach (var fold in evaluation.Folds)
            {
                var n = fold.Cells.Length;
                for (var draw = 0; draw < n; draw++)
                {
                    var j = random.Next(n);
                    var w = fold.Weights[j];
                    total += w;
                    for (var c = 0; c < coverages; c++)
                    {
                        if (fold.BestPosition[j] < fold.BestCut[c])
                        {
                            best[c] += w;
                        }

                        for (var m = 0; m < methods; m++)
                        {
                            if (fold.Position[m][j] < fold.Cut[m, c])
                            {
                                captured[m, c] += w;
                            }
                        }
                    }
                }
            }

            for (var m = 0; m < methods; m++)
            {
                for (var c = 0; c < coverages; c++)
                {
                    var rate = total > 0 ? captured[m, c] / total : 0;
                    hit[m, c, b] = rate;
                    var coverage = evaluation.MeanCoverage(m, c);
                    pai[m, c, b] = coverage > 0 ? rate / coverage : 0;
                    pei[m, c, b] = best[c] > 0 ? captured[m, c] / best[c] : 0;
                }
            }
        }

        return (Percentiles(hit), Percentiles(pai), Percentiles(pei));
    }

    private static IntervalEstimate[,] Percentiles(double[,,] samples)
    {
        int methods = samples.GetLength(0), coverages = samples.GetLength(1), n = samples.GetLength(2);
        var result = new IntervalEstimate[methods, coverages];
        var buffer = new double[n];
        for (var m = 0; m < methods; m++)
        {
            for (var c = 0; c < coverages; c++)
            {
                if (n == 0)
                {
                    result[m, c] = new IntervalEstimate(double.NaN, double.NaN, double.NaN);
                    continue;
                }

                for (var b = 0; b < n; b++)
                {
                    buffer[b] = samples[m, c, b];
                }

                Array.Sort(buffer);
                result[m, c] = new IntervalEstimate(double.NaN, Quantile(buffer, 0.025), Quantile(buffer, 0.975));
            }
        }

        return result;
    }

    // Linear interpolation between order statistics (numpy's default percentile method).
    private static double Quantile(double[] sorted, double q)
    {
        var h = (sorted.Length - 1) * q;
        var lower = (int)Math.Floor(h);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((h - lower) * (sorted[upper] - sorted[lower]));
    }

    /// <summary>One scored month: its incidents' cells and weights, and each method's choice of cells.</summary>
    private sealed class Fold(int[] cells, double[] weights, int methods, int coverages)
    {
        public int[] Cells { get; } = cells;

        public double[] Weights { get; } = weights;

        public double TotalHarm { get; } = weights.Sum();

        /// <summary>Per method and coverage: how many of the method's ranked cells were chosen.</summary>
        public int[,] Cut { get; } = new int[methods, coverages];

        /// <summary>Per method and coverage: the chosen cells' size, m².</summary>
        public double[,] Area { get; } = new double[methods, coverages];

        /// <summary>Per coverage: the most harm any cells of that coverage held this month.</summary>
        public double[] BestHarm { get; } = new double[coverages];

        /// <summary>Per coverage: how many of the month's best cells make up that coverage.</summary>
        public int[] BestCut { get; } = new int[coverages];

        /// <summary>Per scored incident: the rank of its cell among the month's best cells.</summary>
        public int[] BestPosition { get; set; } = [];

        /// <summary>Per method, per scored incident: the rank of its cell in the method's order.</summary>
        public int[][] Position { get; } = new int[methods][];

        public double Captured(int m, int c)
        {
            var sum = 0.0;
            var positions = Position[m];
            for (var j = 0; j < positions.Length; j++)
            {
                if (positions[j] < Cut[m, c])
                {
                    sum += Weights[j];
                }
            }

            return sum;
        }

        public long CapturedCount(int m, int c) => Position[m].Count(p => p < Cut[m, c]);
    }

    private sealed class Evaluation(AnalysisGrid grid)
    {
        public AnalysisGrid Grid { get; } = grid;

        public List<Fold> Folds { get; } = [];

        public TrainingSummary? LastSummary { get; set; }

        public long ScoredCount => Folds.Sum(f => (long)f.Cells.Length);

        public double ScoredHarm => Folds.Sum(f => f.TotalHarm);

        public long CapturedCount(int m, int c) => Folds.Sum(f => f.CapturedCount(m, c));

        public double HitRate(int m, int c)
        {
            var total = ScoredHarm;
            return total > 0 ? Folds.Sum(f => f.Captured(m, c)) / total : 0;
        }

        public double MeanCoverage(int m, int c) => Folds.Count > 0 ? Folds.Average(f => f.Area[m, c]) / Grid.AreaOfInterestM2 : 0;

        public double Pai(int m, int c)
        {
            var coverage = MeanCoverage(m, c);
            return coverage > 0 ? HitRate(m, c) / coverage : 0;
        }

        public double Pei(int m, int c)
        {
            var best = Folds.Sum(f => f.BestHarm[c]);
            return best > 0 ? Folds.Sum(f => f.Captured(m, c)) / best : 0;
        }
    }
}
