using System.Runtime.InteropServices;
using Targeting.Engine.Geography;
using Targeting.Engine.Hotspots;

namespace HotspotBench;

/// <summary>
/// The retrospective KDE surface (quartic kernel, 250 m, harm-weighted): the engine's
/// <see cref="KernelDensity.DensityAtCellCentres"/> timed here; the same points, weights and cell
/// centres are written for peer_kde.py, which computes the same sum with SciPy and compares.
/// </summary>
internal static class KdeBench
{
    private const double BandwidthM = 250;

    public sealed record AreaResult(string Area, string Slug, int Cells, int Points, double BandwidthM, double[] OursSeconds);

    public sealed record Result(string Source, List<AreaResult> Areas);

    public static Result Run(BenchData data, string work)
    {
        Directory.CreateDirectory(work);
        var areas = new List<(string Name, string Slug, NetTopologySuite.Geometries.Geometry Area, int Runs)>
        {
            ("Barking and Dagenham", "bd", data.Borough("Barking and Dagenham"), 20),
        };
        areas.Add(data.IsFull ? ("London", "london", data.London(), 5) : ("Lambeth", "lambeth", data.Borough("Lambeth"), 20));

        var results = new List<AreaResult>();
        foreach (var (name, slug, area, runs) in areas)
        {
            Console.Error.WriteLine($"kde: {name}");
            var grid = AnalysisGrid.Create(area);
            var training = TrainingSet.Build(grid, data.InEnvelope(area), BenchData.Start, BenchData.End);
            double[] density = [];
            var seconds = Timing.Measure("engine KernelDensity.DensityAtCellCentres", 2, runs,
                () => density = KernelDensity.DensityAtCellCentres(training, BandwidthM));
            var cx = new double[grid.CellCount];
            var cy = new double[grid.CellCount];
            for (var c = 0; c < grid.CellCount; c++)
            {
                cx[c] = grid.CentreX(c);
                cy[c] = grid.CentreY(c);
            }

            WriteRaw(Path.Combine(work, $"kde-{slug}-cx.f64"), cx);
            WriteRaw(Path.Combine(work, $"kde-{slug}-cy.f64"), cy);
            WriteRaw(Path.Combine(work, $"kde-{slug}-px.f64"), training.X);
            WriteRaw(Path.Combine(work, $"kde-{slug}-py.f64"), training.Y);
            WriteRaw(Path.Combine(work, $"kde-{slug}-w.f64"), training.Weight);
            WriteRaw(Path.Combine(work, $"kde-{slug}-density.f64"), density);
            results.Add(new AreaResult(name, slug, grid.CellCount, training.Count, BandwidthM, seconds));
        }

        return new Result(data.Source, results);
    }

    private static void WriteRaw(string path, double[] values) => File.WriteAllBytes(path, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
}
