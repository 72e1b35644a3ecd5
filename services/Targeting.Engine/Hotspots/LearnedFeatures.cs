using Targeting.Engine.Geography;

namespace Targeting.Engine.Hotspots;

/// <summary>
/// The learned method's features and targets: one row per grid cell and month, every feature
/// computed only from the months before the row's month (docs/statistics.md, "Learned risk model").
/// </summary>
/// <remarks>
/// <para>
/// Months are counted back from the training window's end: month k (k = 0 the latest) is
/// [end − (k+1) months, end − k months); only whole months inside the window are used. A row "as of"
/// month a has as its target the harm of month a (a = −1 is the month after the window, the one a plan
/// is for) and as its features months a+1, a+2, … only.
/// </para>
/// <para>
/// Features, in <see cref="Names"/> order (window w ∈ {1, 3, 6, 12} months, cut at the window's start;
/// a windowed value is the mean per month over the months it has, so rows with short and long
/// histories are on one scale):
/// the cell's incident counts per crime group (<see cref="Groups"/>) per window; the cell's
/// harm-weighted count per window (the weights the method trains on, so the feedback-loop guard
/// applies); the same harm per window and the group counts over 12 months summed over ring 1 (the 8
/// cells around it) and ring 2 (the 16 cells around those) of the lattice; the prospective and KDE
/// scores as of the row's month (<see cref="ProspectiveHotspots"/>, <see cref="KernelDensity"/>, the
/// method parameters' bandwidths and half-life); and the month of year of the target month (1–12),
/// only when the training rows span 12 or more target months (else 0, as fewer months cannot tell
/// season from trend).
/// </para>
/// <para>
/// Target: the harm-weighted count of <em>reported</em> incidents with a positive harm weight in the
/// row's month (never discovered ones, whatever the training policy: where police find things
/// measures where they looked). Discovered incidents enter the features only when the policy uses
/// them (the "discovered" group, and the harm, weighted as the policy says).
/// </para>
/// <para>
/// Not features, because the engine's inputs do not carry them: the location type of the snap
/// point (data.police.uk's "On or near …" text is not kept on <see cref="Incident"/>) and LSOA
/// population density (the hotspot engine is given no population data).
/// </para>
/// </remarks>
public static class LearnedFeatures
{
    /// <summary>Windows, months.</summary>
    public static IReadOnlyList<int> Windows { get; } = [1, 3, 6, 12];

    /// <summary>The crime groups counted, in feature order.</summary>
    /// <remarks>
    /// robbery; violence (violence and sexual offences); burglary; theft (other theft, theft from the
    /// person, bicycle theft, shoplifting); vehicle (vehicle crime); disorder (criminal damage and
    /// arson, public order, anti-social behaviour); other (other crime and unknown types); discovered
    /// (discovered incidents of any type, only when the policy uses them).
    /// </remarks>
    public static IReadOnlyList<string> Groups { get; } = ["robbery", "violence", "burglary", "theft", "vehicle", "disorder", "other", "discovered"];

    private const int Discovered = 7;

    /// <summary>The feature names, in column order.</summary>
    public static IReadOnlyList<string> Names { get; } = BuildNames();

    /// <summary>The number of features.</summary>
    public static int Count => Names.Count;

    /// <summary>The group of a reported incident's crime type (discovered incidents are group "discovered").</summary>
    public static int GroupOf(string crimeType, Provenance provenance)
    {
        if (provenance == Provenance.Discovered)
        {
            return Discovered;
        }

        var type = crimeType?.Trim() ?? string.Empty;
        bool Is(string name) => string.Equals(type, name, StringComparison.OrdinalIgnoreCase);
        if (Is(CrimeTypes.Robbery))
        {
            return 0;
        }

        if (Is(CrimeTypes.ViolenceAndSexualOffences))
        {
            return 1;
        }

        if (Is(CrimeTypes.Burglary))
        {
            return 2;
        }

        if (Is(CrimeTypes.OtherTheft) || Is(CrimeTypes.TheftFromThePerson) || Is(CrimeTypes.BicycleTheft) || Is(CrimeTypes.Shoplifting))
        {
            return 3;
        }

        if (Is(CrimeTypes.VehicleCrime))
        {
            return 4;
        }

        return Is(CrimeTypes.CriminalDamageAndArson) || Is(CrimeTypes.PublicOrder) || Is(CrimeTypes.AntiSocialBehaviour) ? 5 : 6;
    }

