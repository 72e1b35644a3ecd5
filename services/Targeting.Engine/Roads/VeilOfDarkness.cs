using Targeting.Engine.Statistics;

namespace Targeting.Engine.Roads;

/// <summary>
/// The veil-of-darkness test for selection by ethnicity in vehicle stops (Grogger, J. and Ridgeway, G.
/// 2006, "Testing for racial profiling in traffic stops from behind a veil of darkness", JASA
/// 101:878–887), as the Stanford Open Policing Project runs it (Pierson, E. et al. 2020, "A large-scale
/// analysis of racial disparities in police stops across the United States", Nature Human Behaviour
/// 4:736–745, Methods "Veil-of-darkness test"). Stateless and thread-safe.
/// </summary>
/// <remarks>
/// <para>For each stop, sunset and the end of civil twilight (dusk) on its local date at its place
/// (<see cref="SolarPosition"/>). Stops are kept when their clock time lies in the inter-twilight
/// window, from the earliest to the latest dusk clock time among the stops considered (times that are
/// light on some days of the sample and dark on others); those between sunset and dusk are dropped
/// (neither light nor dark). A stop is dark when it is at or after dusk.</para>
/// <para>Per group G against the reference group (White), on the stops of G and the reference:
/// logit P(driver in G) = β₀ + β·dark + s(clock time) + α_place, where s is a natural cubic spline with
/// <see cref="VeilOfDarknessOptions.SplineDegreesOfFreedom"/> df and knots as R's ns() places them
/// (<see cref="NaturalCubicSpline"/>) on that subset's clock times, and α_place a fixed effect per place
/// (first place, in ordinal order, the baseline). β is the darkness coefficient: β &lt; 0 (odds ratio
/// below 1) means a smaller share of G among drivers stopped in the dark at the same clock time, which is
/// what selection by ethnicity in daylight would produce. Places where every stop in the subset is of
/// one of the two groups carry no information once the place effect is in (their effect is ±∞), so
/// they are left out and counted.</para>
/// <para>What it cannot show: visibility after dusk is imperfect (street lighting; Stanford's own
/// check restricts to darker places), driving patterns may change with darkness itself, and the test
/// speaks only to the inter-twilight evening hours.</para>
/// </remarks>
public static class VeilOfDarkness
{
    /// <summary>Runs the test for each group against the reference group.</summary>
    /// <param name="stops">The stops; those without an ethnicity, a place (when fixed effects are on) or a location are counted and left out.</param>
    /// <param name="options">Options (null for the defaults).</param>
    /// <returns>The window and counts, and one result per group in ordinal order of the group name.</returns>
    public static VeilOfDarknessResult Run(IReadOnlyList<VehicleStop> stops, VeilOfDarknessOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stops);
        options ??= new VeilOfDarknessOptions();
        options.Validate();

