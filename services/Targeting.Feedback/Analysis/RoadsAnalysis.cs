using System.Globalization;
using Targeting.Engine.Roads;
using Targeting.Engine.Statistics;
using Targeting.Feedback.V1;
using Targeting.Stops.V1;
using EngineCategoryTable = Targeting.Engine.Roads.CategoryTable;

namespace Targeting.Feedback.Analysis;

/// <summary>
/// The roads-policing pilot's analysis (AssessVehicleStops): reads the vehicle stops out of the
/// stops service's analytic columns, and runs the engine's veil-of-darkness test, post-stop
/// outcomes and descriptive tables on them (services/Targeting.Engine/Roads).
/// </summary>
public static class RoadsAnalysis
{
    /// <summary>The zone of the clock times the test and the hour tables use for the force's own stops (the Met's).</summary>
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    /// <summary>The vehicle stops of the window, with the borough each is placed in (null when unlocated or in none).</summary>
    /// <param name="Stops">The stops.</param>
    /// <param name="Unlocated">Of those, stops with no location.</param>
    /// <param name="Imported">Of those, stops imported from another source (e.g. open-policing files), read in its terms.</param>
    public sealed record Sample(IReadOnlyList<VehicleStop> Stops, long Unlocated, long Imported = 0);

    /// <summary>
    /// Reads vehicle stops (type VEHICLE_STOP_WITHOUT_SEARCH, or a vehicle search with a vehicle make
    /// recorded or imported from a vehicle-stop source) from EncounterFacts batches, placing each located
    /// one in a borough. An imported stop (with an EncounterSource) is read in its source's terms: clock
    /// time in its time zone, its district as its place, its sun reference point when it has no location,
    /// and the race and outcome as the source words them.
    /// </summary>
    /// <exception cref="ArgumentException">A batch without the roads columns (an older stops service) or with columns of different lengths.</exception>
    public static async Task<Sample> ReadAsync(IAsyncEnumerable<EncounterFacts> batches, StopPlaces places, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(places);
        var stops = new List<VehicleStop>();
        var zones = new Dictionary<string, TimeZoneInfo>(StringComparer.Ordinal);
        long unlocated = 0;
        long imported = 0;
        // Make and model upper-cased once per distinct value, and shared by every stop that names them.
        var names = new Dictionary<string, string?>(StringComparer.Ordinal);
        var offsets = new OffsetCache();
        await foreach (var batch in batches.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var count = batch.OccurredAtSeconds.Count;
            if (batch.Vehicle.Count != count || batch.Sex.Count != count || batch.AgeRange.Count != count
                || batch.Type.Count != count || batch.Latitude.Count != count || batch.Longitude.Count != count
                || batch.OfficerDefinedEthnicity.Count != count || batch.SelfDefinedEthnicity.Count != count
                || batch.Outcome.Count != count || batch.OutcomeLinkedToObject.Count != count
                || (batch.OccurredAtNanos.Count != count && batch.OccurredAtNanos.Count != 0)
                || (batch.Source.Count != count && batch.Source.Count != 0))
            {
                throw new ArgumentException("an encounter batch lacks the roads columns (sex, age_range, vehicle) or its columns differ in length", nameof(batches));
            }

            var makes = new string?[batch.Vehicles.Count + 1];
            var models = new string?[batch.Vehicles.Count + 1];
            for (var v = 0; v < batch.Vehicles.Count; v++)
            {
                (makes[v + 1], models[v + 1]) = (Normalised(batch.Vehicles[v].Make, names), Normalised(batch.Vehicles[v].Model, names));
            }

            for (var i = 0; i < count; i++)
            {
                var vehicleIndex = batch.Vehicle[i];
                if ((uint)vehicleIndex > (uint)batch.Vehicles.Count)
                {
                    throw new ArgumentException($"an encounter batch's vehicle {vehicleIndex} names none of its {batch.Vehicles.Count} vehicles", nameof(batches));
                }

                var vehicle = vehicleIndex == 0 ? null : batch.Vehicles[vehicleIndex - 1];
                var sourceIndex = batch.Source.Count == count ? batch.Source[i] : 0;
                if ((uint)sourceIndex > (uint)batch.Sources.Count)
                {
                    throw new ArgumentException($"an encounter batch's source {sourceIndex} names none of its {batch.Sources.Count} sources", nameof(batches));
                }

                var source = sourceIndex == 0 ? null : batch.Sources[sourceIndex - 1];
                var type = batch.Type[i];
                var roadsStop = type == EncounterType.VehicleStopWithoutSearch
                    || (type is EncounterType.VehicleSearch or EncounterType.PersonAndVehicleSearch && (!string.IsNullOrEmpty(vehicle?.Make) || source is not null));
                if (!roadsStop)
                {
                    continue;
                }

                var utc = DateTime.UnixEpoch.AddTicks((batch.OccurredAtSeconds[i] * TimeSpan.TicksPerSecond)
                    + (batch.OccurredAtNanos.Count == count ? batch.OccurredAtNanos[i] / 100 : 0));
                var zone = ZoneOf(source, zones);
                var local = new DateTimeOffset(utc).ToOffset(offsets.Of(zone, utc));
                double? latitude = double.IsNaN(batch.Latitude[i]) ? null : batch.Latitude[i];
                double? longitude = double.IsNaN(batch.Longitude[i]) ? null : batch.Longitude[i];
                string? borough = null;
                if (latitude is { } lat && longitude is { } lng)
                {
                    var place = places.Locate(lng, lat);
                    borough = place.Borough >= 0 ? places.Boroughs[place.Borough].Name : null;
                }
                else
                {
                    unlocated++;
                    if (source?.SunReference is { } sun)
                    {
                        // Not a location of the stop: only where its sunset and dusk are worked out.
                        (latitude, longitude) = (sun.Latitude, sun.Longitude);
                    }
                }

                imported += source is null ? 0 : 1;
                if (!string.IsNullOrEmpty(source?.District))
                {
                    borough = source.District;
                }

                var searched = type != EncounterType.VehicleStopWithoutSearch;
                var outcome = batch.Outcome[i];
                var officer = StopFacts.ToBroad(batch.OfficerDefinedEthnicity[i]);
                var selfDefined = batch.SelfDefinedEthnicity[i];
                stops.Add(new VehicleStop
                {
                    Time = local,
                    Latitude = latitude,
                    Longitude = longitude,
                    Place = borough,
                    Ethnicity = source is not null ? (source.Race.Length == 0 ? null : source.Race) : officer is { } g ? EthnicityMapping.Name(g) : null,
                    OfficerDefinedEthnicity = officer,
                    SelfDefinedEthnicity = selfDefined is >= SelfDefinedEthnicity.NotStated and <= SelfDefinedEthnicity.OtherAny
                        ? (DetailedEthnicGroup)(int)selfDefined : null,
                    Sex = batch.Sex[i] switch { Sex.Female => DriverSex.Female, Sex.Male => DriverSex.Male, Sex.Other => DriverSex.Other, _ => null },
                    AgeBand = AgeBand(batch.AgeRange[i]),
                    Searched = searched,
                    Found = searched ? batch.OutcomeLinkedToObject[i] switch { Answer.Yes => true, Answer.No => false, _ => null } : null,
                    Arrested = outcome == Outcome.Arrest,
                    Outcome = !string.IsNullOrEmpty(source?.Outcome) ? source.Outcome : outcome == Outcome.Unspecified ? null : OutcomeLabel(outcome),
                    VehicleMake = makes[vehicleIndex],
                    VehicleModel = models[vehicleIndex],
                });
            }
        }

        return new Sample(stops, unlocated, imported);
    }

