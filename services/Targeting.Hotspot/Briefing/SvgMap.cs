using System.Globalization;
using System.Net;
using System.Text;
using NetTopologySuite.Geometries;
using NetTopologySuite.Simplify;

namespace Targeting.Hotspot.Briefing;

/// <summary>A named shape on the map, in the projected CRS (metres).</summary>
public sealed record MapShape(string Name, Geometry Shape);

/// <summary>A patrol area on the map: its id ("A1"), the street names to label it with (may be empty) and its shape (projected CRS, metres).</summary>
public sealed record MapArea(string Id, string Streets, Geometry Shape);

/// <summary>
/// Draws patrol areas over ward boundaries as an inline SVG, in the projected CRS so that
/// distances are true and a scale bar can be drawn: no tiles, no scripts, prints as vectors.
/// </summary>
/// <remarks>
/// User units are metres (x east, y flipped so north is up); strokes do not scale with the
/// drawing. The frame has a fixed aspect ratio and is fitted to the patrol areas (with room for
/// their labels) rather than the whole area of interest, so that a printed page shows the streets
/// officers will walk; the area of interest's outline is drawn where it is in view. Each area is
/// labelled with its id and street names in a box placed beside it where it overlaps no other label
/// or area, with a leader line back to the area. Small areas get a ring so that they can be found.
/// </remarks>
internal static class SvgMap
{
    private const double WidthPixels = 1000;

    /// <summary>Most ward names we label; above this only wards holding a patrol area are named.</summary>
    private const int MaxWardLabels = 80;

    public static string Render(Geometry areaOfInterest, IReadOnlyList<MapShape> wards, IReadOnlyList<MapArea> patrolAreas, double aspect = 0.56)
    {
        var extent = FitFrame(areaOfInterest, patrolAreas, aspect);
        var width = extent.Width;
        var height = extent.Height;
        var pixel = width / WidthPixels;
        var frame = new Frame(extent.MinX, extent.MaxY);
        var view = areaOfInterest.Factory.ToGeometry(extent);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {N(width)} {N(height)}" width="100%" role="img" aria-label="Map of the patrol areas over ward boundaries" class="map">""");
        svg.Append(CultureInfo.InvariantCulture, $"""<rect x="0" y="0" width="{N(width)}" height="{N(height)}" fill="#fbfbf8"/>""");

        var visible = wards.Where(w => w.Shape.EnvelopeInternal.Intersects(extent)).ToList();
        svg.Append("""<g class="wards" fill="none" stroke="#9a9a9a" stroke-width="0.8" vector-effect="non-scaling-stroke">""");
        foreach (var ward in visible)
        {
            var simplified = TopologyPreservingSimplifier.Simplify(ward.Shape, pixel);
            svg.Append("<path vector-effect=\"non-scaling-stroke\" d=\"").Append(frame.Path(simplified)).Append("\"><title>")
                .Append(WebUtility.HtmlEncode(ward.Name)).Append("</title></path>");
        }

        svg.Append("</g>");
        svg.Append("<path class=\"area-of-interest\" fill=\"none\" stroke=\"#333\" stroke-width=\"2\" vector-effect=\"non-scaling-stroke\" d=\"")
            .Append(frame.Path(TopologyPreservingSimplifier.Simplify(areaOfInterest, pixel / 2))).Append("\"/>");

        var wardFont = 13 * pixel;
        svg.Append(CultureInfo.InvariantCulture, $"""<g class="ward-labels" font-family="sans-serif" font-size="{N(wardFont)}" font-style="italic" fill="#6a6a6a" text-anchor="middle" stroke="#fbfbf8" stroke-width="{N(wardFont / 4)}" paint-order="stroke">""");
        foreach (var ward in visible.Count <= MaxWardLabels ? visible : [.. visible.Where(w => patrolAreas.Any(a => a.Shape.Intersects(w.Shape)))])
        {
            // Label the part of the ward in view, so that a ward cut by the frame is still named.
            var inView = ward.Shape.Intersection(view);
            if (!inView.IsEmpty && inView.Area > 0)
            {
                var point = inView.InteriorPoint.Coordinate;
                svg.Append(CultureInfo.InvariantCulture, $"""<text x="{frame.X(point.X)}" y="{frame.Y(point.Y)}">{WebUtility.HtmlEncode(ward.Name)}</text>""");
            }
        }