        var inWindow = Window(stops, options, out var counts, out var duskMin, out var duskMax);
        var groups = options.Groups
            ?? inWindow.Select(t => t.Stop.Ethnicity!).Where(g => g != options.Reference).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var results = groups.Select(g => Fit(inWindow, g, options)).ToArray();
        return new VeilOfDarknessResult(options.Reference, duskMin, duskMax, counts, results);
    }

    /// <summary>
    /// The picture behind the test: in the inter-twilight window, per clock-time bin, how many stops were
    /// in daylight and in the dark and how many of each were of drivers not in the reference group (the
    /// share of minority drivers, light against dark at the same clock time). The same stops as
    /// <see cref="Run"/> keeps (twilight dropped); no place adjustment.
    /// </summary>
    /// <param name="stops">The stops.</param>
    /// <param name="binMinutes">Width of a clock-time bin in minutes (default 15); bins start on multiples of it after midnight.</param>
    /// <param name="options">Options (null for the defaults); <see cref="VeilOfDarknessOptions.Reference"/> is the group the others are counted against.</param>
    /// <returns>The non-empty bins in clock order.</returns>
    public static IReadOnlyList<ClockTimeShare> SharesByClockTime(IReadOnlyList<VehicleStop> stops, int binMinutes = 15, VeilOfDarknessOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stops);
        ArgumentOutOfRangeException.ThrowIfLessThan(binMinutes, 1);
        options ??= new VeilOfDarknessOptions();
        options.Validate();
        var bins = new SortedDictionary<int, long[]>();
        foreach (var t in Window(stops, options, out _, out _, out _))
        {
            var start = (int)Math.Floor(t.Minute / binMinutes) * binMinutes;
            if (!bins.TryGetValue(start, out var n))
            {
                bins[start] = n = new long[4];
            }

            var minority = t.Stop.Ethnicity != options.Reference ? 1 : 0;
            n[t.IsDark ? 2 : 0]++;
            n[t.IsDark ? 3 : 1] += minority;
        }

        return [.. bins.Select(b => new ClockTimeShare(b.Key, binMinutes, b.Value[0], b.Value[1], b.Value[2], b.Value[3]))];
    }

    /// <summary>The stops in the inter-twilight window and outside civil twilight, with the window (NaN when empty).</summary>
    internal static List<TimedStop> Window(
        IReadOnlyList<VehicleStop> stops, VeilOfDarknessOptions options, out VeilOfDarknessCounts counts, out double duskMin, out double duskMax)
    {
        var timed = Classify(stops, options, out var excluded);
        duskMin = timed.Count == 0 ? double.NaN : timed.Min(t => t.DuskMinute);
        duskMax = timed.Count == 0 ? double.NaN : timed.Max(t => t.DuskMinute);
        var inWindow = new List<TimedStop>(timed.Count);
        long twilight = 0;
        long outside = 0;
        foreach (var t in timed)
        {
            if (t.Minute < duskMin || t.Minute > duskMax)
            {
                outside++;
            }
            else if (t.Minute >= t.SunsetMinute && t.Minute < t.DuskMinute)
            {
                twilight++;
            }
            else
            {
                inWindow.Add(t);
            }
        }

        counts = new VeilOfDarknessCounts(stops.Count, excluded.Ethnicity, excluded.Place, excluded.Location, excluded.NoDusk, outside, twilight, inWindow.Count);
        return inWindow;
    }

    /// <summary>
    /// The regression sample of one comparison: the window's stops of the group and the reference, in
    /// places with stops of both; with the places kept (ordinal order) and how many stops and places were dropped.
    /// </summary>
    internal static (List<TimedStop> Sample, string[] Places, long DroppedStops, int DroppedPlaces) Sample(
        List<TimedStop> inWindow, string group, VeilOfDarknessOptions options)
    {
        var subset = inWindow.Where(t => t.Stop.Ethnicity == group || t.Stop.Ethnicity == options.Reference).ToList();
        if (!options.PlaceFixedEffects)
        {
            return (subset, [], 0, 0);
        }

        // Places with stops of only one of the two groups are uninformative given the place effect.
        var byPlace = subset.GroupBy(t => t.Stop.Place!, StringComparer.Ordinal).ToArray();
        var informative = byPlace
            .Where(p => p.Any(t => t.Stop.Ethnicity == group) && p.Any(t => t.Stop.Ethnicity == options.Reference))
            .Select(p => p.Key).Order(StringComparer.Ordinal).ToArray();
        var kept = informative.ToHashSet(StringComparer.Ordinal);
        var sample = subset.Where(t => kept.Contains(t.Stop.Place!)).ToList();
        return (sample, informative, subset.Count - sample.Count, byPlace.Length - informative.Length);
    }

    /// <summary>
    /// Each usable stop with its clock minute and the sunset and dusk minutes of its date, all counted in
    /// minutes after local midnight of the stop's date at the stop's UTC offset.
    /// </summary>
    internal static List<TimedStop> Classify(IReadOnlyList<VehicleStop> stops, VeilOfDarknessOptions options, out (long Ethnicity, long Place, long Location, long NoDusk) excluded)
    {
        excluded = default;
        var usable = new List<VehicleStop>(stops.Count);
        foreach (var stop in stops)
        {
            if (string.IsNullOrEmpty(stop.Ethnicity))
            {
                excluded.Ethnicity++;
            }
            else if (options.PlaceFixedEffects && string.IsNullOrEmpty(stop.Place))
            {
                excluded.Place++;
            }
            else if ((stop.Latitude is null || stop.Longitude is null) && options.DefaultLatitude is null)
            {
                excluded.Location++;
            }
            else
            {
                usable.Add(stop);
            }
        }

        var result = new List<TimedStop>(usable.Count);
        if (usable.Count == 0)
        {
            return result;
        }

        var first = DateOnly.FromDateTime(usable.Min(s => s.Time.DateTime));
        var last = DateOnly.FromDateTime(usable.Max(s => s.Time.DateTime));
        var ephemeris = new DailyEphemeris(first, last);
        Func<double, SolarCoordinates> sun = ephemeris.At;
        // Events depend on the date and place only: cache them per date and position rounded to 0.01°
        // (about 1 km; it moves dusk by under 2 seconds at British latitudes), so a million stops at
        // street points cost a few tens of thousands of evaluations.
        var cache = new Dictionary<(int, int, int), (double?, double?)>();
        foreach (var stop in usable)
        {
            var lat = stop.Latitude ?? options.DefaultLatitude!.Value;
            var lng = stop.Longitude ?? options.DefaultLongitude!.Value;
            SolarPosition.CheckPlace(lat, lng);
            var date = DateOnly.FromDateTime(stop.Time.DateTime);
            var key = (date.DayNumber, (int)Math.Round(lat * 100), (int)Math.Round(lng * 100));
            if (!cache.TryGetValue(key, out var events))
            {
                var midnight = ephemeris.MidnightJulianDay(date);
                var (rlat, rlng) = (key.Item2 / 100.0, key.Item3 / 100.0);
                events = (
                    SolarPosition.EventMinutes(midnight, rlat, rlng, SolarPosition.SunsetZenith, sun),
                    SolarPosition.EventMinutes(midnight, rlat, rlng, SolarPosition.CivilTwilightZenith, sun));
                cache[key] = events;
            }

            if (events.Item1 is not { } sunsetUtc || events.Item2 is not { } duskUtc)
            {
                excluded.NoDusk++;
                continue;
            }

            // Event minutes are after 0h UT of the date; local minutes = UT minutes + offset.
            var offset = stop.Time.Offset.TotalMinutes;
            result.Add(new TimedStop(stop, stop.Time.TimeOfDay.TotalMinutes, sunsetUtc + offset, duskUtc + offset));
        }

        return result;
    }

    private static VeilOfDarknessGroupResult Fit(List<TimedStop> inWindow, string group, VeilOfDarknessOptions options)
    {
        var (sample, informative, droppedStops, droppedPlaces) = Sample(inWindow, group, options);
        var placeIndex = informative.Select((pl, i) => (pl, i)).ToDictionary(x => x.pl, x => x.i, StringComparer.Ordinal);
        var counts = new VeilOfDarknessGroupCounts(
            sample.LongCount(t => t.Stop.Ethnicity == group && !t.IsDark),
            sample.LongCount(t => t.Stop.Ethnicity == group && t.IsDark),
            sample.LongCount(t => t.Stop.Ethnicity == options.Reference && !t.IsDark),
            sample.LongCount(t => t.Stop.Ethnicity == options.Reference && t.IsDark),
            droppedStops,
            droppedPlaces);
        if (counts.GroupLight + counts.GroupDark == 0 || counts.ReferenceLight + counts.ReferenceDark == 0 || counts.GroupDark + counts.ReferenceDark == 0
            || counts.GroupLight + counts.ReferenceLight == 0)
        {
            return VeilOfDarknessGroupResult.NotEstimable(group, counts, [], "no stops of the group or the reference, or none light or none dark, in the window");
        }

        NaturalCubicSpline spline;
        try
        {
            spline = NaturalCubicSpline.WithQuantileKnots(sample.Select(t => t.Minute).ToArray(), options.SplineDegreesOfFreedom);
        }
        catch (ArgumentException e)
        {
            return VeilOfDarknessGroupResult.NotEstimable(group, counts, [], e.Message);
        }

        // The place effect goes in as each row's place index (a factor), not as columns of zeros.
        var p = 2 + spline.Columns;
        var design = new double[sample.Count * p];
        var levels = options.PlaceFixedEffects ? new int[sample.Count] : null;
        var outcomes = new bool[sample.Count];
        for (var i = 0; i < sample.Count; i++)
        {
            var t = sample[i];
            var row = design.AsSpan(i * p, p);
            row[0] = 1.0;
            row[1] = t.IsDark ? 1.0 : 0.0;
            spline.Evaluate(t.Minute, row.Slice(2, spline.Columns));
            if (levels is not null)
            {
                levels[i] = placeIndex[t.Stop.Place!];
            }

            outcomes[i] = t.Stop.Ethnicity == group;
        }

        var names = new List<string> { "intercept", "dark" };
        names.AddRange(Enumerable.Range(1, spline.Columns).Select(j => $"spline{j}"));
        names.AddRange(informative.Skip(1).Select(pl => "place:" + pl));
        var fit = LogisticRegression.Fit(design, p, levels, Math.Max(1, informative.Length), outcomes, names);
        if (!fit.Converged)
        {
            return VeilOfDarknessGroupResult.NotEstimable(group, counts, spline.Knots, fit.Note ?? "the fit did not converge");
        }

        var (b, lower, upper) = fit.WaldInterval(1, options.Confidence);
        return new VeilOfDarknessGroupResult(
            group, b, fit.StandardError(1), lower, upper, Math.Exp(b), Math.Exp(lower), Math.Exp(upper), fit.WaldPValue(1), counts, spline.Knots, informative, fit.Iterations, null);
    }

    /// <summary>A usable stop with its minutes after local midnight (clock time, sunset, dusk).</summary>
    internal readonly record struct TimedStop(VehicleStop Stop, double Minute, double SunsetMinute, double DuskMinute)
    {
        public bool IsDark => Minute >= DuskMinute;
    }
}

