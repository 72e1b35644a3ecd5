namespace Targeting.Grpc;

/// <summary>
/// The grpc-timeout header: a positive integer of at most 8 ASCII digits followed by a unit,
/// H (hours), M (minutes), S (seconds), m (milliseconds), u (microseconds) or n (nanoseconds).
/// </summary>
internal static class GrpcTimeout
{
    private const long MaxValue = 99_999_999;

    /// <summary>Parses a header value; false for anything outside the grammar.</summary>
    public static bool TryParse(ReadOnlySpan<char> value, out TimeSpan timeout)
    {
        timeout = default;
        if (value.Length < 2 || value.Length > 9)
        {
            return false;
        }
        long amount = 0;
        foreach (var c in value[..^1])
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
            amount = (amount * 10) + (c - '0');
        }
        // Ticks are 100 ns; 99,999,999 hours overflows TimeSpan, so saturate instead.
        timeout = value[^1] switch
        {
            'H' => Saturate(amount, TimeSpan.TicksPerHour),
            'M' => Saturate(amount, TimeSpan.TicksPerMinute),
            'S' => Saturate(amount, TimeSpan.TicksPerSecond),
            'm' => TimeSpan.FromTicks(amount * TimeSpan.TicksPerMillisecond),
            'u' => TimeSpan.FromTicks(amount * 10),
            'n' => TimeSpan.FromTicks(amount / 100),
            _ => TimeSpan.MinValue,
        };
        return timeout != TimeSpan.MinValue;
    }

    private static TimeSpan Saturate(long amount, long ticksPerUnit) =>
        amount > TimeSpan.MaxValue.Ticks / ticksPerUnit ? TimeSpan.MaxValue : TimeSpan.FromTicks(amount * ticksPerUnit);

    /// <summary>
    /// Formats a remaining time with the finest unit whose value fits in 8 digits, rounding up so
    /// the server never sees a shorter deadline than the client's. Zero or negative gives "1n".
    /// </summary>
    public static string Format(TimeSpan timeout)
    {
        var ticks = timeout.Ticks;
        if (ticks <= 0)
        {
            return "1n";
        }
        if (ticks <= MaxValue / 100)
        {
            return Text(ticks * 100, 'n');
        }
        var micros = CeilingDivide(ticks, 10);
        if (micros <= MaxValue)
        {
            return Text(micros, 'u');
        }
        var millis = CeilingDivide(ticks, TimeSpan.TicksPerMillisecond);
        if (millis <= MaxValue)
        {
            return Text(millis, 'm');
        }
        var seconds = CeilingDivide(ticks, TimeSpan.TicksPerSecond);
        if (seconds <= MaxValue)
        {
            return Text(seconds, 'S');
        }
        var minutes = CeilingDivide(ticks, TimeSpan.TicksPerMinute);
        if (minutes <= MaxValue)
        {
            return Text(minutes, 'M');
        }
        return Text(Math.Min(CeilingDivide(ticks, TimeSpan.TicksPerHour), MaxValue), 'H');
    }

    private static long CeilingDivide(long value, long divisor) => (value + divisor - 1) / divisor;

    private static string Text(long amount, char unit) =>
        string.Concat(amount.ToString(System.Globalization.CultureInfo.InvariantCulture), unit.ToString());
}
