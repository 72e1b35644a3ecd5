using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;

namespace Targeting.Engine.Hotspots;

/// <summary>
/// The learned model's parameters (LightGBM gradient-boosted regression trees through Microsoft.ML),
/// with their documented defaults.
/// </summary>
/// <remarks>
/// The defaults are small on purpose: a borough has a few thousand active cells, so a few tens of
/// thousands of rows, and the model is refitted inside every backtest fold (and so inside every
/// <c>auto</c> proposal). 100 trees of at most 15 leaves with learning rate 0.1 and at least 20 rows a
/// leaf; one thread, a fixed seed and LightGBM's deterministic mode, so the same data give the same
/// trees (LightGBM's multi-threaded histogram sums can differ in the last bit from run to run).
/// </remarks>
public sealed record LearnedModelOptions
{
    /// <summary>The defaults.</summary>
    public static LearnedModelOptions Default { get; } = new();

    /// <summary>Boosting rounds (trees), default 100.</summary>
    public int Trees { get; init; } = 50;

    /// <summary>Leaves per tree at most, default 15.</summary>
    public int Leaves { get; init; } = 15;

    /// <summary>Rows per leaf at least, default 20.</summary>
    public int MinRowsPerLeaf { get; init; } = 20;

    /// <summary>Shrinkage per tree, default 0.1.</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>Histogram bins per feature at most, default 63 (LightGBM's 255 costs more and the features are mostly small counts).</summary>
    public int Bins { get; init; } = 63;

    /// <summary>Target months trained on at most, the latest first (default 6): older months add rows, not much signal.</summary>
    public int TrainingMonths { get; init; } = 3;

    /// <summary>
    /// Most training rows (default 50,000): above it a seeded uniform sample of the rows is trained on, so
    /// that a city-wide fit (all London: ≈ 400,000 rows) costs about what a large borough's does.
    /// </summary>
    public int MaxTrainingRows { get; init; } = 50_000;

    /// <summary>Fewest training rows to fit on (default 200); below it the method falls back to prospective hotspotting.</summary>
    public int MinTrainingRows { get; init; } = 200;

    /// <summary>The seed for Microsoft.ML and LightGBM (default 1).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The parameters as one canonical text (every value, invariant culture), the input of <see cref="Hash"/>.</summary>
    public string Canonical => string.Create(CultureInfo.InvariantCulture,
        $"trainer=LightGbmRegression(Microsoft.ML 6.0.0);objective=l2;trees={Trees};leaves={Leaves};min_rows_per_leaf={MinRowsPerLeaf};" +
        $"learning_rate={LearningRate:R};bins={Bins};training_months={TrainingMonths};max_training_rows={MaxTrainingRows};min_training_rows={MinTrainingRows};seed={Seed};threads=1;deterministic=true;" +
        $"features={string.Join(',', LearnedFeatures.Names)}");

    /// <summary>SHA-256 of <see cref="Canonical"/>, first 16 hex digits: names the model's configuration in provenance.</summary>
    public string Hash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical)))[..16];

    /// <summary>Problems as (field, message) pairs; empty when valid.</summary>
    public IReadOnlyList<(string Field, string Message)> Validate()
    {
        var problems = new List<(string, string)>();
        if (Trees is < 1 or > 5000)
        {
            problems.Add(("parameters.learned.trees", "must be between 1 and 5000"));
        }

        if (Leaves is < 2 or > 1024)
        {
            problems.Add(("parameters.learned.leaves", "must be between 2 and 1024"));
        }

        if (MinRowsPerLeaf is < 1 or > 100_000)
        {
            problems.Add(("parameters.learned.min_rows_per_leaf", "must be between 1 and 100000"));
        }

        if (!(LearningRate > 0 && LearningRate <= 1))
        {
            problems.Add(("parameters.learned.learning_rate", "must be in (0, 1]"));
        }

        if (Bins is < 2 or > 1024)
        {
            problems.Add(("parameters.learned.bins", "must be between 2 and 1024"));
        }

        if (TrainingMonths is < 1 or > 120)
        {
            problems.Add(("parameters.learned.training_months", "must be between 1 and 120"));
        }

        if (MaxTrainingRows < 1)
        {
            problems.Add(("parameters.learned.max_training_rows", "must be at least 1"));
        }

        if (MinTrainingRows < 1)
        {
            problems.Add(("parameters.learned.min_training_rows", "must be at least 1"));
        }

        return problems;
    }
}

