using System.Collections.ObjectModel;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Union;
using NetTopologySuite.Simplify;
using Targeting.Engine.Geography;

namespace Targeting.Engine.Hotspots;

/// <summary>
/// Turns a scored surface into at most N contiguous, compact patrol areas within an area budget,
/// each between a minimum and maximum size, clipped to the area of interest and ranked by the harm
/// they are expected to capture.
/// </summary>
/// <remarks>
/// <para>Algorithm (greedy seeded region growing with a compactness bonus):</para>
/// <list type="number">
/// <item>Capacity C = min(budget fraction × area of interest, N × maximum size). Rank cells by score
/// (<see cref="HotspotSurface.RankCells"/>) and let the threshold τ be the score of the cell at which
/// the cumulative in-area size of the ranked cells reaches C: the cells at or above τ are, on their
/// own, the best C square metres.</item>
/// <item>Seeds are taken in rank order: a free cell with score ≥ τ that does not touch (even at a
/// corner) an area already made, so areas stay apart.</item>
/// <item>An area grows by rook (edge) neighbours only, so it is always one contiguous block of cells.
/// At each step it takes the frontier cell with the largest growth value
/// v = score × (1 + ½ (k − 1)), where k (1–4) is how many of the cell's edges it shares with the area:
/// adding a cell with k shared edges changes the perimeter by 4 − 2k cell sides, so cells filling a
/// notch (k ≥ 2) are preferred and a cell enclosed on three sides is worth twice its score. It stops
/// when the best v falls below τ (once the area has its minimum size), or when the next cell would
/// exceed the maximum size or the budget.</item>
/// <item>An area that cannot reach the minimum size (boundary, budget or neighbours in the way) is
/// dropped and its seed not retried. Areas are made until N exist, the remaining budget is below the
/// minimum size, or no seed is left.</item>
/// <item>Each area's shape is the union of its cells' in-area shapes (partial cells are clipped to the
/// boundary, so a cell cut by the river can make a MultiPolygon); areas are ranked by expected harm
/// captured (the sum of the surface's intensity), best first.</item>
/// </list>
/// <para>
/// The greedy rule is not an optimum of any objective; it is simple, deterministic (ties: score,
/// intensity, cell number) and gives blocky, compact shapes a briefing can print. Polsby-Popper
/// compactness of a square is π/4 ≈ 0.785; the rule typically yields 0.6–0.78.
/// </para>
/// <para>Thread safety: stateless. A surface with no positive score yields no areas.</para>
/// </remarks>
public static class PatrolAreaBuilder
{
    private const int Free = -1;

