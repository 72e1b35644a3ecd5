using System.Globalization;
using System.Text;
using Microsoft.Playwright;
using Targeting.Web.Tests.Support;

namespace Targeting.Web.Tests;

/// <summary>The public transparency page in Chromium: anonymous, and nothing personal in its DOM or in any response.</summary>
[Collection(WebCollection.Name)]
public sealed class PublicPageTests(WebWorld world)
{
    [Fact]
    public async Task PublicPage_Anonymous_ShowsSuppressedMonthlyAggregatesAndNoPersonalValue()
    {
        var page = await world.NewPageAsync();
        var responses = new List<(string Url, string Body)>();
        var pending = new List<Task>();
        page.Response += (_, response) => pending.Add(Capture(response, responses));

        await page.GotoAsync(new Uri(world.Web, "/public.html").ToString());
        await page.WaitForFunctionAsync("document.body.dataset.loaded !== undefined");
        await Task.WhenAll(pending.ToArray());
        Assert.Equal("true", await page.EvaluateAsync<string>("document.body.dataset.loaded"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(WebWorld.ScreenshotFolder, "public-page.png"), FullPage = true });

        // The rows are the whole-month aggregates: both shipped boroughs appear, months as YYYY-MM.
        var rows = await page.Locator("#report tbody tr").AllInnerTextsAsync();
        Assert.NotEmpty(rows);
        Assert.Contains(rows, r => r.StartsWith("Lambeth", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.StartsWith("Barking and Dagenham", StringComparison.Ordinal));
        Assert.All(rows, r => Assert.Matches(@"\t20\d\d-\d\d\t", r));
        // Small counts are suppressed on the page, not shown.
        Assert.True(await page.Locator(".suppressed").CountAsync() > 0, "the sample has borough-months with small counts: some must be suppressed");

        var report = responses.Single(r => r.Url.Contains("/api/v1/public/transparency", StringComparison.Ordinal));
        Assert.Contains("\"rows\"", report.Body, StringComparison.Ordinal);

        var dom = await page.ContentAsync();
        foreach (var (where, text) in responses.Select(r => (r.Url, r.Body)).Append(("DOM", dom)))
        {
            foreach (var value in PersonalValues())
            {
                Assert.False(text.Contains(value, StringComparison.Ordinal), $"{where} holds the personal value '{value}'");
            }
        }
    }

    /// <summary>Values that belong to one stop or one person: ids, exact times, coordinates and the person's fields' names.</summary>
    private IEnumerable<string> PersonalValues()
    {
        // Field names that would carry a person's or an officer's details.
        string[] fields = ["encounterId", "encounter_id", "requestId", "recordedBy", "officer\"", "pseudonym", "ageRange", "age_range", "selfDefinedEthnicity",
            "\"sex\"", "latitude", "longitude", "AGE_RANGE_", "SEX_MALE", "SEX_FEMALE", "SELF_DEFINED_ETHNICITY_"];
        foreach (var field in fields)
        {
            yield return field;
        }
        var sample = world.Encounters;
        Assert.True(sample.Count > 1000, $"the sample holds {sample.Count} stops");
        foreach (var record in sample)
        {
            yield return record.EncounterId;
            var at = record.Current.OccurredAt.ToDateTime();
            yield return at.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
            if (record.Current.Location is { } location)
            {
                yield return location.Latitude.ToString("0.0000", CultureInfo.InvariantCulture);
            }
        }
    }

    private static async Task Capture(IResponse response, List<(string Url, string Body)> into)
    {
        string body;
        try
        {
            body = Encoding.UTF8.GetString(await response.BodyAsync());
        }
        catch (PlaywrightException)
        {
            body = ""; // a redirect has no body
        }
        lock (into)
        {
            into.Add((response.Url, body));
        }
    }
}
