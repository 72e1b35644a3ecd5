using System.Globalization;
using System.Net;
using System.Text;
using NetTopologySuite.Geometries;
using NetTopologySuite.Simplify;

namespace Targeting.Hotspot.Briefing;

/// <summary>A named shape on the map, in the projected CRS (metres).</summary>
public sealed record MapShape(string Name, Geometry Shape);

/// <summary>
/// Draws patrol areas over ward boundaries as an inline SVG, in the projected CRS so that
/// distances are true and a scale bar can be drawn: no tiles, no scripts, prints as vectors.
/// </summary>
/// <remarks>
/// User units are metres (x east, y flipped so north is up); strokes do not scale with the
/// drawing. Ward outlines are simplified to about a pixel; patrol areas are drawn exactly.
/// Small areas on a large map get a ring around them so that they can be found.
/// </remarks>
internal static class SvgMap
{
    private const double WidthPixels = 1000;

    /// <summary>Most ward names we label; above this (all London) only wards holding a patrol area are named.</summary>
    private const int MaxWardLabels = 80;

    public static string Render(Geometry areaOfInterest, IReadOnlyList<MapShape> wards, IReadOnlyList<MapShape> patrolAreas)
    {
        var extent = new Envelope(areaOfInterest.EnvelopeInternal);
        foreach (var area in patrolAreas)
        {
            extent.ExpandToInclude(area.Shape.EnvelopeInternal);
        }

        var margin = Math.Max(extent.Width, extent.Height) * 0.03;
        extent.ExpandBy(margin);
        var width = extent.Width;
        var height = extent.Height;
        var pixel = width / WidthPixels;
        var frame = new Frame(extent.MinX, extent.MaxY);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {N(width)} {N(height)}" width="100%" role="img" aria-label="Map of the patrol areas over ward boundaries" class="map">""");
        svg.Append(CultureInfo.InvariantCulture, $"""<rect x="0" y="0" width="{N(width)}" height="{N(height)}" fill="#fbfbf8"/>""");

        svg.Append("""<g class="wards" fill="none" stroke="#9a9a9a" stroke-width="0.8" vector-effect="non-scaling-stroke">""");
        foreach (var ward in wards)
        {
            var simplified = TopologyPreservingSimplifier.Simplify(ward.Shape, pixel);
            svg.Append("<path vector-effect=\"non-scaling-stroke\" d=\"").Append(frame.Path(simplified)).Append("\"><title>")
                .Append(WebUtility.HtmlEncode(ward.Name)).Append("</title></path>");
        }

        svg.Append("</g>");
        svg.Append("<path class=\"area-of-interest\" fill=\"none\" stroke=\"#333\" stroke-width=\"2\" vector-effect=\"non-scaling-stroke\" d=\"")
            .Append(frame.Path(TopologyPreservingSimplifier.Simplify(areaOfInterest, pixel / 2))).Append("\"/>");

        var labelled = wards.Count <= MaxWardLabels
            ? wards
            : [.. wards.Where(w => patrolAreas.Any(a => a.Shape.Intersects(w.Shape)))];
        var wardFont = 11 * pixel;
        svg.Append(CultureInfo.InvariantCulture, $"""<g class="ward-labels" font-family="sans-serif" font-size="{N(wardFont)}" fill="#555" text-anchor="middle" stroke="#fbfbf8" stroke-width="{N(wardFont / 4)}" paint-order="stroke">""");
        foreach (var ward in labelled)
        {
            var point = ward.Shape.InteriorPoint.Coordinate;
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{frame.X(point.X)}" y="{frame.Y(point.Y)}">{WebUtility.HtmlEncode(ward.Name)}</text>""");
        }

        svg.Append("</g>");

        var ringRadius = 14 * pixel;
        svg.Append("""<g class="patrol-areas">""");
        foreach (var area in patrolAreas)
        {
            svg.Append("<path fill=\"#d7301f\" fill-opacity=\"0.6\" fill-rule=\"evenodd\" stroke=\"#7f0000\" stroke-width=\"1.5\" vector-effect=\"non-scaling-stroke\" d=\"")
                .Append(frame.Path(area.Shape)).Append("\"><title>").Append(WebUtility.HtmlEncode(area.Name)).Append("</title></path>");
            var envelope = area.Shape.EnvelopeInternal;
            var centre = area.Shape.Centroid.Coordinate;
            if (Math.Max(envelope.Width, envelope.Height) < 2 * ringRadius)
            {
                svg.Append(CultureInfo.InvariantCulture, $"""<circle cx="{frame.X(centre.X)}" cy="{frame.Y(centre.Y)}" r="{N(ringRadius)}" fill="none" stroke="#7f0000" stroke-width="1.5" vector-effect="non-scaling-stroke"/>""");
            }
        }

        var areaFont = 15 * pixel;
        foreach (var area in patrolAreas)
        {
            var label = area.Shape.InteriorPoint.Coordinate;
            var envelope = area.Shape.EnvelopeInternal;
            var above = Math.Max(envelope.Height / 2, ringRadius) + (areaFont * 0.3);
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{frame.X(label.X)}" y="{frame.Y(label.Y + above)}" font-family="sans-serif" font-weight="bold" font-size="{N(areaFont)}" fill="#7f0000" text-anchor="middle" stroke="#fff" stroke-width="{N(areaFont / 4)}" paint-order="stroke">{WebUtility.HtmlEncode(area.Name)}</text>""");
        }

        svg.Append("</g>");
        AppendScaleBar(svg, width, height, pixel);
        AppendNorthArrow(svg, width, pixel);
        svg.Append("</svg>");
        return svg.ToString();
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
