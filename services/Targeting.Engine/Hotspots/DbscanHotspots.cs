namespace Targeting.Engine.Hotspots;

/// <summary>
/// DBSCAN as a hotspot method: the incidents are clustered (<see cref="Dbscan"/>, in incident-id
/// order), and each cell scores the harm of the clustered incidents in it; noise scores nothing.
/// </summary>
/// <remarks>
/// Clusters are dense groups of incidents (at least minPoints within eps of a core incident); the
/// score keeps the harm where incidents are dense and drops isolated ones. The intensity is the
/// harm-weighted count of all used incidents. Defaults: eps 150 m, minPoints 5. Thread safety:
/// stateless. Empty input: all-zero surface.
/// </remarks>
public static class DbscanHotspots
{
    /// <summary>Clusters the training incidents and scores cells by clustered harm.</summary>
    public static HotspotSurface Compute(TrainingSet training, MethodParameters? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(training);
        var resolved = (parameters ?? MethodParameters.Default).Resolved(HotspotMethod.Dbscan);
        var order = OrderById(training);
        var x = new double[order.Length];
        var y = new double[order.Length];
        for (var k = 0; k < order.Length; k++)
        {
            x[k] = training.X[order[k]];
            y[k] = training.Y[order[k]];
        }

        var clusters = Dbscan.Cluster(x, y, resolved.DbscanEpsM, resolved.DbscanMinPoints);
        var score = new double[training.Grid.CellCount];
        for (var k = 0; k < order.Length; k++)
        {
            if (clusters.Labels[k] >= 0)
            {
                var used = order[k];
                score[training.Cell[used]] += training.Weight[used];
            }
        }

        return new HotspotSurface(HotspotMethod.Dbscan, resolved, training, score, (double[])training.HarmPerCell.Clone(), clusters: clusters);
    }

    /// <summary>The training set's used incidents ordered by incident id (ordinal), ties by input order.</summary>
    public static int[] OrderById(TrainingSet training)
    {
        ArgumentNullException.ThrowIfNull(training);
        var order = Enumerable.Range(0, training.Count).ToArray();
        var ids = training.Source.Select(i => training.Incidents[i].Id).ToArray();
        Array.Sort(order, (a, b) =>
        {
            var byId = string.CompareOrdinal(ids[a], ids[b]);
            return byId != 0 ? byId : a.CompareTo(b);
        });
        return order;
    }
}
