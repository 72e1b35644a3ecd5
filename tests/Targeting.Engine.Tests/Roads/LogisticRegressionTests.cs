using System.Globalization;
using System.Text;
using System.Text.Json;
using Targeting.Engine.Statistics;
using Targeting.Testing;

namespace Targeting.Engine.Tests.Roads;

public class LogisticRegressionTests
{
    private static readonly string ScriptDirectory = RepoPaths.InRepo("tests", "reference", "roads");

    [Fact]
    public void Fit_TwoByTwoTable_GivesLogOddsRatioAndWoolfStandardError()
    {
        // y ~ 1 + x on a 2×2 table: a = 30 (x=1, y=1), b = 10 (x=1, y=0), c = 20 (x=0, y=1), d = 40 (x=0, y=0).
        // By hand: β₀ = ln(20/40), β₁ = ln(ad/bc) = ln(6), SE(β₁) = √(1/a + 1/b + 1/c + 1/d) (Woolf 1955).
        var rows = new List<(double X, bool Y)>();
        rows.AddRange(Enumerable.Repeat((1.0, true), 30));
        rows.AddRange(Enumerable.Repeat((1.0, false), 10));
        rows.AddRange(Enumerable.Repeat((0.0, true), 20));
        rows.AddRange(Enumerable.Repeat((0.0, false), 40));
        var design = rows.SelectMany(r => new[] { 1.0, r.X }).ToArray();

        var fit = LogisticRegression.Fit(design, 2, rows.Select(r => r.Y).ToArray(), ["intercept", "x"]);

        Assert.True(fit.Converged, fit.Note);
        Assert.Equal(Math.Log(0.5), fit.Coefficients[0], 10);
        Assert.Equal(Math.Log(6.0), fit.Coefficients[fit.IndexOf("x")], 10);
        Assert.Equal(Math.Sqrt(1.0 / 30 + 1.0 / 10 + 1.0 / 20 + 1.0 / 40), fit.StandardError(1), 10);
        var (b, lower, upper) = fit.WaldInterval(1);
        Assert.Equal(b - 1.959963984540054 * fit.StandardError(1), lower, 12);
        Assert.Equal(b + 1.959963984540054 * fit.StandardError(1), upper, 12);
    }

    [Fact]
    public void Fit_MatchesStatsmodels_OnASimulatedDesign()
    {
        var random = new Random(20240614);
        const int n = 3000;
        const int p = 5;
        var design = new double[n * p];
        var outcomes = new bool[n];
        var csv = new StringBuilder("y,c0,c1,c2,c3,c4\n");
        for (var i = 0; i < n; i++)
        {
            design[i * p] = 1.0;
            design[i * p + 1] = random.NextDouble() < 0.4 ? 1.0 : 0.0;
            design[i * p + 2] = random.NextDouble() * 3 - 1;
            design[i * p + 3] = random.Next(3) == 1 ? 1.0 : 0.0;
            design[i * p + 4] = Math.Round(random.NextDouble() * random.NextDouble(), 6);
            var eta = -0.7 + 0.5 * design[i * p + 1] - 0.8 * design[i * p + 2] + 0.3 * design[i * p + 3] + 1.2 * design[i * p + 4];
            outcomes[i] = random.NextDouble() < 1 / (1 + Math.Exp(-eta));
            csv.Append(CultureInfo.InvariantCulture, $"{(outcomes[i] ? 1 : 0)},{string.Join(',', design.AsSpan(i * p, p).ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}\n");
        }

        var fit = LogisticRegression.Fit(design, p, outcomes);
        var reference = JsonDocument.Parse(ReferenceScripts.RunPython(ScriptDirectory, "logistic_reference.py", csv.ToString())).RootElement;

        Assert.True(fit.Converged, fit.Note);
        for (var j = 0; j < p; j++)
        {
            ReferenceScripts.Close(reference.GetProperty("params")[j].GetDouble(), fit.Coefficients[j], $"β{j}", 1e-8, 1e-10);
            ReferenceScripts.Close(reference.GetProperty("bse")[j].GetDouble(), fit.StandardError(j), $"SE{j}", 1e-7, 1e-10);
            var (_, lower, upper) = fit.WaldInterval(j);
            ReferenceScripts.Close(reference.GetProperty("lower")[j].GetDouble(), lower, $"lower{j}", 1e-7, 1e-9);
            ReferenceScripts.Close(reference.GetProperty("upper")[j].GetDouble(), upper, $"upper{j}", 1e-7, 1e-9);
        }

        ReferenceScripts.Close(reference.GetProperty("deviance").GetDouble(), fit.Deviance, "deviance", 1e-9, 1e-9);
    }

    [Fact]
    public void Fit_CollinearColumns_IsNotEstimable()
    {
        // Column 2 = 2 × column 1.
        var design = new double[] { 1, 0, 0, 1, 1, 2, 1, 0, 0, 1, 1, 2 };
        var fit = LogisticRegression.Fit(design, 3, [true, false, false, true]);

        Assert.False(fit.Converged);
        Assert.Contains("singular", fit.Note);
        Assert.True(double.IsNaN(fit.StandardError(1)));
    }

