namespace Targeting.Hotspot.Storage;

/// <summary>Which cell of a <see cref="GridFrame"/> holds a point: the same floor arithmetic the PostGIS store runs in SQL.</summary>
internal static class GridCells
{
    public static bool TryLocate(GridFrame grid, double x, double y, out int column, out int row)
    {
        var c = Math.Floor((x - grid.OriginX) / grid.CellSize);
        var r = Math.Floor((y - grid.OriginY) / grid.CellSize);
        if (c < 0 || r < 0 || c >= grid.Columns || r >= grid.Rows)
        {
            column = row = -1;
            return false;
        }

        column = (int)c;
        row = (int)r;
        return true;
    }
}
