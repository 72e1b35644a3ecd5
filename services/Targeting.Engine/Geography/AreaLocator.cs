using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Geometries;

namespace Targeting.Engine.Geography;

/// <summary>
/// Point-in-area tests against one areal geometry: the bounding box first, then NTS's
/// <see cref="IndexedPointInAreaLocator"/>. The box matters when most points lie far outside a
/// small area (patrol areas, a borough within London): the locator would still count each point's
/// ray crossings. Thread-safe once built.
/// </summary>
public sealed class AreaLocator
{
    private readonly Envelope _envelope;
    private readonly IndexedPointInAreaLocator? _locator;

    /// <summary>Prepares the tests for <paramref name="area"/> (polygons; an empty geometry covers nothing).</summary>
    public AreaLocator(Geometry area)
    {
        ArgumentNullException.ThrowIfNull(area);
        _envelope = area.EnvelopeInternal;
        _locator = area.IsEmpty ? null : new IndexedPointInAreaLocator(area);
    }

    /// <summary>Whether the point (in the geometry's CRS) is inside the area or on its boundary.</summary>
    public bool Covers(double x, double y) =>
        _locator is not null && _envelope.Intersects(x, y) && _locator.Locate(new Coordinate(x, y)) != Location.Exterior;
}