/// <summary>What a learned surface was fitted on, for the plan's provenance.</summary>
/// <param name="TrainingStart">The first feature month's start (UTC): no incident before it was used.</param>
/// <param name="TrainingEnd">The last target month's end (UTC, exclusive): the model saw nothing after it.</param>
/// <param name="TargetMonths">Target months trained on (0 when it fell back).</param>
/// <param name="TrainingRows">Rows (active cell × target month) trained on.</param>
/// <param name="ParametersHash">The hash of the parameters and feature list (<see cref="LearnedModelOptions.Hash"/>).</param>
/// <param name="Parameters">The parameters as text (<see cref="LearnedModelOptions.Canonical"/>).</param>
/// <param name="FellBackTo">Null when the model was fitted; else the method used instead.</param>
/// <param name="Note">Why it fell back, or what it was trained on, in words.</param>
public sealed record LearnedModelInfo(DateTime TrainingStart, DateTime TrainingEnd, int TargetMonths, long TrainingRows,
    string ParametersHash, string Parameters, HotspotMethod? FellBackTo, string Note);

/// <summary>
/// The learned method: a gradient-boosted regression (LightGBM through Microsoft.ML 6.0.0) of next
/// month's harm per grid cell on features of the cell's and its neighbours' past
/// (<see cref="LearnedFeatures"/>), fitted on the training window only.
/// </summary>
/// <remarks>
/// <para>
/// Fit: rows are (active cell, target month) for the latest <see cref="LearnedModelOptions.TrainingMonths"/>
/// whole months of the window that have at least one earlier month; a row's features come from the
/// months before its target month, its label is that month's harm of reported incidents. Score: the
/// same features as of the window's end, the model's prediction for the month after it (clamped at 0)
/// is both score and intensity. Cells with no incident in their 5 × 5 neighbourhood in the window are
/// neither trained on nor scored (they score 0, as under naive counts). The idea is HunchLab's
/// (Azavea 2015, gradient-boosted models over many place and time features); the model here has
/// only what police.uk street crime gives.
/// </para>
/// <para>
/// Fallback: with fewer than two whole months, fewer than <see cref="LearnedModelOptions.MinTrainingRows"/>
/// rows, or no harm in any target month, there is nothing to learn from, and the surface is
/// prospective hotspotting's (the default method), stated in <see cref="HotspotSurface.Model"/>.
/// </para>
/// <para>
/// Deterministic: MLContext(seed), LightGBM seed, one thread, deterministic mode; rows in cell order.
/// Thread safety: stateless (each call makes its own MLContext). Cost: features O(months² · cells),
/// training O(trees · rows · features); see bench/hotspot.
/// </para>
/// </remarks>
public static class LearnedHotspots
{
    /// <summary>Fits the model on the training set's window and scores the month after it.</summary>
    /// <param name="training">The training set (its window is the model's).</param>
    /// <param name="parameters">Method parameters (default <see cref="MethodParameters.Default"/>).</param>
    /// <param name="cache">
    /// Feature rows shared with other fits on the same inputs (a backtest's folds); null computes every row here.
    /// With a <see cref="LearnedFeatureCache.Region"/>, the region's fit on the same window is used where it may be.
    /// </param>
    public static HotspotSurface Compute(TrainingSet training, MethodParameters? parameters = null, LearnedFeatureCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(training);
        var resolved = (parameters ?? MethodParameters.Default).Resolved(HotspotMethod.Learned);
        if (cache?.Region?.SurfaceFor(training, resolved) is { } shared)
        {
            return shared;
        }

        var options = resolved.Learned;
        var monthly = LearnedFeatures.MonthlyCells.From(training);
        var targetMonths = Math.Min(options.TrainingMonths, monthly.Months - 1);
        if (targetMonths < 1)
        {
            return Fallback(training, resolved, monthly, $"fewer than two whole months in the window ({monthly.Months}): nothing to learn next month's harm from");
        }

        var useMonthOfYear = targetMonths >= 12;
        Incident[]? subset = null;
        (float[] Features, bool[] Active) Rows(int asOf)
        {
            (float[], bool[]) Fresh() => LearnedFeatures.Compute(monthly, asOf, resolved, useMonthOfYear, subset ??= LearnedFeatures.Subset(training), training.InAreaCell);
            return cache?.GetOrAdd(training, resolved, monthly.MonthStart(asOf), useMonthOfYear, Fresh) ?? Fresh();
        }

        var count = LearnedFeatures.Count;
        var features = new List<float>();
        var labels = new List<float>();
        double labelTotal = 0;
        var perMonth = new (float[] Rows, bool[] Active)[targetMonths];
        long candidates = 0;
        for (var t = 0; t < targetMonths; t++)
        {
            perMonth[t] = Rows(t);
            candidates += perMonth[t].Active.Count(a => a);
        }

        // Above the cap, each row is kept with probability cap / rows, drawn in row order from a seeded generator.
        var keep = candidates > options.MaxTrainingRows ? (double)options.MaxTrainingRows / candidates : 1.0;
        var sampler = new Random(options.Seed);
        for (var t = 0; t < targetMonths; t++)
        {
            var (rows, active) = perMonth[t];
            var target = monthly.Target[t];
            for (var c = 0; c < active.Length; c++)
            {
                if (!active[c] || (keep < 1 && sampler.NextDouble() >= keep))
                {
                    continue;
                }

                features.AddRange(new ReadOnlySpan<float>(rows, c * count, count));
                labels.Add((float)target[c]);
                labelTotal += target[c];
            }
        }

        if (labels.Count < options.MinTrainingRows || labelTotal <= 0)
        {
            return Fallback(training, resolved, monthly,
                string.Create(CultureInfo.InvariantCulture, $"{labels.Count} training rows with {labelTotal:0.#} harm: below the {options.MinTrainingRows} rows a fit needs"));
        }

        var ml = new MLContext(options.Seed);
        var trainer = ml.Regression.Trainers.LightGbm(new LightGbmRegressionTrainer.Options
        {
            LabelColumnName = nameof(Row.Label),
            FeatureColumnName = nameof(Row.Features),
            NumberOfIterations = options.Trees,
            NumberOfLeaves = options.Leaves,
            MinimumExampleCountPerLeaf = options.MinRowsPerLeaf,
            LearningRate = options.LearningRate,
            MaximumBinCountPerFeature = options.Bins,
            NumberOfThreads = 1,
            Seed = options.Seed,
            Deterministic = true,
            Silent = true,
            Verbose = false,
        });
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, count);
        var model = trainer.Fit(ml.Data.LoadFromEnumerable(TrainingRows(features, labels, count), schema));

