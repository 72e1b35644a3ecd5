using System.Text.Json;
using HotspotBench;

// The hotspot engine's benchmark driver; bench/hotspot/run.sh calls it once per part and the
// Python peers and report.py read what it writes. Every part writes one JSON file (timings in
// seconds, figures for the report); progress goes to stderr.
const string Usage = """
    HotspotBench PART --shared DIR --data DIR --out FILE [options]
      PART      propose | dbscan | kde | backtest | learned | force | forceprofile | regionprofile | profile
      --shared  ../shared/data (all London; when its London file is missing the sample in --data is used)
      --data    the repository's data/ folder (the shipped two-borough sample)
      --out     the JSON file to write
      --work    folder for the binary files the Python peers read (dbscan, kde)
      --pg      PostGIS connection string (dbscan)
      --bootstrap N   bootstrap replicates per area for the backtest (default 1000)
      --london-bootstrap N   replicates for London's backtest (default: --bootstrap)
      --area NAME     learned: only this area (Barking and Dagenham, Lambeth or London)
      --learned-months N, --learned-trees N, --learned-rate R   learned: the model's training months, trees and learning rate (defaults: the engine's)
      --runs N        force, profile: timed runs (default 3, 5)
      --compare 1     force: also propose every borough alone (own learned fits) and compare hit rates and choices
      --boroughs N    forceprofile: the first N boroughs by name (default 33)
    """;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}

var options = new Dictionary<string, string>();
for (var i = 1; i + 1 < args.Length; i += 2)
{
    options[args[i]] = args[i + 1];
}

string Option(string name) => options.TryGetValue(name, out var value) ? value : throw new ArgumentException($"{name} is required\n{Usage}");
int IntOption(string name, int fallback) => options.TryGetValue(name, out var value) ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : fallback;

Console.Error.WriteLine($"hotspot bench {args[0]}: loading data...");
var data = BenchData.Load(Option("--shared"), Option("--data"));
Console.Error.WriteLine($"  {data.Incidents.Count:N0} located incidents from {data.Source}");
object result = args[0] switch
{
    "propose" => ProposeBench.Run(data),
    "dbscan" => await DbscanBench.RunAsync(data, Option("--pg"), Option("--work")),
    "kde" => KdeBench.Run(data, Option("--work")),
    "backtest" => BacktestBench.Run(data, IntOption("--bootstrap", 1000), IntOption("--london-bootstrap", IntOption("--bootstrap", 1000))),
    "learned" => LearnedBench.Run(data, IntOption("--bootstrap", 1000), IntOption("--london-bootstrap", IntOption("--bootstrap", 1000)),
        options.TryGetValue("--area", out var area) ? area : null,
        Targeting.Engine.Hotspots.LearnedModelOptions.Default with
        {
            TrainingMonths = IntOption("--learned-months", Targeting.Engine.Hotspots.LearnedModelOptions.Default.TrainingMonths),
            Trees = IntOption("--learned-trees", Targeting.Engine.Hotspots.LearnedModelOptions.Default.Trees),
            LearningRate = options.TryGetValue("--learned-rate", out var rate) ? double.Parse(rate, System.Globalization.CultureInfo.InvariantCulture)
                : Targeting.Engine.Hotspots.LearnedModelOptions.Default.LearningRate,
        }),
    "force" => ForceBench.Run(data, IntOption("--runs", 3), IntOption("--compare", 0) != 0),
    "forceprofile" => ForceProfileBench.Run(data, IntOption("--boroughs", 33)),
    "regionprofile" => RegionProfileBench.Run(data),
    "profile" => ProfileBench.Run(data, options.TryGetValue("--area", out var profiled) ? profiled : "Barking and Dagenham", IntOption("--runs", 5)),
    _ => throw new ArgumentException($"unknown part {args[0]}\n{Usage}"),
};

await File.WriteAllTextAsync(Option("--out"), JsonSerializer.Serialize(result, new JsonSerializerOptions
{
    WriteIndented = true,
    PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    // Intervals are NaN when the bootstrap is skipped; Python's json reads NaN.
    NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
}));
return 0;
