using System.Diagnostics;
using System.Globalization;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using Targeting.Engine.Geography;
using Targeting.Engine.Statistics;

// Times the engine's statistics: the per-call functions (against scipy/statsmodels in peer.py)
// and the small-count suppression of the transparency report's tables built from the Met's data.
// Usage: StatisticsBench <shared-or-sample data folder>. Prints one "name<TAB>median seconds<TAB>detail" line per measure.

var data = args.Length > 0 ? args[0] : "data";
var random = new Random(1);

const int Calls = 1_000_000;
var successes = new long[Calls];
var trials = new long[Calls];
for (var i = 0; i < Calls; i++)
{
    trials[i] = random.Next(1, 2000);
    successes[i] = random.NextInt64(0, trials[i] + 1);
}

Measure("wilson_1e6", () =>
{
    var sum = 0.0;
    for (var i = 0; i < Calls; i++)
    {
        sum += Proportions.Wilson(successes[i], trials[i]).Lower;
    }

    return sum;
}, $"{Calls:N0} Wilson intervals");

const int Pairs = 200_000;
Measure("compare_2e5", () =>
{
    var sum = 0.0;
    for (var i = 0; i < Pairs; i++)
    {
        sum += Proportions.Compare(successes[i], trials[i], successes[i + 1], trials[i + 1]).PValue;
    }

    return sum;
}, $"{Pairs:N0} pooled z-tests with Newcombe intervals");

const int Rates = 100_000;
Measure("poisson_exact_1e5", () =>
{
    var sum = 0.0;
    for (var i = 0; i < Rates; i++)
    {
        sum += PoissonRates.Rate(successes[i] % 5000, 100_000).Upper;
    }

    return sum;
}, $"{Rates:N0} exact Poisson rates (k < 5,000)");

// The transparency report's linked tables: borough × month rows; searches by officer-defined
// ethnicity (+ unknown), by object of search, and [arrest, other] / [find, other].
var tables = TransparencyTables(data, out var detail);
IReadOnlyList<SuppressedTable> suppressed = [];
Measure("suppress_linked", () =>
{
    suppressed = SmallCountSuppression.SuppressLinked(tables);
    return suppressed.Count;
}, detail);
var cells = suppressed.Sum(t => t.Rows * t.Columns);
var hidden = suppressed.Sum(t => Enumerable.Range(0, t.Rows).Sum(i => Enumerable.Range(0, t.Columns).Count(j => t.Cell(i, j).IsSuppressed)));
var primary = suppressed.Sum(t => Enumerable.Range(0, t.Rows).Sum(i => Enumerable.Range(0, t.Columns).Count(j => t.Cell(i, j).Status == SuppressionStatus.Primary)));
var hiddenTotals = Enumerable.Range(0, suppressed[0].Rows).Count(i => suppressed[0].RowTotal(i).IsSuppressed);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"suppression_result\t0\t{cells:N0} cells: {primary:N0} primary, {hidden - primary:N0} complementary ({100.0 * hidden / cells:0.0}% hidden); {hiddenTotals} of {suppressed[0].Rows} row totals hidden"));

var big = new long[2000, 8];
for (var i = 0; i < 2000; i++)
{
    for (var j = 0; j < 8; j++)
    {
        var roll = random.NextDouble();
        big[i, j] = roll < 0.2 ? 0 : roll < 0.5 ? random.Next(1, 5) : random.Next(5, 60);
    }
}

Measure("suppress_random_2000x8", () => SmallCountSuppression.Suppress(big).ComplementaryCount, "2,000 × 8 random table, 30% of cells 1–4");

static void Measure(string name, Func<double> action, string detail)
{
    action(); // warm-up (JIT)
    var times = new List<double>();
    for (var run = 0; run < 5; run++)
    {
        var watch = Stopwatch.StartNew();
        var result = action();
        watch.Stop();
        GC.KeepAlive(result);
        times.Add(watch.Elapsed.TotalSeconds);
    }

    times.Sort();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}\t{times[2]:0.0000}\t{detail}"));
}

static List<long[,]> TransparencyTables(string data, out string detail)
{
    var shared = Directory.Exists(Path.Combine(data, "police-uk", "metropolitan-stop-and-search"));
    var folder = shared ? Path.Combine(data, "police-uk", "metropolitan-stop-and-search") : Path.Combine(data, "police-uk", "stop-and-search");
    var boundaryFile = shared ? Path.Combine(data, "boundaries", "london_boroughs.geojson") : Path.Combine(data, "boundaries", "london_boroughs_barking_dagenham_lambeth.geojson");
    var boroughs = GeoJson.ReadFeatures(File.ReadAllText(boundaryFile))
        .Select(f => (Name: f.GetText("NAME")!, Shape: PreparedGeometryFactory.Prepare(f.Geometry)))
        .OrderBy(b => b.Name, StringComparer.Ordinal)
        .ToArray();
    string[] ethnicities = ["White", "Black", "Asian", "Other", ""];
    var objects = new List<string>();
    var rows = new Dictionary<(int Borough, string Month), long[][]>();
    long searches = 0;
    foreach (var file in Directory.GetFiles(folder, "*.csv").Order(StringComparer.Ordinal))
    {
        foreach (var line in File.ReadLines(file).Skip(1))
        {
            var f = line.Split(',');
            if (f.Length != 15 || f[4].Length == 0)
            {
                continue;
            }

            var point = new Point(double.Parse(f[5], CultureInfo.InvariantCulture), double.Parse(f[4], CultureInfo.InvariantCulture));
            var borough = Array.FindIndex(boroughs, b => b.Shape.Contains(point));
            if (borough < 0)
            {
                continue;
            }

            if (!objects.Contains(f[11]))
            {
                objects.Add(f[11]);
            }

            var key = (borough, Path.GetFileName(file)[..7]);
            if (!rows.TryGetValue(key, out var counts))
            {
                counts = [new long[5], new long[12], new long[2], new long[2]];
                rows[key] = counts;
            }

            counts[0][Array.IndexOf(ethnicities, f[9])]++;
            counts[1][objects.IndexOf(f[11])]++;
            counts[2][f[12] == "Arrest" ? 0 : 1]++;
            counts[3][f[12] == "A no further action disposal" ? 1 : 0]++;
            searches++;
        }
    }

    var keys = rows.Keys.OrderBy(k => k.Borough).ThenBy(k => k.Month, StringComparer.Ordinal).ToArray();
    var widths = new[] { 5, objects.Count, 2, 2 };
    var tables = new List<long[,]>();
    for (var t = 0; t < 4; t++)
    {
        var table = new long[keys.Length, widths[t]];
        for (var r = 0; r < keys.Length; r++)
        {
            for (var c = 0; c < widths[t]; c++)
            {
                table[r, c] = rows[keys[r]][t][c];
            }
        }

        tables.Add(table);
    }

    detail = string.Create(CultureInfo.InvariantCulture,
        $"{searches:N0} located searches, {keys.Length} borough-months; linked tables of 5 ethnicity, {objects.Count} object, 2 arrest, 2 find columns");
    return tables;
}