/// <summary>Options of <see cref="VeilOfDarkness.Run"/>.</summary>
public sealed record VeilOfDarknessOptions
{
    /// <summary>The reference group (default "White").</summary>
    public string Reference { get; init; } = "White";

    /// <summary>The groups to test against the reference; null (default) for every other group present in the window.</summary>
    public IReadOnlyList<string>? Groups { get; init; }

    /// <summary>Degrees of freedom of the clock-time natural spline (default 6, as Pierson et al. 2020).</summary>
    public int SplineDegreesOfFreedom { get; init; } = 6;

    /// <summary>Whether to include a fixed effect per place (default true); stops with no place are then left out.</summary>
    public bool PlaceFixedEffects { get; init; } = true;

    /// <summary>Latitude (degrees) used for stops with no coordinates, e.g. one point for a small state or force; null to leave them out.</summary>
    public double? DefaultLatitude { get; init; }

    /// <summary>Longitude (degrees) used with <see cref="DefaultLatitude"/>.</summary>
    public double? DefaultLongitude { get; init; }

    /// <summary>Confidence level of the Wald intervals (default 0.95).</summary>
    public double Confidence { get; init; } = 0.95;

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(Reference, nameof(Reference));
        ArgumentOutOfRangeException.ThrowIfLessThan(SplineDegreesOfFreedom, 1, nameof(SplineDegreesOfFreedom));
        if ((DefaultLatitude is null) != (DefaultLongitude is null))
        {
            throw new ArgumentException("give both a default latitude and longitude, or neither");
        }

