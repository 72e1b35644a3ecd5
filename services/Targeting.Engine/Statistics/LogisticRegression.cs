using MathNet.Numerics.LinearAlgebra;

namespace Targeting.Engine.Statistics;

/// <summary>
/// Maximum-likelihood logistic regression by iteratively reweighted least squares (Newton–Raphson on
/// the binomial log-likelihood with the logit link; McCullagh, P. and Nelder, J. A. 1989, <i>Generalized
/// Linear Models</i>, 2nd ed., Chapman and Hall, §4.4), with the covariance of the estimates from the
/// inverse Fisher information and Wald intervals. Hand-written because no library on the package list
/// fits it with standard errors (decision 045); the linear algebra (Cholesky) is MathNet.Numerics'.
/// Stateless and thread-safe.
/// </summary>
/// <remarks>
/// Each iteration makes one pass over the rows, accumulating the information matrix X′WX
/// (W = diag μ(1 − μ)) and the score X′(y − μ), and solves X′WX·Δ = X′(y − μ) by Cholesky; so the cost
/// is O(n·p²) per iteration in time and O(p²) beyond the design in memory. Iteration stops when the
/// largest step is below <c>tolerance</c>·(1 + largest |β|), as statsmodels' and R's glm stop on a
/// relative change; the covariance is (X′WX)⁻¹ at the final estimates.
/// </remarks>
public static class LogisticRegression
{
    /// <summary>Fits P(y = 1) = 1 / (1 + exp(−xβ)).</summary>
    /// <param name="design">The n × p design matrix, row-major (row i is <c>design[i·p .. i·p + p − 1]</c>); include an intercept column yourself.</param>
    /// <param name="columns">p, the number of columns (≥ 1).</param>
    /// <param name="outcomes">The n outcomes.</param>
    /// <param name="names">Optional column names (p of them) for the result.</param>
    /// <param name="maxIterations">Iteration limit (default 50).</param>
    /// <param name="tolerance">Relative step size at which to stop (default 1e-10).</param>
    /// <returns>
    /// The fit. When the information matrix is singular (collinear columns, or a column that is
    /// constant zero) the fit is not estimable: <see cref="LogisticFit.Converged"/> is false and
    /// <see cref="LogisticFit.Note"/> says why. Complete separation shows as a fit that has not
    /// converged within the limit, with coefficients drifting to ±∞.
    /// </returns>
    /// <exception cref="ArgumentException">A design whose length is not n·p, or names of the wrong count.</exception>
    public static LogisticFit Fit(
        double[] design, int columns, bool[] outcomes, IReadOnlyList<string>? names = null, int maxIterations = 50, double tolerance = 1e-10) =>
        Fit(design, columns, null, 1, outcomes, names, maxIterations, tolerance);

