using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Geometries;
using System.Collections.Concurrent;
using NetTopologySuite.Algorithm;
using NetTopologySuite.Geometries.Utilities;
using NetTopologySuite.Operation.Overlay;
using NetTopologySuite.Operation.OverlayNG;

namespace Targeting.Engine.Geography;

/// <summary>
/// A square grid over an area of interest, clipped to it: the cells the methods score and the
/// patrol areas are built from. Cells are numbered 0..<see cref="CellCount"/>−1 in row-major order
/// (south to north, then west to east); cells wholly outside the area are not cells at all, and
/// partial cells know their in-area size and shape.
/// </summary>
/// <remarks>
/// <para>
/// The lattice is global: column c spans [OriginX + c·s, OriginX + (c+1)·s) where OriginX is the
/// largest multiple of the cell size s (plus the origin offset) at or west of the area's western
/// edge, and likewise for rows. So grids of the same cell size and offset over different areas
/// line up, and a point's cell is <c>floor((x − offset) / s)</c> in any of them — as
/// <c>ST_SquareGrid</c> in PostGIS lays its squares. Points on a cell's west or south edge belong
/// to that cell.
/// </para>
/// <para>
/// Each cell's in-area size is computed exactly, without a general overlay: every ring of the area
/// (shells counter-clockwise, holes clockwise) is clipped to the cell's row strip and then to the
/// cell with Sutherland-Hodgman clipping, and the signed shoelace areas of the clipped rings are
/// summed. Clipping a ring to a convex window can leave zero-width bridges along the window's edges,
/// but they enclose no area, and the winding number of every point inside the window is kept, so
/// the sum is the area of the intersection. This is linear in the ring sizes per row, so the grid
/// of all London (about 157,000 cells of 100 m) takes a fraction of a second. A partial cell's shape
/// is made only when asked for (<see cref="CellGeometry"/>), with NTS's OverlayNG.
/// </para>
/// <para>Thread safety: immutable once built; safe to share. An empty area is refused.</para>
/// </remarks>
public sealed class AnalysisGrid
{
    // Relative tolerance for calling a clipped cell full or empty: areas are sums of shoelace terms of
    // coordinates around 10⁵–10⁶ m, so their rounding error is far below 10⁻⁹ of a cell.
    private const double Tolerance = 1e-9;

    private readonly int[] _cellAt;
    private readonly int[] _column;
    private readonly int[] _row;
    private readonly double[] _area;
    private readonly bool[] _partial;
    private readonly int _partialCount;
    private readonly GeometryFactory _factory;
    private readonly Lazy<IPointOnGeometryLocator> _locator;
    private readonly ConcurrentDictionary<int, Geometry> _partialShapes = new();

    private AnalysisGrid(Geometry areaOfInterest, double originX, double originY, double cellSize, int columns, int rows,
        double[] areaByPosition, double originOffsetX, double originOffsetY)
    {
        AreaOfInterest = areaOfInterest;
        AreaOfInterestM2 = areaOfInterest.Area;
        OriginX = originX;
        OriginY = originY;
        CellSize = cellSize;
        Columns = columns;
        Rows = rows;
        OriginOffsetX = originOffsetX;
        OriginOffsetY = originOffsetY;
        _factory = areaOfInterest.Factory;
        _locator = new Lazy<IPointOnGeometryLocator>(() => new IndexedPointInAreaLocator(areaOfInterest), LazyThreadSafetyMode.ExecutionAndPublication);
        _cellAt = new int[columns * rows];
        var full = cellSize * cellSize;
        var count = 0;
        for (var p = 0; p < areaByPosition.Length; p++)
        {
            _cellAt[p] = areaByPosition[p] > full * Tolerance ? count++ : -1;
        }

        CellCount = count;
        _column = new int[count];
        _row = new int[count];
        _area = new double[count];
        _partial = new bool[count];
        for (var p = 0; p < areaByPosition.Length; p++)
        {
            var cell = _cellAt[p];
            if (cell < 0)
            {
                continue;
            }

            _column[cell] = p % columns;
            _row[cell] = p / columns;
            var area = areaByPosition[p];
            if (area >= full * (1 - Tolerance))
            {
                _area[cell] = full;
            }
            else
            {
                _area[cell] = area;
                _partial[cell] = true;
                _partialCount++;
            }
        }
    }