        if (DefaultLatitude is { } lat)
        {
            SolarPosition.CheckPlace(lat, DefaultLongitude!.Value);
        }

        if (!(Confidence > 0 && Confidence < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Confidence), Confidence, "must lie strictly between 0 and 1");
        }
    }
}

/// <summary>The veil-of-darkness test (see <see cref="VeilOfDarkness.Run"/>).</summary>
/// <param name="Reference">The reference group.</param>
/// <param name="WindowStartMinute">The earliest dusk among the stops, minutes after local midnight (NaN with no usable stops).</param>
/// <param name="WindowEndMinute">The latest dusk, minutes after local midnight.</param>
/// <param name="Counts">How many stops were used and why the others were not.</param>
/// <param name="Groups">One result per group tested.</param>
public sealed record VeilOfDarknessResult(
    string Reference, double WindowStartMinute, double WindowEndMinute, VeilOfDarknessCounts Counts, IReadOnlyList<VeilOfDarknessGroupResult> Groups)
{
    /// <summary>The result for a group, or null.</summary>
    public VeilOfDarknessGroupResult? For(string group) => Groups.FirstOrDefault(g => g.Group == group);
}

/// <summary>Where the stops went (see <see cref="VeilOfDarkness"/>).</summary>
/// <param name="Stops">Stops given.</param>
/// <param name="NoEthnicity">Left out: no ethnicity recorded.</param>
/// <param name="NoPlace">Left out: no place (with place fixed effects).</param>
/// <param name="NoLocation">Left out: no coordinates and no default location.</param>
/// <param name="NoDusk">Left out: the Sun does not set, or twilight does not end, that day at that place.</param>
/// <param name="OutsideWindow">Left out: clock time before the earliest or after the latest dusk.</param>
/// <param name="InTwilight">Left out: between sunset and dusk.</param>
/// <param name="InWindow">Kept: in the window, light or dark (all groups).</param>
public sealed record VeilOfDarknessCounts(long Stops, long NoEthnicity, long NoPlace, long NoLocation, long NoDusk, long OutsideWindow, long InTwilight, long InWindow);