    private static string[] BuildNames()
    {
        var names = new List<string>();
        foreach (var w in Windows)
        {
            names.AddRange(Groups.Select(g => $"cell.{g}.{w}m"));
        }

        names.AddRange(Windows.Select(w => $"cell.harm.{w}m"));
        foreach (var ring in new[] { 1, 2 })
        {
            names.AddRange(Windows.Select(w => $"ring{ring}.harm.{w}m"));
            names.AddRange(Groups.Select(g => $"ring{ring}.{g}.12m"));
        }

        names.Add("prospective");
        names.Add("kde");
        names.Add("month_of_year");
        return [.. names];
    }

    /// <summary>Per month and cell, the counts the features and targets are made of.</summary>
    internal sealed class MonthlyCells
    {
        private MonthlyCells(TrainingSet training, int months)
        {
            Training = training;
            Months = months;
            var cells = training.Grid.CellCount;
            GroupCounts = new double[months][][];
            Harm = new double[months][];
            Target = new double[months][];
            for (var k = 0; k < months; k++)
            {
                GroupCounts[k] = new double[Groups.Count][];
                for (var g = 0; g < Groups.Count; g++)
                {
                    GroupCounts[k][g] = new double[cells];
                }

                Harm[k] = new double[cells];
                Target[k] = new double[cells];
            }
        }

        public TrainingSet Training { get; }

        /// <summary>Whole months in the window.</summary>
        public int Months { get; }

        /// <summary>[month][group][cell]: incident counts (discovered: as the policy weighs them).</summary>
        public double[][][] GroupCounts { get; }

        /// <summary>[month][cell]: harm of the incidents the method trains on (the training set's weights).</summary>
        public double[][] Harm { get; }

        /// <summary>[month][cell]: harm of reported incidents with a positive harm weight (the target).</summary>
        public double[][] Target { get; }

        /// <summary>The start of month k (k = −1: the month after the window).</summary>
        public DateTime MonthStart(int k) => Training.WindowEnd.AddMonths(-(k + 1));

        /// <summary>Whole months in [start, end): counted back from the end.</summary>
        public static int WholeMonths(DateTime start, DateTime end)
        {
            var months = 0;
            while (end.AddMonths(-(months + 1)) >= start)
            {
                months++;
            }

            return months;
        }

        public static MonthlyCells From(TrainingSet training)
        {
            var months = WholeMonths(training.WindowStart, training.WindowEnd);
            var result = new MonthlyCells(training, months);
            if (months == 0)
            {
                return result;
            }

            var options = training.Options;
            var incidents = training.Incidents;
            for (var j = 0; j < training.InArea.Length; j++)
            {
                var incident = incidents[training.InArea[j]];
                var k = result.MonthOf(incident.OccurredAt);
                if (k < 0)
                {
                    continue;
                }

                var cell = training.InAreaCell[j];
                if (incident.Provenance == Provenance.Discovered)
                {
                    var factor = options.DiscoveredPolicy switch
                    {
                        DiscoveredPolicy.Include => 1.0,
                        DiscoveredPolicy.DownWeight => options.DiscoveredWeight,
                        _ => 0.0,
                    };
                    result.GroupCounts[k][Discovered][cell] += factor;
                }
                else
                {
                    result.GroupCounts[k][GroupOf(incident.CrimeType, incident.Provenance)][cell]++;
                    var weight = options.HarmWeights.WeightOf(incident.CrimeType);
                    if (weight > 0)
                    {
                        result.Target[k][cell] += weight;
                    }
                }
            }

            for (var u = 0; u < training.Count; u++)
            {
                var k = result.MonthOf(incidents[training.Source[u]].OccurredAt);
                if (k >= 0)
                {
                    result.Harm[k][training.Cell[u]] += training.Weight[u];
                }
            }

            return result;
        }

