using System.Diagnostics;
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
    public static void Close(double expected, double actual, string what, double relative = 1e-9, double absolute = 1e-12)
    {
        var tolerance = Math.Max(absolute, relative * Math.Abs(expected));
        if (double.IsNaN(expected) ? !double.IsNaN(actual) : !(Math.Abs(actual - expected) <= tolerance))
        {
            Assert.Fail($"{what}: expected {expected:R}, got {actual:R} (tolerance {tolerance:G3})");
        }
    }

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

    /// <summary>Runs a script of tests/reference/feedback with /usr/bin/python3, or skips when scipy/statsmodels are missing.</summary>
    public static string RunPython(string script, string? stdin = null)
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python) || Run(python, ["-c", "import scipy, statsmodels"], null).ExitCode != 0)
        {
            Assert.Skip($"{python} with scipy and statsmodels is not installed; the committed reference JSON is used instead");
        }

        var (exitCode, stdout, stderr) = Run(python, [Path.Combine(ScriptDirectory, script)], stdin);
        Assert.True(exitCode == 0, $"{script} failed ({exitCode}): {stderr}");
        return stdout;
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(string file, string[] arguments, string? stdin)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
