using System.Text.RegularExpressions;

namespace Targeting.Stops.Geography;

/// <summary>
/// The force areas shipped with the service: one borough GeoJSON per force, named as
/// data.police.uk names the force in its files (<c>YYYY-MM-&lt;force&gt;-stop-and-search.csv</c>),
/// in <c>boundaries/forces/</c> beside the binaries. The Metropolitan Police area is the 32 London
/// boroughs without the City of London, which has its own force.
/// </summary>
public static partial class ForceAreas
{
    /// <summary>The force whose area is the default boundary (the pilots are the Met's).</summary>
    public const string DefaultForce = "metropolitan";

    /// <summary>The folder of the shipped force areas.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "boundaries", "forces");

    /// <summary>The forces with a shipped area, by data.police.uk name.</summary>
    public static IReadOnlyList<string> Known =>
        Directory.Exists(Folder)
            ? [.. Directory.EnumerateFiles(Folder, "*.geojson").Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal)]
            : [];

    /// <summary>The shipped area of <paramref name="force"/>, or null when none ships.</summary>
    public static string? PathOf(string force)
    {
        var path = Path.Combine(Folder, force + ".geojson");
        return ForceName().IsMatch(force) && File.Exists(path) ? path : null;
    }

    /// <summary>The force a data.police.uk file name names ("2022-01-metropolitan-stop-and-search.csv" → "metropolitan"), or null.</summary>
    public static string? ForceOfFile(string path)
    {
        var match = StopSearchFileName().Match(Path.GetFileName(path));
        return match.Success ? match.Groups["force"].Value : null;
    }

    [GeneratedRegex("^[a-z][a-z-]*$")]
    private static partial Regex ForceName();

    [GeneratedRegex(@"^\d{4}-\d{2}-(?<force>[a-z][a-z-]*?)-stop-and-search\.csv$", RegexOptions.IgnoreCase)]
    private static partial Regex StopSearchFileName();
}
