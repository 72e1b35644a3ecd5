using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Geometries;
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
/// Clipping is a recursive bisection: the area is intersected with halves of the grid block until a
/// block is wholly inside (all its cells are full), wholly outside, or a single cell (a partial
/// cell, whose clipped shape is kept). Each level intersects ever smaller pieces, so building the
/// grid of all London (about 157,000 cells of 100 m) costs a few hundred milliseconds, and a
/// service can cache grids per area.
/// </para>
/// <para>Thread safety: immutable once built; safe to share. An empty area is refused.</para>
/// </remarks>
public sealed class AnalysisGrid
{
    private const double FullTolerance = 1e-9;

    private readonly int[] _cellAt;
    private readonly int[] _column;
    private readonly int[] _row;
    private readonly double[] _area;
    private readonly Dictionary<int, Geometry> _partialShapes;
    private readonly GeometryFactory _factory;

    private AnalysisGrid(Geometry areaOfInterest, double originX, double originY, double cellSize, int columns, int rows,
        double[] areaByPosition, Dictionary<int, Geometry> shapesByPosition, double originOffsetX, double originOffsetY)
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
        _cellAt = new int[columns * rows];
        var count = 0;
        for (var p = 0; p < areaByPosition.Length; p++)
        {
            _cellAt[p] = areaByPosition[p] > 0 ? count++ : -1;
        }

        CellCount = count;
        _column = new int[count];
        _row = new int[count];
        _area = new double[count];
        _partialShapes = new Dictionary<int, Geometry>(shapesByPosition.Count);
        for (var p = 0; p < areaByPosition.Length; p++)
        {
            var cell = _cellAt[p];
            if (cell < 0)
            {
                continue;
            }

            _column[cell] = p % columns;
            _row[cell] = p / columns;
            _area[cell] = areaByPosition[p];
            if (shapesByPosition.TryGetValue(p, out var shape))
            {
                _partialShapes[cell] = shape;
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
    public int PartialCellCount => _partialShapes.Count;

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

        var clipper = new Clipper(area.Factory, originX, originY, cellSizeM, columns);
        var areas = new double[columns * rows];
        var shapes = new Dictionary<int, Geometry>();
        clipper.Clip(area, 0, 0, columns, rows, areas, shapes);
        return new AnalysisGrid(area, originX, originY, cellSizeM, columns, rows, areas, shapes, originOffsetXM, originOffsetYM);
    }

    /// <summary>The cell's column (0 = westmost).</summary>
    public int Column(int cell) => _column[cell];

    /// <summary>The cell's row (0 = southmost).</summary>
    public int Row(int cell) => _row[cell];

    /// <summary>The cell's area inside the area of interest, m² (the full square for inner cells).</summary>
    public double CellAreaM2(int cell) => _area[cell];

    /// <summary>Whether the cell is cut by the area's boundary.</summary>
    public bool IsPartial(int cell) => _partialShapes.ContainsKey(cell);

    /// <summary>The x of the cell's centre (of the full square), metres.</summary>
    public double CentreX(int cell) => OriginX + ((_column[cell] + 0.5) * CellSize);

    /// <summary>The y of the cell's centre (of the full square), metres.</summary>
    public double CentreY(int cell) => OriginY + ((_row[cell] + 0.5) * CellSize);

    /// <summary>The cell at a column and row, or −1 when that square is outside the area (or the grid).</summary>
    public int CellAt(int column, int row) =>
        column < 0 || row < 0 || column >= Columns || row >= Rows ? -1 : _cellAt[(row * Columns) + column];

    /// <summary>The cell holding a point, or −1 when the point is outside the area of interest.</summary>
    public int Locate(double x, double y)
    {
        var column = (int)Math.Floor((x - OriginX) / CellSize);
        var row = (int)Math.Floor((y - OriginY) / CellSize);
        var cell = CellAt(column, row);
        if (cell < 0 || !_partialShapes.TryGetValue(cell, out var shape))
        {
            return cell;
        }

        return SimplePointInAreaLocator.Locate(new Coordinate(x, y), shape) == Location.Exterior ? -1 : cell;
    }

    /// <summary>The cell's shape: its square, or for a partial cell the part inside the area.</summary>
    public Geometry CellGeometry(int cell) =>
        _partialShapes.TryGetValue(cell, out var shape) ? shape : _factory.ToGeometry(SquareOf(_column[cell], _row[cell]));

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

    private sealed class Clipper(GeometryFactory factory, double originX, double originY, double cellSize, int columns)
    {
        public void Clip(Geometry piece, int column0, int row0, int column1, int row1, double[] areas, Dictionary<int, Geometry> shapes)
        {
            if (piece.IsEmpty)
            {
                return;
            }

            var pieceArea = piece.Area;
            if (!(pieceArea > 0))
            {
                return;
            }

            var blockArea = (double)(column1 - column0) * (row1 - row0) * cellSize * cellSize;
            if (pieceArea >= blockArea * (1 - FullTolerance))
            {
                var full = cellSize * cellSize;
                for (var row = row0; row < row1; row++)
                {
                    for (var column = column0; column < column1; column++)
                    {
                        areas[(row * columns) + column] = full;
                    }
                }

                return;
            }

            if (column1 - column0 == 1 && row1 - row0 == 1)
            {
                var position = (row0 * columns) + column0;
                areas[position] = pieceArea;
                shapes[position] = Polygonal(piece);
                return;
            }

            if (column1 - column0 >= row1 - row0)
            {
                var middle = (column0 + column1) / 2;
                Clip(Intersect(piece, column0, row0, middle, row1), column0, row0, middle, row1, areas, shapes);
                Clip(Intersect(piece, middle, row0, column1, row1), middle, row0, column1, row1, areas, shapes);
            }
            else
            {
                var middle = (row0 + row1) / 2;
                Clip(Intersect(piece, column0, row0, column1, middle), column0, row0, column1, middle, areas, shapes);
                Clip(Intersect(piece, column0, middle, column1, row1), column0, middle, column1, row1, areas, shapes);
            }
        }

        private Geometry Intersect(Geometry piece, int column0, int row0, int column1, int row1)
        {
            var block = new Envelope(
                originX + (column0 * cellSize), originX + (column1 * cellSize),
                originY + (row0 * cellSize), originY + (row1 * cellSize));
            if (!piece.EnvelopeInternal.Intersects(block))
            {
                return factory.CreatePolygon();
            }

            if (block.Contains(piece.EnvelopeInternal))
            {
                return piece;
            }

            return OverlayNGRobust.Overlay(piece, factory.ToGeometry(block), SpatialFunction.Intersection);
        }

        // Overlay can return lines or points along the block edge next to polygons; a cell's shape keeps only the area.
        private Geometry Polygonal(Geometry geometry)
        {
            if (geometry is Polygon or MultiPolygon)
            {
                return geometry;
            }

            var polygons = PolygonExtracter.GetPolygons(geometry).Cast<Polygon>().ToArray();
            return polygons.Length == 1 ? polygons[0] : factory.CreateMultiPolygon(polygons);
        }
    }
}

/// <summary>Receives the cells near a point (see <see cref="AnalysisGrid"/>'s kernel loops).</summary>
internal interface ICellVisitor
{
    /// <summary>Called with a cell and the squared distance (m²) from the point to its centre.</summary>
    void Visit(int cell, double distanceSquared);
}
