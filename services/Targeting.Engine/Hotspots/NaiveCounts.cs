namespace Targeting.Engine.Hotspots;

/// <summary>
/// Naive harm-weighted counts: each cell scores the sum of the harm weights of the incidents in it.
/// </summary>
/// <remarks>
/// The baseline every hotspot method must beat (Chainey, Tompson and Uhlig 2008 call the grid
/// count "thematic mapping of grids"). Units: harm-weight units per cell (CCHI days with the
/// default weights). Defaults: none beyond the grid. Cost O(n + cells). Thread safety: stateless.
/// Empty input gives an all-zero surface.
/// </remarks>
public static class NaiveCounts
{
    /// <summary>Scores every cell by its harm-weighted count.</summary>
    public static HotspotSurface Compute(TrainingSet training, MethodParameters? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(training);
        var counts = (double[])training.HarmPerCell.Clone();
        return new HotspotSurface(HotspotMethod.NaiveCounts, (parameters ?? MethodParameters.Default).Resolved(HotspotMethod.NaiveCounts),
            training, counts, counts);
    }
}
