using Targeting.Engine.Geography;
using Targeting.Testing;

namespace Targeting.Engine.Tests.Support;

/// <summary>The shipped sample's boundaries, projected to British National Grid, loaded once.</summary>
internal static class SampleBoundaries
{
    private static readonly Lazy<BoundarySet> BoroughsLazy = new(() => Load("london_boroughs_barking_dagenham_lambeth.geojson"));
    private static readonly Lazy<BoundarySet> WardsLazy = new(() => Load("wards_2014_barking_dagenham_lambeth.geojson"));

    public static BoundarySet Boroughs => BoroughsLazy.Value;

    public static BoundarySet Wards => WardsLazy.Value;

    public static string Path(string file) => RepoPaths.InRepo("data", "boundaries", file);

    private static BoundarySet Load(string file) =>
        BoundarySet.FromGeoJson(File.ReadAllText(Path(file)), Projection.BritishNationalGrid);
}