    private static string? Normalised(string value, Dictionary<string, string?> names)
    {
        if (value.Length == 0)
        {
            return null;
        }

        if (!names.TryGetValue(value, out var normalised))
        {
            normalised = value.Trim().ToUpperInvariant();
            names.Add(value, normalised);
        }

        return normalised;
    }

    /// <summary>
    /// A zone's UTC offset, looked up once per UTC hour rather than per stop: stops come oldest first, and
    /// offsets change a few times a year, on a whole hour or half hour. An hour whose start and end differ
    /// (one with a change in it) is looked up per stop.
    /// </summary>
    private sealed class OffsetCache
    {
        private TimeZoneInfo? _zone;
        private long _hour = long.MinValue;
        private TimeSpan? _offset;

        public TimeSpan Of(TimeZoneInfo zone, DateTime utc)
        {
            var hour = utc.Ticks / TimeSpan.TicksPerHour;
            if (!ReferenceEquals(zone, _zone) || hour != _hour)
            {
                var start = new DateTime(hour * TimeSpan.TicksPerHour, DateTimeKind.Utc);
                var first = zone.GetUtcOffset(start);
                _offset = first == zone.GetUtcOffset(start.AddTicks(TimeSpan.TicksPerHour - 1)) ? first : null;
                (_zone, _hour) = (zone, hour);
            }

            return _offset ?? zone.GetUtcOffset(utc);
        }
    }

    // The force's own stops are London's; an imported stop names its zone (validated when it was imported).
    private static TimeZoneInfo ZoneOf(EncounterSource? source, Dictionary<string, TimeZoneInfo> zones)
    {
        if (string.IsNullOrEmpty(source?.TimeZone))
        {
            return London;
        }

        if (!zones.TryGetValue(source.TimeZone, out var zone))
        {
            zone = TimeZoneInfo.TryFindSystemTimeZoneById(source.TimeZone, out var found) ? found
                : throw new ArgumentException($"an encounter's source names the unknown time zone {source.TimeZone}");
            zones.Add(source.TimeZone, zone);
        }

        return zone;
    }