    /// <summary>The area of interest the grid is clipped to, in the projected CRS.</summary>
    public Geometry AreaOfInterest { get; }

    /// <summary>The area of interest's area, m².</summary>
    public double AreaOfInterestM2 { get; }

    /// <summary>The x of column 0's west edge, metres.</summary>
    public double OriginX { get; }

    /// <summary>The y of row 0's south edge, metres.</summary>
    public double OriginY { get; }

    /// <summary>The side of a cell, metres.</summary>
    public double CellSize { get; }

    /// <summary>The origin offset the grid was made with, metres (x).</summary>
    public double OriginOffsetX { get; }

    /// <summary>The origin offset the grid was made with, metres (y).</summary>
    public double OriginOffsetY { get; }

    /// <summary>Columns in the grid's bounding block.</summary>
    public int Columns { get; }

    /// <summary>Rows in the grid's bounding block.</summary>
    public int Rows { get; }

    /// <summary>Cells inside (wholly or partly) the area of interest.</summary>
    public int CellCount { get; }

    /// <summary>How many cells are only partly inside the area.</summary>
    public int PartialCellCount => _partialCount;

    /// <summary>
    /// Makes the grid of an area of interest.
    /// </summary>
    /// <param name="areaOfInterest">A Polygon or MultiPolygon in a projected metric CRS.</param>
    /// <param name="cellSizeM">The side of a cell in metres (default 100).</param>
    /// <param name="originOffsetXM">Shifts the lattice east by this many metres (default 0), for robustness checks.</param>
    /// <param name="originOffsetYM">Shifts the lattice north by this many metres (default 0).</param>
    /// <exception cref="ArgumentException">The area is empty or not polygonal, or the cell size is not positive.</exception>
    public static AnalysisGrid Create(Geometry areaOfInterest, double cellSizeM = 100, double originOffsetXM = 0, double originOffsetYM = 0)
    {
        ArgumentNullException.ThrowIfNull(areaOfInterest);
        if (!(cellSizeM > 0) || !double.IsFinite(cellSizeM))
        {
            throw new ArgumentException("the cell size must be a positive number of metres", nameof(cellSizeM));
        }

        if (!double.IsFinite(originOffsetXM) || !double.IsFinite(originOffsetYM))
        {
            throw new ArgumentException("origin offsets must be finite");
        }

        if (areaOfInterest is not (Polygon or MultiPolygon) || areaOfInterest.IsEmpty || !(areaOfInterest.Area > 0))
        {
            throw new ArgumentException("the area of interest must be a non-empty Polygon or MultiPolygon", nameof(areaOfInterest));
        }

        var area = areaOfInterest.IsValid ? areaOfInterest : GeometryFixer.Fix(areaOfInterest);
        var envelope = area.EnvelopeInternal;
        var originX = (Math.Floor((envelope.MinX - originOffsetXM) / cellSizeM) * cellSizeM) + originOffsetXM;
        var originY = (Math.Floor((envelope.MinY - originOffsetYM) / cellSizeM) * cellSizeM) + originOffsetYM;
        var columns = Math.Max(1, (int)Math.Ceiling((envelope.MaxX - originX) / cellSizeM));
        var rows = Math.Max(1, (int)Math.Ceiling((envelope.MaxY - originY) / cellSizeM));
        if ((long)columns * rows > 50_000_000)
        {
            throw new ArgumentException($"a grid of {columns} × {rows} cells is too large; use a larger cell size", nameof(cellSizeM));
        }

        var areas = CellAreas(area, originX, originY, cellSizeM, columns, rows);
        return new AnalysisGrid(area, originX, originY, cellSizeM, columns, rows, areas, originOffsetXM, originOffsetYM);
    }