        svg.Append("</g>");

        var ringRadius = 14 * pixel;
        svg.Append("""<g class="patrol-areas">""");
        foreach (var area in patrolAreas)
        {
            svg.Append("<path fill=\"#d7301f\" fill-opacity=\"0.6\" fill-rule=\"evenodd\" stroke=\"#7f0000\" stroke-width=\"1.5\" vector-effect=\"non-scaling-stroke\" d=\"")
                .Append(frame.Path(area.Shape)).Append("\"><title>").Append(WebUtility.HtmlEncode(area.Id)).Append("</title></path>");
            var envelope = area.Shape.EnvelopeInternal;
            var centre = area.Shape.Centroid.Coordinate;
            if (Math.Max(envelope.Width, envelope.Height) < 2 * ringRadius)
            {
                svg.Append(CultureInfo.InvariantCulture, $"""<circle cx="{frame.X(centre.X)}" cy="{frame.Y(centre.Y)}" r="{N(ringRadius)}" fill="none" stroke="#7f0000" stroke-width="1.5" vector-effect="non-scaling-stroke"/>""");
            }
        }

        AppendLabels(svg, frame, extent, patrolAreas, pixel);
        svg.Append("</g>");
        AppendScaleBar(svg, width, height, pixel);
        AppendNorthArrow(svg, width, pixel);
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>The patrol areas' extent with room for labels, widened to the aspect ratio (height / width); the area of interest's when there are no areas.</summary>
    private static Envelope FitFrame(Geometry areaOfInterest, IReadOnlyList<MapArea> patrolAreas, double aspect)
    {
        var extent = new Envelope();
        foreach (var area in patrolAreas)
        {
            extent.ExpandToInclude(area.Shape.EnvelopeInternal);
        }

        if (extent.IsNull)
        {
            extent = new Envelope(areaOfInterest.EnvelopeInternal);
        }

        // Room for the labels beside the outermost areas, and never closer than a street block or two.
        extent.ExpandBy(Math.Max(400, Math.Max(extent.Width, extent.Height) * 0.18));
        if (extent.Height / extent.Width > aspect)
        {
            extent.ExpandBy(((extent.Height / aspect) - extent.Width) / 2, 0);
        }
        else
        {
            extent.ExpandBy(0, ((extent.Width * aspect) - extent.Height) / 2);
        }

        return extent;
    }