    /// <summary>The report of <paramref name="sample"/>, restricted to <paramref name="borough"/> when one is named.</summary>
    public static VehicleStopsReport Assess(Sample sample, string? borough, AnalysisWindow window)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var stops = borough is null ? sample.Stops : [.. sample.Stops.Where(s => s.Place == borough)];
        var options = new VeilOfDarknessOptions { PlaceFixedEffects = borough is null };
        var darkness = VeilOfDarkness.Run(stops, options);
        var outcomes = PostStopOutcomes.Compute(stops);
        var tables = RoadsTables.Describe(stops);
        var report = new VehicleStopsReport
        {
            Borough = borough ?? string.Empty,
            Window = window.ToProto(),
            VehicleStops = stops.Count,
            Unlocated = borough is null ? sample.Unlocated : 0,
            InterTwilightStops = darkness.Counts.InWindow,
            TwilightDropped = darkness.Counts.InTwilight,
            InterTwilightWindow = double.IsNaN(darkness.WindowStartMinute) ? "none (no stop with a known place and dusk)"
                : $"{Clock(darkness.WindowStartMinute)} to {Clock(darkness.WindowEndMinute)} local time",
            ByEthnicity = ToProto(tables.ByEthnicity),
            BySex = ToProto(tables.BySex),
            ByAgeRange = ToProto(tables.ByAgeBand),
            ByBorough = ToProto(tables.ByPlace),
            ByHour = ToProto(tables.ByHour),
            ByDayOfWeek = ToProto(tables.ByDayOfWeek),
            ByVehicleMake = ToProto(tables.VehicleMakes),
            ByVehicleModel = ToProto(tables.VehicleModels),
            Notes = "Ethnicity is officer-defined. The veil-of-darkness test compares who is stopped after dusk with who is stopped "
                + "before sunset at the same clock times: it needs no population benchmark, but it speaks only to the inter-twilight "
                + "evening hours, and street lighting and changes in who drives after dark weaken it. A lowered-bar alert means the "
                + "group's searches found less than White drivers' searches; it is a prompt to review, not proof."
                + (borough is null ? "" : " Stops with no location are not in a borough's figures.")
                + (sample.Imported == 0 ? "" : $" {sample.Imported:N0} stops were imported from another source (e.g. the Stanford Open Policing "
                    + "Project): their ethnicity is the race the source records, their place its district, their clock time its own time zone's, "
                    + "and those without coordinates have sunset worked out at the one point given at import."),
        };
        foreach (var bin in VeilOfDarkness.SharesByClockTime(stops, 15, options))
        {
            report.DarknessByClockTime.Add(new DarknessClockBin
            {
                StartMinute = bin.StartMinute, Minutes = bin.Minutes, LightStops = bin.LightStops, LightMinority = bin.LightMinority,
                DarkStops = bin.DarkStops, DarkMinority = bin.DarkMinority,
            });
        }

        foreach (var group in darkness.Groups)
        {
            report.Darkness.Add(new DarknessTest
            {
                Group = group.Group,
                Coefficient = group.Coefficient,
                StandardError = group.StandardError,
                CiLow = group.Lower,
                CiHigh = group.Upper,
                OddsRatio = group.OddsRatio,
                PValue = group.PValue,
                GroupLight = group.Counts.GroupLight,
                GroupDark = group.Counts.GroupDark,
                WhiteLight = group.Counts.ReferenceLight,
                WhiteDark = group.Counts.ReferenceDark,
                Note = group.Note ?? string.Empty,
            });
        }

        foreach (var row in outcomes.Groups)
        {
            report.Outcomes.Add(new VehicleStopOutcomes
            {
                Group = row.Group,
                Stops = row.Stops,
                SearchRate = row.SearchRate.ToProto(),
                FindRate = row.FindRate.ToProto(),
                ArrestRate = row.ArrestRate.ToProto(),
                LoweredBarAlert = row.Alert,
                AlertReason = row.AlertReason ?? string.Empty,
                OutcomeMix = { row.Outcomes.Select(o => new V1.CategoryCount { Category = o.Outcome, Count = o.Count, Share = o.Share.ToProto() }) },
            });
        }

        return report;
    }

    private static CategoryBreakdown ToProto(EngineCategoryTable table) => new()
    {
        Rows = { table.Rows.Select(r => new V1.CategoryCount { Category = r.Category, Count = r.Count, Share = r.Share.ToProto() }) },
        Known = table.Known,
        Unknown = table.Unknown,
        Note = table.Note ?? string.Empty,
    };

    // Labels that sort in age order (the tables list recorded bands in ordinal order).
    private static string? AgeBand(AgeRange range) => range switch
    {
        AgeRange.Under10 => "0-9",
        AgeRange._10To17 => "10-17",
        AgeRange._18To24 => "18-24",
        AgeRange._25To34 => "25-34",
        AgeRange.Over34 => "35 and over",
        _ => null,
    };

    // "TrafficOffenceReport" -> "traffic offence report", worked out once per value rather than per stop.
    private static readonly Dictionary<Outcome, string> OutcomeLabels = Enum.GetValues<Outcome>().ToDictionary(
        o => o, o => string.Join(' ', System.Text.RegularExpressions.Regex.Split(o.ToString(), "(?<=[a-z])(?=[A-Z])")).ToLowerInvariant());

    private static string OutcomeLabel(Outcome outcome) => OutcomeLabels.GetValueOrDefault(outcome) ?? outcome.ToString();

    private static string Clock(double minutes) =>
        TimeSpan.FromMinutes(Math.Round(minutes)).ToString(@"hh\:mm", CultureInfo.InvariantCulture);
}
