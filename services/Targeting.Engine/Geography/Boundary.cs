using NetTopologySuite.Geometries;

namespace Targeting.Engine.Geography;

/// <summary>A named area (a borough, ward, LSOA or custom shape) in the projected CRS.</summary>
/// <param name="Name">Its name, e.g. "Lambeth" or "Abbey".</param>
/// <param name="Code">Its GSS code (e.g. "E09000022") or another stable code; may be empty.</param>
/// <param name="Kind">"borough", "ward", "lsoa", "msoa", "district" or a caller's kind.</param>
/// <param name="ParentName">The name of the area it lies in (a ward's borough), if known.</param>
/// <param name="Geometry">Its polygon or multipolygon in the projected CRS (metres).</param>
public sealed record Boundary(string Name, string Code, string Kind, string? ParentName, Geometry Geometry)
{
    /// <summary>Its area in square metres.</summary>
    public double AreaM2 => Geometry.Area;

    /// <inheritdoc />
    public override string ToString() => string.IsNullOrEmpty(Code) ? $"{Kind} {Name}" : $"{Kind} {Name} ({Code})";
}

/// <summary>Well-known boundary kinds.</summary>
public static class BoundaryKinds
{
    /// <summary>A London borough or other local authority district (GSS E06–E09, W06).</summary>
    public const string Borough = "borough";

    /// <summary>An electoral ward (GSS E05, W05).</summary>
    public const string Ward = "ward";

    /// <summary>A Lower Layer Super Output Area (GSS E01, W01).</summary>
    public const string Lsoa = "lsoa";

    /// <summary>A Middle Layer Super Output Area (GSS E02, W02).</summary>
    public const string Msoa = "msoa";

    /// <summary>A shape given by a caller rather than loaded from a boundary file.</summary>
    public const string Custom = "custom";

    /// <summary>The kind a GSS code implies, or null when the prefix is not one of the above.</summary>
    public static string? FromGssCode(string? code)
    {
        if (code is null || code.Length < 3)
        {
            return null;
        }

        return code[..3].ToUpperInvariant() switch
        {
            "E06" or "E07" or "E08" or "E09" or "W06" or "S12" => Borough,
            "E05" or "W05" or "S13" => Ward,
            "E01" or "W01" => Lsoa,
            "E02" or "W02" => Msoa,
            _ => null,
        };
    }
}