    /// <summary>
    /// Each area's label (id in bold, then its streets) in the first of eight places around it that
    /// stays in the frame and overlaps no label or other area; failing all, the least crowded of them.
    /// </summary>
    private static void AppendLabels(StringBuilder svg, Frame frame, Envelope extent, IReadOnlyList<MapArea> areas, double pixel)
    {
        var idFont = 18 * pixel;
        var streetFont = 15 * pixel;
        var placed = new List<Envelope>();
        var shapes = areas.Select(a => a.Shape.EnvelopeInternal).ToList();
        for (var i = 0; i < areas.Count; i++)
        {
            var area = areas[i];
            var lines = Wrap(area.Streets, 34);
            // Text widths estimated at 0.6 em a character (DejaVu Sans), enough to keep boxes apart.
            var boxWidth = Math.Max(area.Id.Length * idFont * 0.62, lines.Count == 0 ? 0 : lines.Max(l => l.Length) * streetFont * 0.6) + (6 * pixel);
            var boxHeight = (idFont * 1.1) + (lines.Count * streetFont * 1.15) + (4 * pixel);
            var own = shapes[i];
            var gap = 10 * pixel;
            var candidates = new (double X, double Y)[]
            {
                (own.MaxX + gap, own.Centre.Y + (boxHeight / 2)),
                (own.MinX - gap - boxWidth, own.Centre.Y + (boxHeight / 2)),
                (own.Centre.X - (boxWidth / 2), own.MaxY + gap + boxHeight),
                (own.Centre.X - (boxWidth / 2), own.MinY - gap),
                (own.MaxX + gap, own.MaxY + gap + boxHeight),
                (own.MinX - gap - boxWidth, own.MaxY + gap + boxHeight),
                (own.MaxX + gap, own.MinY - gap),
                (own.MinX - gap - boxWidth, own.MinY - gap),
            };
            Envelope? best = null;
            var bestOverlap = double.PositiveInfinity;
            foreach (var distance in new[] { 1.0, 2.5, 4.5 })
            {
                foreach (var (x, y) in candidates)
                {
                    // Move the candidate away from the area by the distance factor.
                    var dx = (x + (boxWidth / 2) - own.Centre.X) * (distance - 1);
                    var dy = (y - (boxHeight / 2) - own.Centre.Y) * (distance - 1);
                    var box = new Envelope(x + dx, x + dx + boxWidth, y + dy - boxHeight, y + dy);
                    if (!extent.Contains(box))
                    {
                        continue;
                    }

                    var overlap = placed.Sum(p => Overlap(p, box)) + shapes.Where((_, j) => j != i).Sum(s => Overlap(s, box)) + Overlap(own, box);
                    if (overlap < bestOverlap)
                    {
                        (best, bestOverlap) = (box, overlap);
                    }
                }

                if (bestOverlap == 0)
                {
                    break;
                }
            }

            best ??= new Envelope(own.MaxX + gap, own.MaxX + gap + boxWidth, own.Centre.Y - (boxHeight / 2), own.Centre.Y + (boxHeight / 2));
            placed.Add(best);
            var anchor = Nearest(best, own);
            var target = area.Shape.InteriorPoint.Coordinate;
            svg.Append(CultureInfo.InvariantCulture, $"""<path class="leader" d="M{frame.X(anchor.X)} {frame.Y(anchor.Y)}L{frame.X(target.X)} {frame.Y(target.Y)}" stroke="#7f0000" stroke-width="1" vector-effect="non-scaling-stroke" fill="none"/>""");
            svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{frame.X(best.MinX)}" y="{frame.Y(best.MaxY)}" width="{N(best.Width)}" height="{N(best.Height)}" fill="#fff" fill-opacity="0.9" stroke="#7f0000" stroke-width="0.8" vector-effect="non-scaling-stroke"/>""");
            var textX = best.MinX + (3 * pixel);
            var baseline = best.MaxY - (2 * pixel) - (idFont * 0.85);
            svg.Append(CultureInfo.InvariantCulture, $"""<text class="area-label" x="{frame.X(textX)}" y="{frame.Y(baseline)}" font-family="sans-serif" font-weight="bold" font-size="{N(idFont)}" fill="#7f0000">{WebUtility.HtmlEncode(area.Id)}</text>""");
            foreach (var line in lines)
            {
                baseline -= streetFont * 1.15;
                svg.Append(CultureInfo.InvariantCulture, $"""<text class="street-label" x="{frame.X(textX)}" y="{frame.Y(baseline)}" font-family="sans-serif" font-size="{N(streetFont)}" fill="#1b1b1b">{WebUtility.HtmlEncode(line)}</text>""");
            }
        }
    }

    private static double Overlap(Envelope a, Envelope b) => a.Intersects(b) ? Math.Max(a.Intersection(b).Area, 1e-6) : 0;

    /// <summary>The point of the label box nearest the area's box (for the leader line).</summary>
    private static Coordinate Nearest(Envelope box, Envelope area) =>
        new(Math.Clamp(area.Centre.X, box.MinX, box.MaxX), Math.Clamp(area.Centre.Y, box.MinY, box.MaxY));

