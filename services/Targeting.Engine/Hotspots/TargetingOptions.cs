namespace Targeting.Engine.Hotspots;

/// <summary>What to do with discovered incidents: the feedback-loop guard.</summary>
public enum DiscoveredPolicy
{
    /// <summary>The default: discovered incidents get weight 0.</summary>
    Exclude = 1,

    /// <summary>Discovered incidents count <see cref="TargetingOptions.DiscoveredWeight"/> times their harm weight,
    /// divided further where a cell was searched more than average.</summary>
    DownWeight = 2,

    /// <summary>Discovered incidents count like reported ones (for comparison only).</summary>
    Include = 3,
}

/// <summary>
/// Which incidents drive targeting and how much each counts: harm weights by crime type and the
/// feedback-loop guard for discovered incidents.
/// </summary>
/// <remarks>
/// <para>
/// Why a guard: incidents police discover (weapons found in searches, drugs) are recorded where
/// police already look. Feeding them back into where to look next makes a runaway loop — patrols
/// go where past patrols found things, which is where they looked (Ensign, Friedler, Neville,
/// Scheidegger and Venkatasubramanian 2018, "Runaway feedback loops in predictive policing";
/// Lum and Isaac 2016, "To predict and serve?"). Ensign et al. show the loop is broken when only
/// incidents reported independently of police deployment update the model; hence the default,
/// <see cref="DiscoveredPolicy.Exclude"/>.
/// </para>
/// <para>
/// Under <see cref="DiscoveredPolicy.DownWeight"/> a discovered incident counts
/// harm × <see cref="DiscoveredWeight"/> (default 0.25) × min(1, s̄ / s_c), where s_c is the number of
/// searches in its grid cell (from <see cref="SearchLocations"/>) and s̄ the mean per cell over
/// the area of interest: a find in a cell searched k times the average counts 1/k as much, because
/// the expected number of finds grows with the searching (Ensign et al.'s correction in spirit,
/// applied per cell). Without search locations the factor is 1.
/// </para>
/// </remarks>
public sealed record TargetingOptions
{
    /// <summary>The default options: default harm weights, discovered incidents excluded.</summary>
    public static TargetingOptions Default { get; } = new();

    /// <summary>Harm weight per crime type (default <see cref="HarmWeights.Default"/>).</summary>
    public HarmWeights HarmWeights { get; init; } = HarmWeights.Default;

    /// <summary>What to do with discovered incidents (default <see cref="DiscoveredPolicy.Exclude"/>).</summary>
    public DiscoveredPolicy DiscoveredPolicy { get; init; } = DiscoveredPolicy.Exclude;

    /// <summary>The multiplier for discovered incidents under <see cref="DiscoveredPolicy.DownWeight"/>, in [0, 1] (default 0.25).</summary>
    public double DiscoveredWeight { get; init; } = 0.25;

    /// <summary>
    /// Where searches (stops) happened, projected x/y in metres, for re-weighting discovered incidents
    /// by how heavily their cell was searched (only under <see cref="DiscoveredPolicy.DownWeight"/>).
    /// Binned per grid cell; null or empty means no re-weighting.
    /// </summary>
    public IReadOnlyList<(double X, double Y)>? SearchLocations { get; init; }

    /// <summary>Problems with the options as (field, message) pairs; empty when valid.</summary>
    public IReadOnlyList<(string Field, string Message)> Validate()
    {
        var problems = new List<(string, string)>();
        if (!Enum.IsDefined(DiscoveredPolicy))
        {
            problems.Add(("discovered_policy", "must be exclude, down-weight or include"));
        }

        if (!double.IsFinite(DiscoveredWeight) || DiscoveredWeight < 0 || DiscoveredWeight > 1)
        {
            problems.Add(("discovered_weight", "must be between 0 and 1"));
        }

        return problems;
    }
}
