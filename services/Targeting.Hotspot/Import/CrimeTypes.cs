using Targeting.Hotspot.V1;

namespace Targeting.Hotspot.Import;

/// <summary>
/// The data.police.uk street-crime categories (the 14 in use since 2013, see
/// https://data.police.uk/docs/method/crime-categories/) and who brings each to police attention.
/// </summary>
public static class CrimeTypes
{
    public const string PossessionOfWeapons = "Possession of weapons";
    public const string Drugs = "Drugs";

    private static readonly Dictionary<string, string> CanonicalByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Anti-social behaviour"] = "Anti-social behaviour",
        ["Bicycle theft"] = "Bicycle theft",
        ["Burglary"] = "Burglary",
        ["Criminal damage and arson"] = "Criminal damage and arson",
        [Drugs] = Drugs,
        ["Other crime"] = "Other crime",
        ["Other theft"] = "Other theft",
        [PossessionOfWeapons] = PossessionOfWeapons,
        ["Public order"] = "Public order",
        ["Robbery"] = "Robbery",
        ["Shoplifting"] = "Shoplifting",
        ["Theft from the person"] = "Theft from the person",
        ["Vehicle crime"] = "Vehicle crime",
        ["Violence and sexual offences"] = "Violence and sexual offences",
    };

    /// <summary>Every known category, in its canonical spelling.</summary>
    public static IReadOnlyCollection<string> All => CanonicalByName.Values;

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

    /// <summary>
    /// Possession of weapons and drugs offences are almost always found by police activity (a
    /// search), so counting them would let past searching decide future searching (the
    /// feedback loop of Ensign et al. 2018 and Lum and Isaac 2016); every other category is
    /// reported by the public or a victim.
    /// </summary>
    public static Provenance DefaultProvenance(string canonicalType) =>
        canonicalType is PossessionOfWeapons or Drugs ? Provenance.Discovered : Provenance.Reported;
}