        var (current, currentActive) = Rows(-1);
        var cells = training.Grid.CellCount;
        var activeCells = Enumerable.Range(0, cells).Where(c => currentActive[c]).ToArray();
        var scoringRows = activeCells.Select(c => new Row { Label = 0, Features = current.AsSpan(c * count, count).ToArray() });
        var predictions = model.Transform(ml.Data.LoadFromEnumerable(scoringRows, schema)).GetColumn<float>("Score").ToArray();
        var score = new double[cells];
        for (var i = 0; i < activeCells.Length; i++)
        {
            score[activeCells[i]] = Math.Max(0, predictions[i]);
        }

        // Month 0, the latest target, ends at the window's end.
        var info = new LearnedModelInfo(monthly.MonthStart(monthly.Months - 1), training.WindowEnd, targetMonths, labels.Count, options.Hash, options.Canonical, null,
            string.Create(CultureInfo.InvariantCulture,
                $"LightGBM regression fitted on {labels.Count:N0} rows{(keep < 1 ? $" (a seeded sample of {candidates:N0})" : string.Empty)} (active cells × {targetMonths} target months {monthly.MonthStart(targetMonths - 1):yyyy-MM} to {monthly.MonthStart(0):yyyy-MM}), features from {monthly.MonthStart(monthly.Months - 1):yyyy-MM} on; scored {activeCells.Length:N0} active cells"));
        return new HotspotSurface(HotspotMethod.Learned, resolved, training, score, (double[])score.Clone(), model: info);
    }

    private static HotspotSurface Fallback(TrainingSet training, MethodParameters resolved, LearnedFeatures.MonthlyCells monthly, string why)
    {
        var prospective = ProspectiveHotspots.Compute(training, resolved);
        var start = monthly.Months > 0 ? monthly.MonthStart(monthly.Months - 1) : training.WindowStart;
        var info = new LearnedModelInfo(start, training.WindowEnd, 0, 0, resolved.Learned.Hash, resolved.Learned.Canonical,
            HotspotMethod.Prospective, $"{why}; prospective hotspotting used instead");
        return new HotspotSurface(HotspotMethod.Learned, resolved, training, prospective.Score, prospective.Intensity, model: info);
    }

    private static IEnumerable<Row> TrainingRows(List<float> features, List<float> labels, int count)
    {
        for (var r = 0; r < labels.Count; r++)
        {
            var row = new float[count];
            features.CopyTo(r * count, row, 0, count);
            yield return new Row { Label = labels[r], Features = row };
        }
    }

    /// <summary>One training or scoring row as Microsoft.ML reads it.</summary>
    private sealed class Row
    {
        public float Label { get; set; }

        public float[] Features { get; set; } = [];
    }
}
