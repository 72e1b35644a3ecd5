using System.Diagnostics;
using Xunit;

namespace Targeting.Testing;

/// <summary>
/// The independent reference computations under tests/reference (Python scripts run with Debian's
/// python3, scipy and statsmodels) and the tolerance their values are compared with.
/// </summary>
public static class ReferenceScripts
{
    private const string Python = "/usr/bin/python3";

    /// <summary>|actual − expected| ≤ max(absolute, relative·|expected|) (NaN only equals NaN), with a message naming the case.</summary>
    public static void Close(double expected, double actual, string what, double relative, double absolute)
    {
        var tolerance = Math.Max(absolute, relative * Math.Abs(expected));
        if (double.IsNaN(expected) ? !double.IsNaN(actual) : !(Math.Abs(actual - expected) <= tolerance))
        {
            Assert.Fail($"{what}: expected {expected:R}, got {actual:R} (tolerance {tolerance:G3})");
        }
    }

    /// <summary>
    /// Runs a script of <paramref name="scriptDirectory"/> with /usr/bin/python3 and the given stdin and
    /// returns its stdout, or skips the calling test when python3 with scipy and statsmodels is not
    /// installed (the committed reference JSON is then what the tests use).
    /// </summary>
    public static string RunPython(string scriptDirectory, string script, string? stdin = null)
    {
        if (!File.Exists(Python) || Run(Python, ["-c", "import scipy, statsmodels"], null).ExitCode != 0)
        {
            Assert.Skip($"{Python} with scipy and statsmodels is not installed; the committed reference JSON is used instead");
        }

        var (exitCode, stdout, stderr) = Run(Python, [Path.Combine(scriptDirectory, script)], stdin);
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
