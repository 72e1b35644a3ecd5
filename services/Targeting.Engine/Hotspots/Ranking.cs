namespace Targeting.Engine.Hotspots;

/// <summary>Orders cells best first with primitive-key sorts (a comparison delegate over 10⁵ cells is several times slower).</summary>
internal static class Ranking
{
    /// <summary>Indices ordered by <paramref name="primary"/> descending, then <paramref name="secondary"/> descending, then index ascending.</summary>
    public static int[] Descending(double[] primary, double[]? secondary = null)
    {
        var n = primary.Length;
        var order = new int[n];
        var keys = new double[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
            keys[i] = -primary[i];
        }

        Array.Sort(keys, order);
        // Ties of the primary key (common: every empty cell scores 0) are re-sorted by the next keys.
        var start = 0;
        while (start < n)
        {
            var end = start + 1;
            while (end < n && keys[end] == keys[start])
            {
                end++;
            }

            if (end - start > 1)
            {
                SortRun(order, start, end - start, secondary);
            }

            start = end;
        }

        return order;
    }

    private static void SortRun(int[] order, int start, int length, double[]? secondary)
    {
        if (secondary is null)
        {
            Array.Sort(order, start, length);
            return;
        }

        var keys = new double[length];
        var items = new int[length];
        for (var i = 0; i < length; i++)
        {
            items[i] = order[start + i];
            keys[i] = -secondary[items[i]];
        }

        Array.Sort(keys, items);
        Array.Copy(items, 0, order, start, length);
        var runStart = 0;
        while (runStart < length)
        {
            var runEnd = runStart + 1;
            while (runEnd < length && keys[runEnd] == keys[runStart])
            {
                runEnd++;
            }

            if (runEnd - runStart > 1)
            {
                Array.Sort(order, start + runStart, runEnd - runStart);
            }

            runStart = runEnd;
        }
    }
}