    /// <summary>Builds the patrol areas of a surface.</summary>
    /// <param name="surface">The scored surface.</param>
    /// <param name="options">Count, budget and size limits (default <see cref="PatrolAreaOptions.Default"/>).</param>
    /// <param name="wards">Wards to name in each area's evidence (optional).</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static IReadOnlyList<PatrolArea> Build(HotspotSurface surface, PatrolAreaOptions? options = null, BoundarySet? wards = null)
    {
        ArgumentNullException.ThrowIfNull(surface);
        options ??= PatrolAreaOptions.Default;
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems.Select(p => $"{p.Field}: {p.Message}")), nameof(options));
        }

        var regions = Grow(surface, options);
        var giStar = surface.GiStar ?? GetisOrdGiStar.Compute(surface.Grid, surface.Training.HarmPerCell,
            surface.Parameters.Neighbourhood, surface.Parameters.FdrQ);
        return Describe(surface, regions, giStar, options, wards);
    }

    /// <summary>The cells of each area, in the order they were made (exposed for tests and the briefing's explanation).</summary>
    public static IReadOnlyList<int[]> Grow(HotspotSurface surface, PatrolAreaOptions options)
    {
        ArgumentNullException.ThrowIfNull(surface);
        ArgumentNullException.ThrowIfNull(options);
        var grid = surface.Grid;
        var score = surface.Score;
        var budget = options.BudgetFraction * grid.AreaOfInterestM2;
        var capacity = Math.Min(budget, options.MaxAreas * options.MaxAreaM2);
        var ranked = surface.RankCells().Where(c => score[c] > 0).ToArray();
        if (ranked.Length == 0)
        {
            return [];
        }

        var threshold = Threshold(grid, score, ranked, capacity);
        var owner = new int[grid.CellCount];
        Array.Fill(owner, Free);
        var regions = new List<int[]>();
        var used = 0.0;
        foreach (var seed in ranked)
        {
            if (regions.Count >= options.MaxAreas || budget - used < options.MinAreaM2 || score[seed] < threshold)
            {
                break;
            }

            if (owner[seed] != Free || TouchesOtherArea(grid, owner, seed, regions.Count))
            {
                continue;
            }

            var cells = GrowFrom(surface, seed, regions.Count, owner, threshold, options, budget - used);
            if (cells is null)
            {
                continue;
            }

            foreach (var cell in cells)
            {
                owner[cell] = regions.Count;
                used += grid.CellAreaM2(cell);
            }

            regions.Add(cells);
        }

        return regions;
    }

    private static double Threshold(AnalysisGrid grid, double[] score, int[] ranked, double capacity)
    {
        var area = 0.0;
        foreach (var cell in ranked)
        {
            area += grid.CellAreaM2(cell);
            if (area >= capacity)
            {
                return score[cell];
            }
        }

        return score[ranked[^1]];
    }

    private static int[]? GrowFrom(HotspotSurface surface, int seed, int region, int[] owner, double threshold,
        PatrolAreaOptions options, double budgetLeft)
    {
        var grid = surface.Grid;
        var score = surface.Score;
        var intensity = surface.Intensity;
        var members = new List<int> { seed };
        var isMember = new HashSet<int> { seed };
        var area = grid.CellAreaM2(seed);
        if (area > options.MaxAreaM2 || area > budgetLeft)
        {
            return null;
        }

        // Frontier cell → number of its edges shared with the area.
        var frontier = new Dictionary<int, int>();
        var refused = new HashSet<int>();
        AddNeighbours(seed);
        while (frontier.Count > 0)
        {
            var best = -1;
            var bestValue = double.NegativeInfinity;
            foreach (var (cell, shared) in frontier)
            {
                var value = score[cell] * (1 + (0.5 * (shared - 1)));
                if (best < 0 || value > bestValue
                    || (value == bestValue && (score[cell] > score[best]
                        || (score[cell] == score[best] && (intensity[cell] > intensity[best]
                            || (intensity[cell] == intensity[best] && cell < best))))))
                {
                    best = cell;
                    bestValue = value;
                }
            }

            var reachedMinimum = area >= options.MinAreaM2;
            if (reachedMinimum && bestValue < threshold)
            {
                break;
            }

            frontier.Remove(best);
            var next = area + grid.CellAreaM2(best);
            if (next > options.MaxAreaM2 || next > budgetLeft)
            {
                // A smaller (partial) frontier cell may still fit; this one never will.
                refused.Add(best);
                continue;
            }

            members.Add(best);
            isMember.Add(best);
            area = next;
            AddNeighbours(best);
        }

        return area >= options.MinAreaM2 ? [.. members] : null;

        void AddNeighbours(int cell)
        {
            var column = grid.Column(cell);
            var row = grid.Row(cell);
            foreach (var (dc, dr) in RookSteps)
            {
                var neighbour = grid.CellAt(column + dc, row + dr);
                if (neighbour < 0 || isMember.Contains(neighbour) || refused.Contains(neighbour) || owner[neighbour] != Free
                    || TouchesOtherArea(grid, owner, neighbour, region))
                {
                    continue;
                }

                frontier[neighbour] = frontier.TryGetValue(neighbour, out var shared) ? shared + 1 : 1;
            }
        }
    }

    private static readonly (int, int)[] RookSteps = [(1, 0), (-1, 0), (0, 1), (0, -1)];

    private static bool TouchesOtherArea(AnalysisGrid grid, int[] owner, int cell, int region)
    {
        var column = grid.Column(cell);
        var row = grid.Row(cell);
        for (var dr = -1; dr <= 1; dr++)
        {
            for (var dc = -1; dc <= 1; dc++)
            {
                var neighbour = grid.CellAt(column + dc, row + dr);
                if (neighbour >= 0 && owner[neighbour] != Free && owner[neighbour] != region)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static List<PatrolArea> Describe(HotspotSurface surface, IReadOnlyList<int[]> regions, GiStarResult giStar,
        PatrolAreaOptions options, BoundarySet? wards)
    {
        var grid = surface.Grid;
        var training = surface.Training;
        var regionOf = new int[grid.CellCount];
        Array.Fill(regionOf, Free);
        for (var r = 0; r < regions.Count; r++)
        {
            foreach (var cell in regions[r])
            {
                regionOf[cell] = r;
            }
        }

        var countsByType = regions.Select(_ => new SortedDictionary<string, long>(StringComparer.Ordinal)).ToArray();
        for (var k = 0; k < training.InArea.Length; k++)
        {
            var r = regionOf[training.InAreaCell[k]];
            if (r >= 0)
            {
                var type = training.Incidents[training.InArea[k]].CrimeType;
                countsByType[r][type] = countsByType[r].TryGetValue(type, out var n) ? n + 1 : 1;
            }
        }

        var hours = regions.Select(_ => new int[24]).ToArray();
        for (var k = 0; k < training.Count; k++)
        {
            var r = regionOf[training.Cell[k]];
            var incident = training.Incidents[training.Source[k]];
            if (r >= 0 && incident.TimePrecision == TimePrecision.Exact)
            {
                var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(incident.OccurredAt, DateTimeKind.Utc), options.TimeZone);
                hours[r][local.Hour]++;
            }
        }

        var total = surface.TotalIntensity;
        var described = new List<(PatrolArea Area, double Expected, int FirstCell)>();
        for (var r = 0; r < regions.Count; r++)
        {
            var cells = regions[r];
            var geometry = Shape(grid, cells);
            var expected = cells.Sum(c => surface.Intensity[c]);
            var best = cells.OrderByDescending(c => giStar.Z[c]).ThenBy(c => c).First();
            var centroid = geometry.Centroid;
            if (!geometry.Covers(centroid))
            {
                centroid = geometry.InteriorPoint;
            }

            var area = new PatrolArea
            {
                AreaId = "",
                Rank = 0,
                Geometry = geometry,
                Centroid = centroid,
                ExpectedShare = total > 0 ? expected / total : 0,
                HistoricalCount = cells.Sum(c => (long)training.CountPerCell[c]),
                HarmScore = cells.Sum(c => training.HarmPerCell[c]),
                GiZ = giStar.Z[best],
                FdrQ = giStar.Q[best],
                Compactness = geometry.Length > 0 ? 4 * Math.PI * geometry.Area / (geometry.Length * geometry.Length) : 0,
                AreaM2 = cells.Sum(grid.CellAreaM2),
                Wards = wards?.Overlapping(geometry).Select(w => w.Name).Distinct(StringComparer.Ordinal).ToList() ?? [],
                PeakHours = PeakHours(hours[r]),
                CountsByType = new ReadOnlyDictionary<string, long>(countsByType[r]),
                Cells = [.. cells.Order()],
            };
            described.Add((area, expected, cells.Min()));
        }

        return described
            .OrderByDescending(d => d.Expected)
            .ThenBy(d => d.FirstCell)
            .Select((d, i) => d.Area with { Rank = i + 1, AreaId = "A" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) })
            .ToList();
    }

    /// <summary>The union of the cells' in-area shapes, with the collinear vertices between cells removed.</summary>
    internal static MultiPolygon Shape(AnalysisGrid grid, IEnumerable<int> cells)
    {
        var union = UnaryUnionOp.Union(cells.Select(grid.CellGeometry).ToList());
        var simplified = DouglasPeuckerSimplifier.Simplify(union, 1e-6);
        var polygons = Enumerable.Range(0, simplified.NumGeometries).Select(simplified.GetGeometryN).OfType<Polygon>().ToArray();
        var multi = grid.AreaOfInterest.Factory.CreateMultiPolygon(polygons);
        multi.Normalize();
        return multi;
    }

    private static int[] PeakHours(int[] histogram) =>
        Enumerable.Range(0, 24).Where(h => histogram[h] > 0)
            .OrderByDescending(h => histogram[h]).ThenBy(h => h).Take(3).ToArray();
}
