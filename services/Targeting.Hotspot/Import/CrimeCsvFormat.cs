namespace Targeting.Hotspot.Import;

/// <summary>A street-crime CSV layout the importer recognises from its header.</summary>
public sealed class CrimeCsvFormat
{
    /// <summary>The original data.police.uk street file (12 columns, with Crime ID and outcome).</summary>
    public static CrimeCsvFormat PoliceUkStreet { get; } = new(
        "data.police.uk street (12 columns)",
        ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location", "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context"]);

    /// <summary>The London extract of ../shared/data (10 columns, no Crime ID, borough and 2014 ward added).</summary>
    public static CrimeCsvFormat LondonExtract { get; } = new(
        "London street-crime extract (10 columns)",
        ["Month", "Crime type", "Longitude", "Latitude", "Location type", "LSOA code", "LSOA name", "Borough", "Ward code (2014)", "Ward name (2014)"]);

    private static readonly CrimeCsvFormat[] Known = [PoliceUkStreet, LondonExtract];

    private CrimeCsvFormat(string name, string[] columns)
    {
        Name = name;
        Columns = columns;
        CrimeId = Array.IndexOf(columns, "Crime ID");
        Month = Array.IndexOf(columns, "Month");
        Longitude = Array.IndexOf(columns, "Longitude");
        Latitude = Array.IndexOf(columns, "Latitude");
        LsoaCode = Array.IndexOf(columns, "LSOA code");
        CrimeType = Array.IndexOf(columns, "Crime type");
    }

    public string Name { get; }

    public IReadOnlyList<string> Columns { get; }

    /// <summary>Column indexes; -1 where the format has no such column.</summary>
    public int CrimeId { get; }

    public int Month { get; }

    public int Longitude { get; }

    public int Latitude { get; }

    public int LsoaCode { get; }

    public int CrimeType { get; }

    /// <summary>
    /// The format whose header this is (names compared trimmed and case-insensitively, a stray
    /// byte-order mark ignored), or null with a message naming what was expected.
    /// </summary>
    public static CrimeCsvFormat? Detect(IReadOnlyList<string> header, out string? error)
    {
        var names = header.Select(h => h.Trim().TrimStart('\uFEFF').Trim()).ToArray();
        foreach (var format in Known)
        {
            if (names.Length == format.Columns.Count &&
                names.Zip(format.Columns).All(pair => string.Equals(pair.First, pair.Second, StringComparison.OrdinalIgnoreCase)))
            {
                error = null;
                return format;
            }
        }

        error = "unrecognised header '" + string.Join(",", names) + "': expected " +
            string.Join(" or ", Known.Select(f => $"{f.Name}: {string.Join(",", f.Columns)}"));
        return null;
    }
}
