namespace Targeting.Engine.Hotspots;

/// <summary>The data.police.uk street-crime types and the provenance each usually has.</summary>
public static class CrimeTypes
{
    /// <summary>"Anti-social behaviour" (not a crime; absent from the London extract).</summary>
    public const string AntiSocialBehaviour = "Anti-social behaviour";

    /// <summary>"Bicycle theft".</summary>
    public const string BicycleTheft = "Bicycle theft";

    /// <summary>"Burglary".</summary>
    public const string Burglary = "Burglary";

    /// <summary>"Criminal damage and arson".</summary>
    public const string CriminalDamageAndArson = "Criminal damage and arson";

    /// <summary>"Drugs": found by police activity, hence discovered.</summary>
    public const string Drugs = "Drugs";

    /// <summary>"Other crime".</summary>
    public const string OtherCrime = "Other crime";

    /// <summary>"Other theft".</summary>
    public const string OtherTheft = "Other theft";

    /// <summary>"Possession of weapons": found by police activity (mostly in searches), hence discovered.</summary>
    public const string PossessionOfWeapons = "Possession of weapons";

    /// <summary>"Public order".</summary>
    public const string PublicOrder = "Public order";

    /// <summary>"Robbery".</summary>
    public const string Robbery = "Robbery";

    /// <summary>"Shoplifting".</summary>
    public const string Shoplifting = "Shoplifting";

    /// <summary>"Theft from the person".</summary>
    public const string TheftFromThePerson = "Theft from the person";

    /// <summary>"Vehicle crime".</summary>
    public const string VehicleCrime = "Vehicle crime";

    /// <summary>"Violence and sexual offences".</summary>
    public const string ViolenceAndSexualOffences = "Violence and sexual offences";

    /// <summary>Every type above, in data.police.uk's order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        AntiSocialBehaviour, BicycleTheft, Burglary, CriminalDamageAndArson, Drugs, OtherCrime, OtherTheft,
        PossessionOfWeapons, PublicOrder, Robbery, Shoplifting, TheftFromThePerson, VehicleCrime, ViolenceAndSexualOffences,
    ];

    /// <summary>
    /// The provenance a crime type has unless the source says otherwise: "Possession of weapons" and
    /// "Drugs" are discovered (they come to light because police looked: searches, stops, raids), every
    /// other type is reported. Case-insensitive; unknown types are reported.
    /// </summary>
    public static Provenance DefaultProvenance(string crimeType) =>
        string.Equals(crimeType?.Trim(), PossessionOfWeapons, StringComparison.OrdinalIgnoreCase)
        || string.Equals(crimeType?.Trim(), Drugs, StringComparison.OrdinalIgnoreCase)
            ? Provenance.Discovered
            : Provenance.Reported;
}
