using System.Text.Json;
using Targeting.Testing;

namespace Targeting.Engine.Tests.Statistics;

/// <summary>
/// The reference values computed by tests/reference/stats/reference_values.py (Debian's scipy and
/// statsmodels), committed as reference_values.json, and numeric assertions against them.
/// </summary>
internal static class Reference
{
    public static readonly string ScriptDirectory = RepoPaths.InRepo("tests", "reference", "stats");

    private static readonly Lazy<JsonElement> Values = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(ScriptDirectory, "reference_values.json"))).RootElement);

    public static IEnumerable<JsonElement> Section(string name) => Values.Value.GetProperty(name).EnumerateArray();

    public static JsonElement Root => Values.Value;

    public static double D(this JsonElement e, string name) => e.GetProperty(name).GetDouble();

    public static long L(this JsonElement e, string name) => e.GetProperty(name).GetInt64();

    /// <summary>|actual − expected| ≤ max(absolute, relative·|expected|), with a message naming the case.</summary>
    public static void Close(double expected, double actual, string what, double relative = 1e-9, double absolute = 1e-13) =>
        ReferenceScripts.Close(expected, actual, what, relative, absolute);

    /// <summary>Runs a script of tests/reference/stats (see <see cref="ReferenceScripts.RunPython"/>).</summary>
    public static string RunPython(string script, string? stdin = null) => ReferenceScripts.RunPython(ScriptDirectory, script, stdin);
}