    [Fact]
    public void Fit_CompleteSeparation_DoesNotConverge()
    {
        var design = new double[] { 1, -2, 1, -1, 1, 1, 1, 2 };
        var fit = LogisticRegression.Fit(design, 2, [false, false, true, true], maxIterations: 25);

        Assert.False(fit.Converged);
        Assert.NotNull(fit.Note);
    }

    [Fact]
    public void Fit_RejectsADesignOfTheWrongSize()
    {
        Assert.Throws<ArgumentException>(() => LogisticRegression.Fit(new double[5], 2, [true, false]));
        Assert.Throws<ArgumentException>(() => LogisticRegression.Fit(new double[4], 2, [true, false], ["only one"]));
    }

    [Fact]
    public void Spline_KnotsAreTypeSevenQuantiles_AsRsNs()
    {
        // x = 1..10, df = 3: interior knots at the 1/3 and 2/3 quantiles, h = 9q: 1 + 3 = 4 and 1 + 6 = 7.
        var x = Enumerable.Range(1, 10).Select(i => (double)i).Reverse().ToArray();
        var spline = NaturalCubicSpline.WithQuantileKnots(x, 3);

        Assert.Equal(new[] { 1.0, 4.0, 7.0, 10.0 }, spline.Knots);
        Assert.Equal(3, spline.Columns);
        // h = 9 × 0.25 = 2.25: x₍₂₎ + 0.25 (x₍₃₎ − x₍₂₎) = 3.25.
        Assert.Equal(3.25, NaturalCubicSpline.Quantile(x.Order().ToArray(), 0.25), 12);
    }

    [Fact]
    public void Spline_IsLinearBeyondTheBoundaryKnots_AndCubicInside()
    {
        var spline = NaturalCubicSpline.WithKnots([0.0, 2.0, 5.0, 7.0, 10.0]);
        double[] At(double x)
        {
            var v = new double[spline.Columns];
            spline.Evaluate(x, v);
            return v;
        }

        for (var j = 0; j < spline.Columns; j++)
        {
            // Second differences vanish beyond the boundary knots (linear) ...
            Assert.Equal(0.0, At(14)[j] - 2 * At(12)[j] + At(10)[j], 10);
            Assert.Equal(0.0, At(-4)[j] - 2 * At(-2)[j] + At(0)[j], 10);
        }

        // ... and not between them (one column has curvature between 2 and 7).
        Assert.NotEqual(0.0, At(6)[1] - 2 * At(4)[1] + At(2)[1], 6);
        Assert.Throws<ArgumentException>(() => NaturalCubicSpline.WithQuantileKnots([1.0, 1.0, 1.0, 2.0], 3));
    }

    [Fact]
    public void Fit_WithAFactor_SameAsTheExpandedIndicatorDesign()
    {
        // 3,000 rows, two dense columns and a 7-level factor; the same model with the 6 indicator columns written out.
        var random = new Random(14);
        const int n = 3000, levels = 7;
        var dense = new double[n * 3];
        var expanded = new double[n * (3 + levels - 1)];
        var level = new int[n];
        var y = new bool[n];
        for (var i = 0; i < n; i++)
        {
            var x1 = random.NextDouble() < 0.4 ? 1.0 : 0.0;
            var x2 = random.NextDouble() * 2 - 1;
            level[i] = random.Next(levels);
            var eta = -0.3 + 0.7 * x1 - 1.1 * x2 + 0.25 * level[i];
            y[i] = random.NextDouble() < 1 / (1 + Math.Exp(-eta));
            (dense[i * 3], dense[i * 3 + 1], dense[i * 3 + 2]) = (1, x1, x2);
            var row = expanded.AsSpan(i * (3 + levels - 1), 3 + levels - 1);
            (row[0], row[1], row[2]) = (1, x1, x2);
            if (level[i] > 0)
            {
                row[3 + level[i] - 1] = 1;
            }
        }

        var factor = LogisticRegression.Fit(dense, 3, level, levels, y);
        var full = LogisticRegression.Fit(expanded, 3 + levels - 1, y);

        Assert.True(factor.Converged && full.Converged, factor.Note ?? full.Note);
        Assert.Equal(full.Coefficients.Count, factor.Coefficients.Count);
        for (var j = 0; j < full.Coefficients.Count; j++)
        {
            Assert.Equal(full.Coefficients[j], factor.Coefficients[j], 10);
            Assert.Equal(full.StandardError(j), factor.StandardError(j), 10);
        }

        Assert.Equal(full.Deviance, factor.Deviance, 8);
        Assert.Throws<ArgumentException>(() => LogisticRegression.Fit(dense, 3, [.. level.Select(l => l + 1)], levels, y));
    }
}