    /// <summary>
    /// Fits P(y = 1) = 1 / (1 + exp(−xβ)) where x is a dense part followed by the treatment-coded indicator
    /// columns of one factor (a fixed effect: level 0 the baseline, levels 1 … L − 1 one column each), given
    /// as each row's level instead of L − 1 mostly-zero columns. The same fit as <see cref="Fit(double[], int, bool[], IReadOnlyList{string}?, int, double)"/>
    /// on the expanded design, at O(n·d²) rather than O(n·(d + L)²) per iteration (d the dense columns).
    /// </summary>
    /// <param name="design">The n × d dense part, row-major.</param>
    /// <param name="columns">d, the dense columns (≥ 1); the fit has d + L − 1 coefficients, the factor's after the dense ones.</param>
    /// <param name="levels">Each row's factor level, 0 to L − 1; null for no factor.</param>
    /// <param name="levelCount">L, the factor's levels (1 with no factor).</param>
    /// <param name="outcomes">The n outcomes.</param>
    /// <param name="names">Optional names of all d + L − 1 coefficients.</param>
    /// <param name="maxIterations">Iteration limit (default 50).</param>
    /// <param name="tolerance">Relative step size at which to stop (default 1e-10).</param>
    /// <returns>The fit, as the dense overload returns it.</returns>
    /// <exception cref="ArgumentException">A design whose length is not n·d, levels not n long or out of range, or names of the wrong count.</exception>
    public static LogisticFit Fit(
        double[] design, int columns, int[]? levels, int levelCount, bool[] outcomes, IReadOnlyList<string>? names = null, int maxIterations = 50, double tolerance = 1e-10)
    {
        ArgumentNullException.ThrowIfNull(design);
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(levelCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxIterations, 1);
        if (design.Length != (long)outcomes.Length * columns)
        {
            throw new ArgumentException($"the design has {design.Length} values, not {outcomes.Length} rows × {columns} columns", nameof(design));
        }

        if (levels is not null && (levels.Length != outcomes.Length || levels.Any(l => (uint)l >= (uint)levelCount)))
        {
            throw new ArgumentException($"levels must give one level from 0 to {levelCount - 1} per row", nameof(levels));
        }

        var p = columns + (levels is null ? 0 : levelCount - 1);
        if (names is not null && names.Count != p)
        {
            throw new ArgumentException($"{names.Count} names for {p} columns", nameof(names));
        }

        var beta = new double[p];
        var information = new double[p * p];
        var score = new double[p];
        var converged = false;
        var iterations = 0;
        string? note = null;
        while (true)
        {
            Accumulate(design, columns, levels, outcomes, beta, information, score);
            if (converged || iterations == maxIterations)
            {
                break;
            }

            iterations++;
            var step = Solve(information, score, p);
            if (step is null)
            {
                note = "the information matrix is singular: collinear or empty columns";
                break;
            }

            var largestStep = 0.0;
            var largestBeta = 0.0;
            for (var j = 0; j < p; j++)
            {
                beta[j] += step[j];
                largestStep = Math.Max(largestStep, Math.Abs(step[j]));
                largestBeta = Math.Max(largestBeta, Math.Abs(beta[j]));
            }

            // One more pass after convergence gives the information (hence covariance) at the final β.
            converged = largestStep <= tolerance * (1.0 + largestBeta);
        }

        var covariance = new double[p, p];
        if (note is null)
        {
            var h = Matrix<double>.Build.Dense(p, p, (i, j) => information[i * p + j]);
            try
            {
                var inverse = h.Cholesky().Solve(Matrix<double>.Build.DenseIdentity(p));
                for (var i = 0; i < p; i++)
                {
                    for (var j = 0; j < p; j++)
                    {
                        covariance[i, j] = inverse[i, j];
                    }
                }
            }
            catch (ArgumentException)
            {
                note = "the information matrix is singular at the estimates";
            }
        }

        if (note is null && !converged)
        {
            note = $"no convergence in {maxIterations} iterations (separation?)";
        }

        if (note is not null)
        {
            for (var i = 0; i < p; i++)
            {
                for (var j = 0; j < p; j++)
                {
                    covariance[i, j] = double.NaN;
                }
            }
        }

        var labels = names?.ToArray() ?? Enumerable.Range(0, p).Select(j => $"x{j}").ToArray();
        // β is the one of the last pass (a failed step leaves it unchanged).
        var deviance = Deviance(design, columns, levels, outcomes, beta);
        return new LogisticFit(labels, beta, covariance, outcomes.Length, iterations, note is null && converged, deviance) { Note = note };
    }

    // The deviance −2ℓ at β, in a pass of its own: the Newton passes need none of it, and its logarithms
    // and exponentials cost a quarter of a pass.
    private static double Deviance(double[] design, int d, int[]? levels, bool[] outcomes, double[] beta)
    {
        var deviance = 0.0;
        for (var i = 0; i < outcomes.Length; i++)
        {
            var row = design.AsSpan(i * d, d);
            var level = levels is null ? 0 : levels[i];
            var eta = LinearPredictor(row, level, beta);

            // −log P(y): log(1 + e^−η) for y = 1, log(1 + e^η) for y = 0, written stably.
            var signed = outcomes[i] ? -eta : eta;
            deviance += 2.0 * (signed > 0 ? signed + Math.Log(1.0 + Math.Exp(-signed)) : Math.Log(1.0 + Math.Exp(signed)));
        }

        return deviance;
    }

    // η = x′β of one row: its level's indicator coefficient (level 0 is the reference), then the dense
    // part, in that order so every pass sums alike.
    private static double LinearPredictor(ReadOnlySpan<double> row, int level, double[] beta)
    {
        var d = row.Length;
        var eta = level > 0 ? beta[d + level - 1] : 0.0;
        for (var j = 0; j < d; j++)
        {
            eta += row[j] * beta[j];
        }

        return eta;
    }

