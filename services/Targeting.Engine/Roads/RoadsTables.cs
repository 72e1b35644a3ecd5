using Targeting.Engine.Statistics;

namespace Targeting.Engine.Roads;

/// <summary>
/// The descriptive tables of the roads-policing report: stops by driver ethnicity, sex, age band, place,
/// hour of day and day of week, the commonest vehicle makes and models, and self- against officer-defined
/// ethnicity; and stops per 1,000 residents (or of a driving-population benchmark) by ethnicity.
/// Stateless and thread-safe.
/// </summary>
public static class RoadsTables
{
    /// <summary>
    /// The caveat every per-resident rate carries: residents are not drivers, and not the drivers on a
    /// force's roads (commuters, through traffic, car ownership and licence holding differ by group).
    /// </summary>
    public const string ResidentCaveat =
        "Residential population is a weak benchmark for who drives where: people stopped on a borough's roads need not live there, and car ownership, licence holding and time on the road differ between groups. Read these rates beside the veil-of-darkness test, which needs no benchmark.";

    /// <summary>Builds the tables.</summary>
    /// <param name="stops">The stops.</param>
    /// <param name="options">Options (null for the defaults).</param>
    public static RoadsDescriptiveTables Describe(IReadOnlyList<VehicleStop> stops, RoadsTablesOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stops);
        options ??= new RoadsTablesOptions();
        var bands = options.AgeBandStarts;
        if (bands.Count == 0 || bands.Zip(bands.Skip(1)).Any(b => b.Second <= b.First))
        {
            throw new ArgumentException("age band starts must be non-empty and strictly ascending", nameof(options));
        }