    /// <summary>The cell's column (0 = westmost).</summary>
    public int Column(int cell) => _column[cell];

    /// <summary>The cell's row (0 = southmost).</summary>
    public int Row(int cell) => _row[cell];

    /// <summary>The cell's area inside the area of interest, m² (the full square for inner cells).</summary>
    public double CellAreaM2(int cell) => _area[cell];

    /// <summary>Whether the cell is cut by the area's boundary.</summary>
    public bool IsPartial(int cell) => _partial[cell];

    /// <summary>The x of the cell's centre (of the full square), metres.</summary>
    public double CentreX(int cell) => OriginX + ((_column[cell] + 0.5) * CellSize);

    /// <summary>The y of the cell's centre (of the full square), metres.</summary>
    public double CentreY(int cell) => OriginY + ((_row[cell] + 0.5) * CellSize);

    /// <summary>The cell at a column and row, or −1 when that square is outside the area (or the grid).</summary>
    public int CellAt(int column, int row) =>
        column < 0 || row < 0 || column >= Columns || row >= Rows ? -1 : _cellAt[(row * Columns) + column];

    /// <summary>The cell holding a point, or −1 when the point is outside the area of interest (points on its boundary are inside).</summary>
    public int Locate(double x, double y)
    {
        var column = (int)Math.Floor((x - OriginX) / CellSize);
        var row = (int)Math.Floor((y - OriginY) / CellSize);
        var cell = CellAt(column, row);
        if (cell < 0 || !_partial[cell])
        {
            return cell;
        }

        return _locator.Value.Locate(new Coordinate(x, y)) == Location.Exterior ? -1 : cell;
    }

    /// <summary>The cell's shape: its square, or for a partial cell the part inside the area (made on first use, then kept).</summary>
    public Geometry CellGeometry(int cell)
    {
        var square = _factory.ToGeometry(SquareOf(_column[cell], _row[cell]));
        if (!_partial[cell])
        {
            return square;
        }

        return _partialShapes.GetOrAdd(cell, _ =>
        {
            var clipped = OverlayNGRobust.Overlay(AreaOfInterest, square, SpatialFunction.Intersection);
            if (clipped is Polygon or MultiPolygon)
            {
                return clipped;
            }

            // Overlay can return lines or points along the square's edge next to the polygons; keep the area only.
            var polygons = PolygonExtracter.GetPolygons(clipped).Cast<Polygon>().ToArray();
            return polygons.Length == 1 ? polygons[0] : _factory.CreateMultiPolygon(polygons);
        });
    }

    /// <summary>The full square of a cell (ignoring clipping).</summary>
    public Envelope CellSquare(int cell) => SquareOf(_column[cell], _row[cell]);

    /// <summary>
    /// Counts points per cell (e.g. stop-and-search locations, for the feedback-loop guard's
    /// search intensity). Points outside the area are ignored.
    /// </summary>
    public double[] CountPoints(IEnumerable<(double X, double Y)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var counts = new double[CellCount];
        foreach (var (x, y) in points)
        {
            var cell = Locate(x, y);
            if (cell >= 0)
            {
                counts[cell]++;
            }
        }

        return counts;
    }

