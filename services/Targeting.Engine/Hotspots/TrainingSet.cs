using System.Collections.ObjectModel;
using System.Globalization;
using Targeting.Engine.Geography;

namespace Targeting.Engine.Hotspots;

/// <summary>
/// The incidents a method learns from, laid out for speed: those inside a time window and an
/// area's grid whose weight is positive, as parallel arrays (x, y, weight, cell, age), with a
/// summary of what was used and what was left out and why.
/// </summary>
/// <remarks>
/// Built once per proposal or backtest fold; every method reads it. One pass over the incidents,
/// no per-incident allocation beyond the arrays. Thread safety: immutable after
/// <see cref="Build"/>; safe to share. No incidents in the window gives an empty set (methods then
/// return all-zero surfaces).
/// </remarks>
public sealed class TrainingSet
{
    private TrainingSet(AnalysisGrid grid, IReadOnlyList<Incident> incidents, DateTime windowStart, DateTime windowEnd,
        TargetingOptions options, int[] used, double[] weights, int[] cells, int[] inArea, int[] inAreaCells, TrainingSummary summary)
    {
        Grid = grid;
        Incidents = incidents;
        WindowStart = windowStart;
        WindowEnd = windowEnd;
        Options = options;
        Count = used.Length;
        Source = used;
        Weight = weights;
        Cell = cells;
        InArea = inArea;
        InAreaCell = inAreaCells;
        Summary = summary;
        X = new double[Count];
        Y = new double[Count];
        AgeDays = new double[Count];
        HarmPerCell = new double[grid.CellCount];
        CountPerCell = new int[grid.CellCount];
        for (var k = 0; k < Count; k++)
        {
            var incident = incidents[used[k]];
            X[k] = incident.X;
            Y[k] = incident.Y;
            AgeDays[k] = Math.Max(0, (windowEnd - incident.EffectiveTime).TotalDays);
            HarmPerCell[cells[k]] += weights[k];
            CountPerCell[cells[k]]++;
        }
    }

    /// <summary>The grid the incidents were placed on.</summary>
    public AnalysisGrid Grid { get; }

    /// <summary>The incidents given to <see cref="Build"/> (indices in <see cref="Source"/> and <see cref="InArea"/> refer to it).</summary>
    public IReadOnlyList<Incident> Incidents { get; }

    /// <summary>The window's start (inclusive), UTC.</summary>
    public DateTime WindowStart { get; }

    /// <summary>The window's end (exclusive), UTC.</summary>
    public DateTime WindowEnd { get; }

    /// <summary>The options the weights came from.</summary>
    public TargetingOptions Options { get; }

    /// <summary>How many incidents drive the methods (positive weight, in window and area).</summary>
    public int Count { get; }

    /// <summary>Per used incident: its index in <see cref="Incidents"/>.</summary>
    public int[] Source { get; }

    /// <summary>Per used incident: x, metres.</summary>
    public double[] X { get; }

    /// <summary>Per used incident: y, metres.</summary>
    public double[] Y { get; }

    /// <summary>Per used incident: its weight (harm weight, times the discovered down-weight where that applies).</summary>
    public double[] Weight { get; }

    /// <summary>Per used incident: its grid cell.</summary>
    public int[] Cell { get; }

    /// <summary>Per used incident: days from its effective time (mid-month for month-level times) to the window's end, ≥ 0.</summary>
    public double[] AgeDays { get; }

    /// <summary>Every incident in the window and area, used or not (indices in <see cref="Incidents"/>).</summary>
    public int[] InArea { get; }

    /// <summary>The cell of each incident in <see cref="InArea"/>.</summary>
    public int[] InAreaCell { get; }

    /// <summary>Per cell: the sum of the used incidents' weights (the naive harm-weighted count).</summary>
    public double[] HarmPerCell { get; }

    /// <summary>Per cell: how many used incidents it holds.</summary>
    public int[] CountPerCell { get; }

    /// <summary>What was used and what was left out.</summary>
    public TrainingSummary Summary { get; }

    /// <summary>
    /// Selects and weighs the incidents in [<paramref name="windowStart"/>, <paramref name="windowEnd"/>)
    /// that fall in the grid's area.
    /// </summary>
    /// <exception cref="ArgumentException">The window is empty or reversed, or the options are invalid.</exception>
    public static TrainingSet Build(AnalysisGrid grid, IReadOnlyList<Incident> incidents, DateTime windowStart, DateTime windowEnd,
        TargetingOptions? options = null) => BuildLocated(grid, incidents, windowStart, windowEnd, options, cellOfIncident: null);

