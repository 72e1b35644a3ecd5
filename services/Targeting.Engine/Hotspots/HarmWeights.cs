using System.Collections.ObjectModel;

namespace Targeting.Engine.Hotspots;

/// <summary>
/// Harm weight per crime type: how much one incident of the type counts when targeting. The
/// defaults are Cambridge Crime Harm Index (CCHI) figures in days of custody, as docs/harm-weights.md
/// explains (Sherman, Neyroud and Neyroud 2016): robbery 365, burglary 245, violence and sexual
/// offences 190, possession of weapons 270, criminal damage and arson 10, other crime 10, public
/// order 7.5, vehicle crime 5, drugs 3.5, theft from the person 2, other theft 2, bicycle theft 2,
/// shoplifting 1, anti-social behaviour 0.
/// </summary>
/// <remarks>
/// Types are matched case-insensitively; a type with no weight counts 0 (it is left out, and the
/// training summary says so). Weights must be finite and non-negative. Immutable; thread-safe.
/// </remarks>
public sealed class HarmWeights
{
    private readonly Dictionary<string, double> _weights;

    private HarmWeights(Dictionary<string, double> weights)
    {
        _weights = weights;
        Entries = new ReadOnlyDictionary<string, double>(weights);
    }

    /// <summary>The documented defaults (docs/harm-weights.md), in CCHI days.</summary>
    public static HarmWeights Default { get; } = new(new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase)
    {
        [CrimeTypes.Robbery] = 365,
        [CrimeTypes.Burglary] = 245,
        [CrimeTypes.PossessionOfWeapons] = 270,
        [CrimeTypes.ViolenceAndSexualOffences] = 190,
        [CrimeTypes.CriminalDamageAndArson] = 10,
        [CrimeTypes.OtherCrime] = 10,
        [CrimeTypes.PublicOrder] = 7.5,
        [CrimeTypes.VehicleCrime] = 5,
        [CrimeTypes.Drugs] = 3.5,
        [CrimeTypes.TheftFromThePerson] = 2,
        [CrimeTypes.OtherTheft] = 2,
        [CrimeTypes.BicycleTheft] = 2,
        [CrimeTypes.Shoplifting] = 1,
        [CrimeTypes.AntiSocialBehaviour] = 0,
    });

    /// <summary>Every type with a weight (including zeros), case-insensitive keys.</summary>
    public IReadOnlyDictionary<string, double> Entries { get; }

    /// <summary>Weights where every listed type counts 1 and every other type 0 (plain counts of those types).</summary>
    public static HarmWeights Uniform(IEnumerable<string> crimeTypes)
    {
        ArgumentNullException.ThrowIfNull(crimeTypes);
        return new HarmWeights(crimeTypes.ToDictionary(t => t, _ => 1.0, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>These weights with some types overridden (a weight of 0 leaves the type out).</summary>
    /// <exception cref="ArgumentException">A weight is negative or not finite, or a type is blank.</exception>
    public HarmWeights With(IReadOnlyDictionary<string, double> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var merged = new Dictionary<string, double>(_weights, StringComparer.OrdinalIgnoreCase);
        foreach (var (type, weight) in overrides)
        {
            if (string.IsNullOrWhiteSpace(type))
            {
                throw new ArgumentException("a harm weight needs a crime type", nameof(overrides));
            }

            if (!double.IsFinite(weight) || weight < 0)
            {
                throw new ArgumentException($"the harm weight of '{type}' must be a finite number ≥ 0, not {weight}", nameof(overrides));
            }

            merged[type.Trim()] = weight;
        }

        return new HarmWeights(merged);
    }

    /// <summary>The weight of a crime type (0 when it has none).</summary>
    public double WeightOf(string crimeType) =>
        crimeType is not null && _weights.TryGetValue(crimeType, out var weight) ? weight : 0;
}
