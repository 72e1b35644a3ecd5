using System.Diagnostics;
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
    public static void Close(double expected, double actual, string what, double relative = 1e-9, double absolute = 1e-13)
    {
        var tolerance = Math.Max(absolute, relative * Math.Abs(expected));
        if (double.IsNaN(expected) ? !double.IsNaN(actual) : !(Math.Abs(actual - expected) <= tolerance))
        {
            Assert.Fail($"{what}: expected {expected:R}, got {actual:R} (tolerance {tolerance:G3})");
        }
    }

    /// <summary>
    /// Runs /usr/bin/python3 on a script in tests/reference/stats with the given stdin, or skips the
    /// calling test when Debian's python3 with scipy and statsmodels is not installed.
    /// </summary>
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
