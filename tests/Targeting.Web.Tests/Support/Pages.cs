using Microsoft.Playwright;
using Targeting.Grpc;

namespace Targeting.Web.Tests.Support;

/// <summary>Steps the map tests share.</summary>
public static class Pages
{
    /// <summary>Opens the map (showing <paramref name="planId"/> when given) and signs in through the page's form with a development token.</summary>
    public static async Task<IPage> OpenMapAsync(this WebWorld world, string role, string? planId = null)
    {
        var page = await world.NewPageAsync();
        var console = new List<string>();
        page.Console += (_, message) => { lock (console) { console.Add($"{message.Type}: {message.Text}"); } };
        page.PageError += (_, error) => { lock (console) { console.Add("page error: " + error); } };
        page.RequestFailed += (_, request) => { lock (console) { console.Add($"request failed: {request.Url} {request.Failure}"); } };
        var url = new Uri(world.Web, planId is null ? "/" : "/?plan=" + Uri.EscapeDataString(planId));
        await page.GotoAsync(url.ToString());
        await page.WaitForFunctionAsync("document.body.dataset.ready === 'true' || document.body.dataset.error !== undefined");
        Assert.True(await page.EvaluateAsync<string?>("document.body.dataset.error ?? null") is null, "before signing in: " + string.Join(Environment.NewLine, console));
        await page.EvaluateAsync("delete document.body.dataset.ready");
        await page.FillAsync("#token", DevelopmentTokens.Issue(role, "web-test-" + role));
        await page.ClickAsync("#signin button[type=submit]");
        await page.WaitForFunctionAsync("document.body.dataset.ready === 'true' || document.body.dataset.error !== undefined");
        var error = await page.EvaluateAsync<string?>("document.body.dataset.error ?? null");
        Assert.True(error is null, error + Environment.NewLine + string.Join(Environment.NewLine, console));
        return page;
    }

    /// <summary>
    /// Opens the feedback dashboard on a plan for a window and borough, signs in through the page's
    /// form with a development token and waits until every part has answered.
    /// </summary>
    public static async Task<IPage> OpenDashboardAsync(this WebWorld world, string role, string planId, string from, string to, string borough, string beforeFrom, string beforeTo)
    {
        var page = await world.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => { lock (errors) { errors.Add("page error: " + error); } };
        var query = $"?plan={Uri.EscapeDataString(planId)}&area={Uri.EscapeDataString(borough)}&from={from}&to={to}";
        await page.GotoAsync(new Uri(world.Web, "/dashboard.html" + query).ToString());
        await page.WaitForFunctionAsync("document.body.dataset.ready === 'true'");
        await page.FillAsync("#before-from", beforeFrom);
        await page.FillAsync("#before-to", beforeTo);
        await page.FillAsync("#token", DevelopmentTokens.Issue(role, "dashboard-test-" + role));
        await page.ClickAsync("#signin button[type=submit]");
        await page.WaitForFunctionAsync("document.body.dataset.loaded === 'true' || document.body.dataset.error !== undefined");
        var error = await page.EvaluateAsync<string?>("document.body.dataset.error ?? null");
        Assert.True(error is null, error + Environment.NewLine + string.Join(Environment.NewLine, errors));
        Assert.Empty(errors);
        return page;
    }

    public static Task ScreenshotAsync(this IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(WebWorld.ScreenshotFolder, name + ".png"), FullPage = true });

    /// <summary>The percentage as the page writes it (one decimal).</summary>
    public static string Percent(double fraction) => (fraction * 100).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + "%";
}
