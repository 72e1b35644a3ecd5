using System.Collections.Concurrent;
using Targeting.Engine.Geography;

namespace Targeting.Feedback.Analysis;

/// <summary>
/// Projects WGS 84 points and places them in a borough, remembering each exact coordinate it has
/// placed. data.police.uk snaps every location to one of a fixed set of anonymised points (the
/// shared Met searches use 32,182 points for 214,761 located searches), so most lookups are a hash
/// hit instead of a projection and a point-in-polygon test. Thread-safe; one per host.
/// </summary>
public sealed class StopPlaces(Projection projection, BoundarySet boroughs, int capacity = StopPlaces.DefaultCapacity)
{
    /// <summary>Points remembered at most (about 40 MB); past it, points are placed without being remembered.</summary>
    public const int DefaultCapacity = 500_000;

    private readonly ConcurrentDictionary<(double Longitude, double Latitude), Place> _places = new();
    private readonly Dictionary<Boundary, int> _index = IndexOf(boroughs.All);
    private int _remembered;

    /// <summary>Where a point is: projected coordinates (metres) and its borough's index (−1 when in none).</summary>
    public readonly record struct Place(double X, double Y, int Borough);

    /// <summary>The boroughs a <see cref="Place.Borough"/> indexes.</summary>
    public IReadOnlyList<Boundary> Boroughs => boroughs.All;

    /// <summary>The projection points are placed in.</summary>
    public Projection Projection => projection;

    /// <summary>Projects and places a point (degrees).</summary>
    public Place Locate(double longitude, double latitude)
    {
        if (_places.TryGetValue((longitude, latitude), out var known))
        {
            return known;
        }

        var (x, y) = projection.Project(longitude, latitude);
        var place = new Place(x, y, boroughs.Locate(x, y) is { } borough ? _index[borough] : -1);
        // Counted apart: ConcurrentDictionary.Count takes every lock of the table.
        if (Volatile.Read(ref _remembered) < capacity && _places.TryAdd((longitude, latitude), place))
        {
            Interlocked.Increment(ref _remembered);
        }

        return place;
    }

    // By reference: boundaries are records, and comparing their geometries by value would be slow.
    private static Dictionary<Boundary, int> IndexOf(IReadOnlyList<Boundary> boundaries)
    {
        var index = new Dictionary<Boundary, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < boundaries.Count; i++)
        {
            index[boundaries[i]] = i;
        }

        return index;
    }
}
