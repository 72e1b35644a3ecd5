using Targeting.Engine.Statistics;

namespace Targeting.Engine.Roads;

/// <summary>
/// One roads-policing vehicle stop, as the roads analyses read it: a plain record the stops service
/// (recorded encounters of type vehicle stop) and the open-policing import can both fill. Everything
/// but the time may be unknown (null); each analysis says which stops it leaves out and counts them.
/// </summary>
public sealed record VehicleStop
{
    /// <summary>
    /// When the stop happened, as local clock time with its UTC offset at the place (e.g. 2007-06-01
    /// 20:45 −04:00 in Rhode Island, 2021-06-01 21:45 +01:00 in London): the offset gives the instant,
    /// the clock time gives the time of day the veil-of-darkness spline and the hour tables use. Convert
    /// a UTC instant with the place's time zone (TimeZoneInfo) before building the record.
    /// </summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Latitude in degrees (WGS84, north positive); null when unknown (a default place may stand in).</summary>
    public double? Latitude { get; init; }

    /// <summary>Longitude in degrees (WGS84, east positive); null when unknown.</summary>
    public double? Longitude { get; init; }

    /// <summary>The area the stop is counted in (borough, district or zone key): the fixed effect and the place tables.</summary>
    public string? Place { get; init; }

    /// <summary>
    /// The driver's ethnic group as the analyses compare it, as the source records it (the officer-observed
    /// group: the Met's officer-defined ethnicity "White", "Black", "Asian", "Other", or open-policing's
    /// <c>subject_race</c>/<c>driver_race</c> "White", "Black", "Hispanic", …). Compared by ordinal string equality.
    /// </summary>
    public string? Ethnicity { get; init; }

    /// <summary>The officer-defined broad group, where the source has the police.uk field (for the self- against officer-defined table).</summary>
    public BroadEthnicGroup? OfficerDefinedEthnicity { get; init; }

    /// <summary>The self-defined ethnicity, where the driver gave one (<see cref="DetailedEthnicGroup.NotStated"/> when declined).</summary>
    public DetailedEthnicGroup? SelfDefinedEthnicity { get; init; }

    /// <summary>The driver's sex; null when unknown.</summary>
    public DriverSex? Sex { get; init; }

    /// <summary>The driver's age in whole years; null when unknown.</summary>
    public int? Age { get; init; }

    /// <summary>
    /// The driver's age band as recorded, where the source keeps only a band (police.uk's "18-24");
    /// the tables then use it as is, in place of a band computed from <see cref="Age"/>.
    /// </summary>
    public string? AgeBand { get; init; }

    /// <summary>Whether the driver or vehicle was searched after the stop.</summary>
    public bool Searched { get; init; }

    /// <summary>Whether a search found what it looked for (contraband, weapon, stolen goods); null when not searched or not recorded.</summary>
    public bool? Found { get; init; }

    /// <summary>Whether the stop ended in an arrest.</summary>
    public bool Arrested { get; init; }

    /// <summary>The outcome as recorded (e.g. "Citation", "Warning", "Arrest Driver", "No further action"); null when not recorded.</summary>
    public string? Outcome { get; init; }

    /// <summary>The vehicle's make, as recorded (e.g. "FORD"); null when unknown.</summary>
    public string? VehicleMake { get; init; }

    /// <summary>The vehicle's model, as recorded; null when unknown.</summary>
    public string? VehicleModel { get; init; }
}

/// <summary>The driver's sex as recorded.</summary>
public enum DriverSex
{
    /// <summary>Female.</summary>
    Female = 1,

    /// <summary>Male.</summary>
    Male = 2,

    /// <summary>Recorded as another value (e.g. police.uk "Other").</summary>
    Other = 3,
}
