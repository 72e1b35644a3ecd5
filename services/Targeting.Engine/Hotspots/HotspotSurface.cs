using Targeting.Engine.Geography;

namespace Targeting.Engine.Hotspots;

/// <summary>
/// A method's output: one score per grid cell, to rank cells by, and one intensity per cell, the
/// method's forecast of next period's harm in the cell (from which shares are computed).
/// </summary>
/// <remarks>
/// For naive counts, KDE and prospective hotspotting the score is the intensity. For Gi* the score is
/// the z value of cells significant under the false-discovery-rate control (0 elsewhere) and the
/// intensity is the harm-weighted count; for DBSCAN the score is the harm of clustered incidents and
/// the intensity the harm-weighted count; for the learned model both are its forecast of the next
/// month's harm. Cells are ranked by score, then intensity, then cell
/// number (<see cref="RankCells"/>), so ties never depend on sort stability.
/// Thread safety: do not mutate the arrays; reading is safe.
/// </remarks>
public sealed class HotspotSurface
{
    /// <summary>Makes a surface.</summary>
    public HotspotSurface(HotspotMethod method, MethodParameters parameters, TrainingSet training, double[] score, double[] intensity,
        GiStarResult? giStar = null, DbscanResult? clusters = null, LearnedModelInfo? model = null)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(score);
        ArgumentNullException.ThrowIfNull(intensity);
        if (score.Length != training.Grid.CellCount || intensity.Length != training.Grid.CellCount)
        {
            throw new ArgumentException("a surface has one score and one intensity per grid cell");
        }

        Method = method;
        Parameters = parameters;
        Training = training;
        Score = score;
        Intensity = intensity;
        GiStar = giStar;
        Clusters = clusters;
        Model = model;
        TotalIntensity = intensity.Sum();
    }

    /// <summary>The method that made it.</summary>
    public HotspotMethod Method { get; }

    /// <summary>The parameters it used, every default resolved.</summary>
    public MethodParameters Parameters { get; }

    /// <summary>The incidents it learnt from.</summary>
    public TrainingSet Training { get; }

    /// <summary>The grid.</summary>
    public AnalysisGrid Grid => Training.Grid;

    /// <summary>Per cell: the ranking score.</summary>
    public double[] Score { get; }

    /// <summary>Per cell: the forecast harm (in harm-weight units).</summary>
    public double[] Intensity { get; }

    /// <summary>The sum of <see cref="Intensity"/>.</summary>
    public double TotalIntensity { get; }

    /// <summary>Gi* on the harm-weighted counts: the method's own for <see cref="HotspotMethod.GetisOrd"/>, attached as evidence by <see cref="PatrolPlanner"/> otherwise.</summary>
    public GiStarResult? GiStar { get; }

    /// <summary>The clusters, for <see cref="HotspotMethod.Dbscan"/> (labels in <see cref="DbscanHotspots"/>' id order).</summary>
    public DbscanResult? Clusters { get; }

    /// <summary>What the learned model was fitted on (<see cref="HotspotMethod.Learned"/> only).</summary>
    public LearnedModelInfo? Model { get; }

    /// <summary>Every cell, best first: by score, then intensity, then cell number.</summary>
    public int[] RankCells() => Ranking.Descending(Score, Intensity);
}
