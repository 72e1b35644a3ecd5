using NetTopologySuite.Geometries;

namespace Targeting.Feedback.Analysis;

/// <summary>
/// Square cells of the global lattice the hotspot engine uses (<c>AnalysisGrid</c>): column
/// floor((x − offsetX)/s), row floor((y − offsetY)/s), so cells here are the cells a plan was
/// built from when the size and offsets match its provenance. Only cells holding points exist.
/// </summary>
public sealed class LatticeCells
{
    private readonly Dictionary<(long Column, long Row), long> _counts = [];

    /// <summary>A lattice of cells of <paramref name="cellSizeM"/> metres, shifted by the offsets.</summary>
    public LatticeCells(double cellSizeM, double offsetXM = 0, double offsetYM = 0)
    {
        if (!(cellSizeM > 0) || double.IsInfinity(cellSizeM))
        {
            throw new ArgumentOutOfRangeException(nameof(cellSizeM), cellSizeM, "the cell size must be a positive number of metres");
        }

        CellSize = cellSizeM;
        OffsetX = offsetXM;
        OffsetY = offsetYM;
    }

    /// <summary>The side of a cell, metres.</summary>
    public double CellSize { get; }

    /// <summary>The lattice's offset east, metres.</summary>
    public double OffsetX { get; }

    /// <summary>The lattice's offset north, metres.</summary>
    public double OffsetY { get; }

    /// <summary>Cells holding at least one point, with their counts.</summary>
    public IReadOnlyDictionary<(long Column, long Row), long> Counts => _counts;

    /// <summary>The cell of a point.</summary>
    public (long Column, long Row) CellOf(double x, double y) =>
        ((long)Math.Floor((x - OffsetX) / CellSize), (long)Math.Floor((y - OffsetY) / CellSize));

    /// <summary>Counts one point in its cell.</summary>
    public void Add(double x, double y)
    {
        var cell = CellOf(x, y);
        _counts[cell] = _counts.GetValueOrDefault(cell) + 1;
    }

    /// <summary>The count of a cell (0 when empty).</summary>
    public long CountOf((long Column, long Row) cell) => _counts.GetValueOrDefault(cell);

    /// <summary>A cell's square.</summary>
    public Envelope Square((long Column, long Row) cell) => new(
        OffsetX + cell.Column * CellSize, OffsetX + (cell.Column + 1) * CellSize,
        OffsetY + cell.Row * CellSize, OffsetY + (cell.Row + 1) * CellSize);

    /// <summary>
    /// Cells by count, highest first; ties by row then column (south-west first), so the order is
    /// the same on every run.
    /// </summary>
    public IEnumerable<KeyValuePair<(long Column, long Row), long>> Ranked() =>
        _counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key.Row).ThenBy(c => c.Key.Column);

    /// <summary>
    /// The most points any <paramref name="cells"/> cells hold together: the best possible count
    /// for a given coverage, the denominator of the predictive efficiency index (Hunt 2016).
    /// </summary>
    public long BestPossible(int cells)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cells);
        return Ranked().Take(cells).Sum(c => c.Value);
    }
}
