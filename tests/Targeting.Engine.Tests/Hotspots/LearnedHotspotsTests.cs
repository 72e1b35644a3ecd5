using NetTopologySuite.IO;
using Targeting.Engine.Geography;
using Targeting.Engine.Hotspots;
using static Targeting.Engine.Tests.Support.Grids;

namespace Targeting.Engine.Tests.Hotspots;

public sealed class LearnedHotspotsTests
{
    private static readonly DateTime March = new(2022, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime April = new(2022, 4, 1, 0, 0, 0, DateTimeKind.Utc);

    // 3 × 3 grid (cell = row·3 + column; 4 the centre), window January–March 2022 (end 1 April).
    //   January:  robbery ×2 in cell 0, burglary in cell 4
    //   February: robbery in cell 4, shoplifting in cell 8
    //   March:    violence in cell 4, possession of weapons in cell 4 (discovered)
    private static readonly Incident[] Tiny =
    [
        At("j1", 50, 50, CrimeTypes.Robbery), At("j2", 60, 60, CrimeTypes.Robbery), At("j3", 150, 150, CrimeTypes.Burglary),
        At("f1", 150, 150, CrimeTypes.Robbery, February), At("f2", 250, 250, CrimeTypes.Shoplifting, February),
        At("m1", 150, 150, CrimeTypes.ViolenceAndSexualOffences, March), At("m2", 140, 140, CrimeTypes.PossessionOfWeapons, March),
    ];

    private static double Feature(float[] rows, int cell, string name) =>
        rows[(cell * LearnedFeatures.Count) + IndexOf(name)];

    private static int IndexOf(string name)
    {
        var index = LearnedFeatures.Names.ToList().IndexOf(name);
        Assert.True(index >= 0, $"no feature {name}");
        return index;
    }

    [Fact]
    public void Features_TinyGrid_MatchHandComputedValues()
    {
        var training = TrainingSet.Build(ThreeByThree(), Tiny, January, April);
        var monthly = LearnedFeatures.MonthlyCells.From(training);

        // As of the month after the window (April): history March, February, January (3 months).
        var (rows, active) = LearnedFeatures.Compute(monthly, -1, MethodParameters.Default, useMonthOfYear: false);

        Assert.Equal(3, monthly.Months);
        Assert.Equal(0, Feature(rows, 4, "cell.robbery.1m"));               // March: no robbery in cell 4
        Assert.Equal(1.0 / 3, Feature(rows, 4, "cell.robbery.3m"), 6);      // February's one robbery over 3 months
        Assert.Equal(1.0 / 3, Feature(rows, 4, "cell.robbery.12m"), 6);     // only 3 months exist: mean over those
        Assert.Equal(1, Feature(rows, 4, "cell.violence.1m"));
        Assert.Equal(1.0 / 3, Feature(rows, 4, "cell.burglary.6m"), 6);
        Assert.Equal(1.0 / 3, Feature(rows, 8, "cell.theft.3m"), 6);        // shoplifting is in the theft group
        Assert.Equal(0, Feature(rows, 4, "cell.discovered.1m"));            // excluded by the feedback-loop guard
        Assert.Equal(190, Feature(rows, 4, "cell.harm.1m"), 3);             // violence 190
        Assert.Equal((190 + 365 + 245) / 3.0, Feature(rows, 4, "cell.harm.3m"), 3);
        // Ring 1 of cell 0 = cells 1, 3, 4; ring 2 = cells 2, 5, 6, 7, 8.
        Assert.Equal(190, Feature(rows, 0, "ring1.harm.1m"), 3);
        Assert.Equal(0, Feature(rows, 0, "ring2.harm.1m"), 3);
        Assert.Equal(1.0 / 3, Feature(rows, 0, "ring2.harm.3m"), 5);        // February's shoplifting (1) in cell 8
        Assert.Equal(2.0 / 3, Feature(rows, 4, "ring1.robbery.12m"), 6);    // January's two robberies in cell 0
        Assert.Equal(1.0 / 3, Feature(rows, 0, "ring1.robbery.12m"), 6);    // cell 4's February robbery, in cell 0's ring 1
        Assert.Equal(0, Feature(rows, 4, "month_of_year"));
        var prospective = ProspectiveHotspots.Compute(training).Score;
        var kde = KernelDensity.Estimate(training).Score;
        Assert.Equal((float)prospective[4], Feature(rows, 4, "prospective"));
        Assert.Equal((float)kde[0], Feature(rows, 0, "kde"));
        Assert.All(active, Assert.True);
    }

    [Fact]
    public void Features_AsOfMarch_UseJanuaryAndFebruaryOnly()
    {
        var training = TrainingSet.Build(ThreeByThree(), Tiny, January, April);
        var monthly = LearnedFeatures.MonthlyCells.From(training);

        // As of month 0 (March, the latest): history February, January (2 months).
        var (rows, _) = LearnedFeatures.Compute(monthly, 0, MethodParameters.Default, useMonthOfYear: true);

        Assert.Equal(365, Feature(rows, 4, "cell.harm.1m"), 3);              // February's robbery
        Assert.Equal((365 + 245) / 2.0, Feature(rows, 4, "cell.harm.3m"), 3);
        Assert.Equal(0, Feature(rows, 4, "cell.violence.12m"));              // March's violence is the target, not a feature
        Assert.Equal(3, Feature(rows, 4, "month_of_year"));
        var before = TrainingSet.Build(ThreeByThree(), Tiny, January, March);
        Assert.Equal((float)ProspectiveHotspots.Compute(before).Score[4], Feature(rows, 4, "prospective"));
        Assert.Equal((float)KernelDensity.Estimate(before).Score[4], Feature(rows, 4, "kde"));
    }

    [Fact]
    public void Targets_AreReportedHarmOnly_WhateverTheDiscoveredPolicy()
    {
        var excluded = LearnedFeatures.MonthlyCells.From(TrainingSet.Build(ThreeByThree(), Tiny, January, April));
        var included = LearnedFeatures.MonthlyCells.From(TrainingSet.Build(ThreeByThree(), Tiny, January, April,
            TargetingOptions.Default with { DiscoveredPolicy = DiscoveredPolicy.Include }));

        // Month 0 = March: cell 4 holds violence (190) and a possession of weapons (270, discovered: never a target).
        Assert.Equal(190, excluded.Target[0][4]);
        Assert.Equal(365, excluded.Target[1][4]);
        Assert.Equal(1, excluded.Target[1][8]);
        Assert.Equal(730, excluded.Target[2][0]);
        Assert.Equal(245, excluded.Target[2][4]);
        for (var k = 0; k < 3; k++)
        {
            Assert.Equal(excluded.Target[k], included.Target[k]);
        }

        // The policy does reach the features: under include the find counts in the discovered group and in the harm.
        var (rowsIncluded, _) = LearnedFeatures.Compute(included, -1, MethodParameters.Default, false);
        Assert.Equal(1, Feature(rowsIncluded, 4, "cell.discovered.1m"));
        Assert.Equal(190 + 270, Feature(rowsIncluded, 4, "cell.harm.1m"), 3);
    }

    [Fact]
    public void Features_CellsWithNothingInTheir5x5Neighbourhood_AreInactive()
    {
        // A 7 × 1 strip; one robbery in cell 0: cells 0, 1, 2 are within two cells of it.
        var grid = AnalysisGrid.Create(new WKTReader().Read("POLYGON ((0 0, 700 0, 700 100, 0 100, 0 0))"));
        var training = TrainingSet.Build(grid, [At("a", 50, 50, CrimeTypes.Robbery), At("b", 50, 50, CrimeTypes.Robbery, February)], January, March);

        var (_, active) = LearnedFeatures.Compute(LearnedFeatures.MonthlyCells.From(training), -1, MethodParameters.Default, false);

        Assert.Equal([true, true, true, false, false, false, false], active);
    }

    [Fact]
    public void Features_DoNotDependOnTheTargetMonth()
    {
        // Changing March (the row's target month) changes its target but not its features.
        var changed = Tiny.Where(i => i.OccurredAt != March)
            .Append(At("m9", 250, 50, CrimeTypes.Robbery, March)).Append(At("m10", 250, 50, CrimeTypes.Burglary, March)).ToArray();
        var a = LearnedFeatures.MonthlyCells.From(TrainingSet.Build(ThreeByThree(), Tiny, January, April));
        var b = LearnedFeatures.MonthlyCells.From(TrainingSet.Build(ThreeByThree(), changed, January, April));

        Assert.Equal(LearnedFeatures.Compute(a, 0, MethodParameters.Default, false).Features,
            LearnedFeatures.Compute(b, 0, MethodParameters.Default, false).Features);
        Assert.NotEqual(a.Target[0], b.Target[0]);
        Assert.NotEqual(LearnedFeatures.Compute(a, -1, MethodParameters.Default, false).Features,
            LearnedFeatures.Compute(b, -1, MethodParameters.Default, false).Features);
    }

    [Fact]
    public void FeatureNames_AreUniqueAndGroupsCoverEveryType()
    {
        Assert.Equal(LearnedFeatures.Count, LearnedFeatures.Names.Distinct().Count());
        Assert.Equal(8 * 4 + 4 + (2 * (4 + 8)) + 3, LearnedFeatures.Count);
        Assert.Equal(3, LearnedFeatures.GroupOf(CrimeTypes.BicycleTheft, Provenance.Reported));
        Assert.Equal(5, LearnedFeatures.GroupOf(CrimeTypes.PublicOrder, Provenance.Reported));
        Assert.Equal(6, LearnedFeatures.GroupOf("Something new", Provenance.Reported));
        Assert.Equal(7, LearnedFeatures.GroupOf(CrimeTypes.Robbery, Provenance.Discovered));
    }

    /// <summary>Six months on a 20 × 20 grid: a fixed set of hot cells with Poisson-like counts (seeded).</summary>
    internal static (AnalysisGrid Grid, List<Incident> Incidents) Synthetic(int seed = 7, int months = 6)
    {
        var grid = AnalysisGrid.Create(new WKTReader().Read("POLYGON ((0 0, 2000 0, 2000 2000, 0 2000, 0 0))"));
        var random = new Random(seed);
        var incidents = new List<Incident>();
        string[] types = [CrimeTypes.Robbery, CrimeTypes.Burglary, CrimeTypes.ViolenceAndSexualOffences, CrimeTypes.OtherTheft, CrimeTypes.Drugs];
        var rate = new double[grid.CellCount];
        for (var c = 0; c < rate.Length; c++)
        {
            rate[c] = random.NextDouble() < 0.15 ? 0.5 + (4 * random.NextDouble()) : 0.05;
        }

        for (var m = 0; m < months; m++)
        {
            var month = January.AddMonths(m);
            for (var c = 0; c < rate.Length; c++)
            {
                // Bernoulli sums approximate a Poisson count with the cell's rate.
                for (var draw = 0; draw < 10; draw++)
                {
                    if (random.NextDouble() < rate[c] / 10)
                    {
                        incidents.Add(At($"{m}-{c}-{draw}", grid.CentreX(c) + random.Next(-40, 40), grid.CentreY(c) + random.Next(-40, 40),
                            types[random.Next(types.Length)], month));
                    }
                }
            }
        }

        return (grid, incidents);
    }

    [Fact]
    public void Compute_SameData_GivesIdenticalSurfaceAndModel()
    {
        var (grid, incidents) = Synthetic();
        var end = January.AddMonths(6);

        var first = LearnedHotspots.Compute(TrainingSet.Build(grid, incidents, January, end));
        var second = LearnedHotspots.Compute(TrainingSet.Build(grid, incidents, January, end));

        Assert.Null(first.Model!.FellBackTo);
        Assert.Equal(first.Score, second.Score);
        Assert.Equal(first.Model, second.Model);
        Assert.True(first.Score.Distinct().Count() > 20, "the model should rank cells, not give one value");
    }

    [Fact]
    public void Compute_TheScoredMonthAndLater_DoNotChangeThePredictions()
    {
        // The month after the window (July) is the one a backtest scores: whatever happens in it, or after, the
        // model fitted on January–June predicts the same.
        var (grid, incidents) = Synthetic(months: 8);
        var end = January.AddMonths(6);
        var scrambled = incidents.Where(i => i.OccurredAt < end)
            .Concat(incidents.Where(i => i.OccurredAt >= end).Select(i => i with { X = 1999 - i.X, CrimeType = CrimeTypes.Robbery }))
            .Append(At("extra", 1050, 1050, CrimeTypes.Robbery, end)).ToList();

        var original = LearnedHotspots.Compute(TrainingSet.Build(grid, incidents, January, end));
        var changed = LearnedHotspots.Compute(TrainingSet.Build(grid, scrambled, January, end));

        Assert.Equal(original.Score, changed.Score);
    }

    [Fact]
    public void Compute_DiscoveredIncidents_ChangeNothingUnderTheDefaultGuard()
    {
        var (grid, incidents) = Synthetic();
        var end = January.AddMonths(6);
        var reportedOnly = incidents.Where(i => i.Provenance == Provenance.Reported).ToList();
        Assert.True(incidents.Count - reportedOnly.Count > 50, "the synthetic data should hold discovered incidents (Drugs)");

        var all = LearnedHotspots.Compute(TrainingSet.Build(grid, incidents, January, end));
        var without = LearnedHotspots.Compute(TrainingSet.Build(grid, reportedOnly, January, end));
        var included = LearnedHotspots.Compute(TrainingSet.Build(grid, incidents, January, end,
            TargetingOptions.Default with { DiscoveredPolicy = DiscoveredPolicy.Include }));

        Assert.Equal(without.Score, all.Score);
        Assert.NotEqual(all.Score, included.Score); // the guard is what kept them out
    }

    [Fact]
    public void Compute_Provenance_StatesWindowRowsAndParameterHash()
    {
        var (grid, incidents) = Synthetic();
        var end = January.AddMonths(6);
        var training = TrainingSet.Build(grid, incidents, January, end);

        var model = LearnedHotspots.Compute(training).Model!;
        var other = LearnedHotspots.Compute(training, MethodParameters.Default with { Learned = LearnedModelOptions.Default with { Trees = 20 } }).Model!;

        Assert.Equal(January, model.TrainingStart);
        Assert.Equal(end, model.TrainingEnd);
        Assert.Equal(3, model.TargetMonths); // the default training months (of the five that have a past)
        Assert.Matches("^[0-9a-f]{16}$", model.ParametersHash);
        Assert.Equal(LearnedModelOptions.Default.Hash, model.ParametersHash);
        Assert.NotEqual(model.ParametersHash, other.ParametersHash);
        Assert.Contains("trees=50", model.Parameters, StringComparison.Ordinal);
        Assert.Contains("ring2.harm.12m", model.Parameters, StringComparison.Ordinal);
        // Rows: every active cell of the 20 × 20 grid in each of the three target months.
        var active = Enumerable.Range(0, 3).Sum(t => LearnedFeatures.Compute(LearnedFeatures.MonthlyCells.From(training), t,
            MethodParameters.Default, false).Active.Count(a => a));
        Assert.Equal(active, model.TrainingRows);
    }

    [Fact]
    public void Compute_MoreRowsThanTheCap_TrainsOnASeededSample()
    {
        var (grid, incidents) = Synthetic();
        var training = TrainingSet.Build(grid, incidents, January, January.AddMonths(6));
        var capped = MethodParameters.Default with { Learned = LearnedModelOptions.Default with { MaxTrainingRows = 300 } };

        var all = LearnedHotspots.Compute(training).Model!;
        var first = LearnedHotspots.Compute(training, capped);
        var second = LearnedHotspots.Compute(training, capped);

        // Each of the ≈ 1,200 rows is kept with probability 300 / rows: 300 ± 3 standard deviations (≈ 45).
        Assert.True(all.TrainingRows > 1000, $"{all.TrainingRows} rows before the cap");
        Assert.InRange(first.Model!.TrainingRows, 250, 350);
        Assert.Contains($"a seeded sample of {all.TrainingRows:N0}", first.Model.Note, StringComparison.Ordinal);
        Assert.Equal(first.Score, second.Score);
        Assert.NotEqual(first.Model.ParametersHash, all.ParametersHash);
    }

    [Fact]
    public void Compute_OneMonth_FallsBackToProspective()
    {
        var training = TrainingSet.Build(ThreeByThree(), Tiny, January, February);

        var surface = LearnedHotspots.Compute(training);

        Assert.Equal(HotspotMethod.Learned, surface.Method);
        Assert.Equal(HotspotMethod.Prospective, surface.Model!.FellBackTo);
        Assert.Equal(ProspectiveHotspots.Compute(training).Score, surface.Score);
        Assert.Equal(0, surface.Model.TrainingRows);
    }

    [Fact]
    public void Compute_ViaHotspotSurfaces_IsTheLearnedMethod()
    {
        var (grid, incidents) = Synthetic();
        var training = TrainingSet.Build(grid, incidents, January, January.AddMonths(6));

        Assert.Equal(LearnedHotspots.Compute(training).Score, HotspotSurfaces.Compute(training, HotspotMethod.Learned).Score);
    }
}

public sealed class LearnedFeatureCacheTests
{
    private static readonly DateTime January = new(2022, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Compute_FoldsSharingACache_GiveTheSameScoresAsFreshFits()
    {
        // The folds of a rolling-origin backtest: windows January..February to January..July.
        var (grid, incidents) = LearnedHotspotsTests.Synthetic(months: 7);
        var cache = new LearnedFeatureCache();
        for (var end = January.AddMonths(2); end <= January.AddMonths(7); end = end.AddMonths(1))
        {
            var training = TrainingSet.Build(grid, incidents, January, end);
            var fresh = LearnedHotspots.Compute(training);
            var shared = LearnedHotspots.Compute(training, cache: cache);
            Assert.Equal(fresh.Score, shared.Score);
            Assert.Equal(fresh.Model, shared.Model);
        }

        // Rows as of February..August (the scoring month of each window and its target months): 7 months, each computed once.
        Assert.Equal(7, cache.Count);
    }

    [Fact]
    public void Compute_OtherInputs_DoNotUseABoundCache()
    {
        var (grid, incidents) = LearnedHotspotsTests.Synthetic(months: 6);
        var cache = new LearnedFeatureCache();
        var end = January.AddMonths(6);
        LearnedHotspots.Compute(TrainingSet.Build(grid, incidents, January, end), cache: cache);
        var bound = cache.Count;

        // Other incidents (a copy with one crime moved), another window start, other options, and a window ending mid-month.
        var moved = incidents.Select((i, n) => n == 0 ? i with { X = i.X + 100 } : i).ToList();
        var included = TargetingOptions.Default with { DiscoveredPolicy = DiscoveredPolicy.Include };
        var cases = new[]
        {
            TrainingSet.Build(grid, moved, January, end),
            TrainingSet.Build(grid, incidents, January.AddMonths(1), end),
            TrainingSet.Build(grid, incidents, January, end, included),
            TrainingSet.Build(grid, incidents, January, end.AddDays(-3)),
        };
        foreach (var training in cases)
        {
            Assert.Equal(LearnedHotspots.Compute(training).Score, LearnedHotspots.Compute(training, cache: cache).Score);
        }

        Assert.Equal(bound, cache.Count);
    }
}

public sealed class LearnedRegionTests
{
    private static readonly DateTime January = new(2022, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    // A borough inside the synthetic 2 km square, not on the 100 m lattice's lines, so its edge cells are partial.
    private static AnalysisGrid Borough() => AnalysisGrid.Create(new WKTReader().Read("POLYGON ((450 430, 1530 430, 1530 1260, 450 1260, 450 430))"));

    [Fact]
    public void Compute_AreaInsideTheRegion_TakesTheRegionsPredictionAtEachCell()
    {
        var (grid, incidents) = LearnedHotspotsTests.Synthetic(months: 6);
        var region = new LearnedRegion(grid, incidents, "the test region");
        var end = January.AddMonths(6);
        var borough = Borough();
        var training = TrainingSet.Build(borough, incidents, January, end);

        var surface = LearnedHotspots.Compute(training, cache: new LearnedFeatureCache { Region = region });

        // Independently: the region's own fit, looked up by each borough cell's centre.
        var whole = LearnedHotspots.Compute(TrainingSet.Build(grid, incidents, January, end));
        Assert.True(borough.PartialCellCount > 0);
        for (var c = 0; c < borough.CellCount; c++)
        {
            Assert.Equal(whole.Score[grid.Locate(borough.CentreX(c), borough.CentreY(c))], surface.Score[c]);
        }

        Assert.Equal(HotspotMethod.Learned, surface.Method);
        Assert.Equal(whole.Model!.TrainingRows, surface.Model!.TrainingRows);
        Assert.Null(surface.Model.FellBackTo);
        Assert.StartsWith("one model for the test region: LightGBM regression fitted on", surface.Model.Note, StringComparison.Ordinal);
        Assert.True(surface.Score.Distinct().Count() > 10, "the borough's cells should be ranked, not given one value");
        // The borough's own fit differs: it has fewer rows and sees nothing over its edge.
        Assert.NotEqual(LearnedHotspots.Compute(training).Score, surface.Score);
    }

    [Fact]
    public void Compute_TwoAreasOneWindow_OneRegionFit()
    {
        var (grid, incidents) = LearnedHotspotsTests.Synthetic(months: 6);
        var region = new LearnedRegion(grid, incidents, "the test region");
        var end = January.AddMonths(6);
        var west = AnalysisGrid.Create(new WKTReader().Read("POLYGON ((0 0, 1000 0, 1000 2000, 0 2000, 0 0))"));
        var east = AnalysisGrid.Create(new WKTReader().Read("POLYGON ((1000 0, 2000 0, 2000 2000, 1000 2000, 1000 0))"));

        var a = LearnedHotspots.Compute(TrainingSet.Build(west, incidents, January, end), cache: new LearnedFeatureCache { Region = region });
        var b = LearnedHotspots.Compute(TrainingSet.Build(east, incidents, January, end), cache: new LearnedFeatureCache { Region = region });

        Assert.Equal(1, region.Fits);
        Assert.Equal(a.Model!.TrainingRows, b.Model!.TrainingRows);
        var whole = region.Fit(January, end).Score;
        Assert.Equal(whole.Sum(), a.Score.Sum() + b.Score.Sum(), 9);
    }

    [Fact]
    public void Compute_WhereTheRegionMayNotServe_FitsItsOwn()
    {
        var (grid, incidents) = LearnedHotspotsTests.Synthetic(months: 6);
        var end = January.AddMonths(6);
        var borough = Borough();
        var region = new LearnedRegion(grid, incidents, "the test region");
        var cache = new LearnedFeatureCache { Region = region };
        var overTheEdge = AnalysisGrid.Create(new WKTReader().Read("POLYGON ((1500 1500, 2500 1500, 2500 2500, 1500 2500, 1500 1500))"));
        var included = TargetingOptions.Default with { DiscoveredPolicy = DiscoveredPolicy.Include };
        var fewerTrees = MethodParameters.Default with { Learned = LearnedModelOptions.Default with { Trees = 10 } };
        var cases = new (TrainingSet Training, MethodParameters? Parameters)[]
        {
            (TrainingSet.Build(overTheEdge, incidents, January, end), null),             // cells outside the region
            (TrainingSet.Build(borough, incidents, January, end, included), null),       // other targeting options
            (TrainingSet.Build(borough, incidents, January, end), fewerTrees),            // other model parameters
            (TrainingSet.Build(borough, incidents, January, January.AddMonths(1)), null), // one month: the region's fit falls back
        };

        foreach (var (training, parameters) in cases)
        {
            var own = LearnedHotspots.Compute(training, parameters);
            var shared = LearnedHotspots.Compute(training, parameters, cache);
            Assert.Equal(own.Score, shared.Score);
            Assert.Equal(own.Model, shared.Model);
        }
    }

    [Fact]
    public void Prepare_InParallel_GivesTheFitsOneAtATimeWould()
    {
        var (grid, incidents) = LearnedHotspotsTests.Synthetic(months: 6);
        var windows = MethodSelection.TrainingWindows(January, January.AddMonths(6));
        var prepared = new LearnedRegion(grid, incidents, "prepared");
        var sequential = new LearnedRegion(grid, incidents, "sequential");

        prepared.Prepare(windows, new ParallelOptions { MaxDegreeOfParallelism = 4 });

        Assert.Equal(windows.Count, prepared.Fits);
        foreach (var (start, end) in windows)
        {
            Assert.Equal(sequential.Fit(start, end).Score, prepared.Fit(start, end).Score);
        }
    }
}