        var ethnicity = Table(stops, s => s.Ethnicity, options.Confidence, byCount: true);
        var sex = Table(stops, s => s.Sex?.ToString(), options.Confidence, byCount: false);
        // Recorded bands (VehicleStop.AgeBand) are listed in their own ordinal order, not among computed ones.
        var recordedBands = stops.Any(s => s.AgeBand is not null);
        var age = Table(stops, s => s.AgeBand ?? (s.Age is { } a ? AgeBand(a, bands) : null), options.Confidence, byCount: false,
            order: recordedBands ? null : AgeBandLabels(bands));
        var place = Table(stops, s => s.Place, options.Confidence, byCount: false);
        var hour = Table(stops, s => HourLabels[s.Time.Hour], options.Confidence, byCount: false, order: HourLabels);
        var day = Table(stops, s => DayLabels[(int)s.Time.DayOfWeek], options.Confidence, byCount: false,
            order: [nameof(DayOfWeek.Monday), nameof(DayOfWeek.Tuesday), nameof(DayOfWeek.Wednesday), nameof(DayOfWeek.Thursday), nameof(DayOfWeek.Friday), nameof(DayOfWeek.Saturday), nameof(DayOfWeek.Sunday)]);
        var makes = Top(Table(stops, s => s.VehicleMake, options.Confidence, byCount: true), options);
        // One label per distinct make and model, not one string per stop.
        var modelLabels = new Dictionary<(string, string), string>();
        var models = Top(Table(stops, s => s.VehicleMake is not { } make || s.VehicleModel is not { } model ? null : ModelLabel(make, model, modelLabels), options.Confidence, byCount: true), options);
        var crossTab = EthnicityMismatch.CrossTabulate(
            stops.Where(s => s.OfficerDefinedEthnicity is not null || s.SelfDefinedEthnicity is not null)
                .Select(s => (s.OfficerDefinedEthnicity, s.SelfDefinedEthnicity is { } d ? EthnicityMapping.ToBroadGroup(d) : null)),
            options.Confidence);
        return new RoadsDescriptiveTables(stops.Count, ethnicity, sex, age, place, hour, day, makes, models, crossTab);
    }

    /// <summary>
    /// Stops per 1,000 of a population by ethnic group, with the exact Poisson interval
    /// (<see cref="PoissonRates.Rate"/>), and each group's rate ratio to the reference group with the
    /// log-method interval (<see cref="PoissonRates.RateRatio"/>); the population may be Census 2021
    /// residents of the borough or a driving-population benchmark a force supplies. Rates are per the
    /// whole window, not per year. Carries <see cref="ResidentCaveat"/>.
    /// </summary>
    /// <param name="stops">The stops (those with no ethnicity are not rated).</param>
    /// <param name="population">People by group, the same labels as <see cref="VehicleStop.Ethnicity"/>; one row per group listed here, ordinal order.</param>
    /// <param name="reference">The reference group of the ratios (default "White").</param>
    /// <param name="confidence">Confidence level (default 0.95).</param>
    public static IReadOnlyList<StopRate> PerThousand(IReadOnlyList<VehicleStop> stops, IReadOnlyDictionary<string, long> population, string reference = "White", double confidence = 0.95)
    {
        ArgumentNullException.ThrowIfNull(stops);
        ArgumentNullException.ThrowIfNull(population);
        var counts = stops.Where(s => !string.IsNullOrEmpty(s.Ethnicity)).GroupBy(s => s.Ethnicity!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.LongCount(), StringComparer.Ordinal);
        var referenceStops = counts.GetValueOrDefault(reference);
        var referencePopulation = population.GetValueOrDefault(reference);
        return population.Keys.Order(StringComparer.Ordinal).Select(group =>
        {
            ArgumentOutOfRangeException.ThrowIfNegative(population[group], $"population[{group}]");
            var n = counts.GetValueOrDefault(group);
            return new StopRate(
                group,
                n,
                population[group],
                PoissonRates.Rate(n, population[group], PoissonRates.PerThousand, confidence),
                group == reference ? null : PoissonRates.RateRatio(n, population[group], referenceStops, referencePopulation, confidence));
        }).ToArray();
    }

    private static readonly string[] HourLabels = [.. Enumerable.Range(0, 24).Select(h => h.ToString("00", System.Globalization.CultureInfo.InvariantCulture))];

    // Indexed by DayOfWeek (Sunday = 0).
    private static readonly string[] DayLabels = [.. Enum.GetValues<DayOfWeek>().Order().Select(d => d.ToString())];

    private static string ModelLabel(string make, string model, Dictionary<(string, string), string> labels)
    {
        if (!labels.TryGetValue((make, model), out var label))
        {
            label = make + " " + model;
            labels.Add((make, model), label);
        }

        return label;
    }

    private static string AgeBand(int age, IReadOnlyList<int> starts)
    {
        if (age < starts[0])
        {
            return $"under {starts[0]}";
        }

        for (var i = starts.Count - 1; i >= 0; i--)
        {
            if (age >= starts[i])
            {
                return i == starts.Count - 1 ? $"{starts[i]} and over" : $"{starts[i]}-{starts[i + 1] - 1}";
            }
        }

        throw new InvalidOperationException("unreachable");
    }

    private static string[] AgeBandLabels(IReadOnlyList<int> starts) =>
        new[] { starts[0] - 1 }.Concat(starts).Select(a => AgeBand(a, starts)).ToArray();

    private static CategoryTable Table(IReadOnlyList<VehicleStop> stops, Func<VehicleStop, string?> key, double confidence, bool byCount, string[]? order = null)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        long unknown = 0;
        foreach (var stop in stops)
        {
            if (key(stop) is { Length: > 0 } k)
            {
                counts[k] = counts.GetValueOrDefault(k) + 1;
            }
            else
            {
                unknown++;
            }
        }

        var known = counts.Values.Sum();
        IEnumerable<string> keys = order is not null
            ? order.Concat(counts.Keys.Except(order).Order(StringComparer.Ordinal))
            : byCount ? counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Key) : counts.Keys.Order(StringComparer.Ordinal);
        var rows = keys.Select(k => new CategoryCount(k, counts.GetValueOrDefault(k), Proportions.Wilson(counts.GetValueOrDefault(k), known, confidence))).ToArray();
        return new CategoryTable(rows, known, unknown, null);
    }

    // The commonest categories; in public output small counts are folded into "Other", and when "Other"
    // is itself small the smallest shown category joins it, so the total less the shown counts cannot
    // give a small count.
    private static CategoryTable Top(CategoryTable table, RoadsTablesOptions options)
    {
        var shown = table.Rows.Take(options.TopVehicles).ToList();
        if (options.Public)
        {
            shown = shown.Where(r => r.Count >= options.SuppressionThreshold).ToList();
        }

        var other = table.Known - shown.Sum(r => r.Count);
        if (options.Public && other > 0 && other < options.SuppressionThreshold && shown.Count > 0)
        {
            other += shown[^1].Count;
            shown.RemoveAt(shown.Count - 1);
        }

        var otherCategories = table.Rows.Count - shown.Count;
        if (other > 0)
        {
            shown.Add(new CategoryCount(
                $"Other ({otherCategories} categories)", other, Proportions.Wilson(other, table.Known, options.Confidence)));
        }

        var suppressed = options.Public && other > 0 && other < options.SuppressionThreshold ? "the remainder is below the threshold and is not shown" : null;
        if (suppressed is not null)
        {
            shown.RemoveAt(shown.Count - 1);
        }

        return table with { Rows = shown, Note = suppressed };
    }
}

