namespace Targeting.Hotspot.Storage;

/// <summary>DBSCAN for the embedded store: the engine's implementation over the queried points, in id order.</summary>
internal static class InMemoryClustering
{
    /// <summary>Labels incidents given in id order (ordinal), as the store's queries return them.</summary>
    public static IReadOnlyList<ClusterLabel> Dbscan(IReadOnlyList<IncidentRecord> incidents, double epsMetres, int minPoints)
    {
        var x = incidents.Select(i => i.X).ToArray();
        var y = incidents.Select(i => i.Y).ToArray();
        var result = Engine.Hotspots.Dbscan.Cluster(x, y, epsMetres, minPoints);
        return [.. incidents.Select((incident, k) => new ClusterLabel(incident.Id, result.Labels[k] >= 0 ? result.Labels[k] : null))];
    }
}
