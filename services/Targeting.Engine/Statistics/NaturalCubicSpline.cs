namespace Targeting.Engine.Statistics;

/// <summary>
/// A natural cubic spline basis (cubic between knots, linear beyond the boundary knots) with knots
/// placed as R's <c>splines::ns(x, df)</c> places them: df − 1 interior knots at the quantiles k/df,
/// k = 1 … df − 1, of all the values (R's default quantile, type 7: linear interpolation between order
/// statistics, numpy's default too), boundary knots at the minimum and maximum. The basis spans the
/// natural splines on those knots less the constants, so it takes df columns beside a model's intercept.
/// </summary>
/// <remarks>
/// The columns are the truncated-power natural basis of Hastie, T., Tibshirani, R. and Friedman, J. 2009,
/// <i>The Elements of Statistical Learning</i>, 2nd ed., eq. 5.4–5.5: with knots ξ₁ &lt; … &lt; ξ_K,
/// N₁(x) = x and N_{k+1}(x) = d_k(x) − d_{K−1}(x), d_k(x) = [(x − ξ_k)³₊ − (x − ξ_K)³₊] / (ξ_K − ξ_k), k = 1 … K − 2,
/// computed on x rescaled to [0, 1] between the boundary knots for conditioning. A different basis of the
/// same space (R's B-spline ns(), patsy's cr()) gives other coefficients for the spline but the same fitted
/// values, so the same estimates for every other term of a model.
/// </remarks>
public sealed class NaturalCubicSpline
{
    private readonly double[] scaled;
    private readonly double lower;
    private readonly double width;

    private NaturalCubicSpline(double[] knots)
    {
        Knots = knots;
        lower = knots[0];
        width = knots[^1] - knots[0];
        scaled = knots.Select(k => (k - lower) / width).ToArray();
    }

    /// <summary>All knots, boundary knots first and last, ascending.</summary>
    public IReadOnlyList<double> Knots { get; }

    /// <summary>Number of basis columns (df = knots − 1).</summary>
    public int Columns => Knots.Count - 1;

    /// <summary>Knots as <c>ns(x, df)</c> places them (see the class remarks).</summary>
    /// <param name="values">The covariate's values (at least two distinct).</param>
    /// <param name="degreesOfFreedom">df ≥ 1: the number of columns, beside an intercept.</param>
    /// <exception cref="ArgumentException">Fewer than two distinct values, NaN values, or interior knots that coincide (too few distinct values for df).</exception>
    public static NaturalCubicSpline WithQuantileKnots(IReadOnlyList<double> values, int degreesOfFreedom)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(degreesOfFreedom, 1);
        var sorted = values.ToArray();
        if (sorted.Any(double.IsNaN))
        {
            throw new ArgumentException("values must not be NaN", nameof(values));
        }

        Array.Sort(sorted);
        var knots = new double[degreesOfFreedom + 1];
        knots[0] = sorted[0];
        knots[^1] = sorted[^1];
        for (var k = 1; k < degreesOfFreedom; k++)
        {
            knots[k] = Quantile(sorted, (double)k / degreesOfFreedom);
        }

        for (var k = 1; k < knots.Length; k++)
        {
            if (!(knots[k] > knots[k - 1]))
            {
                throw new ArgumentException($"knots {knots[k - 1]} and {knots[k]} coincide: too few distinct values for {degreesOfFreedom} degrees of freedom", nameof(values));
            }
        }

        return new NaturalCubicSpline(knots);
    }

    /// <summary>Knots given explicitly (ascending, at least two).</summary>
    /// <exception cref="ArgumentException">Fewer than two knots, or knots not strictly ascending.</exception>
    public static NaturalCubicSpline WithKnots(IReadOnlyList<double> knots)
    {
        ArgumentNullException.ThrowIfNull(knots);
        if (knots.Count < 2 || knots.Zip(knots.Skip(1)).Any(k => !(k.Second > k.First)))
        {
            throw new ArgumentException("at least two strictly ascending knots are needed", nameof(knots));
        }

        return new NaturalCubicSpline(knots.ToArray());
    }

    /// <summary>The type-7 sample quantile of sorted values: x₍ₕ₎ interpolated at h = (n − 1)·q (0-based).</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        var h = (sorted.Count - 1) * q;
        var lo = (int)Math.Floor(h);
        return lo + 1 >= sorted.Count ? sorted[^1] : sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
    }

    /// <summary>Writes the <see cref="Columns"/> basis values at <paramref name="x"/> into <paramref name="into"/>.</summary>
    public void Evaluate(double x, Span<double> into)
    {
        var u = (x - lower) / width;
        var last = scaled.Length - 1;
        into[0] = u;
        var dLast = D(u, last - 1, last);
        for (var k = 0; k < last - 1; k++)
        {
            into[k + 1] = D(u, k, last) - dLast;
        }
    }

    private double D(double u, int k, int last) =>
        (Cube(Math.Max(0.0, u - scaled[k])) - Cube(Math.Max(0.0, u - scaled[last]))) / (scaled[last] - scaled[k]);

    private static double Cube(double v) => v * v * v;
}