        /// <summary>The month index of a time (0 = latest), or −1 outside the whole months.</summary>
        public int MonthOf(DateTime t)
        {
            var end = Training.WindowEnd;
            if (t >= end)
            {
                return -1;
            }

            // Months back from the end: start from the calendar difference and correct by one either way.
            var k = ((end.Year - t.Year) * 12) + end.Month - t.Month - 1;
            k = Math.Max(0, k);
            while (k > 0 && t >= MonthStart(k - 1))
            {
                k--;
            }

            while (t < MonthStart(k))
            {
                k++;
            }

            return k < Months ? k : -1;
        }
    }

    /// <summary>
    /// The feature rows for every cell as of month <paramref name="asOf"/> (its target month; −1 = the
    /// month after the window), from months asOf+1 … only, row-major [cell · Count + feature]; and per
    /// cell whether it had any incident in its 5 × 5 neighbourhood in those months (inactive cells are
    /// neither trained on nor scored).
    /// </summary>
    internal static (float[] Features, bool[] Active) Compute(MonthlyCells monthly, int asOf, MethodParameters parameters,
        bool useMonthOfYear, IReadOnlyList<Incident>? inAreaIncidents = null, int[]? inAreaCells = null)
    {
        var training = monthly.Training;
        var grid = training.Grid;
        var cells = grid.CellCount;
        var groups = Groups.Count;
        var count = Count;
        var features = new float[cells * count];
        var history = monthly.Months - 1 - asOf;
        var active = new bool[cells];
        if (history <= 0)
        {
            return (features, active);
        }

        // Windowed sums per cell: groups × windows, harm × windows.
        var groupSums = new double[Windows.Count][][];
        var harmSums = new double[Windows.Count][];
        for (var w = 0; w < Windows.Count; w++)
        {
            var months = Math.Min(Windows[w], history);
            groupSums[w] = new double[groups][];
            for (var g = 0; g < groups; g++)
            {
                var sum = new double[cells];
                for (var k = asOf + 1; k <= asOf + months; k++)
                {
                    var source = monthly.GroupCounts[k][g];
                    for (var c = 0; c < cells; c++)
                    {
                        sum[c] += source[c];
                    }
                }

                for (var c = 0; c < cells; c++)
                {
                    sum[c] /= months;
                }

                groupSums[w][g] = sum;
            }

            var harm = new double[cells];
            for (var k = asOf + 1; k <= asOf + months; k++)
            {
                var source = monthly.Harm[k];
                for (var c = 0; c < cells; c++)
                {
                    harm[c] += source[c];
                }
            }

            for (var c = 0; c < cells; c++)
            {
                harm[c] /= months;
            }

            harmSums[w] = harm;
        }

        var longest = Windows.Count - 1;
        var activity = new double[cells];
        for (var c = 0; c < cells; c++)
        {
            for (var g = 0; g < groups; g++)
            {
                activity[c] += groupSums[longest][g][c];
            }
        }

        var rings = new Rings(grid);
        var activeBox = rings.Sums(activity);
        for (var c = 0; c < cells; c++)
        {
            // A threshold, not > 0: the summed-area table leaves rounding residues of about 1e-15 where the true sum is 0.
            active[c] = activity[c] + activeBox.Ring1[c] + activeBox.Ring2[c] > 1e-9;
        }

        // The surfaces as of the row's month: the same methods on the incidents before it.
        var asOfTime = monthly.MonthStart(asOf);
        var before = asOf < 0 ? training : TrainingSet.BuildLocated(grid, inAreaIncidents ?? Subset(training), training.WindowStart, asOfTime,
            training.Options, inAreaCells ?? training.InAreaCell);
        var prospective = ProspectiveHotspots.Compute(before, parameters).Score;
        var kde = KernelDensity.Estimate(before, parameters).Score;
        var month = useMonthOfYear ? monthly.MonthStart(asOf).Month : 0;

        var column = 0;
        for (var w = 0; w < Windows.Count; w++)
        {
            for (var g = 0; g < groups; g++)
            {
                Put(features, count, column++, groupSums[w][g]);
            }
        }

        for (var w = 0; w < Windows.Count; w++)
        {
            Put(features, count, column++, harmSums[w]);
        }

        var ringHarm = harmSums.Select(rings.Sums).ToArray();
        var ringGroups = groupSums[longest].Select(rings.Sums).ToArray();
        for (var ring = 1; ring <= 2; ring++)
        {
            for (var w = 0; w < Windows.Count; w++)
            {
                Put(features, count, column++, ring == 1 ? ringHarm[w].Ring1 : ringHarm[w].Ring2);
            }

            for (var g = 0; g < groups; g++)
            {
                Put(features, count, column++, ring == 1 ? ringGroups[g].Ring1 : ringGroups[g].Ring2);
            }
        }

        Put(features, count, column++, prospective);
        Put(features, count, column++, kde);
        for (var c = 0; c < cells; c++)
        {
            features[(c * count) + column] = month;
        }

        return (features, active);
    }

