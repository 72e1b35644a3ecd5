using Google.Protobuf.WellKnownTypes;
using Targeting.Common.V1;

namespace Targeting.Feedback.Analysis;

/// <summary>A half-open UTC window [start, end) in ticks; unbounded ends are MinValue / MaxValue.</summary>
public readonly record struct AnalysisWindow(long StartTicks, long EndTicks)
{
    /// <summary>Every instant.</summary>
    public static AnalysisWindow All { get; } = new(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks);

    /// <summary>The window of a proto <see cref="TimeWindow"/>; unset ends are unbounded.</summary>
    public static AnalysisWindow From(TimeWindow? window) => new(
        window?.Start?.ToDateTime().Ticks ?? DateTime.MinValue.Ticks,
        window?.End?.ToDateTime().Ticks ?? DateTime.MaxValue.Ticks);

    /// <summary>Whether the instant is inside.</summary>
    public bool Contains(long utcTicks) => utcTicks >= StartTicks && utcTicks < EndTicks;

    /// <summary>Whether both ends are set.</summary>
    public bool IsBounded => StartTicks != DateTime.MinValue.Ticks && EndTicks != DateTime.MaxValue.Ticks;

    /// <summary>The proto form (unbounded ends left unset).</summary>
    public TimeWindow ToProto()
    {
        var window = new TimeWindow();
        if (StartTicks != DateTime.MinValue.Ticks)
        {
            window.Start = Timestamp.FromDateTime(new DateTime(StartTicks, DateTimeKind.Utc));
        }

        if (EndTicks != DateTime.MaxValue.Ticks)
        {
            window.End = Timestamp.FromDateTime(new DateTime(EndTicks, DateTimeKind.Utc));
        }

        return window;
    }
}