    /// <summary>As <see cref="Build(AnalysisGrid, IReadOnlyList{Incident}, DateTime, DateTime, TargetingOptions?)"/>, with each
    /// incident's cell already located on this grid (−1 outside), so that backtest folds locate once.</summary>
    internal static TrainingSet BuildLocated(AnalysisGrid grid, IReadOnlyList<Incident> incidents, DateTime windowStart, DateTime windowEnd,
        TargetingOptions? options, int[]? cellOfIncident)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(incidents);
        options ??= TargetingOptions.Default;
        if (windowEnd <= windowStart)
        {
            throw new ArgumentException("the window's end must be after its start", nameof(windowEnd));
        }

        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems.Select(p => $"{p.Field}: {p.Message}")), nameof(options));
        }

        var searchFactor = SearchFactors(grid, options);
        var weightByType = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        var countsByType = new Dictionary<string, long>(StringComparer.Ordinal);
        var usedByType = new Dictionary<string, long>(StringComparer.Ordinal);
        var zeroWeightByType = new Dictionary<string, long>(StringComparer.Ordinal);
        var excludedByType = new Dictionary<string, long>(StringComparer.Ordinal);
        var used = new List<int>();
        var weights = new List<double>();
        var cells = new List<int>();
        var inArea = new List<int>();
        var inAreaCells = new List<int>();
        long outsideWindow = 0, outsideArea = 0, reported = 0, discovered = 0, downWeighted = 0;
        double totalHarm = 0;

        for (var i = 0; i < incidents.Count; i++)
        {
            var incident = incidents[i];
            if (incident.OccurredAt < windowStart || incident.OccurredAt >= windowEnd)
            {
                outsideWindow++;
                continue;
            }

            var cell = cellOfIncident?[i] ?? grid.Locate(incident.X, incident.Y);
            if (cell < 0)
            {
                outsideArea++;
                continue;
            }

            inArea.Add(i);
            inAreaCells.Add(cell);
            Increment(countsByType, incident.CrimeType);
            var isDiscovered = incident.Provenance == Provenance.Discovered;
            if (isDiscovered)
            {
                discovered++;
            }
            else
            {
                reported++;
            }

            if (!weightByType.TryGetValue(incident.CrimeType, out var weight))
            {
                weight = options.HarmWeights.WeightOf(incident.CrimeType);
                weightByType[incident.CrimeType] = weight;
            }

            if (weight <= 0)
            {
                Increment(zeroWeightByType, incident.CrimeType);
                continue;
            }

            if (isDiscovered)
            {
                switch (options.DiscoveredPolicy)
                {
                    case DiscoveredPolicy.Exclude:
                        Increment(excludedByType, incident.CrimeType);
                        continue;
                    case DiscoveredPolicy.DownWeight:
                        weight *= options.DiscoveredWeight * (searchFactor?[cell] ?? 1.0);
                        downWeighted++;
                        if (weight <= 0)
                        {
                            Increment(excludedByType, incident.CrimeType);
                            continue;
                        }

                        break;
                }
            }

            used.Add(i);
            weights.Add(weight);
            cells.Add(cell);
            totalHarm += weight;
            Increment(usedByType, incident.CrimeType);
        }

        var summary = new TrainingSummary
        {
            WindowStart = windowStart,
            WindowEnd = windowEnd,
            IncidentsInArea = inArea.Count,
            CountsByType = Sorted(countsByType),
            ReportedCount = reported,
            DiscoveredCount = discovered,
            UsedCount = used.Count,
            UsedCountsByType = Sorted(usedByType),
            TotalWeight = totalHarm,
            ExcludedDiscoveredByType = Sorted(excludedByType),
            DownWeightedDiscoveredCount = downWeighted,
            ZeroWeightByType = Sorted(zeroWeightByType),
            OutsideAreaCount = outsideArea,
            OutsideWindowCount = outsideWindow,
            DiscoveredPolicy = options.DiscoveredPolicy,
            DiscoveredWeight = options.DiscoveredWeight,
            SearchReweighted = searchFactor is not null,
            HarmWeights = options.HarmWeights.Entries,
        };
        return new TrainingSet(grid, incidents, windowStart, windowEnd, options, [.. used], [.. weights], [.. cells],
            [.. inArea], [.. inAreaCells], summary);
    }

    private static double[]? SearchFactors(AnalysisGrid grid, TargetingOptions options)
    {
        if (options.DiscoveredPolicy != DiscoveredPolicy.DownWeight || options.SearchLocations is not { Count: > 0 } locations)
        {
            return null;
        }

        var searches = grid.CountPoints(locations);
        var mean = searches.Sum() / grid.CellCount;
        var factors = new double[grid.CellCount];
        for (var c = 0; c < factors.Length; c++)
        {
            factors[c] = searches[c] > mean ? mean / searches[c] : 1.0;
        }

        return factors;
    }

    private static void Increment(Dictionary<string, long> counts, string key) =>
        counts[key] = counts.TryGetValue(key, out var n) ? n + 1 : 1;

    private static IReadOnlyDictionary<string, long> Sorted(Dictionary<string, long> counts) =>
        new ReadOnlyDictionary<string, long>(new SortedDictionary<string, long>(counts, StringComparer.Ordinal));
}

