using System.Globalization;
using Google.Protobuf;
using Targeting.Feedback.V1;
using Targeting.Import;

namespace Targeting.Feedback.Analysis;

/// <summary>The transparency report as JSON (the proto's JSON form) and as CSV (one line per borough and month).</summary>
public static class TransparencyFormats
{
    /// <summary>What a suppressed count shows in the CSV (the ONS convention for "confidential").</summary>
    public const string SuppressedMark = "[c]";

    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    /// <summary>The report as proto3 JSON, zeros written out (so a published 0 and a suppressed count read differently).</summary>
    public static string ToJson(TransparencyReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return Json.Format(report);
    }

    /// <summary>
    /// The report as CSV: borough, month, searches, arrests, finds, inside_patrol_areas, then one
    /// column per ethnic group ("ethnicity: White") and per object ("object: Offensive weapons"), in
    /// the order of the first row; suppressed counts are written <see cref="SuppressedMark"/>.
    /// </summary>
    public static string ToCsv(TransparencyReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var ethnicities = report.Rows.FirstOrDefault()?.SearchesByEthnicity.Keys.ToArray() ?? [];
        var objects = report.Rows.FirstOrDefault()?.SearchesByObject.Keys.ToArray() ?? [];
        var header = new[] { "borough", "month", "searches", "arrests", "finds", "inside_patrol_areas" }
            .Concat(ethnicities.Select(e => "ethnicity: " + e))
            .Concat(objects.Select(o => "object: " + o));
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvRecordWriter.Create(text, leaveOpen: true))
        {
            csv.WriteRecord([.. header]);
            foreach (var row in report.Rows)
            {
                csv.WriteRecord([.. new[] { row.Borough, row.Month, Cell(row.Searches), Cell(row.Arrests), Cell(row.Finds), Cell(row.InsidePatrolAreas) }
                    .Concat(ethnicities.Select(e => Cell(row.SearchesByEthnicity.GetValueOrDefault(e))))
                    .Concat(objects.Select(o => Cell(row.SearchesByObject.GetValueOrDefault(o))))]);
            }
        }

        return text.ToString();
    }

    private static string Cell(PublicCount? count) =>
        count is null ? string.Empty : count.Suppressed ? SuppressedMark : count.Value.ToString(CultureInfo.InvariantCulture);
}
