using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using NetTopologySuite.Index.Strtree;
using Targeting.Engine.Geography;
using Targeting.Hotspot.Storage;

namespace Targeting.Hotspot.Planning;

/// <summary>The patrol area a point falls in: which plan, which area, its rank.</summary>
public readonly record struct LocatedArea(string PlanId, string AreaId, int Rank);

/// <summary>
/// Answers LocatePatrolArea from memory: an STRtree over every stored plan's areas (WGS84, the
/// geometry the plan itself carries, so the answer matches what clients draw), rebuilt when a
/// plan is added. The stops service calls this on every encounter, so a lookup touches only
/// the areas whose envelopes hold the point.
/// </summary>
/// <remarks>
/// Where areas of several plans active at the time hold the point, the most recently stored plan
/// wins, then the better rank. Plans stored by other replicas arrive through <see cref="AddRange"/>
/// on the monitor's refresh. Thread-safe: readers use an immutable snapshot; writers serialise.
/// </remarks>
public sealed class PatrolAreaIndex
{
    private readonly Lock _write = new();
    private readonly List<Entry> _entries = [];
    private readonly HashSet<string> _planIds = new(StringComparer.Ordinal);
    private volatile Snapshot _snapshot = new(new STRtree<Entry>(), 0);

    /// <summary>The highest plan sequence held (to fetch only newer plans from the store).</summary>
    public long LastSequence => _snapshot.LastSequence;

    /// <summary>How many areas the index holds.</summary>
    public int AreaCount => _snapshot.Tree.Count;

    public void AddRange(IEnumerable<StoredPlan> plans)
    {
        lock (_write)
        {
            var last = _snapshot.LastSequence;
            var changed = false;
            foreach (var stored in plans)
            {
                last = Math.Max(last, stored.Sequence);
                if (!_planIds.Add(stored.Plan.PlanId) || stored.Plan.ValidWindow is null)
                {
                    continue;
                }

                var start = stored.Plan.ValidWindow.Start.ToDateTime();
                var end = stored.Plan.ValidWindow.End.ToDateTime();
                foreach (var area in stored.Plan.Areas)
                {
                    var shape = GeometryMapping.ToNts(area.Geometry);
                    if (!shape.IsEmpty)
                    {
                        _entries.Add(new Entry(stored.Sequence, stored.Plan.PlanId, area.AreaId, area.Rank, start, end, PreparedGeometryFactory.Prepare(shape), shape.EnvelopeInternal));
                        changed = true;
                    }
                }
            }

            if (!changed)
            {
                _snapshot = _snapshot with { LastSequence = last };
                return;
            }

            // NTS's STRtree cannot take items after its first query, so each change builds a new
            // one; plans arrive at briefing pace (a few a day), lookups at encounter pace.
            var tree = new STRtree<Entry>();
            foreach (var entry in _entries)
            {
                tree.Insert(entry.Envelope, entry);
            }

            tree.Build();
            _snapshot = new Snapshot(tree, last);
        }
    }

    /// <summary>The area of a plan active at <paramref name="at"/> that holds the point (boundary included), or null.</summary>
    public LocatedArea? Locate(double latitude, double longitude, DateTime at)
    {
        var point = Projection.Wgs84Factory.CreatePoint(new Coordinate(longitude, latitude));
        Entry? best = null;
        foreach (var entry in _snapshot.Tree.Query(point.EnvelopeInternal))
        {
            if (at < entry.ValidStart || at >= entry.ValidEnd || !entry.Shape.Covers(point))
            {
                continue;
            }

            if (best is null || entry.Sequence > best.Sequence || (entry.Sequence == best.Sequence && entry.Rank < best.Rank))
            {
                best = entry;
            }
        }

        return best is null ? null : new LocatedArea(best.PlanId, best.AreaId, best.Rank);
    }

    private sealed record Entry(long Sequence, string PlanId, string AreaId, int Rank, DateTime ValidStart, DateTime ValidEnd, IPreparedGeometry Shape, Envelope Envelope);

    private sealed record Snapshot(STRtree<Entry> Tree, long LastSequence);
}