    /// <summary>
    /// Visits every cell whose centre lies within <paramref name="radius"/> metres of (x, y),
    /// inclusive, with the distance; a struct visitor keeps the kernels allocation-free.
    /// </summary>
    internal void VisitCellCentresWithin<TVisitor>(double x, double y, double radius, ref TVisitor visitor)
        where TVisitor : struct, ICellVisitor
    {
        var firstColumn = Math.Max(0, (int)Math.Ceiling(((x - radius - OriginX) / CellSize) - 0.5));
        var lastColumn = Math.Min(Columns - 1, (int)Math.Floor(((x + radius - OriginX) / CellSize) - 0.5));
        var firstRow = Math.Max(0, (int)Math.Ceiling(((y - radius - OriginY) / CellSize) - 0.5));
        var lastRow = Math.Min(Rows - 1, (int)Math.Floor(((y + radius - OriginY) / CellSize) - 0.5));
        var radiusSquared = radius * radius;
        for (var row = firstRow; row <= lastRow; row++)
        {
            var dy = OriginY + ((row + 0.5) * CellSize) - y;
            var rowOffset = row * Columns;
            for (var column = firstColumn; column <= lastColumn; column++)
            {
                var cell = _cellAt[rowOffset + column];
                if (cell < 0)
                {
                    continue;
                }

                var dx = OriginX + ((column + 0.5) * CellSize) - x;
                var d2 = (dx * dx) + (dy * dy);
                if (d2 <= radiusSquared)
                {
                    visitor.Visit(cell, d2);
                }
            }
        }
    }

    private Envelope SquareOf(int column, int row)
    {
        var x = OriginX + (column * CellSize);
        var y = OriginY + (row * CellSize);
        return new Envelope(x, x + CellSize, y, y + CellSize);
    }

    private static double[] CellAreas(Geometry area, double originX, double originY, double cellSize, int columns, int rows)
    {
        var rings = new List<Coordinate[]>();
        for (var i = 0; i < area.NumGeometries; i++)
        {
            var polygon = (Polygon)area.GetGeometryN(i);
            if (polygon.IsEmpty)
            {
                continue;
            }

            // Shells counter-clockwise and holes clockwise, so signed areas add up to the polygon's area.
            var shell = polygon.ExteriorRing.Coordinates;
            rings.Add(Orientation.IsCCW(shell) ? shell : shell.Reverse().ToArray());
            foreach (var hole in polygon.InteriorRings)
            {
                var coordinates = hole.Coordinates;
                rings.Add(Orientation.IsCCW(coordinates) ? coordinates.Reverse().ToArray() : coordinates);
            }
        }

        var areas = new double[columns * rows];
        var clipper = new RingClipper((6 * rings.Max(r => r.Length)) + 16);
        foreach (var ring in rings)
        {
            var ringEnvelope = new Envelope(ring);
            var firstRow = Math.Max(0, (int)Math.Floor((ringEnvelope.MinY - originY) / cellSize));
            var lastRow = Math.Min(rows - 1, (int)Math.Floor((ringEnvelope.MaxY - originY) / cellSize));
            for (var row = firstRow; row <= lastRow; row++)
            {
                var bottom = originY + (row * cellSize);
                var strip = clipper.ClipToStrip(ring, bottom, bottom + cellSize, out var minX, out var maxX);
                if (strip == 0)
                {
                    continue;
                }

                var firstColumn = Math.Max(0, (int)Math.Floor((minX - originX) / cellSize));
                var lastColumn = Math.Min(columns - 1, (int)Math.Floor((maxX - originX) / cellSize));
                for (var column = firstColumn; column <= lastColumn; column++)
                {
                    var left = originX + (column * cellSize);
                    areas[(row * columns) + column] += clipper.SignedAreaInColumn(strip, left, left + cellSize);
                }
            }
        }

        return areas;
    }

    /// <summary>Sutherland-Hodgman clipping of a ring to a row strip, then of the strip's ring to a column, with reused buffers.</summary>
    private sealed class RingClipper(int capacity)
    {
        private double[] _stripX = new double[capacity];
        private double[] _stripY = new double[capacity];
        private double[] _tempX = new double[capacity];
        private double[] _tempY = new double[capacity];
        private double[] _cellX = new double[capacity];
        private double[] _cellY = new double[capacity];

