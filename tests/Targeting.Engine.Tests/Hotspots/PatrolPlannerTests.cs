using NetTopologySuite.IO;
using Targeting.Engine.Geography;
using Targeting.Engine.Hotspots;
using Targeting.Engine.Tests.Support;
using static Targeting.Engine.Tests.Support.Grids;

namespace Targeting.Engine.Tests.Hotspots;

public sealed class PatrolPlannerTests
{
    [Fact]
    public void Propose_BarkingAndDagenhamSample_GivesAreasWithEvidenceAndProvenance()
    {
        var borough = SampleBoundaries.Boroughs.Find("Barking and Dagenham")!;

        var plan = PatrolPlanner.Propose(new PatrolPlanRequest
        {
            AreaOfInterest = borough.Geometry,
            Incidents = StreetCrimes.SampleIncidents,
            DataStart = January,
            DataEnd = January.AddMonths(9),
            Wards = SampleBoundaries.Wards,
        });

        Assert.Equal(HotspotSurfaces.DefaultMethod, plan.Method);
        Assert.Equal(50, plan.Parameters.BandwidthM);
        Assert.InRange(plan.Areas.Count, 1, 8);
        Assert.True(plan.CoverageFraction <= 0.01 + 1e-9);
        Assert.InRange(plan.ExpectedShare, 0.001, 0.5);
        Assert.Equal(plan.Areas.Sum(a => a.ExpectedShare), plan.ExpectedShare, 12);
        // The sample's B&D counts (data/README.md): 100 possessions of weapons, excluded by default.
        Assert.Equal(100, plan.Summary.ExcludedDiscoveredByType[CrimeTypes.PossessionOfWeapons]);
        Assert.Equal(plan.Summary.ReportedCount + plan.Summary.DiscoveredCount, plan.Summary.IncidentsInArea);
        Assert.Contains("discovered incidents excluded", plan.Summary.TrainedOn, StringComparison.Ordinal);
        Assert.All(plan.Areas, a => Assert.All(a.Wards, w => Assert.Equal("Barking and Dagenham", SampleBoundaries.Wards.Find(w)!.ParentName)));
        Assert.All(plan.Areas, a => Assert.True(a.HistoricalCount > 0));
        Assert.All(plan.Areas, a => Assert.True(a.CountsByType.Values.Sum() >= a.HistoricalCount));
        Assert.Equal(plan.GiStar.Z.Length, plan.Grid.CellCount);
    }

    [Fact]
    public void Propose_InvalidRequest_ListsEveryProblemByField()
    {
        var request = new PatrolPlanRequest
        {
            AreaOfInterest = new WKTReader().Read("POLYGON ((0 0, 300 0, 300 300, 0 300, 0 0))"),
            Incidents = [],
            DataStart = February,
            DataEnd = January,
            Parameters = new MethodParameters { CellSizeM = 1 },
            PatrolAreas = new PatrolAreaOptions { BudgetFraction = 0.5, MaxAreas = 0 },
        };

        var error = Assert.Throws<ArgumentException>(() => PatrolPlanner.Propose(request));

        Assert.Contains("data_window.end", error.Message, StringComparison.Ordinal);
        Assert.Contains("parameters.cell_size_m", error.Message, StringComparison.Ordinal);
        Assert.Contains("budget_fraction", error.Message, StringComparison.Ordinal);
        Assert.Contains("max_areas", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Propose_CachedGridOfAnotherCellSize_IsRefused()
    {
        var area = new WKTReader().Read("POLYGON ((0 0, 300 0, 300 300, 0 300, 0 0))");
        var request = new PatrolPlanRequest
        {
            AreaOfInterest = area,
            Incidents = [],
            DataStart = January,
            DataEnd = February,
            Grid = AnalysisGrid.Create(area, cellSizeM: 50),
        };

        Assert.Throws<ArgumentException>(() => PatrolPlanner.Propose(request));
    }

    [Fact]
    public void Propose_NoIncidents_GivesNoAreas()
    {
        var plan = PatrolPlanner.Propose(new PatrolPlanRequest
        {
            AreaOfInterest = new WKTReader().Read("POLYGON ((0 0, 300 0, 300 300, 0 300, 0 0))"),
            Incidents = [],
            DataStart = January,
            DataEnd = February,
        });

        Assert.Empty(plan.Areas);
        Assert.Equal(0, plan.ExpectedShare);
    }
}
