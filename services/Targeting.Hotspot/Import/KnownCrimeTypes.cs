using Targeting.Hotspot.V1;
using EngineCrimeTypes = Targeting.Engine.Hotspots.CrimeTypes;

namespace Targeting.Hotspot.Import;

/// <summary>
/// The importer's view of the engine's data.police.uk crime types: canonical spelling for any
/// case, and the provenance each has by default, as the proto's enum.
/// </summary>
public static class KnownCrimeTypes
{
    private static readonly Dictionary<string, string> CanonicalByName =
        EngineCrimeTypes.All.ToDictionary(t => t, t => t, StringComparer.OrdinalIgnoreCase);

    /// <summary>Every known category, in its canonical spelling.</summary>
    public static IReadOnlyCollection<string> All => EngineCrimeTypes.All;

    /// <summary>The canonical spelling of a category (case-insensitive match), or false if unknown.</summary>
    public static bool TryCanonicalise(string name, out string canonical)
    {
        if (CanonicalByName.TryGetValue(name.Trim(), out var found))
        {
            canonical = found;
            return true;
        }

        canonical = string.Empty;
        return false;
    }

    /// <summary>The engine's default provenance for a type (discovered for weapons possession and drugs; see there why).</summary>
    public static Provenance DefaultProvenance(string canonicalType) =>
        EngineCrimeTypes.DefaultProvenance(canonicalType) == Engine.Hotspots.Provenance.Discovered ? Provenance.Discovered : Provenance.Reported;
}