/// <summary>Stops of one comparison, light and dark.</summary>
/// <param name="GroupLight">Stops of the group in daylight (before sunset).</param>
/// <param name="GroupDark">Stops of the group in the dark (after dusk).</param>
/// <param name="ReferenceLight">Stops of the reference group in daylight.</param>
/// <param name="ReferenceDark">Stops of the reference group in the dark.</param>
/// <param name="DroppedStops">Stops of the two groups in places with only one of them (left out).</param>
/// <param name="DroppedPlaces">Places left out for that reason.</param>
public sealed record VeilOfDarknessGroupCounts(long GroupLight, long GroupDark, long ReferenceLight, long ReferenceDark, long DroppedStops, long DroppedPlaces)
{
    /// <summary>Stops in the regression.</summary>
    public long Used => GroupLight + GroupDark + ReferenceLight + ReferenceDark;
}

/// <summary>One group's darkness effect (see <see cref="VeilOfDarkness"/>).</summary>
/// <param name="Group">The group tested against the reference.</param>
/// <param name="Coefficient">β, the darkness coefficient in log-odds of the driver being in the group (NaN when not estimable).</param>
/// <param name="StandardError">SE(β) from the inverse Fisher information.</param>
/// <param name="Lower">Lower Wald bound of β.</param>
/// <param name="Upper">Upper Wald bound of β.</param>
/// <param name="OddsRatio">exp(β): the odds of a stopped driver being in the group, dark against light, at the same clock time and place.</param>
/// <param name="OddsRatioLower">exp(lower).</param>
/// <param name="OddsRatioUpper">exp(upper).</param>
/// <param name="PValue">Two-sided Wald p-value for β = 0.</param>
/// <param name="Counts">The stops used, light and dark.</param>
/// <param name="Knots">The spline's knots, minutes after local midnight (boundary knots first and last).</param>
/// <param name="Places">The places in the fixed effect, the first the baseline.</param>
/// <param name="Iterations">Newton iterations of the fit.</param>
/// <param name="Note">Why the effect could not be estimated; null when it was.</param>
public sealed record VeilOfDarknessGroupResult(
    string Group,
    double Coefficient,
    double StandardError,
    double Lower,
    double Upper,
    double OddsRatio,
    double OddsRatioLower,
    double OddsRatioUpper,
    double PValue,
    VeilOfDarknessGroupCounts Counts,
    IReadOnlyList<double> Knots,
    IReadOnlyList<string> Places,
    int Iterations,
    string? Note)
{
    /// <summary>False when the effect could not be estimated (see <see cref="Note"/>).</summary>
    public bool IsEstimable => Note is null;

    internal static VeilOfDarknessGroupResult NotEstimable(string group, VeilOfDarknessGroupCounts counts, IReadOnlyList<double> knots, string note) =>
        new(group, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, counts, knots, [], 0, note);
}

/// <summary>One clock-time bin of <see cref="VeilOfDarkness.SharesByClockTime"/>.</summary>
/// <param name="StartMinute">Start of the bin, minutes after local midnight.</param>
/// <param name="Minutes">Width of the bin in minutes.</param>
/// <param name="LightStops">Stops in daylight (before sunset) in the bin.</param>
/// <param name="LightMinority">Of those, drivers not of the reference group.</param>
/// <param name="DarkStops">Stops in the dark (after dusk) in the bin.</param>
/// <param name="DarkMinority">Of those, drivers not of the reference group.</param>
public sealed record ClockTimeShare(int StartMinute, int Minutes, long LightStops, long LightMinority, long DarkStops, long DarkMinority);
