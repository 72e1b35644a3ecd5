namespace Targeting.Hotspot.Planning;

/// <summary>A police force a ProposeForcePlans request may name, and the boroughs (by GSS code) it polices.</summary>
/// <param name="Name">The force's name.</param>
/// <param name="Aliases">Other names it goes by.</param>
/// <param name="Codes">Its boroughs' GSS codes, as text for messages.</param>
/// <param name="Covers">Whether a borough (by GSS code) is the force's.</param>
public sealed record Force(string Name, IReadOnlyList<string> Aliases, string Codes, Func<string, bool> Covers);

/// <summary>
/// The forces the service knows. The boundary files carry no force, so this is the one place that says
/// which boroughs a force polices: the Metropolitan Police the 32 London boroughs (GSS E09000002 to
/// E09000033), the City of London Police the City (E09000001).
/// </summary>
public static class Forces
{
    private const string CityOfLondon = "E09000001";

    public static IReadOnlyList<Force> All { get; } =
    [
        new("Metropolitan Police Service", ["Metropolitan Police", "Met", "MPS"], "E09000002 to E09000033",
            code => code.StartsWith("E09", StringComparison.OrdinalIgnoreCase) && !string.Equals(code, CityOfLondon, StringComparison.OrdinalIgnoreCase)),
        new("City of London Police", ["City of London"], CityOfLondon, code => string.Equals(code, CityOfLondon, StringComparison.OrdinalIgnoreCase)),
    ];

    /// <summary>The force with this name or alias (case-insensitive), or null.</summary>
    public static Force? Find(string name) => All.FirstOrDefault(f =>
        string.Equals(f.Name, name.Trim(), StringComparison.OrdinalIgnoreCase) ||
        f.Aliases.Any(a => string.Equals(a, name.Trim(), StringComparison.OrdinalIgnoreCase)));
}