/// <summary>
/// What a training set used and left out, so a plan can state what it was trained on
/// (the hotspot service maps this onto <c>PlanProvenance</c>).
/// </summary>
public sealed record TrainingSummary
{
    /// <summary>The window's start (inclusive), UTC.</summary>
    public DateTime WindowStart { get; init; }

    /// <summary>The window's end (exclusive), UTC.</summary>
    public DateTime WindowEnd { get; init; }

    /// <summary>Incidents in the window and area, of every type.</summary>
    public long IncidentsInArea { get; init; }

    /// <summary>Incidents in the window and area by crime type (all of them, used or not).</summary>
    public IReadOnlyDictionary<string, long> CountsByType { get; init; } = new Dictionary<string, long>();

    /// <summary>Of those, how many were reported.</summary>
    public long ReportedCount { get; init; }

    /// <summary>Of those, how many were discovered.</summary>
    public long DiscoveredCount { get; init; }

    /// <summary>Incidents that drove the method (positive weight).</summary>
    public long UsedCount { get; init; }

    /// <summary>Used incidents by crime type.</summary>
    public IReadOnlyDictionary<string, long> UsedCountsByType { get; init; } = new Dictionary<string, long>();

    /// <summary>The sum of the used incidents' weights (harm units: CCHI days with the default weights).</summary>
    public double TotalWeight { get; init; }

    /// <summary>Discovered incidents left out by the feedback-loop guard, by crime type.</summary>
    public IReadOnlyDictionary<string, long> ExcludedDiscoveredByType { get; init; } = new Dictionary<string, long>();

    /// <summary>Discovered incidents that were used, down-weighted.</summary>
    public long DownWeightedDiscoveredCount { get; init; }

    /// <summary>Incidents left out because their type has no (or zero) harm weight, by crime type.</summary>
    public IReadOnlyDictionary<string, long> ZeroWeightByType { get; init; } = new Dictionary<string, long>();

    /// <summary>Incidents in the window but outside the area.</summary>
    public long OutsideAreaCount { get; init; }

    /// <summary>Incidents outside the window.</summary>
    public long OutsideWindowCount { get; init; }

    /// <summary>The discovered-incident policy applied.</summary>
    public DiscoveredPolicy DiscoveredPolicy { get; init; }

    /// <summary>The discovered weight (meaningful under <see cref="DiscoveredPolicy.DownWeight"/>).</summary>
    public double DiscoveredWeight { get; init; }

    /// <summary>Whether discovered incidents were re-weighted by search intensity.</summary>
    public bool SearchReweighted { get; init; }

    /// <summary>The harm weights applied.</summary>
    public IReadOnlyDictionary<string, double> HarmWeights { get; init; } = new Dictionary<string, double>();

    /// <summary>Discovered incidents left out by the guard, all types.</summary>
    public long ExcludedDiscoveredCount => ExcludedDiscoveredByType.Values.Sum();

    /// <summary>
    /// What drove the targeting, in words, e.g. "1,234 reported incidents (Robbery 200, ...); 150
    /// discovered incidents excluded (Possession of weapons 40, Drugs 110); 2,000 incidents of types
    /// with no harm weight left out".
    /// </summary>
    public string TrainedOn
    {
        get
        {
            var parts = new List<string>();
            var usedText = DiscoveredPolicy switch
            {
                DiscoveredPolicy.Exclude => "reported incidents only",
                DiscoveredPolicy.DownWeight => SearchReweighted
                    ? $"reported incidents, and discovered ones down-weighted ×{DiscoveredWeight.ToString("0.##", CultureInfo.InvariantCulture)} and by search intensity"
                    : $"reported incidents, and discovered ones down-weighted ×{DiscoveredWeight.ToString("0.##", CultureInfo.InvariantCulture)}",
                _ => "reported and discovered incidents alike",
            };
            parts.Add($"{usedText}: {Number(UsedCount)} incidents used ({Breakdown(UsedCountsByType)})");
            if (ExcludedDiscoveredCount > 0)
            {
                parts.Add($"{Number(ExcludedDiscoveredCount)} discovered incidents excluded ({Breakdown(ExcludedDiscoveredByType)})");
            }

            var zero = ZeroWeightByType.Values.Sum();
            if (zero > 0)
            {
                parts.Add($"{Number(zero)} incidents of types with no harm weight left out ({Breakdown(ZeroWeightByType)})");
            }

            return string.Join("; ", parts);
        }
    }

    private static string Number(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Breakdown(IReadOnlyDictionary<string, long> counts) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => $"{c.Key} {Number(c.Value)}"));
}
