using Targeting.Engine.Geography;

namespace Targeting.Engine.Hotspots;

/// <summary>
/// Prospective hotspotting: a cell's risk is the sum over past incidents of a weight that decays
/// with distance and with time (Bowers, Johnson and Pease 2004, "Prospective hot-spotting: the
/// future of crime mapping?", British Journal of Criminology 44(5)).
/// </summary>
/// <remarks>
/// <para>
/// Algorithm: risk(c) = Σᵢ wᵢ · 1 / (1 + dᵢ/s) · 2^(−aᵢ / T) over incidents with dᵢ ≤ h, where dᵢ is the
/// distance from incident i to the centre of cell c, s the cell size (so, as in Bowers et al., distance
/// is counted in cells), aᵢ the incident's age in days at the end of the data window (month-level times
/// count from mid-month), T the half-life and h the bandwidth. Bowers et al. used 1/(1 + weeks) for
/// time; an exponential half-life is used here because it is one parameter with a plain meaning and
/// it does not single out the last week, which month-level data cannot resolve.
/// </para>
/// <para>
/// Defaults: bandwidth 400 m (Bowers et al.'s 400 m), half-life 60 days. Units: harm-weight units
/// (risk is a decayed, distance-weighted harm count). Cost O(n · (h / s)²). Thread safety:
/// stateless. Empty input: all-zero surface.
/// </para>
/// </remarks>
public static class ProspectiveHotspots
{
    /// <summary>Scores every cell by its prospective risk.</summary>
    public static HotspotSurface Compute(TrainingSet training, MethodParameters? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(training);
        var resolved = (parameters ?? MethodParameters.Default).Resolved(HotspotMethod.Prospective);
        var bandwidth = resolved.BandwidthFor(HotspotMethod.Prospective);
        var grid = training.Grid;
        var visitor = new DecayVisitor(new double[grid.CellCount], 1.0 / grid.CellSize);
        var decayPerDay = Math.Log(2) / resolved.HalfLifeDays;
        for (var k = 0; k < training.Count; k++)
        {
            visitor.Weight = training.Weight[k] * Math.Exp(-decayPerDay * training.AgeDays[k]);
            grid.VisitCellCentresWithin(training.X[k], training.Y[k], bandwidth, ref visitor);
        }

        return new HotspotSurface(HotspotMethod.Prospective, resolved, training, visitor.Risk, visitor.Risk);
    }

    private struct DecayVisitor(double[] risk, double inverseCellSize) : ICellVisitor
    {
        public readonly double[] Risk => risk;

        public double Weight { get; set; }

        public readonly void Visit(int cell, double distanceSquared) =>
            risk[cell] += Weight / (1 + (Math.Sqrt(distanceSquared) * inverseCellSize));
    }
}
