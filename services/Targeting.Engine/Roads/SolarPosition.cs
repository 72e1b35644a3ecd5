namespace Targeting.Engine.Roads;

/// <summary>
/// Sunset and the end of civil twilight by the NOAA solar position algorithm: the formulas of NOAA's
/// Global Monitoring Laboratory solar calculation spreadsheet (NOAA_Solar_Calculations_day.xls, after
/// Meeus, J. 1991, <i>Astronomical Algorithms</i>, Willmann-Bell, chapters 24–25): Julian day, the
/// Sun's apparent longitude, declination and the equation of time, and the hour angle at which the
/// Sun's centre reaches a given zenith angle. Stateless and thread-safe.
/// </summary>
/// <remarks>
/// NOAA state the spreadsheet's rise and set times as accurate to about a minute for latitudes within
/// ±72° and years 1800–2100. Unlike the spreadsheet, which evaluates the Sun at one entered time of
/// day, the event is found by iteration: the declination and equation of time are re-evaluated at the
/// previous estimate of the event (three passes; the change after the third is well under a second).
/// Times are UT (the spreadsheet's convention; ΔT ≈ 1 minute is ignored, as NOAA do).
/// </remarks>
public static class SolarPosition
{
    /// <summary>Zenith angle of the Sun's centre at sunset, 90.833°: the upper limb on a level horizon with
    /// 34′ of standard refraction and the 16′ semi-diameter (NOAA; U.S. Naval Observatory).</summary>
    public const double SunsetZenith = 90.833;

    /// <summary>Zenith angle at the end of evening civil twilight, 96° (the Sun's centre 6° below the horizon).</summary>
    public const double CivilTwilightZenith = 96.0;

    private const double JulianDayOfUnixEpoch = 2440587.5;
    private const double J2000 = 2451545.0;
    private const int Passes = 3;

    /// <summary>The Julian day (days since noon UT of 1 January 4713 BC, proleptic Julian calendar) of an instant.</summary>
    /// <param name="instant">The instant; its offset is honoured.</param>
    public static double JulianDay(DateTimeOffset instant) =>
        JulianDayOfUnixEpoch + (instant.UtcTicks - DateTime.UnixEpoch.Ticks) / (double)TimeSpan.TicksPerDay;

    /// <summary>The Sun's declination and the equation of time at a Julian day (UT), by the NOAA spreadsheet's formulas.</summary>
    /// <param name="julianDay">Julian day, e.g. from <see cref="JulianDay"/>.</param>
    public static SolarCoordinates At(double julianDay)
    {
        var t = (julianDay - J2000) / 36525.0; // Julian centuries since J2000.0
        var meanLongitude = Mod360(280.46646 + t * (36000.76983 + t * 0.0003032));
        var meanAnomaly = Radians(357.52911 + t * (35999.05029 - 0.0001537 * t));
        var eccentricity = 0.016708634 - t * (0.000042037 + 0.0000001267 * t);
        var centre = Math.Sin(meanAnomaly) * (1.914602 - t * (0.004817 + 0.000014 * t))
            + Math.Sin(2 * meanAnomaly) * (0.019993 - 0.000101 * t)
            + Math.Sin(3 * meanAnomaly) * 0.000289;
        var omega = Radians(125.04 - 1934.136 * t); // longitude of the Moon's ascending node (nutation, aberration)
        var apparentLongitude = Radians(meanLongitude + centre - 0.00569 - 0.00478 * Math.Sin(omega));
        var meanObliquity = 23.0 + (26.0 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60.0) / 60.0;
        var obliquity = Radians(meanObliquity + 0.00256 * Math.Cos(omega));
        var declination = Math.Asin(Math.Sin(obliquity) * Math.Sin(apparentLongitude));

        var y = Math.Tan(obliquity / 2) * Math.Tan(obliquity / 2);
        var l0 = Radians(meanLongitude);
        var equationOfTime = 4.0 * Degrees(
            y * Math.Sin(2 * l0)
            - 2 * eccentricity * Math.Sin(meanAnomaly)
            + 4 * eccentricity * y * Math.Sin(meanAnomaly) * Math.Cos(2 * l0)
            - 0.5 * y * y * Math.Sin(4 * l0)
            - 1.25 * eccentricity * eccentricity * Math.Sin(2 * meanAnomaly));
        return new SolarCoordinates(Degrees(declination), equationOfTime);
    }

    /// <summary>Sunset (upper limb on the horizon, zenith 90.833°) on a date at a place.</summary>
    /// <param name="date">The civil date at the place.</param>
    /// <param name="latitude">Latitude in degrees, north positive, in [−90, 90].</param>
    /// <param name="longitude">Longitude in degrees, east positive, in [−180, 180].</param>
    /// <returns>The instant (offset zero), or null when the Sun does not set that day (polar day or night).</returns>
    public static DateTimeOffset? Sunset(DateOnly date, double latitude, double longitude) =>
        EveningEvent(date, latitude, longitude, SunsetZenith);

    /// <summary>The end of evening civil twilight (zenith 96°) on a date at a place.</summary>
    /// <param name="date">The civil date at the place.</param>
    /// <param name="latitude">Latitude in degrees, north positive.</param>
    /// <param name="longitude">Longitude in degrees, east positive.</param>
    /// <returns>The instant (offset zero), or null when civil twilight does not end that night (e.g. Shetland at midsummer).</returns>
    public static DateTimeOffset? CivilDusk(DateOnly date, double latitude, double longitude) =>
        EveningEvent(date, latitude, longitude, CivilTwilightZenith);

