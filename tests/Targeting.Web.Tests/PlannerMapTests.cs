using System.Globalization;
using Targeting.Common.V1;
using Targeting.Grpc;
using Targeting.Hotspot.V1;
using Targeting.Web.Tests.Support;

namespace Targeting.Web.Tests;

/// <summary>The planner's map in Chromium against the real services on the shipped sample.</summary>
[Collection(WebCollection.Name)]
public sealed class PlannerMapTests(WebWorld world)
{
    [Fact]
    public async Task Map_Plan_DrawsExactlyItsAreasWithNamesAndTheSurfaceHotspotSends()
    {
        var plan = world.Plan;
        Assert.NotEmpty(plan.Areas);
        var page = await world.OpenMapAsync(Roles.Planner, plan.PlanId);
        await page.WaitForFunctionAsync($"document.body.dataset.drawn === '{plan.PlanId}'");
        await page.ScreenshotAsync("map-plan");

        var drawn = await page.Locator("path[data-area-id]").EvaluateAllAsync<string[]>("paths => paths.map(p => p.dataset.areaId)");
        Assert.Equal(plan.Areas.Select(a => a.AreaId).Order(StringComparer.Ordinal), drawn.Order(StringComparer.Ordinal));

        // Each area is listed with its name (the gazetteer's, else its wards) in rank order; the shipped gazetteer names
        // the first (it holds only burglary snap points, so an area may cover none).
        Assert.NotEmpty(plan.Areas[0].Name);
        var listed = await page.Locator("#areas .area-name").AllInnerTextsAsync();
        Assert.Equal(plan.Areas.OrderBy(a => a.Rank).Select(ExpectedLabel), listed);

        // The surface drawn is the one hotspot streams for the plan's area, window and method.
        var hotspot = world.HotspotClient(Roles.Planner);
        using var channel = hotspot.Channel;
        var cells = 0;
        await foreach (var chunk in hotspot.StreamHotspotSurfaceAsync(new HotspotSurfaceRequest
        {
            Area = new AreaOfInterest { BoundaryName = plan.AreaName },
            DataWindow = plan.Provenance.DataWindow,
            Method = plan.Provenance.Method,
            Parameters = plan.Provenance.Parameters,
        }))
        {
            cells += chunk.Cells.Count;
        }
        Assert.True(cells > 100, $"{cells} cells");
        Assert.Equal(cells.ToString(CultureInfo.InvariantCulture), await page.EvaluateAsync<string>("document.body.dataset.surfaceCells"));
        Assert.Contains("Hotspot surface", await page.InnerTextAsync("#legend"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Map_ClickAnArea_ShowsItsFigures()
    {
        var plan = world.Plan;
        var page = await world.OpenMapAsync(Roles.Planner, plan.PlanId);
        await page.WaitForFunctionAsync($"document.body.dataset.drawn === '{plan.PlanId}'");
        var area = plan.Areas.OrderBy(a => a.Rank).Last();

        await page.Locator($"path[data-area-id='{area.AreaId}']").DispatchEventAsync("click");
        await page.WaitForFunctionAsync($"document.getElementById('area-details').dataset.areaId === '{area.AreaId}'");
        await page.Locator(".leaflet-popup-content").WaitForAsync();
        await page.ScreenshotAsync("map-area-clicked");

        foreach (var text in new[] { await page.InnerTextAsync("#area-details"), await page.InnerTextAsync(".leaflet-popup-content") })
        {
            Assert.Contains(ExpectedLabel(area), text, StringComparison.Ordinal);
            Assert.Contains(Pages.Percent(area.ExpectedShare) + " of next period's incidents", text, StringComparison.Ordinal);
            Assert.Contains(area.HistoricalCount.ToString("N0", CultureInfo.InvariantCulture) + " in the data window", text, StringComparison.Ordinal);
            Assert.Contains(area.FdrQ.ToString("0.000", CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
            Assert.Contains(area.AreaM2.ToString("N0", CultureInfo.InvariantCulture) + " m²", text, StringComparison.Ordinal);
            Assert.Contains(plan.Provenance.TrainedOn, text, StringComparison.Ordinal);
            Assert.Equal(area.FdrQ > 0.05, text.Contains("not significant", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Map_KeyboardOnly_SelectsAnAreaFromTheList()
    {
        var plan = world.Plan;
        var page = await world.OpenMapAsync(Roles.Planner, plan.PlanId);
        await page.WaitForFunctionAsync($"document.body.dataset.drawn === '{plan.PlanId}'");
        var first = plan.Areas.OrderBy(a => a.Rank).First();

        // Tab through the page until the first area's button has focus, then press Enter.
        var reached = false;
        for (var i = 0; i < 60 && !reached; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            reached = await page.EvaluateAsync<bool>($"document.activeElement?.dataset?.areaId === '{first.AreaId}'");
        }
        Assert.True(reached, "the first area's button is reachable with Tab");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync($"document.getElementById('area-details').dataset.areaId === '{first.AreaId}'");
        Assert.Equal("true", await page.GetAttributeAsync($"#areas button[data-area-id='{first.AreaId}']", "aria-pressed"));
    }

    [Fact]
    public async Task Map_ProposeFromThePage_StoresThePlanAndDrawsIt()
    {
        var page = await world.OpenMapAsync(Roles.Planner);
        await page.SelectOptionAsync("#area", "Lambeth");
        await page.SelectOptionAsync("#method", "METHOD_NAIVE_COUNTS");
        await page.FillAsync("#budget", "0.5");
        await page.FillAsync("#max-areas", "3");
        await page.ClickAsync("#propose");
        await page.WaitForFunctionAsync("document.body.dataset.proposed !== undefined || document.body.dataset.error !== undefined");
        Assert.Null(await page.EvaluateAsync<string?>("document.body.dataset.error ?? null"));
        var planId = await page.EvaluateAsync<string>("document.body.dataset.proposed");
        Assert.NotEqual(world.Plan.PlanId, planId);
        await page.ScreenshotAsync("map-proposed");

        var hotspot = world.HotspotClient(Roles.Analyst);
        using var channel = hotspot.Channel;
        var stored = await hotspot.GetPlanAsync(planId);
        Assert.Equal("Lambeth", stored.AreaName);
        Assert.Equal(0.005, stored.BudgetFraction, 9);
        Assert.InRange(stored.Areas.Count, 1, 3);
        Assert.Equal(Method.NaiveCounts, stored.Provenance.Method);
        Assert.Equal("web-test-planner", stored.CreatedBy);
        Assert.Equal("proposed from the planner's map", stored.Note);
        var listed = await hotspot.ListPlansAsync(new ListPlansRequest());
        Assert.Contains(listed.Plans, p => p.PlanId == planId);

        var drawn = await page.Locator("path[data-area-id]").EvaluateAllAsync<string[]>("paths => paths.map(p => p.dataset.areaId)");
        Assert.Equal(stored.Areas.Select(a => a.AreaId).Order(StringComparer.Ordinal), drawn.Order(StringComparer.Ordinal));
        Assert.Equal(planId, await page.InputValueAsync("#plan"));
    }

    [Fact]
    public async Task Map_Analyst_CannotPropose()
    {
        var page = await world.OpenMapAsync(Roles.Analyst, world.Plan.PlanId);
        Assert.True(await page.IsDisabledAsync("#propose"));
    }

    [Fact]
    public async Task Map_Stops_DrawnAsClustersColouredByOutcome()
    {
        var page = await world.OpenMapAsync(Roles.Analyst, world.Plan.PlanId);
        await page.WaitForFunctionAsync($"document.body.dataset.drawn === '{world.Plan.PlanId}'");
        await page.SelectOptionAsync("#area", "Lambeth");
        await page.ClickAsync("#load-stops");
        await page.WaitForFunctionAsync("document.body.dataset.stops !== undefined || document.body.dataset.error !== undefined");
        Assert.Null(await page.EvaluateAsync<string?>("document.body.dataset.error ?? null"));
        var drawn = int.Parse(await page.EvaluateAsync<string>("document.body.dataset.stops"), CultureInfo.InvariantCulture);
        Assert.True(drawn > 100, $"{drawn} stops");
        // Zoomed out to the plan, the stops are aggregated into clusters.
        await page.EvaluateAsync("window.scrollTo(0, 0)");
        var clusters = await page.Locator(".stop-cluster span").AllInnerTextsAsync();
        Assert.NotEmpty(clusters);
        await page.ScreenshotAsync("map-stops");
        Assert.Contains("Stops by outcome", await page.InnerTextAsync("#legend"), StringComparison.Ordinal);
    }

    private static string ExpectedLabel(PatrolArea area) =>
        $"A{area.Rank}: {(area.Name.Length > 0 ? area.Name : area.Wards.Count > 0 ? string.Join(" / ", area.Wards) : "unnamed")}";
}
