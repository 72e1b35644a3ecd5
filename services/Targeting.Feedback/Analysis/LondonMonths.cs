using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Targeting.Common.V1;

namespace Targeting.Feedback.Analysis;

/// <summary>
/// Calendar months in London time. data.police.uk stamps a stop in UTC, so in summer a record of
/// 1 June 00:30 BST is dated 31 May 23:30Z; months (for the transparency report and for
/// <c>--from 2022-06</c>) are therefore London months, converted to UTC instants at their edges.
/// </summary>
public static class LondonMonths
{
    private static readonly TimeZoneInfo London = FindLondon();

    /// <summary>A month as one integer, year·12 + (month − 1), so months sort and subtract.</summary>
    public static int Key(int year, int month) => year * 12 + month - 1;

    /// <summary>The London month holding a UTC instant.</summary>
    public static int KeyOf(DateTime utc)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), London);
        return Key(local.Year, local.Month);
    }

    /// <summary>"YYYY-MM" of a month key.</summary>
    public static string Format(int key) =>
        string.Create(CultureInfo.InvariantCulture, $"{key / 12:0000}-{key % 12 + 1:00}");

    /// <summary>Parses "YYYY-MM" into a month key.</summary>
    public static bool TryParse(string? text, out int key)
    {
        key = 0;
        if (text is null || text.Length != 7 || text[4] != '-'
            || !int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || !int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var month)
            || year < 1900 || year > 2999 || month is < 1 or > 12)
        {
            return false;
        }

        key = Key(year, month);
        return true;
    }

    /// <summary>The UTC instant at which a London month begins.</summary>
    public static DateTime StartUtc(int key)
    {
        var local = new DateTime(key / 12, key % 12 + 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
        return TimeZoneInfo.ConvertTimeToUtc(local, London);
    }

    /// <summary>The half-open window [start of <paramref name="from"/>, start of the month after <paramref name="to"/>) in London months.</summary>
    public static TimeWindow Window(int from, int to) => new()
    {
        Start = Timestamp.FromDateTime(StartUtc(from)),
        End = Timestamp.FromDateTime(StartUtc(to + 1)),
    };

    /// <summary>The London months a window touches, first to last (empty for an empty window).</summary>
    public static IReadOnlyList<int> Spanned(DateTime startUtc, DateTime endUtc)
    {
        if (endUtc <= startUtc)
        {
            return [];
        }

        var first = KeyOf(startUtc);
        var last = KeyOf(endUtc.AddTicks(-1));
        return Enumerable.Range(first, last - first + 1).ToArray();
    }

    private static TimeZoneInfo FindLondon()
    {
        // Linux and macOS use IANA ids; Windows its own.
        foreach (var id in new[] { "Europe/London", "GMT Standard Time" })
        {
            if (TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone))
            {
                return zone;
            }
        }

        throw new InvalidOperationException("the Europe/London time zone is not installed (tzdata)");
    }
}