    // One pass: X′WX (full, symmetric) and X′(y − μ) at β.
    // The factor's indicator columns are never stored: a row has a 1 in at most one of them (column
    // d + level − 1), so its share of X′WX is the dense block, that column against the dense part, and
    // one diagonal entry; two different levels never meet.
    private static void Accumulate(double[] design, int d, int[]? levels, bool[] outcomes, double[] beta, double[] information, double[] score)
    {
        var p = beta.Length;
        Array.Clear(information);
        Array.Clear(score);
        for (var i = 0; i < outcomes.Length; i++)
        {
            var row = design.AsSpan(i * d, d);
            var level = levels is null ? 0 : levels[i];
            var eta = LinearPredictor(row, level, beta);

            // μ = 1/(1 + e^−η), computed from the side that does not overflow.
            var mu = eta >= 0 ? 1.0 / (1.0 + Math.Exp(-eta)) : Math.Exp(eta) / (1.0 + Math.Exp(eta));
            var w = mu * (1.0 - mu);
            var residual = (outcomes[i] ? 1.0 : 0.0) - mu;
            for (var j = 0; j < d; j++)
            {
                var wx = w * row[j];
                score[j] += residual * row[j];
                var offset = j * p;
                for (var k = j; k < d; k++)
                {
                    information[offset + k] += wx * row[k];
                }
            }

            if (level > 0)
            {
                var c = d + level - 1;
                score[c] += residual;
                information[c * p + c] += w;
                for (var j = 0; j < d; j++)
                {
                    information[j * p + c] += w * row[j];
                }
            }
        }

        for (var j = 0; j < p; j++)
        {
            for (var k = 0; k < j; k++)
            {
                information[j * p + k] = information[k * p + j];
            }
        }
    }

    private static double[]? Solve(double[] information, double[] score, int p)
    {
        var h = Matrix<double>.Build.Dense(p, p, (i, j) => information[i * p + j]);
        try
        {
            var cholesky = h.Cholesky();
            var step = cholesky.Solve(Vector<double>.Build.DenseOfArray(score)).ToArray();
            return step.All(double.IsFinite) ? step : null;
        }
        catch (ArgumentException)
        {
            return null; // not positive definite
        }
    }
}

/// <summary>A fitted logistic regression (see <see cref="LogisticRegression"/>).</summary>
/// <param name="Names">Column names, in design order.</param>
/// <param name="Coefficients">Estimates β̂, log-odds per unit of each column.</param>
/// <param name="Covariance">(X′WX)⁻¹ at β̂, the estimated covariance of β̂; NaN when the fit is not estimable.</param>
/// <param name="Observations">Rows used.</param>
/// <param name="Iterations">Newton steps taken.</param>
/// <param name="Converged">True when the iteration converged and the covariance exists.</param>
/// <param name="Deviance">−2 × the log-likelihood at β̂.</param>
public sealed record LogisticFit(
    IReadOnlyList<string> Names, IReadOnlyList<double> Coefficients, double[,] Covariance, long Observations, int Iterations, bool Converged, double Deviance)
{
    /// <summary>Why the fit did not converge or is not estimable; null when it is fine.</summary>
    public string? Note { get; init; }

    /// <summary>The index of a named column.</summary>
    /// <exception cref="KeyNotFoundException">No such column.</exception>
    public int IndexOf(string name)
    {
        for (var j = 0; j < Names.Count; j++)
        {
            if (Names[j] == name)
            {
                return j;
            }
        }

        throw new KeyNotFoundException($"no column '{name}'");
    }

    /// <summary>The standard error √[(X′WX)⁻¹]ⱼⱼ of coefficient <paramref name="column"/>.</summary>
    public double StandardError(int column) => Math.Sqrt(Covariance[column, column]);

    /// <summary>
    /// Coefficient <paramref name="column"/> with its Wald interval β̂ ± z·SE (z = Φ⁻¹(1 − α/2)), in
    /// log-odds; method <c>wald-95</c> at the default level. Exponentiate the three values for the odds
    /// ratio and its interval.
    /// </summary>
    public (double Estimate, double Lower, double Upper) WaldInterval(int column, double confidence = 0.95)
    {
        var z = StandardNormal.TwoSidedCritical(confidence);
        var b = Coefficients[column];
        var se = StandardError(column);
        return (b, b - z * se, b + z * se);
    }

    /// <summary>The two-sided Wald p-value of coefficient <paramref name="column"/>, H₀: β = 0.</summary>
    public double WaldPValue(int column) => StandardNormal.TwoSidedP(Coefficients[column] / StandardError(column));
}
