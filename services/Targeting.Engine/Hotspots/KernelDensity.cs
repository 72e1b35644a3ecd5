using Targeting.Engine.Geography;

namespace Targeting.Engine.Hotspots;

/// <summary>
/// Retrospective kernel density estimation with the quartic (biweight) kernel, evaluated at grid
/// cell centres.
/// </summary>
/// <remarks>
/// <para>
/// Algorithm: the density at a point s is f(s) = Σᵢ wᵢ K(‖s − xᵢ‖) with the quartic kernel
/// K(d) = 3 / (π h²) · (1 − d²/h²)² for d ≤ h and 0 beyond (it integrates to 1 over the plane; Silverman
/// 1986, §4.2; the kernel of CrimeStat and of ArcGIS's Kernel Density, and the usual choice in crime
/// mapping: Chainey, Tompson and Uhlig 2008). Each incident adds to the cells whose centres lie within
/// the bandwidth h. Units: density in harm-weight units per m²; a cell's score is its density × its
/// in-area size, i.e. the harm mass the surface puts in the cell.
/// </para>
/// <para>
/// Default bandwidth 250 m. Incidents outside the area of interest do not contribute (no edge
/// correction). Cost O(n · (h / cell)²). Thread safety: stateless. Empty input: all-zero surface.
/// </para>
/// </remarks>
public static class KernelDensity
{
    /// <summary>The quartic kernel's value at a distance (per m²): 3/(πh²)(1 − d²/h²)² inside the bandwidth, 0 beyond.</summary>
    public static double Quartic(double distance, double bandwidth)
    {
        if (distance > bandwidth)
        {
            return 0;
        }

        var u = 1 - ((distance * distance) / (bandwidth * bandwidth));
        return 3.0 / (Math.PI * bandwidth * bandwidth) * u * u;
    }

    /// <summary>Estimates the surface: score per cell = density at its centre × its in-area size.</summary>
    public static HotspotSurface Estimate(TrainingSet training, MethodParameters? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(training);
        var resolved = (parameters ?? MethodParameters.Default).Resolved(HotspotMethod.Kde);
        var density = DensityAtCellCentres(training, resolved.BandwidthFor(HotspotMethod.Kde));
        var grid = training.Grid;
        for (var c = 0; c < density.Length; c++)
        {
            density[c] *= grid.CellAreaM2(c);
        }

        return new HotspotSurface(HotspotMethod.Kde, resolved, training, density, density);
    }

    /// <summary>The density (harm-weight units per m²) at every cell centre, for a bandwidth in metres.</summary>
    public static double[] DensityAtCellCentres(TrainingSet training, double bandwidthM)
    {
        ArgumentNullException.ThrowIfNull(training);
        if (!(bandwidthM > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(bandwidthM), "the bandwidth must be positive");
        }

        var grid = training.Grid;
        var visitor = new QuarticVisitor(new double[grid.CellCount], bandwidthM);
        for (var k = 0; k < training.Count; k++)
        {
            visitor.Weight = training.Weight[k];
            grid.VisitCellCentresWithin(training.X[k], training.Y[k], bandwidthM, ref visitor);
        }

        return visitor.Density;
    }

    private struct QuarticVisitor(double[] density, double bandwidth) : ICellVisitor
    {
        private readonly double _inverseH2 = 1.0 / (bandwidth * bandwidth);
        private readonly double _normaliser = 3.0 / (Math.PI * bandwidth * bandwidth);

        public readonly double[] Density => density;

        public double Weight { get; set; }

        public readonly void Visit(int cell, double distanceSquared)
        {
            var u = 1 - (distanceSquared * _inverseH2);
            density[cell] += Weight * _normaliser * u * u;
        }
    }
}
