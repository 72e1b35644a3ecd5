namespace Targeting.Engine.Hotspots;

/// <summary>Runs a hotspot method by its enum value.</summary>
public static class HotspotSurfaces
{
    /// <summary>The default method (chosen by the backtest in bench/hotspot; see docs/decisions/010-default-hotspot-method.md).</summary>
    public const HotspotMethod DefaultMethod = HotspotMethod.Prospective;

    /// <summary>Computes <paramref name="method"/>'s surface on a training set.</summary>
    /// <param name="training">The training set.</param>
    /// <param name="method">The method.</param>
    /// <param name="parameters">Method parameters (default <see cref="MethodParameters.Default"/>).</param>
    /// <param name="learnedFeatures">The learned method's feature rows shared with other fits on the same inputs (ignored by the other methods).</param>
    public static HotspotSurface Compute(TrainingSet training, HotspotMethod method, MethodParameters? parameters = null,
        LearnedFeatureCache? learnedFeatures = null) => method switch
    {
        HotspotMethod.NaiveCounts => NaiveCounts.Compute(training, parameters),
        HotspotMethod.Kde => KernelDensity.Estimate(training, parameters),
        HotspotMethod.Prospective => ProspectiveHotspots.Compute(training, parameters),
        HotspotMethod.GetisOrd => GetisOrdGiStar.Surface(training, parameters),
        HotspotMethod.Dbscan => DbscanHotspots.Compute(training, parameters),
        HotspotMethod.Learned => LearnedHotspots.Compute(training, parameters, learnedFeatures),
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "unknown hotspot method"),
    };
}
