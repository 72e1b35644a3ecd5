using System.Globalization;
using Targeting.Engine.Geography;

namespace Targeting.Engine.Hotspots;

/// <summary>
/// The learned model fitted once per training window over a region (a force's boroughs together) and
/// shared by every area inside it: an area's learned surface is the region's prediction at each of its
/// cells. Given to the fits through <see cref="LearnedFeatureCache.Region"/>.
/// </summary>
/// <remarks>
/// <para>
/// Why: the model's rows are per grid cell (<see cref="LearnedFeatures"/>), so one fit on the region's
/// cells predicts every borough's cells. A force plan of 33 boroughs, each with an <c>auto</c> backtest of
/// eight learned fits, then needs eight fits rather than 264 (bench/hotspot/results-2026-12-04-force.md).
/// The region's fit also sees across borough edges: a cell's neighbour rings and the prospective and KDE
/// features include incidents just over the boundary, which a borough's own fit cannot see.
/// </para>
/// <para>
/// An area uses the region's fit only when its grid lies on the region's lattice (same cell size and
/// origin offset) and every one of its cells is a region cell, and its training set has the region's
/// targeting options and learned parameters; and only when the region's fit did not fall back (a window
/// too short to learn from). Otherwise the area fits its own model, exactly as without a region. The
/// region's rows are capped at <see cref="LearnedModelOptions.MaxTrainingRows"/> as for any fit.
/// </para>
/// <para>
/// Deterministic: each window is fitted once, by whichever caller asks first, on the region's own
/// incidents in their given order, so the order areas are proposed in changes nothing. Thread safety:
/// safe to share between threads. Memory: the region's feature rows are kept per month
/// (4 bytes × cells × 63 features: about 40 MB a month for all London) for as long as the region lives.
/// </para>
/// </remarks>
public sealed class LearnedRegion
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(DateTime Start, DateTime End), Lazy<HotspotSurface>> _fits = [];
    private readonly LearnedFeatureCache _features = new();
    private readonly MethodParameters _resolved;

    /// <summary>A region to fit on.</summary>
    /// <param name="grid">The region's grid (the union of its areas, on their lattice).</param>
    /// <param name="incidents">Its incidents (projected, any window; the order is kept: give the same order for the same fits).</param>
    /// <param name="name">The region in words, for the model's note ("the 33 boroughs of the Metropolitan Police Service").</param>
    /// <param name="parameters">Method parameters, as for the areas (default <see cref="MethodParameters.Default"/>).</param>
    /// <param name="targeting">Harm weights and the feedback-loop guard, as for the areas (default <see cref="TargetingOptions.Default"/>).</param>
    public LearnedRegion(AnalysisGrid grid, IReadOnlyList<Incident> incidents, string name, MethodParameters? parameters = null, TargetingOptions? targeting = null)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(incidents);
        Grid = grid;
        Incidents = incidents;
        Name = name ?? string.Empty;
        Parameters = parameters ?? MethodParameters.Default;
        Targeting = targeting ?? TargetingOptions.Default;
        _resolved = Parameters.Resolved(HotspotMethod.Learned);
    }

    /// <summary>The region's grid.</summary>
    public AnalysisGrid Grid { get; }

    /// <summary>The region's incidents.</summary>
    public IReadOnlyList<Incident> Incidents { get; }

    /// <summary>The region in words.</summary>
    public string Name { get; }

    /// <summary>The method parameters the region's fits use.</summary>
    public MethodParameters Parameters { get; }

    /// <summary>The targeting options the region's fits use.</summary>
    public TargetingOptions Targeting { get; }

    /// <summary>Training windows fitted (or being fitted) so far.</summary>
    public int Fits
    {
        get
        {
            lock (_lock)
            {
                return _fits.Count;
            }
        }
    }

    /// <summary>
    /// Fits these training windows now, several at once (each on one thread, as every fit is), so that the
    /// areas find them ready instead of waiting on one another for the same window.
    /// </summary>
    /// <param name="windows">Training windows (start inclusive, end exclusive, UTC).</param>
    /// <param name="parallel">How many at once (default: one per core).</param>
    public void Prepare(IEnumerable<(DateTime Start, DateTime End)> windows, ParallelOptions? parallel = null)
    {
        ArgumentNullException.ThrowIfNull(windows);
        Parallel.ForEach(windows.Distinct().ToList(), parallel ?? new ParallelOptions(), w => _ = Fit(w.Start, w.End));
    }

    /// <summary>The region's learned surface for a training window (fitted on first use).</summary>
    public HotspotSurface Fit(DateTime start, DateTime end)
    {
        Lazy<HotspotSurface> fit;
        lock (_lock)
        {
            if (!_fits.TryGetValue((start, end), out fit!))
            {
                fit = new Lazy<HotspotSurface>(() => LearnedHotspots.Compute(TrainingSet.Build(Grid, Incidents, start, end, Targeting), Parameters, _features),
                    LazyThreadSafetyMode.ExecutionAndPublication);
                _fits[(start, end)] = fit;
            }
        }

        return fit.Value;
    }

    /// <summary>An area's learned surface from the region's fit on its window; null when the area may not use it (it then fits its own).</summary>
    internal HotspotSurface? SurfaceFor(TrainingSet training, MethodParameters resolved)
    {
        var grid = training.Grid;
        if (!Equals(resolved, _resolved) || !Equals(training.Options, Targeting) || grid.CellSize != Grid.CellSize ||
            grid.OriginOffsetX != Grid.OriginOffsetX || grid.OriginOffsetY != Grid.OriginOffsetY)
        {
            return null;
        }

        // Both grids' origins are multiples of the cell size plus the same offset, so they differ by whole cells.
        var columnShift = (int)Math.Round((grid.OriginX - Grid.OriginX) / grid.CellSize);
        var rowShift = (int)Math.Round((grid.OriginY - Grid.OriginY) / grid.CellSize);
        var regionCell = new int[grid.CellCount];
        for (var c = 0; c < regionCell.Length; c++)
        {
            regionCell[c] = Grid.CellAt(grid.Column(c) + columnShift, grid.Row(c) + rowShift);
            if (regionCell[c] < 0)
            {
                return null;
            }
        }

        var region = Fit(training.WindowStart, training.WindowEnd);
        if (region.Model is not { FellBackTo: null } model)
        {
            return null;
        }

        var score = Array.ConvertAll(regionCell, r => region.Score[r]);
        var scored = score.Count(s => s > 0);
        var info = model with
        {
            Note = string.Create(CultureInfo.InvariantCulture,
                $"one model for {Name}: {model.Note}; this area's {grid.CellCount:N0} cells take its predictions ({scored:N0} above 0)"),
        };
        return new HotspotSurface(HotspotMethod.Learned, resolved, training, score, (double[])score.Clone(), model: info);
    }
}
