namespace Targeting.Hotspot.Storage;

/// <summary>DBSCAN for the embedded store: the engine's implementation over the queried points.</summary>
internal static class InMemoryClustering
{
    public static IReadOnlyList<ClusterLabel> Dbscan(IReadOnlyList<IncidentRecord> incidents, double epsMetres, int minPoints) =>
        throw new NotSupportedException("waiting for the engine's DBSCAN (branch engine)");
}
