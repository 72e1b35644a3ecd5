using NetTopologySuite.Geometries;

namespace Targeting.Engine.Hotspots;

/// <summary>Limits on the patrol areas a plan may propose (defaults as in hotspot.proto).</summary>
public sealed record PatrolAreaOptions
{
    /// <summary>The defaults: at most 8 areas, 1% of the area of interest, each 20,000–250,000 m².</summary>
    public static PatrolAreaOptions Default { get; } = new();

    /// <summary>At most this many areas (default 8, at most 50).</summary>
    public int MaxAreas { get; init; } = 8;

    /// <summary>Fraction of the area of interest all areas may cover together (default 0.01, in (0, 0.2]).</summary>
    public double BudgetFraction { get; init; } = 0.01;

    /// <summary>Smallest single area, m² (default 20,000: two cells of 100 m).</summary>
    public double MinAreaM2 { get; init; } = 20_000;

    /// <summary>Largest single area, m² (default 250,000: 25 cells of 100 m).</summary>
    public double MaxAreaM2 { get; init; } = 250_000;

    /// <summary>The time zone for peak hours (default Europe/London; UTC where that zone is unknown).</summary>
    public TimeZoneInfo TimeZone { get; init; } = LondonOrUtc();

    /// <summary>Problems as (proto field name, message) pairs; empty when valid.</summary>
    public IReadOnlyList<(string Field, string Message)> Validate()
    {
        var problems = new List<(string, string)>();
        if (MaxAreas is < 1 or > 50)
        {
            problems.Add(("max_areas", "must be between 1 and 50"));
        }

        if (!(BudgetFraction > 0 && BudgetFraction <= 0.2))
        {
            problems.Add(("budget_fraction", "must be in (0, 0.2]"));
        }

        if (!(MinAreaM2 > 0) || !double.IsFinite(MinAreaM2))
        {
            problems.Add(("min_area_m2", "must be a positive area"));
        }

        if (!(MaxAreaM2 > 0) || !double.IsFinite(MaxAreaM2) || MaxAreaM2 < MinAreaM2)
        {
            problems.Add(("max_area_m2", "must be a positive area no smaller than min_area_m2"));
        }

        return problems;
    }

    private static TimeZoneInfo LondonOrUtc()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return TimeZoneInfo.Utc;
        }
    }
}

/// <summary>One proposed patrol area and its evidence (see <c>PatrolArea</c> in hotspot.proto).</summary>
public sealed record PatrolArea
{
    /// <summary>"A1", "A2"... by rank.</summary>
    public required string AreaId { get; init; }

    /// <summary>1 = most expected harm.</summary>
    public required int Rank { get; init; }

    /// <summary>The area in the projected CRS, a MultiPolygon (a river can split it), clipped to the area of interest.</summary>
    public required MultiPolygon Geometry { get; init; }

    /// <summary>A point inside the area: its centroid, or an interior point when the centroid falls outside.</summary>
    public required Point Centroid { get; init; }

    /// <summary>The method's expected share of next period's harm in the area of interest that falls in this area.</summary>
    public required double ExpectedShare { get; init; }

    /// <summary>Incidents in the data window inside the area that drove the targeting.</summary>
    public required long HistoricalCount { get; init; }

    /// <summary>Their summed weights (CCHI days with the default harm weights).</summary>
    public required double HarmScore { get; init; }

    /// <summary>Gi* z of the area's best cell.</summary>
    public required double GiZ { get; init; }

    /// <summary>That cell's Benjamini-Hochberg q value.</summary>
    public required double FdrQ { get; init; }

    /// <summary>Polsby-Popper compactness 4πA/P² (1 for a circle, π/4 ≈ 0.785 for a square).</summary>
    public required double Compactness { get; init; }

    /// <summary>Area, m².</summary>
    public required double AreaM2 { get; init; }

    /// <summary>Names of the wards it overlaps (empty when no wards were given).</summary>
    public required IReadOnlyList<string> Wards { get; init; }

    /// <summary>Up to three hours of day (0–23, local time) with most incidents, where times are exact; empty otherwise.</summary>
    public required IReadOnlyList<int> PeakHours { get; init; }

    /// <summary>Incidents in the data window inside the area by crime type, all types (used or not).</summary>
    public required IReadOnlyDictionary<string, long> CountsByType { get; init; }

    /// <summary>The grid cells it is made of.</summary>
    public required IReadOnlyList<int> Cells { get; init; }
}
