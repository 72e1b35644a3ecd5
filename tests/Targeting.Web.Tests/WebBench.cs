using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Targeting.Common.V1;
using Targeting.Grpc;
using Targeting.Hotspot.V1;
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
    // The map's layers: run.sh simplifies them for London-wide display (hotspot keeps the full ones).
    Environment.GetEnvironmentVariable("TARGETING_WEB_BENCH_BOROUGHS") ?? RepoPaths.InSharedData("boundaries", "london_boroughs.geojson"),
    Environment.GetEnvironmentVariable("TARGETING_WEB_BENCH_WARDS") ?? RepoPaths.InSharedData("boundaries", "london_wards_2014.geojson"),
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
        var steps = new Dictionary<string, List<double>>();
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
                foreach (var (step, at) in await StepsAsync(page))
                {
                    (steps.TryGetValue(step, out var list) ? list : steps[step] = []).Add(at);
                }
            }
            else
            {
                await page.ScreenshotAsync("bench-london-plan");
            }
            await page.Context.CloseAsync();
        }

        timings.Sort();
        // The surface rpc alone, straight from the hotspot service (no web host, no browser).
        var rpc = new List<double>();
        var surfaceRequest = new HotspotSurfaceRequest
        {
            Area = new AreaOfInterest { BoundaryName = plan.AreaName },
            DataWindow = plan.Provenance.DataWindow,
            Method = plan.Provenance.Method,
            Parameters = plan.Provenance.Parameters,
        };
        var hotspot = world.HotspotClient(Roles.Planner);
        using var channel = hotspot.Channel;
        for (var run = 0; run < runs; run++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var count = 0;
            await foreach (var chunk in hotspot.StreamHotspotSurfaceAsync(surfaceRequest))
            {
                count += chunk.Cells.Count;
            }
            rpc.Add(clock.Elapsed.TotalMilliseconds);
            Assert.Equal(cells, count.ToString(CultureInfo.InvariantCulture)); // the same surface the page drew
        }

        var result = new
        {
            runs,
            median_ms = timings[timings.Count / 2],
            min_ms = timings[0],
            max_ms = timings[^1],
            areas = plan.Areas.Count,
            surface_cells = int.Parse(cells, CultureInfo.InvariantCulture),
            plan_id = plan.PlanId,
            // Per step, the median over the timed runs of ms from the navigation's start (resource timing's responseEnd, or the page's marks).
            steps = steps.ToDictionary(s => s.Key, s => Median(s.Value)),
            surface_rpc_median_ms = Median(rpc),
            surface_rpc_min_ms = rpc.Min(),
            incidents = plan.Provenance.ReportedCount + plan.Provenance.DiscoveredCount,
        };
        var path = Environment.GetEnvironmentVariable("TARGETING_WEB_BENCH_OUT") ?? Path.Combine(WebWorld.ScreenshotFolder, "web-bench.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(result), TestContext.Current.CancellationToken);
        Assert.Equal(plan.Areas.Count, await CountAreasAsync());

        static double Median(List<double> values)
        {
            var sorted = values.Order().ToList();
            return sorted[sorted.Count / 2];
        }

        // Each request's start and end (resource timing) and the page's own marks, in ms from the navigation's start.
        static async Task<Dictionary<string, double>> StepsAsync(IPage page) =>
            await page.EvaluateAsync<Dictionary<string, double>>("""
                (() => {
                  const out = {};
                  for (const e of performance.getEntriesByType('resource')) {
                    const name = new URL(e.name).pathname;
                    if (!name.startsWith('/geo/') && !name.startsWith('/api/')) continue;
                    out[name + ' start'] = e.startTime;
                    out[name + ' first byte'] = e.responseStart;
                    out[name + ' end'] = e.responseEnd;
                    out[name + ' bytes'] = e.encodedBodySize;
                  }
                  for (const m of performance.getEntriesByType('mark')) out['mark ' + m.name] = m.startTime;
                  const nav = performance.getEntriesByType('navigation')[0];
                  if (nav) out['page DOMContentLoaded'] = nav.domContentLoadedEventEnd;
                  return out;
                })()
                """);

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
