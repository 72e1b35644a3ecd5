using System.Diagnostics;
using System.Globalization;
using Targeting.Engine.Statistics;
using Targeting.Testing;

namespace Targeting.Engine.Tests.Hotspots;

public sealed class FalseDiscoveryRateTests
{
    [Fact]
    public void BenjaminiHochberg_FivePValues_GivesHandComputedQValues()
    {
        // m = 5; sorted p: 0.005, 0.01, 0.03, 0.04, 0.5; m·p/rank: 0.025, 0.025, 0.05, 0.05, 0.5;
        // running minimum from the largest: 0.5, 0.05, 0.05, 0.025, 0.025. Back in input order:
        var q = FalseDiscoveryRate.BenjaminiHochberg([0.01, 0.04, 0.03, 0.005, 0.5]);

        Assert.Equal([0.025, 0.05, 0.05, 0.025, 0.5], q.Select(v => Math.Round(v, 12)));
        Assert.Equal([0, 1, 2, 3], FalseDiscoveryRate.Rejected([0.01, 0.04, 0.03, 0.005, 0.5], 0.05));
    }

    [Fact]
    public void BenjaminiHochberg_Empty_ReturnsEmpty()
    {
        Assert.Empty(FalseDiscoveryRate.BenjaminiHochberg([]));
    }

    [Fact]
    public void BenjaminiHochberg_PValueAboveOne_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FalseDiscoveryRate.BenjaminiHochberg([0.1, 1.5]));
    }

    [Fact]
    public void BenjaminiHochberg_TwoThousandRandomPValues_EqualsStatsmodels()
    {
        var python = "/usr/bin/python3";
        if (!File.Exists(python))
        {
            Assert.Skip("Debian's /usr/bin/python3 with statsmodels is not installed");
        }

        var random = new Random(7);
        // A mixture like Gi*'s: many nulls (uniform) and some small p-values, with ties.
        var p = Enumerable.Range(0, 2000).Select(i => i % 10 == 0 ? Math.Round(random.NextDouble() * 0.001, 5) : Math.Round(random.NextDouble(), 3)).ToArray();

        var expected = RunStatsmodels(python, p);
        var actual = FalseDiscoveryRate.BenjaminiHochberg(p);

        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < p.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 1e-12);
        }
    }

    private static double[] RunStatsmodels(string python, double[] p)
    {
        var script = RepoPaths.InRepo("tests", "Targeting.Engine.Tests", "Hotspots", "fdr_bh_reference.py");
        var start = new ProcessStartInfo(python, [script]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        process.StandardInput.Write(string.Join('\n', p.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, error);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => double.Parse(line, CultureInfo.InvariantCulture)).ToArray();
    }
}