    /// <summary>Street names "A / B / C" as lines of at most <paramref name="width"/> characters, breaking after a " / ".</summary>
    internal static List<string> Wrap(string streets, int width)
    {
        var lines = new List<string>();
        var line = string.Empty;
        foreach (var street in streets.Split(" / ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.Length > 0 && line.Length + 3 + street.Length > width)
            {
                lines.Add(line + " /");
                line = street;
            }
            else
            {
                line = line.Length == 0 ? street : line + " / " + street;
            }
        }

        if (line.Length > 0)
        {
            lines.Add(line);
        }

        return lines;
    }

    /// <summary>A bar of a round length near a fifth of the map's width, bottom left.</summary>
    private static void AppendScaleBar(StringBuilder svg, double width, double height, double pixel)
    {
        var length = NiceLength(width / 5);
        var x = 20 * pixel;
        var y = height - (24 * pixel);
        var tick = 6 * pixel;
        var label = length >= 1000 ? $"{N(length / 1000)} km" : $"{N(length)} m";
        svg.Append(CultureInfo.InvariantCulture, $"""<g class="scale-bar" stroke="#000" stroke-width="2" vector-effect="non-scaling-stroke">""");
        svg.Append(CultureInfo.InvariantCulture, $"""<path vector-effect="non-scaling-stroke" fill="none" d="M{N(x)} {N(y - tick)}V{N(y)}H{N(x + length)}V{N(y - tick)}"/>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<path vector-effect="non-scaling-stroke" fill="none" d="M{N(x + (length / 2))} {N(y - (tick / 2))}V{N(y)}"/>""");
        svg.Append("</g>");
        svg.Append(CultureInfo.InvariantCulture, $"""<text class="scale-label" x="{N(x + (length / 2))}" y="{N(y + (14 * pixel))}" font-family="sans-serif" font-size="{N(12 * pixel)}" text-anchor="middle">{label}</text>""");
    }

    private static void AppendNorthArrow(StringBuilder svg, double width, double pixel)
    {
        var x = width - (30 * pixel);
        var y = 20 * pixel;
        var size = 16 * pixel;
        svg.Append(CultureInfo.InvariantCulture, $"""<g class="north-arrow"><path d="M{N(x)} {N(y)}L{N(x + (size / 2))} {N(y + (1.6 * size))}L{N(x)} {N(y + (1.2 * size))}L{N(x - (size / 2))} {N(y + (1.6 * size))}Z" fill="#000"/>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{N(x)}" y="{N(y + (2.6 * size))}" font-family="sans-serif" font-size="{N(12 * pixel)}" text-anchor="middle">N</text></g>""");
    }

    /// <summary>The largest of 1, 2 or 5 × 10^k metres not above <paramref name="target"/> (at least 10 m).</summary>
    internal static double NiceLength(double target)
    {
        var best = 10.0;
        for (var power = 10.0; power <= 1e6; power *= 10)
        {
            foreach (var step in new[] { 1.0, 2.0, 5.0 })
            {
                if (step * power <= target)
                {
                    best = step * power;
                }
            }
        }

        return best;
    }

    private static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>Maps projected metres to SVG user units: origin at the top-left of the extent, y down.</summary>
    private sealed class Frame(double minX, double maxY)
    {
        public string X(double x) => N(x - minX);

        public string Y(double y) => N(maxY - y);

        public string Path(Geometry geometry)
        {
            var d = new StringBuilder();
            for (var g = 0; g < geometry.NumGeometries; g++)
            {
                if (geometry.GetGeometryN(g) is not Polygon polygon || polygon.IsEmpty)
                {
                    continue;
                }

                AppendRing(d, polygon.ExteriorRing);
                foreach (var hole in polygon.InteriorRings)
                {
                    AppendRing(d, hole);
                }
            }

            return d.ToString();
        }

        private void AppendRing(StringBuilder d, LineString ring)
        {
            var coordinates = ring.Coordinates;
            for (var i = 0; i < coordinates.Length - 1; i++)
            {
                d.Append(i == 0 ? 'M' : 'L').Append(X(coordinates[i].X)).Append(' ').Append(Y(coordinates[i].Y));
            }

            d.Append('Z');
        }
    }
}