        /// <summary>Clips the closed ring (first point repeated last) to bottom ≤ y ≤ top; returns the vertex count kept in the strip buffer.</summary>
        public int ClipToStrip(Coordinate[] ring, double bottom, double top, out double minX, out double maxX)
        {
            var n = ring.Length - 1;
            // Each half-plane clip emits at most 1.5 vertices per input edge, so four clips stay under 6n.
            Ensure((6 * n) + 16);
            // Against y ≥ bottom into the temporary buffer.
            var count = 0;
            for (var i = 0; i < n; i++)
            {
                var a = ring[i];
                var b = ring[i + 1];
                count = ClipEdge(a.X, a.Y, b.X, b.Y, a.Y >= bottom, b.Y >= bottom, bottom, horizontal: true, _tempX, _tempY, count);
            }

            // Against y ≤ top into the strip buffer.
            var kept = 0;
            for (var i = 0; i < count; i++)
            {
                var j = (i + 1) % count;
                kept = ClipEdge(_tempX[i], _tempY[i], _tempX[j], _tempY[j], _tempY[i] <= top, _tempY[j] <= top, top, horizontal: true,
                    _stripX, _stripY, kept);
            }

            minX = double.PositiveInfinity;
            maxX = double.NegativeInfinity;
            for (var i = 0; i < kept; i++)
            {
                minX = Math.Min(minX, _stripX[i]);
                maxX = Math.Max(maxX, _stripX[i]);
            }

            return kept < 3 ? 0 : kept;
        }

        /// <summary>The signed area of the strip's ring clipped to left ≤ x ≤ right.</summary>
        public double SignedAreaInColumn(int stripCount, double left, double right)
        {
            var count = 0;
            for (var i = 0; i < stripCount; i++)
            {
                var j = (i + 1) % stripCount;
                count = ClipEdge(_stripX[i], _stripY[i], _stripX[j], _stripY[j], _stripX[i] >= left, _stripX[j] >= left, left, horizontal: false,
                    _tempX, _tempY, count);
            }

            var kept = 0;
            for (var i = 0; i < count; i++)
            {
                var j = (i + 1) % count;
                kept = ClipEdge(_tempX[i], _tempY[i], _tempX[j], _tempY[j], _tempX[i] <= right, _tempX[j] <= right, right, horizontal: false,
                    _cellX, _cellY, kept);
            }

            double twice = 0;
            for (var i = 0; i < kept; i++)
            {
                var j = (i + 1) % kept;
                twice += (_cellX[i] * _cellY[j]) - (_cellX[j] * _cellY[i]);
            }

            return twice / 2;
        }

        // One Sutherland-Hodgman step for the edge a→b against the line (y = at when horizontal, else x = at).
        private static int ClipEdge(double ax, double ay, double bx, double by, bool aInside, bool bInside, double at, bool horizontal,
            double[] outX, double[] outY, int count)
        {
            if (aInside != bInside)
            {
                double ix, iy;
                if (horizontal)
                {
                    iy = at;
                    ix = ax + ((bx - ax) * (at - ay) / (by - ay));
                }
                else
                {
                    ix = at;
                    iy = ay + ((by - ay) * (at - ax) / (bx - ax));
                }

                outX[count] = ix;
                outY[count] = iy;
                count++;
            }

            if (bInside)
            {
                outX[count] = bx;
                outY[count] = by;
                count++;
            }

            return count;
        }

        private void Ensure(int size)
        {
            if (_stripX.Length >= size)
            {
                return;
            }

            _stripX = new double[size];
            _stripY = new double[size];
            _tempX = new double[size];
            _tempY = new double[size];
            _cellX = new double[size];
            _cellY = new double[size];
        }
    }
}

/// <summary>Receives the cells near a point (see <see cref="AnalysisGrid"/>'s kernel loops).</summary>
internal interface ICellVisitor
{
    /// <summary>Called with a cell and the squared distance (m²) from the point to its centre.</summary>
    void Visit(int cell, double distanceSquared);
}
