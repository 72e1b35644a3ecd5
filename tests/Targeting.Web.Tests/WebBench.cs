using System.Globalization;
using System.Text.Json;
using Targeting.Grpc;
using Targeting.Testing;
using Targeting.Web.Tests.Support;

namespace Targeting.Web.Tests;

/// <summary>
/// London: all the shared street crime (January to September 2022) in the real hotspot service,
/// London's boroughs and wards, and a one-feature "London" boundary (the boroughs' union, made by
/// bench/web/run.sh with ogr2ogr). Started only for the benchmark (TARGETING_WEB_BENCH=1).
/// </summary>
public sealed class LondonWorld() : WebWorld(new WorldData(
    RepoPaths.InSharedData("police-uk", "london_street_crime_2022-01_to_2022-09.csv.gz"),
    [
        (RepoPaths.InSharedData("boundaries", "london_boroughs.geojson"), "borough"),
        (RepoPaths.InSharedData("boundaries", "london_wards_2014.geojson"), "ward"),
        (Environment.GetEnvironmentVariable("TARGETING_WEB_BENCH_LONDON") ?? "", "region"),
    ],
    ImportStops: false,
    RepoPaths.InSharedData("boundaries", "london_boroughs.geojson"),
    RepoPaths.InSharedData("boundaries", "london_wards_2014.geojson"),
    "London",
    MaxAreas: 8))
{
    public static bool Enabled => Environment.GetEnvironmentVariable("TARGETING_WEB_BENCH") == "1";

    protected override bool Wanted => Enabled;
}

/// <summary>bench/web: the time from navigation to a drawn London-wide plan with its hotspot surface, in Chromium.</summary>
public sealed class WebBench(LondonWorld world) : IClassFixture<LondonWorld>
{
    [Fact(SkipUnless = nameof(LondonWorld.Enabled), SkipType = typeof(LondonWorld), Skip = "bench/web/run.sh runs it (TARGETING_WEB_BENCH=1 with the shared data)")]
    public async Task NavigationToDrawnLondonPlan()
    {
        var runs = int.Parse(Environment.GetEnvironmentVariable("TARGETING_WEB_BENCH_RUNS") ?? "5", CultureInfo.InvariantCulture);
        var plan = world.Plan;
        var token = DevelopmentTokens.Issue(Roles.Planner, "web-bench");
        var timings = new List<double>();
        var cells = "";
        for (var run = 0; run <= runs; run++)
        {
            var page = await world.NewPageAsync();
            await page.Context.AddInitScriptAsync($"sessionStorage.setItem('targeting.token', '{token}')");
            await page.GotoAsync(new Uri(world.Web, "/?plan=" + plan.PlanId).ToString());
            await page.WaitForFunctionAsync($"document.body.dataset.drawn === '{plan.PlanId}' || document.body.dataset.error !== undefined", null, new() { Timeout = 600_000 });
            Assert.Null(await page.EvaluateAsync<string?>("document.body.dataset.error ?? null"));
            // performance.now() is measured from the navigation's start; drawnAt is set when the surface and the areas are on the map.
            var ms = await page.EvaluateAsync<double>("Number(document.body.dataset.drawnAt)");
            cells = await page.EvaluateAsync<string>("document.body.dataset.surfaceCells");
            if (run > 0)
            {
                timings.Add(ms); // run 0 warms the services' caches and the JIT
            }
            else
            {
                await page.ScreenshotAsync("bench-london-plan");
            }
            await page.Context.CloseAsync();
        }

        timings.Sort();
        var result = new
        {
            runs,
            median_ms = timings[timings.Count / 2],
            min_ms = timings[0],
            max_ms = timings[^1],
            areas = plan.Areas.Count,
            surface_cells = int.Parse(cells, CultureInfo.InvariantCulture),
            plan_id = plan.PlanId,
            incidents = plan.Provenance.ReportedCount + plan.Provenance.DiscoveredCount,
        };
        var path = Environment.GetEnvironmentVariable("TARGETING_WEB_BENCH_OUT") ?? Path.Combine(WebWorld.ScreenshotFolder, "web-bench.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(result), TestContext.Current.CancellationToken);
        Assert.Equal(plan.Areas.Count, await CountAreasAsync());

        async Task<int> CountAreasAsync()
        {
            var page = await world.NewPageAsync();
            await page.Context.AddInitScriptAsync($"sessionStorage.setItem('targeting.token', '{token}')");
            await page.GotoAsync(new Uri(world.Web, "/?plan=" + plan.PlanId).ToString());
            await page.WaitForFunctionAsync($"document.body.dataset.drawn === '{plan.PlanId}'");
            return await page.Locator("path[data-area-id]").CountAsync();
        }
    }
}