    /// <summary>The training set's in-area incidents as a list (their cells are <see cref="TrainingSet.InAreaCell"/>).</summary>
    internal static Incident[] Subset(TrainingSet training) => Array.ConvertAll(training.InArea, i => training.Incidents[i]);

    private static void Put(float[] features, int stride, int column, double[] values)
    {
        for (var c = 0; c < values.Length; c++)
        {
            features[(c * stride) + column] = (float)values[c];
        }
    }

    /// <summary>Sums over the lattice's rings around each cell, by a summed-area table over the grid's columns and rows.</summary>
    internal sealed class Rings(AnalysisGrid grid)
    {
        /// <summary>Per cell: the sum over ring 1 (Chebyshev distance 1, 8 cells) and ring 2 (distance 2, 16 cells); squares outside the area count 0.</summary>
        public (double[] Ring1, double[] Ring2) Sums(double[] values)
        {
            int columns = grid.Columns, rows = grid.Rows, width = columns + 1;
            var table = new double[(rows + 1) * width];
            var cellValue = new double[columns * rows];
            for (var c = 0; c < values.Length; c++)
            {
                cellValue[(grid.Row(c) * columns) + grid.Column(c)] = values[c];
            }

            for (var r = 0; r < rows; r++)
            {
                var rowSum = 0.0;
                for (var q = 0; q < columns; q++)
                {
                    rowSum += cellValue[(r * columns) + q];
                    table[((r + 1) * width) + q + 1] = table[(r * width) + q + 1] + rowSum;
                }
            }

            double Box(int column, int row, int radius)
            {
                int q0 = Math.Max(0, column - radius), q1 = Math.Min(columns, column + radius + 1);
                int r0 = Math.Max(0, row - radius), r1 = Math.Min(rows, row + radius + 1);
                return table[(r1 * width) + q1] - table[(r0 * width) + q1] - table[(r1 * width) + q0] + table[(r0 * width) + q0];
            }

            var ring1 = new double[values.Length];
            var ring2 = new double[values.Length];
            for (var c = 0; c < values.Length; c++)
            {
                int column = grid.Column(c), row = grid.Row(c);
                var box1 = Box(column, row, 1);
                var box2 = Box(column, row, 2);
                ring1[c] = box1 - values[c];
                ring2[c] = box2 - box1;
            }

            return (ring1, ring2);
        }
    }
}
