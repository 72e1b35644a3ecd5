namespace Targeting.Engine.Hotspots;

/// <summary>Runs a hotspot method by its enum value.</summary>
public static class HotspotSurfaces
{
    /// <summary>The default method (chosen by the backtest in bench/hotspot; see docs/decisions/010-default-hotspot-method.md).</summary>
    public const HotspotMethod DefaultMethod = HotspotMethod.Prospective;

    /// <summary>Computes <paramref name="method"/>'s surface on a training set.</summary>
    public static HotspotSurface Compute(TrainingSet training, HotspotMethod method, MethodParameters? parameters = null) => method switch
    {
        HotspotMethod.NaiveCounts => NaiveCounts.Compute(training, parameters),
        HotspotMethod.Kde => KernelDensity.Estimate(training, parameters),
        HotspotMethod.Prospective => ProspectiveHotspots.Compute(training, parameters),
        HotspotMethod.GetisOrd => GetisOrdGiStar.Surface(training, parameters),
        HotspotMethod.Dbscan => DbscanHotspots.Compute(training, parameters),
        HotspotMethod.Learned => LearnedHotspots.Compute(training, parameters),
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "unknown hotspot method"),
    };
}
