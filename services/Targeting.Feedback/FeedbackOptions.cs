namespace Targeting.Feedback;

/// <summary>
/// The feedback service's own settings (section <c>Feedback</c>): the reference data it reads at
/// start-up, and report defaults. Relative paths are looked up under the content root, then
/// beside the service's binaries (where the shipped sample is copied).
/// </summary>
public sealed class FeedbackOptions
{
    public const string Section = "Feedback";

    /// <summary>Census 2021 residents by borough and ethnic group (the derived London file).</summary>
    public string CensusPath { get; set; } = "data/census/census2021_ethnic_group_london_boroughs.csv";

    /// <summary>
    /// Borough polygons (GeoJSON, WGS84, GSS codes E09…) for placing stops in boroughs; the shipped
    /// default holds Barking and Dagenham and Lambeth; point it at london_boroughs.geojson for all 33.
    /// </summary>
    public string BoroughBoundaryPath { get; set; } = "data/boundaries/london_boroughs_barking_dagenham_lambeth.geojson";

    /// <summary>
    /// GSS codes of Census areas left out of force-wide populations: by default the City of
    /// London (E09000001), which the City of London Police, not the Met, polices.
    /// </summary>
    public List<string> ForceWideExclusions { get; set; } = ["E09000001"];

    /// <summary>The force's name in reports.</summary>
    public string ForceName { get; set; } = "Metropolitan Police";

    /// <summary>The transparency report's default suppression threshold (counts 1 to threshold − 1 hidden).</summary>
    public int SuppressionThreshold { get; set; } = 5;
}
