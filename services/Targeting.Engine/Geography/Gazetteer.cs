using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;

namespace Targeting.Engine.Geography;

/// <summary>One anonymised map point of data.police.uk and the street it is "on or near".</summary>
/// <param name="X">Easting in the projected CRS, metres.</param>
/// <param name="Y">Northing in the projected CRS, metres.</param>
/// <param name="Street">The street's name, without data.police.uk's "On or near " prefix, e.g. "Brixton Road".</param>
public sealed record StreetPoint(double X, double Y, string Street);

/// <summary>One street inside an area, with the evidence it is ranked by.</summary>
/// <param name="Street">The street's name.</param>
/// <param name="Incidents">Incidents matched to the street's points inside the area.</param>
/// <param name="Points">The street's snap points inside the area.</param>
public sealed record StreetCount(string Street, long Incidents, int Points);

/// <summary>What an area is called, and the streets it covers.</summary>
/// <param name="Name">The first streets of <paramref name="Streets"/> joined by " / " (see <see cref="Gazetteer.Describe"/>); empty when the area covers no point.</param>
/// <param name="Streets">Every street with a point inside the area, most incidents first, then most points, then by name (ordinal).</param>
public sealed record StreetContext(string Name, IReadOnlyList<StreetCount> Streets)
{
    /// <summary>The context of an area that covers no gazetteer point.</summary>
    public static StreetContext None { get; } = new(string.Empty, []);
}

/// <summary>
/// Street context without map tiles: names a patrol area by the streets of the data.police.uk snap
/// points it covers. data.police.uk moves every street crime to one of a fixed set of anonymised map
/// points, each "On or near" a street (Home Office, data.police.uk "About the data": location
/// anonymisation); the points are the gazetteer. An area's streets are those of the points it covers,
/// ranked by the incidents at those points, so that an area is named by where its crime is, not by
/// whichever street happens to cross it.
/// </summary>
/// <remarks>
/// An incident inside the area is at a point when that point is the nearest covered point and lies within
/// <see cref="MatchDistanceM"/>: incidents sit exactly on their snap points in data.police.uk's own
/// files, but extracts round coordinates (4 decimal places is up to about 6.6 m off in London), so
/// the match allows for rounding without reaching the next snap point (usually tens of metres away).
/// Incidents at points the gazetteer does not hold count for no street. Thread-safe once built; an
/// empty gazetteer describes every area as <see cref="StreetContext.None"/>.
/// </remarks>
public sealed class Gazetteer
{
    /// <summary>Default <see cref="MatchDistanceM"/>, metres: 4-decimal-place rounding (≤ 6.6 m at 51.5° N) with slack.</summary>
    public const double DefaultMatchDistanceM = 10;

    /// <summary>At most this many streets make an area's name.</summary>
    public const int MaxNameStreets = 3;

    /// <summary>A name of three streets longer than this (characters) keeps only two, so it fits a table row.</summary>
    public const int MaxNameLength = 60;

    private readonly STRtree<StreetPoint> _index = new();

    /// <summary>Indexes <paramref name="points"/> (projected CRS, metres; blank street names are skipped).</summary>
    /// <param name="points">The snap points.</param>
    /// <param name="matchDistanceM">How far an incident may be from its point, metres (default 10; positive).</param>
    public Gazetteer(IEnumerable<StreetPoint> points, double matchDistanceM = DefaultMatchDistanceM)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (!(matchDistanceM > 0) || !double.IsFinite(matchDistanceM))
        {
            throw new ArgumentOutOfRangeException(nameof(matchDistanceM), matchDistanceM, "must be a positive distance in metres");
        }

        MatchDistanceM = matchDistanceM;
        foreach (var point in points)
        {
            if (!string.IsNullOrWhiteSpace(point.Street))
            {
                _index.Insert(new Envelope(point.X, point.X, point.Y, point.Y), point);
                Count++;
            }
        }

        _index.Build();
    }

    /// <summary>Points held.</summary>
    public int Count { get; }

    /// <summary>How far an incident may be from the point it is matched to, metres.</summary>
    public double MatchDistanceM { get; }

    /// <summary>
    /// The streets of the points <paramref name="area"/> covers (inside or on its boundary), ranked by
    /// the incidents matched to them, then by their number of points, then by name (ordinal); and a
    /// name: the first <see cref="MaxNameStreets"/> joined by " / " (two when three exceed
    /// <see cref="MaxNameLength"/> characters).
    /// </summary>
    /// <param name="area">The area, polygons in the gazetteer's projected CRS.</param>
    /// <param name="incidents">Incident positions (projected CRS, metres) to rank by, e.g. the data window's; only those the area covers count, so a street's incidents are among the area's own.</param>
    /// <returns>The context; <see cref="StreetContext.None"/> when the area covers no point.</returns>
    public StreetContext Describe(Geometry area, IEnumerable<Coordinate> incidents)
    {
        ArgumentNullException.ThrowIfNull(area);
        ArgumentNullException.ThrowIfNull(incidents);
        if (area.IsEmpty || Count == 0)
        {
            return StreetContext.None;
        }

        var locator = new AreaLocator(area);
        var covered = _index.Query(area.EnvelopeInternal).Where(p => locator.Covers(p.X, p.Y))
            .OrderBy(p => p.X).ThenBy(p => p.Y).ThenBy(p => p.Street, StringComparer.Ordinal).ToArray();
        if (covered.Length == 0)
        {
            return StreetContext.None;
        }

        var counts = new long[covered.Length];
        var limit = MatchDistanceM * MatchDistanceM;
        foreach (var incident in incidents)
        {
            if (!locator.Covers(incident.X, incident.Y))
            {
                continue;
            }

            // An area holds tens of points: a scan is cheaper than a second index.
            var nearest = -1;
            var best = double.PositiveInfinity;
            for (var i = 0; i < covered.Length; i++)
            {
                var dx = covered[i].X - incident.X;
                var dy = covered[i].Y - incident.Y;
                var d2 = (dx * dx) + (dy * dy);
                if (d2 < best)
                {
                    best = d2;
                    nearest = i;
                }
            }

            if (best <= limit)
            {
                counts[nearest]++;
            }
        }

        var streets = covered.Select((p, i) => (p.Street, Count: counts[i]))
            .GroupBy(p => p.Street, StringComparer.Ordinal)
            .Select(g => new StreetCount(g.Key, g.Sum(p => p.Count), g.Count()))
            .OrderByDescending(s => s.Incidents).ThenByDescending(s => s.Points).ThenBy(s => s.Street, StringComparer.Ordinal)
            .ToList();
        return new StreetContext(Name(streets), streets);
    }

    private static string Name(IReadOnlyList<StreetCount> streets)
    {
        var name = string.Join(" / ", streets.Take(MaxNameStreets).Select(s => s.Street));
        return name.Length > MaxNameLength && streets.Count >= MaxNameStreets
            ? string.Join(" / ", streets.Take(MaxNameStreets - 1).Select(s => s.Street))
            : name;
    }
}
