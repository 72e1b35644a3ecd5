using NetTopologySuite.IO;
using Targeting.Engine.Geography;
using Targeting.Engine.Hotspots;

namespace Targeting.Engine.Tests.Support;

/// <summary>Small hand-checkable grids and incidents.</summary>
internal static class Grids
{
    /// <summary>The 3 × 3 grid of 100 m cells over (0,0)–(300,300); cell = row·3 + column, centre cell 4.</summary>
    public static AnalysisGrid ThreeByThree() =>
        AnalysisGrid.Create(new WKTReader().Read("POLYGON ((0 0, 300 0, 300 300, 0 300, 0 0))"));

    public static readonly DateTime January = new(2022, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    public static readonly DateTime February = new(2022, 2, 1, 0, 0, 0, DateTimeKind.Utc);

    public static Incident At(string id, double x, double y, string type, DateTime? month = null) =>
        Incident.WithDefaultProvenance(id, month ?? January, TimePrecision.Month, x, y, type);
}