/// <summary>Options of <see cref="RoadsTables.Describe"/>.</summary>
public sealed record RoadsTablesOptions
{
    /// <summary>First ages of the age bands (default 17, 25, 35, 45, 55, 65: under 17, 17–24, …, 65 and over).</summary>
    public IReadOnlyList<int> AgeBandStarts { get; init; } = [17, 25, 35, 45, 55, 65];

    /// <summary>How many vehicle makes and models to list (default 10); the rest are "Other".</summary>
    public int TopVehicles { get; init; } = 10;

    /// <summary>True for public output: vehicle counts below <see cref="SuppressionThreshold"/> are not shown on their own.</summary>
    public bool Public { get; init; }

    /// <summary>Counts from 1 to threshold − 1 are suppressed in public output (default 5, <see cref="SmallCountSuppression.DefaultThreshold"/>).</summary>
    public int SuppressionThreshold { get; init; } = SmallCountSuppression.DefaultThreshold;

    /// <summary>Confidence level of the shares' Wilson intervals (default 0.95).</summary>
    public double Confidence { get; init; } = 0.95;
}

/// <summary>The report's descriptive tables (see <see cref="RoadsTables.Describe"/>).</summary>
/// <param name="Stops">Stops counted.</param>
/// <param name="ByEthnicity">By driver ethnicity, commonest first.</param>
/// <param name="BySex">By sex.</param>
/// <param name="ByAgeBand">By age band, youngest first.</param>
/// <param name="ByPlace">By place (borough or district).</param>
/// <param name="ByHour">By local hour of day, 00–23.</param>
/// <param name="ByDayOfWeek">By local day of week, Monday first.</param>
/// <param name="VehicleMakes">The commonest makes and "Other".</param>
/// <param name="VehicleModels">The commonest make and model pairs and "Other".</param>
/// <param name="SelfVersusOfficerDefined">Officer- against self-defined broad group, over stops with either recorded.</param>
public sealed record RoadsDescriptiveTables(
    long Stops,
    CategoryTable ByEthnicity,
    CategoryTable BySex,
    CategoryTable ByAgeBand,
    CategoryTable ByPlace,
    CategoryTable ByHour,
    CategoryTable ByDayOfWeek,
    CategoryTable VehicleMakes,
    CategoryTable VehicleModels,
    MismatchTable SelfVersusOfficerDefined);

/// <summary>One breakdown of stops.</summary>
/// <param name="Rows">The categories.</param>
/// <param name="Known">Stops with the attribute recorded (the shares' denominator).</param>
/// <param name="Unknown">Stops without it.</param>
/// <param name="Note">What was withheld, if anything.</param>
public sealed record CategoryTable(IReadOnlyList<CategoryCount> Rows, long Known, long Unknown, string? Note)
{
    /// <summary>The count for a category (0 when absent).</summary>
    public long Count(string category) => Rows.FirstOrDefault(r => r.Category == category)?.Count ?? 0;
}

/// <summary>One category's stops.</summary>
/// <param name="Category">The category label.</param>
/// <param name="Count">Stops in it.</param>
/// <param name="Share">Count / known, with its Wilson interval.</param>
public sealed record CategoryCount(string Category, long Count, Estimate Share);

/// <summary>Stops per 1,000 of a population (see <see cref="RoadsTables.PerThousand"/>).</summary>
/// <param name="Group">The group.</param>
/// <param name="Stops">Stops of drivers in it.</param>
/// <param name="Population">People in it.</param>
/// <param name="RatePer1000">Stops per 1,000 with the exact Poisson interval.</param>
/// <param name="RatioToReference">Rate ratio to the reference group (log-method interval); null for the reference.</param>
public sealed record StopRate(string Group, long Stops, long Population, Estimate RatePer1000, Estimate? RatioToReference);
