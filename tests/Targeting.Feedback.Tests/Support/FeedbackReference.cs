using System.Text.Json;
using Targeting.Testing;

namespace Targeting.Feedback.Tests.Support;

/// <summary>
/// The hand-made world and its expected figures, computed by tests/reference/feedback/feedback_reference.py
/// (Debian's scipy and statsmodels) and committed as feedback_reference.json.
/// </summary>
internal static class FeedbackReference
{
    public static readonly string ScriptDirectory = RepoPaths.InRepo("tests", "reference", "feedback");

    private static readonly Lazy<JsonElement> Values = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(ScriptDirectory, "feedback_reference.json"))).RootElement);

    public static JsonElement Root => Values.Value;

    public static JsonElement Fixture => Root.GetProperty("fixture");

    public static JsonElement Expected(string name) => Root.GetProperty("expected").GetProperty(name);

    public static double D(this JsonElement e, string name) => e.GetProperty(name).GetDouble();

    public static long L(this JsonElement e, string name) => e.GetProperty(name).GetInt64();

    /// <summary>|actual − expected| ≤ max(absolute, relative·|expected|), naming the case.</summary>
    public static void Close(double expected, double actual, string what, double relative = 1e-9, double absolute = 1e-12) =>
        ReferenceScripts.Close(expected, actual, what, relative, absolute);

    /// <summary>An estimate against the reference's {value, lower, upper[, numerator, denominator]}.</summary>
    public static void Close(JsonElement expected, Common.V1.Estimate actual, string what, double relative = 1e-9)
    {
        Close(expected.D("value"), actual.Value, what + ".value", relative);
        Close(expected.D("lower"), actual.Lower, what + ".lower", relative);
        Close(expected.D("upper"), actual.Upper, what + ".upper", relative);
        if (expected.TryGetProperty("numerator", out var numerator))
        {
            Assert.Equal(numerator.GetInt64(), actual.Numerator);
            Assert.Equal(expected.D("denominator"), actual.Denominator);
        }
    }

    /// <summary>A comparison against the reference's {difference, z, p, p_smaller, lower, upper}.</summary>
    public static void Close(JsonElement expected, V1.ProportionComparison actual, string what)
    {
        Close(expected.D("difference"), actual.Difference, what + ".difference");
        Close(expected.D("z"), actual.Z, what + ".z");
        Close(expected.D("p"), actual.PValue, what + ".p", 1e-8);
        Close(expected.D("p_smaller"), actual.PValueSmaller, what + ".p_smaller", 1e-8);
        Close(expected.D("lower"), actual.DifferenceLower, what + ".lower", 1e-8);
        Close(expected.D("upper"), actual.DifferenceUpper, what + ".upper", 1e-8);
    }

    /// <summary>Runs a script of tests/reference/feedback (see <see cref="ReferenceScripts.RunPython"/>).</summary>
    public static string RunPython(string script, string? stdin = null) => ReferenceScripts.RunPython(ScriptDirectory, script, stdin);
}