    /// <summary>
    /// The evening instant at which the Sun's centre reaches <paramref name="zenith"/> on a date at a place:
    /// solar noon (720 − 4λ − E minutes after 0h UT, E the equation of time in minutes) plus 4·H minutes,
    /// H = arccos(cos z / (cos φ cos δ) − tan φ tan δ) the hour angle in degrees.
    /// </summary>
    /// <param name="date">The civil date at the place (the event falls on the local solar day of that date).</param>
    /// <param name="latitude">Latitude in degrees, north positive, in [−90, 90].</param>
    /// <param name="longitude">Longitude in degrees, east positive, in [−180, 180].</param>
    /// <param name="zenith">Zenith angle of the Sun's centre in degrees, in (0, 180).</param>
    /// <returns>The instant (offset zero), or null when the Sun does not reach that zenith angle that day.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A latitude, longitude or zenith out of range (or NaN).</exception>
    public static DateTimeOffset? EveningEvent(DateOnly date, double latitude, double longitude, double zenith)
    {
        CheckPlace(latitude, longitude);
        if (!(zenith > 0 && zenith < 180))
        {
            throw new ArgumentOutOfRangeException(nameof(zenith), zenith, "the zenith angle must lie in (0, 180) degrees");
        }

        var midnight = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var minutes = EventMinutes(JulianDay(midnight), latitude, longitude, zenith, At);
        return minutes is { } m ? midnight.AddTicks((long)Math.Round(m * TimeSpan.TicksPerMinute)) : null;
    }

    /// <summary>Minutes after 0h UT of the date whose Julian day is <paramref name="midnightJulianDay"/>, by iteration.</summary>
    internal static double? EventMinutes(double midnightJulianDay, double latitude, double longitude, double zenith, Func<double, SolarCoordinates> sun)
    {
        var phi = Radians(latitude);
        var cosZenith = Math.Cos(Radians(zenith));
        var minutes = 720.0 - 4.0 * longitude; // first guess: local mean solar noon
        for (var pass = 0; pass < Passes; pass++)
        {
            var position = sun(midnightJulianDay + minutes / 1440.0);
            var delta = Radians(position.DeclinationDegrees);
            var cosH = cosZenith / (Math.Cos(phi) * Math.Cos(delta)) - Math.Tan(phi) * Math.Tan(delta);
            if (!(cosH >= -1.0 && cosH <= 1.0))
            {
                return null;
            }

            minutes = 720.0 - 4.0 * longitude - position.EquationOfTimeMinutes + 4.0 * Degrees(Math.Acos(cosH));
        }

        return minutes;
    }

    internal static void CheckPlace(double latitude, double longitude)
    {
        if (!(latitude >= -90 && latitude <= 90))
        {
            throw new ArgumentOutOfRangeException(nameof(latitude), latitude, "latitude must lie in [-90, 90] degrees");
        }

        if (!(longitude >= -180 && longitude <= 180))
        {
            throw new ArgumentOutOfRangeException(nameof(longitude), longitude, "longitude must lie in [-180, 180] degrees");
        }
    }

    private static double Radians(double degrees) => degrees * (Math.PI / 180.0);

    private static double Degrees(double radians) => radians * (180.0 / Math.PI);

    private static double Mod360(double degrees)
    {
        var r = degrees % 360.0;
        return r < 0 ? r + 360.0 : r;
    }
}

/// <summary>The Sun's position terms the rise/set calculation needs (see <see cref="SolarPosition.At"/>).</summary>
/// <param name="DeclinationDegrees">The Sun's apparent declination δ, degrees (north positive).</param>
/// <param name="EquationOfTimeMinutes">The equation of time E, minutes (apparent minus mean solar time).</param>
public readonly record struct SolarCoordinates(double DeclinationDegrees, double EquationOfTimeMinutes);

/// <summary>
/// The Sun's declination and equation of time at 0h UT of each day of a range, interpolated linearly in
/// between: a cheap stand-in for <see cref="SolarPosition.At"/> when events are needed at many places
/// (both terms change by under 0.5° and 0.5 minutes a day, so the interpolation error is well under a
/// second of event time).
/// </summary>
internal sealed class DailyEphemeris
{
    private readonly double firstJulianDay;
    private readonly SolarCoordinates[] days;

    public DailyEphemeris(DateOnly first, DateOnly last)
    {
        // One day either side: a western event falls after 0h UT of the next day.
        var start = first.AddDays(-1);
        firstJulianDay = SolarPosition.JulianDay(new DateTimeOffset(start.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        days = new SolarCoordinates[last.DayNumber - start.DayNumber + 3];
        for (var i = 0; i < days.Length; i++)
        {
            days[i] = SolarPosition.At(firstJulianDay + i);
        }
    }

    public SolarCoordinates At(double julianDay)
    {
        var x = julianDay - firstJulianDay;
        var i = Math.Clamp((int)Math.Floor(x), 0, days.Length - 2);
        var f = x - i;
        var a = days[i];
        var b = days[i + 1];
        return new SolarCoordinates(
            a.DeclinationDegrees + f * (b.DeclinationDegrees - a.DeclinationDegrees),
            a.EquationOfTimeMinutes + f * (b.EquationOfTimeMinutes - a.EquationOfTimeMinutes));
    }

    public double MidnightJulianDay(DateOnly date) =>
        SolarPosition.JulianDay(new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
}
