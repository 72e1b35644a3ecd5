namespace Targeting.Engine.Hotspots;

/// <summary>The hotspot methods the engine offers (each selectable and each in the backtest).</summary>
public enum HotspotMethod
{
    /// <summary>Harm-weighted incident counts per grid cell (<see cref="NaiveCounts"/>).</summary>
    NaiveCounts = 1,

    /// <summary>Retrospective kernel density estimate, quartic kernel (<see cref="KernelDensity"/>).</summary>
    Kde = 2,

    /// <summary>Prospective hotspotting, space-time decaying weights (<see cref="ProspectiveHotspots"/>).</summary>
    Prospective = 3,

    /// <summary>Getis-Ord Gi* on the grid with Benjamini-Hochberg FDR control (<see cref="GetisOrdGiStar"/>).</summary>
    GetisOrd = 4,

    /// <summary>DBSCAN point clusters, deterministic (<see cref="Dbscan"/>, <see cref="DbscanHotspots"/>).</summary>
    Dbscan = 5,

    /// <summary>Gradient-boosted regression of next month's harm on the cells' past (<see cref="LearnedHotspots"/>).</summary>
    Learned = 6,
}

/// <summary>
/// Method parameters with their documented defaults (a null bandwidth or neighbourhood means the
/// method's default). Lengths in metres.
/// </summary>
public sealed record MethodParameters
{
    /// <summary>The defaults.</summary>
    public static MethodParameters Default { get; } = new();

    /// <summary>Grid cell side, m (default 100).</summary>
    public double CellSizeM { get; init; } = 100;

    /// <summary>
    /// KDE / prospective bandwidth, m (default 250 for KDE; 50 for prospective, i.e. a cell's own
    /// incidents only: the backtest in bench/hotspot found that spreading risk to neighbouring cells, at
    /// any bandwidth from 100 to 400 m, lowered the hit rate on police.uk data; 400 m is Bowers et al.'s).
    /// </summary>
    public double? BandwidthM { get; init; }

    /// <summary>Prospective time decay: a weight halves every this many days (default 60).</summary>
    public double HalfLifeDays { get; init; } = 60;

    /// <summary>Gi* neighbourhood: cells whose centres are within this distance, m (default 2 cells' width).</summary>
    public double? NeighbourhoodM { get; init; }

    /// <summary>Gi* false-discovery rate for Benjamini-Hochberg (default 0.05).</summary>
    public double FdrQ { get; init; } = 0.05;

    /// <summary>DBSCAN eps, m (default 150).</summary>
    public double DbscanEpsM { get; init; } = 150;

    /// <summary>DBSCAN minimum points, the point itself included (default 5).</summary>
    public int DbscanMinPoints { get; init; } = 5;

    /// <summary>The learned model's parameters (<see cref="LearnedModelOptions"/>; its features use this record's bandwidths and half-life).</summary>
    public LearnedModelOptions Learned { get; init; } = LearnedModelOptions.Default;

    /// <summary>Grid origin offset, m, east (default 0).</summary>
    public double OriginOffsetXM { get; init; }

    /// <summary>Grid origin offset, m, north (default 0).</summary>
    public double OriginOffsetYM { get; init; }

    /// <summary>The bandwidth a method uses: the given one, or 50 m for prospective and 250 m otherwise.</summary>
    public double BandwidthFor(HotspotMethod method) => BandwidthM ?? (method == HotspotMethod.Prospective ? 50 : 250);

    /// <summary>The Gi* neighbourhood distance: the given one, or two cells' width.</summary>
    public double Neighbourhood => NeighbourhoodM ?? (2 * CellSizeM);

    /// <summary>These parameters with every default made explicit for <paramref name="method"/> (for provenance).
    /// The learned method keeps an unset bandwidth unset: its prospective and KDE features each use their own default.</summary>
    public MethodParameters Resolved(HotspotMethod method) => this with
    {
        BandwidthM = method == HotspotMethod.Learned ? BandwidthM : BandwidthFor(method),
        NeighbourhoodM = Neighbourhood,
    };

    /// <summary>Problems as (proto field name, message) pairs; empty when valid.</summary>
    public IReadOnlyList<(string Field, string Message)> Validate()
    {
        var problems = new List<(string, string)>();
        if (!(CellSizeM >= 5 && CellSizeM <= 5000))
        {
            problems.Add(("parameters.cell_size_m", "must be between 5 and 5000 metres"));
        }

        if (BandwidthM is { } bandwidth && !(bandwidth > 0 && bandwidth <= 10_000))
        {
            problems.Add(("parameters.bandwidth_m", "must be between 0 and 10000 metres"));
        }

        if (!(HalfLifeDays > 0 && HalfLifeDays <= 3650))
        {
            problems.Add(("parameters.half_life_days", "must be between 0 and 3650 days"));
        }

        if (NeighbourhoodM is { } neighbourhood && !(neighbourhood > 0 && neighbourhood <= 10_000))
        {
            problems.Add(("parameters.neighbourhood_m", "must be between 0 and 10000 metres"));
        }

        if (!(FdrQ > 0 && FdrQ < 1))
        {
            problems.Add(("parameters.fdr_q", "must be between 0 and 1"));
        }

        if (!(DbscanEpsM > 0 && DbscanEpsM <= 10_000))
        {
            problems.Add(("parameters.dbscan_eps_m", "must be between 0 and 10000 metres"));
        }

        if (DbscanMinPoints is < 1 or > 10_000)
        {
            problems.Add(("parameters.dbscan_min_points", "must be between 1 and 10000"));
        }

        if (!double.IsFinite(OriginOffsetXM) || Math.Abs(OriginOffsetXM) > 100_000)
        {
            problems.Add(("parameters.origin_offset_x_m", "must be a finite offset within 100 km"));
        }

        if (!double.IsFinite(OriginOffsetYM) || Math.Abs(OriginOffsetYM) > 100_000)
        {
            problems.Add(("parameters.origin_offset_y_m", "must be a finite offset within 100 km"));
        }

        problems.AddRange(Learned.Validate());
        return problems;
    }
}
