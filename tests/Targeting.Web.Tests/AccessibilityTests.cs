using System.Text.Json;
using Microsoft.Playwright;
using Targeting.Grpc;
using Targeting.Testing;
using Targeting.Web.Tests.Support;

namespace Targeting.Web.Tests;

/// <summary>axe-core (from the web's npm packages) run in Chromium on each page: no serious or critical violation of WCAG 2.1 A/AA.</summary>
[Collection(WebCollection.Name)]
public sealed class AccessibilityTests(WebWorld world)
{
    private static readonly string Axe = File.ReadAllText(RepoPaths.InRepo("services", "Targeting.Web", "ClientApp", "node_modules", "axe-core", "axe.min.js"));

    [Fact]
    public async Task PublicPage_Axe_NoSeriousViolations()
    {
        var page = await world.NewPageAsync();
        await page.GotoAsync(new Uri(world.Web, "/public.html").ToString());
        await page.WaitForFunctionAsync("document.body.dataset.loaded === 'true'");
        await AssertNoSeriousViolationsAsync(page, "public page");
    }

    [Fact]
    public async Task Map_WithPlanAndStops_Axe_NoSeriousViolations()
    {
        var page = await world.OpenMapAsync(Roles.Analyst, world.Plan.PlanId);
        await page.WaitForFunctionAsync($"document.body.dataset.drawn === '{world.Plan.PlanId}'");
        await page.ClickAsync("#load-stops");
        await page.WaitForFunctionAsync("document.body.dataset.stops !== undefined");
        await page.Locator($"#areas button[data-area-id='{world.Plan.Areas[0].AreaId}']").ClickAsync();
        await page.WaitForFunctionAsync($"document.getElementById('area-details').dataset.areaId === '{world.Plan.Areas[0].AreaId}'");
        await AssertNoSeriousViolationsAsync(page, "planner's map");
    }

    [Fact]
    public async Task Dashboard_AnalystChartsThenTables_Axe_NoSeriousViolations()
    {
        var page = await world.OpenDashboardAsync(Roles.Analyst, world.Plan.PlanId, "2022-05", "2022-09", "Lambeth", "2022-01", "2022-04");
        Assert.True(await page.Locator("figure.chart").CountAsync() >= 6);
        await AssertNoSeriousViolationsAsync(page, "dashboard (charts)");
        foreach (var button in await page.Locator("button.view-table").AllAsync())
        {
            await button.ClickAsync();
        }
        await AssertNoSeriousViolationsAsync(page, "dashboard (tables)");
    }

    private static async Task AssertNoSeriousViolationsAsync(IPage page, string what)
    {
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Content = Axe });
        var json = await page.EvaluateAsync<string>(
            "async () => JSON.stringify((await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })).violations"
            + ".map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')) })))");
        using var violations = JsonDocument.Parse(json);
        var serious = violations.RootElement.EnumerateArray()
            .Where(v => v.GetProperty("impact").GetString() is "serious" or "critical")
            .Select(v => v.GetRawText()).ToList();
        Assert.True(serious.Count == 0, $"{what}: " + string.Join(Environment.NewLine, serious));
        // The check can fail: axe ran its rules (it reports passes too, so an empty run would be noticed here).
        Assert.True(await page.EvaluateAsync<int>("async () => (await axe.run(document)).passes.length") > 10);
    }
}
