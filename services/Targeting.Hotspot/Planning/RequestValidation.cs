using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Targeting.Engine.Hotspots;
using Targeting.Grpc;
using Targeting.Hotspot.Import;
using ProtoMethod = Targeting.Hotspot.V1.Method;
using ProtoParameters = Targeting.Hotspot.V1.MethodParameters;
using ProtoPolicy = Targeting.Hotspot.V1.DiscoveredPolicy;
using TimeWindow = Targeting.Common.V1.TimeWindow;

namespace Targeting.Hotspot.Planning;

/// <summary>How a surface, plan or backtest is computed: the method, its parameters, and which incidents count how much.</summary>
/// <param name="Method">The method (unused when <paramref name="Auto"/>).</param>
/// <param name="Parameters">Its parameters.</param>
/// <param name="Targeting">Harm weights and the feedback-loop guard.</param>
/// <param name="Auto">True when the method is to be chosen by the backtest (METHOD_AUTO).</param>
public sealed record MethodSettings(HotspotMethod Method, MethodParameters Parameters, TargetingOptions Targeting, bool Auto = false);

/// <summary>
/// Turns request fields into engine settings, adding one violation per bad field (proto field
/// names, dotted). Zero means "the documented default" throughout, as the proto says.
/// </summary>
public static class RequestValidation
{
    private static readonly DateTime Earliest = new(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Latest = new(2200, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>A required (or optional) half-open window; null when absent or invalid.</summary>
    public static (DateTime Start, DateTime End)? Window(TimeWindow? window, string field, FieldViolations violations, bool required)
    {
        if (window is null)
        {
            if (required)
            {
                violations.Add(field, "is required");
            }

            return null;
        }

        var start = Time(window.Start, field + ".start", violations, required: true);
        var end = Time(window.End, field + ".end", violations, required: true);
        if (start is null || end is null)
        {
            return null;
        }

        if (end <= start)
        {
            violations.Add(field, "end must be after start");
            return null;
        }

        return (start.Value, end.Value);
    }

    /// <summary>A timestamp between 1900 and 2200; null when absent (adding a violation if required) or invalid.</summary>
    public static DateTime? Time(Timestamp? time, string field, FieldViolations violations, bool required)
    {
        if (time is null)
        {
            if (required)
            {
                violations.Add(field, "is required");
            }

            return null;
        }

        DateTime value;
        try
        {
            value = time.ToDateTime();
        }
        catch (InvalidOperationException)
        {
            violations.Add(field, "is not a valid timestamp");
            return null;
        }

        if (value < Earliest || value >= Latest)
        {
            violations.Add(field, "must be between 1900 and 2200");
            return null;
        }

        return value;
    }

    /// <summary>A surface's method: unset is the default method; METHOD_AUTO is for plans only.</summary>
    public static HotspotMethod Method(ProtoMethod method, string field, FieldViolations violations)
    {
        if (method == ProtoMethod.Unspecified)
        {
            return HotspotSurfaces.DefaultMethod;
        }

        if (method == ProtoMethod.Auto)
        {
            violations.Add(field, "auto chooses a plan's method by backtest; name a method here (e.g. METHOD_PROSPECTIVE or METHOD_LEARNED)");
            return HotspotSurfaces.DefaultMethod;
        }

        if (!System.Enum.IsDefined(method))
        {
            violations.Add(field, $"unknown method {(int)method}");
            return HotspotSurfaces.DefaultMethod;
        }

        return (HotspotMethod)(int)method;
    }

    /// <summary>A plan's method: unset or METHOD_AUTO means chosen by backtest (Auto true), else the named one.</summary>
    public static (HotspotMethod Method, bool Auto) PlanMethod(ProtoMethod method, string field, FieldViolations violations) =>
        method is ProtoMethod.Unspecified or ProtoMethod.Auto ? (HotspotSurfaces.DefaultMethod, true) : (Method(method, field, violations), false);

    /// <summary>Engine parameters from the proto's (zero = default), checked by the engine's own rules.</summary>
    public static MethodParameters Parameters(ProtoParameters? parameters, FieldViolations violations)
    {
        var p = parameters ?? new ProtoParameters();
        var result = new MethodParameters
        {
            CellSizeM = p.CellSizeM == 0 ? MethodParameters.Default.CellSizeM : p.CellSizeM,
            BandwidthM = p.BandwidthM == 0 ? null : p.BandwidthM,
            HalfLifeDays = p.HalfLifeDays == 0 ? MethodParameters.Default.HalfLifeDays : p.HalfLifeDays,
            NeighbourhoodM = p.NeighbourhoodM == 0 ? null : p.NeighbourhoodM,
            FdrQ = p.FdrQ == 0 ? MethodParameters.Default.FdrQ : p.FdrQ,
            DbscanEpsM = p.DbscanEpsM == 0 ? MethodParameters.Default.DbscanEpsM : p.DbscanEpsM,
            DbscanMinPoints = p.DbscanMinPoints == 0 ? MethodParameters.Default.DbscanMinPoints : p.DbscanMinPoints,
            OriginOffsetXM = p.OriginOffsetXM,
            OriginOffsetYM = p.OriginOffsetYM,
        };
        foreach (var (field, message) in result.Validate())
        {
            violations.Add(field, message);
        }

        return result;
    }

    /// <summary>Harm weights (defaults overridden by the request) and the feedback-loop guard.</summary>
    public static TargetingOptions Targeting(IReadOnlyDictionary<string, double> harmWeights, ProtoPolicy policy, double discoveredWeight, FieldViolations violations)
    {
        var overrides = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        foreach (var (type, weight) in harmWeights.OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            var field = $"harm_weights[{type}]";
            if (!KnownCrimeTypes.TryCanonicalise(type, out var canonical))
            {
                violations.Add(field, $"unknown crime type; known types: {string.Join(", ", KnownCrimeTypes.All)}");
            }
            else if (!double.IsFinite(weight) || weight < 0)
            {
                violations.Add(field, "must be a finite number ≥ 0");
            }
            else
            {
                overrides[canonical] = weight;
            }
        }

        var enginePolicy = policy switch
        {
            ProtoPolicy.Unspecified or ProtoPolicy.Exclude => DiscoveredPolicy.Exclude,
            ProtoPolicy.DownWeight => DiscoveredPolicy.DownWeight,
            ProtoPolicy.Include => DiscoveredPolicy.Include,
            _ => (DiscoveredPolicy?)null,
        };
        if (enginePolicy is null)
        {
            violations.Add("discovered_policy", $"unknown policy {(int)policy}");
        }

        if (!double.IsFinite(discoveredWeight) || discoveredWeight < 0 || discoveredWeight > 1)
        {
            violations.Add("discovered_weight", "must be between 0 and 1");
        }

        return TargetingOptions.Default with
        {
            HarmWeights = HarmWeights.Default.With(overrides),
            DiscoveredPolicy = enginePolicy ?? DiscoveredPolicy.Exclude,
            DiscoveredWeight = discoveredWeight is > 0 and <= 1 ? discoveredWeight : TargetingOptions.Default.DiscoveredWeight,
        };
    }

    /// <summary>The settings as the proto states them in provenance: every default made explicit.</summary>
    public static ProtoParameters ToProto(MethodParameters parameters) => new()
    {
        CellSizeM = parameters.CellSizeM,
        BandwidthM = parameters.BandwidthM ?? 0,
        HalfLifeDays = parameters.HalfLifeDays,
        NeighbourhoodM = parameters.NeighbourhoodM ?? 0,
        FdrQ = parameters.FdrQ,
        DbscanEpsM = parameters.DbscanEpsM,
        DbscanMinPoints = parameters.DbscanMinPoints,
        OriginOffsetXM = parameters.OriginOffsetXM,
        OriginOffsetYM = parameters.OriginOffsetYM,
    };

    public static ProtoPolicy ToProto(DiscoveredPolicy policy) => (ProtoPolicy)(int)policy;

    public static ProtoMethod ToProto(HotspotMethod method) => (ProtoMethod)(int)method;

    internal static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
