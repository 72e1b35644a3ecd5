using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Playwright;
using Microsoft.VisualBasic.FileIO;
using Targeting.Common.V1;
using Targeting.Feedback;
using Targeting.Feedback.V1;
using Targeting.Grpc;
using Targeting.Hotspot.V1;
using Targeting.Web.Tests.Support;
using StopsV1 = Targeting.Stops.V1;

namespace Targeting.Web.Tests;

/// <summary>
/// The feedback dashboard in Chromium against the real services on the shipped sample: the figures
/// in its table views are the ones the feedback service returns for the same window (asked here
/// directly over gRPC), each CSV download holds exactly its table, and a role that may not see a
/// part is told so.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class DashboardTests(WebWorld world)
{
    // The page's window: May to September 2022 (London months), and crime change's "before", January to April.
    private const string From = "2022-05", To = "2022-09", BeforeFrom = "2022-01", BeforeTo = "2022-04", Borough = "Lambeth";

    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    private static TimeWindow Months(int fromYear, int fromMonth, int toYear, int toMonth) => new()
    {
        Start = MonthStart(fromYear, fromMonth),
        End = MonthStart(toMonth == 12 ? toYear + 1 : toYear, toMonth == 12 ? 1 : toMonth + 1),
    };

    private static Timestamp MonthStart(int year, int month) =>
        Timestamp.FromDateTime(TimeZoneInfo.ConvertTimeToUtc(new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Unspecified), London));

    private static readonly TimeWindow Window = Months(2022, 5, 2022, 9);

    [Fact]
    public async Task Dashboard_Analyst_TablesShowWhatTheFeedbackRpcsReturn()
    {
        var page = await OpenAsync(Roles.Analyst);
        await page.ScreenshotAsync("dashboard-analyst");
        foreach (var part in new[] { "evaluation", "disproportionality", "outcome-test", "crime-change" })
        {
            await page.Locator("#" + part).ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(WebWorld.ScreenshotFolder, $"dashboard-{part}.png") });
        }
        foreach (var part in new[] { "evaluation", "disproportionality", "outcome-test", "procedural-justice", "crime-change" })
        {
            Assert.Equal("shown", await page.GetAttributeAsync("#" + part, "data-state"));
        }

        using var grpc = FeedbackGrpc(Roles.Analyst);
        var feedback = new FeedbackClient(grpc);
        var plan = await PatrolPlanAsync();
        var planId = plan.PlanId;

        // Searches and finds inside vs outside, with the share's and the rates' intervals.
        var evaluation = await feedback.EvaluatePlanAsync(new EvaluatePlanRequest { PlanId = planId, Window = Window });
        Assert.True(evaluation.StopsInside > 10 && evaluation.StopsLocated > evaluation.StopsInside, $"{evaluation.StopsInside} of {evaluation.StopsLocated} inside");
        var share = evaluation.ShareInside;
        Assert.Equal(
            [
                ["Inside the patrol areas", Int(evaluation.StopsInside), Pct(share.Value), Pct(share.Lower), Pct(share.Upper), Int(evaluation.FindRateInside.Denominator), Int(evaluation.FindRateInside.Numerator), Int(evaluation.ArrestRateInside.Numerator)],
                ["Outside", Int(evaluation.StopsLocated - evaluation.StopsInside), Pct(1 - share.Value), Pct(1 - share.Upper), Pct(1 - share.Lower), Int(evaluation.FindRateOutside.Denominator), Int(evaluation.FindRateOutside.Numerator), Int(evaluation.ArrestRateOutside.Numerator)],
            ],
            await BodyAsync(page, "fig-stops-inside"));
        var rates = await BodyAsync(page, "fig-rates-inside");
        var difference = evaluation.FindRateDifference;
        string[] findRow = ["Find rate", .. Interval(evaluation.FindRateInside), .. Interval(evaluation.FindRateOutside),
            Pct(difference.Difference), Pct(difference.DifferenceLower), Pct(difference.DifferenceUpper), P(difference.PValue)];
        Assert.Equal(findRow, rates[0][..11]);
        string[] arrestRow = ["Arrest rate", .. Interval(evaluation.ArrestRateInside), .. Interval(evaluation.ArrestRateOutside)];
        Assert.Equal(arrestRow, rates[1][..7]);

        // Disproportionality by group and basis, and the outcome test with its alert (the plan is valid in the window, so searches fall inside).
        var fairness = await feedback.AssessFairnessAsync(new FairnessRequest { Borough = Borough, Window = Window, PlanIds = { planId } });
        var expected = fairness.Tables.SelectMany(t => t.Groups.Select(g => GroupRow(t.Basis, g))).ToList();
        Assert.True(expected.Count >= 8, $"{expected.Count} group rows");
        Assert.Equal(expected, (await BodyAsync(page, "fig-disproportionality")).Select(r => r[..11]).ToList());

        var outcome = await BodyAsync(page, "fig-outcome-test");
        Assert.NotEmpty(fairness.OutcomeTests);
        Assert.Contains(fairness.OutcomeTests, o => o.FindRateInside.Denominator > 10);
        Assert.Equal(fairness.OutcomeTests.Select(OutcomeRow).ToList(), outcome);
        var alert = await page.Locator("#lowered-bar").InnerTextAsync();
        Assert.Equal(fairness.OutcomeTests.Any(o => o.Alert), alert.StartsWith("Lowered bar", StringComparison.Ordinal));
        foreach (var flagged in fairness.OutcomeTests.Where(o => o.Alert))
        {
            Assert.Contains(flagged.Group, alert, StringComparison.Ordinal);
        }

        // Procedural justice: one row per group and measure (the sample's imported stops have no team: "(not recorded)").
        var justice = await feedback.AssessProceduralJusticeAsync(new ProceduralJusticeRequest { Area = new AreaOfInterest { BoundaryName = Borough }, Window = Window });
        var teams = justice.Rows.Where(r => r.Grouping == ComplianceGrouping.Team).ToList();
        Assert.NotEmpty(teams);
        var teamTable = await BodyAsync(page, "fig-justice-team");
        Assert.Equal(teams.Count * 6, teamTable.Count);
        Assert.Equal(teams.Select(t => (t.Group, Int(t.Encounters), Int(t.GroundsExplained.Denominator))),
            teamTable.Where(r => r[3] == "Grounds explained").Select(r => (r[0], r[1], r[8])));

        // Crime change: the counts, and the displacement quotient as the page words it.
        var change = await feedback.AssessCrimeChangeAsync(new CrimeChangeRequest { PlanId = planId, Before = Months(2022, 1, 2022, 4), After = Window });
        Assert.True(change.TargetedBefore > 0, "the sample has crime in the areas before");
        var counts = await BodyAsync(page, "fig-crime-change");
        Assert.Equal((Int(change.TargetedBefore), Int(change.TargetedAfter)), (counts[0][1], counts[0][2]));
        Assert.Equal((Int(change.ControlBefore), Int(change.ControlAfter)), (counts[1][1], counts[1][2]));
        Assert.Equal((Int(change.BufferBefore), Int(change.BufferAfter)), (counts[2][1], counts[2][2]));
        var measures = await page.InnerTextAsync("#crime-change-measures");
        var wdq = change.WeightedDisplacementQuotient;
        Assert.Contains(double.IsFinite(wdq) ? Fixed(wdq, 2) : "undefined", measures, StringComparison.Ordinal);
        Assert.Contains(Fixed(change.RateRatio.Value, 2) + " (95% CI " + Fixed(change.RateRatio.Lower, 2) + " to " + Fixed(change.RateRatio.Upper, 2) + ")", measures, StringComparison.Ordinal);

        // The roads pilot: the sample's Met stops hold no vehicle stops, and the page says so.
        Assert.Equal("empty", await page.GetAttributeAsync("#roads", "data-state"));
        Assert.Contains("No vehicle stops", await page.InnerTextAsync("#roads"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_PilotEncounters_ProceduralJusticeTablesShowTheRpcsRates()
    {
        // The sample's imported stops predate the pilot (no team, no answers), so this records 24 pilot
        // searches in March 2023, a month nothing else reads, under fixed request ids (recording is idempotent).
        var recorded = await RecordPilotEncountersAsync();
        var page = await world.OpenDashboardAsync(Roles.Analyst, world.Plan.PlanId, "2023-03", "2023-03", Borough, "2023-01", "2023-02");
        await page.Locator("#procedural-justice").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(WebWorld.ScreenshotFolder, "dashboard-procedural-justice.png") });
        Assert.Equal("shown", await page.GetAttributeAsync("#procedural-justice", "data-state"));

        using var grpc = FeedbackGrpc(Roles.Analyst);
        var justice = await new FeedbackClient(grpc).AssessProceduralJusticeAsync(new ProceduralJusticeRequest
        {
            Area = new AreaOfInterest { BoundaryName = Borough },
            Window = Months(2023, 3, 2023, 3),
        });
        foreach (var (grouping, id) in new[] { (ComplianceGrouping.Team, "fig-justice-team"), (ComplianceGrouping.Training, "fig-justice-training") })
        {
            var rows = justice.Rows.Where(r => r.Grouping == grouping).ToList();
            Assert.Equal(2, rows.Count);
            Assert.Equal(rows.SelectMany(JusticeRows).ToList(), (await BodyAsync(page, id)).Select(r => r[..9]).ToList());
        }

        // Counted here from what was recorded: team Brixton-1's grounds explained, yes of answered.
        var team = recorded.Where(e => e.Officer.Team == "brixton-1").ToList();
        var answered = team.Count;
        var yes = team.Count(e => e.ProceduralJustice.GroundsExplained == StopsV1.Answer.Yes);
        var table = await BodyAsync(page, "fig-justice-team");
        var row = table.Single(r => r[0] == "brixton-1" && r[3] == "Grounds explained");
        Assert.Equal((Int(team.Count), Pct((double)yes / answered), Int(yes), Int(answered)), (row[1], row[4], row[7], row[8]));
    }

    [Fact]
    public async Task Dashboard_RecordedVehicleStops_DarknessOddsRatiosAreTheRpcs()
    {
        // The sample's Met stops hold no vehicle stops: this records 120 roads-pilot stops in Lambeth,
        // September and October 2023 between 17:00 and 20:00 London time, as dusk moves across those hours.
        await RecordVehicleStopsAsync();
        var page = await world.OpenDashboardAsync(Roles.Analyst, world.Plan.PlanId, "2023-09", "2023-10", Borough, "2023-07", "2023-08");
        await page.Locator("#roads").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(WebWorld.ScreenshotFolder, "dashboard-roads.png") });
        Assert.Equal("shown", await page.GetAttributeAsync("#roads", "data-state"));

        using var grpc = FeedbackGrpc(Roles.Analyst);
        var report = await new FeedbackClient(grpc).AssessVehicleStopsAsync(new VehicleStopsRequest { Borough = Borough, Window = Months(2023, 9, 2023, 10) });
        Assert.Equal(120, report.VehicleStops);
        Assert.Contains(report.Darkness, d => double.IsFinite(d.Coefficient));
        Assert.Equal(report.Darkness.Select(d => new[]
        {
            d.Group, Fixed(Math.Exp(d.Coefficient), 2), Fixed(Math.Exp(d.CiLow), 2), Fixed(Math.Exp(d.CiHigh), 2), Fixed(d.Coefficient, 3), Fixed(d.StandardError, 3), P(d.PValue),
            Int(d.GroupLight), Int(d.GroupDark), Int(d.WhiteLight), Int(d.WhiteDark), d.Note,
        }).ToList(), await BodyAsync(page, "fig-darkness"));
    }

    private async Task RecordVehicleStopsAsync()
    {
        using var stops = new Targeting.Stops.StopsClient(world.Stops, new GrpcClientOptions { BearerToken = DevelopmentTokens.Issue(Roles.Service, "dashboard-test") });
        var random = new Random(12);
        for (var i = 0; i < 120; i++)
        {
            var day = new DateTime(2023, 9, 1).AddDays(i % 60);
            var local = day.AddMinutes(17 * 60 + random.Next(0, 180));
            var (officerDefined, selfDefined) = (i % 3) switch
            {
                0 => (StopsV1.OfficerDefinedEthnicity.White, StopsV1.SelfDefinedEthnicity.WhiteBritish),
                1 => (StopsV1.OfficerDefinedEthnicity.Black, StopsV1.SelfDefinedEthnicity.BlackAfrican),
                _ => (StopsV1.OfficerDefinedEthnicity.Asian, StopsV1.SelfDefinedEthnicity.AsianIndian),
            };
            var encounter = new StopsV1.Encounter
            {
                OccurredAt = Timestamp.FromDateTime(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), London)),
                LateEntryReason = "dashboard test: a roads-pilot month recorded afterwards",
                Location = new LatLng { Latitude = 51.4550 + (i % 10) * 0.002, Longitude = -0.1200 + (i % 7) * 0.002 },
                LocationPrecision = StopsV1.LocationPrecision.Exact,
                Type = StopsV1.EncounterType.VehicleStopWithoutSearch,
                LegalPower = StopsV1.LegalPower.RoadTrafficS163,
                Outcome = i % 2 == 0 ? StopsV1.Outcome.WordsOfAdvice : StopsV1.Outcome.TrafficOffenceReport,
                Sex = StopsV1.Sex.Male,
                AgeRange = StopsV1.AgeRange._25To34,
                SelfDefinedEthnicity = selfDefined,
                OfficerDefinedEthnicity = officerDefined,
                Vehicle = new StopsV1.Vehicle { Make = i % 2 == 0 ? "SYNTHETIC-A" : "SYNTHETIC-B", Model = "M" + (i % 3) },
                Officer = new StopsV1.Officer { Pseudonym = "pc-roads", Team = "roads-1", PrecisionTrained = true },
                PartOfOperation = StopsV1.Answer.No,
            };
            await stops.RecordEncounterAsync(new StopsV1.RecordEncounterRequest { RequestId = $"dashboard-roads-{i}", Encounter = encounter });
        }
    }

    private static IEnumerable<string[]> JusticeRows(ComplianceRow row)
    {
        (string Name, Estimate E)[] measures =
        [
            ("Grounds explained", row.GroundsExplained), ("Person heard", row.PersonHeard), ("Treated with respect", row.TreatedWithRespect),
            ("Debrief given", row.DebriefGiven), ("Record copy offered", row.RecordCopyOffered), ("Body-worn video on", row.BodyWornVideoOn),
        ];
        foreach (var (name, e) in measures)
        {
            var answered = e is not null && e.Denominator > 0;
            yield return [row.Group, Int(row.Encounters), Int(row.NotRecorded), name, .. answered ? Interval(e) : ["", "", ""], Int(e?.Numerator ?? 0), Int(e?.Denominator ?? 0)];
        }
    }

    /// <summary>24 pilot person searches in Lambeth in March 2023: teams brixton-1 (trained) and brixton-2 (untrained), answers varied (stops requires every answer for a search).</summary>
    private async Task<List<StopsV1.Encounter>> RecordPilotEncountersAsync()
    {
        using var stops = new Targeting.Stops.StopsClient(world.Stops, new GrpcClientOptions { BearerToken = DevelopmentTokens.Issue(Roles.Service, "dashboard-test") });
        var recorded = new List<StopsV1.Encounter>();
        for (var i = 0; i < 24; i++)
        {
            var first = i % 2 == 0;
            StopsV1.Answer Say(int every) => i % every == 0 ? StopsV1.Answer.No : StopsV1.Answer.Yes;
            var encounter = new StopsV1.Encounter
            {
                OccurredAt = Timestamp.FromDateTime(new DateTime(2023, 3, 2 + i, 14, 30, 0, DateTimeKind.Utc)),
                LateEntryReason = "dashboard test: a pilot month recorded afterwards",
                Location = new LatLng { Latitude = 51.4627 + i * 0.0005, Longitude = -0.1145 },
                LocationPrecision = StopsV1.LocationPrecision.Exact,
                Type = StopsV1.EncounterType.PersonSearch,
                LegalPower = StopsV1.LegalPower.PaceS1,
                Grounds = "Seen passing a package in a known drug-dealing spot",
                ObjectOfSearch = StopsV1.ObjectOfSearch.ControlledDrugs,
                Outcome = i % 5 == 0 ? StopsV1.Outcome.Arrest : StopsV1.Outcome.NoFurtherAction,
                OutcomeLinkedToObject = i % 5 == 0 ? StopsV1.Answer.Yes : StopsV1.Answer.No,
                RemovalOfMoreThanOuterClothing = StopsV1.Answer.No,
                Sex = StopsV1.Sex.Male,
                AgeRange = StopsV1.AgeRange._18To24,
                SelfDefinedEthnicity = StopsV1.SelfDefinedEthnicity.WhiteBritish,
                OfficerDefinedEthnicity = StopsV1.OfficerDefinedEthnicity.White,
                Officer = new StopsV1.Officer { Pseudonym = first ? "pc-a" : "pc-b", Team = first ? "brixton-1" : "brixton-2", PrecisionTrained = first },
                PartOfOperation = StopsV1.Answer.No,
                ProceduralJustice = new StopsV1.ProceduralJustice
                {
                    GroundsExplained = Say(first ? 6 : 3), PersonHeard = Say(first ? 8 : 2), TreatedWithRespect = Say(first ? 12 : 4),
                    DebriefGiven = Say(first ? 4 : 2), RecordCopyOffered = Say(first ? 6 : 3), BodyWornVideoOn = Say(first ? 12 : 5),
                },
            };
            await stops.RecordEncounterAsync(new StopsV1.RecordEncounterRequest { RequestId = $"dashboard-pilot-{i}", Encounter = encounter });
            recorded.Add(encounter);
        }
        return recorded;
    }

    [Fact]
    public async Task Dashboard_EveryCsvDownload_HoldsExactlyItsTable()
    {
        var page = await OpenAsync(Roles.Analyst);
        var ids = await page.Locator("figure.chart").EvaluateAllAsync<string[]>("figures => figures.map(f => f.id)");
        Assert.True(ids.Length >= 6, string.Join(", ", ids));
        foreach (var id in ids)
        {
            var table = page.Locator($"#{id} .table-view");
            Assert.False(await table.IsVisibleAsync());
            await page.ClickAsync($"#{id} button.view-table");
            Assert.True(await table.IsVisibleAsync(), $"{id}: the table view shows");
            Assert.False(await page.Locator($"#{id} .chart-view").IsVisibleAsync());

            var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync($"#{id} a.csv"));
            Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
            var path = await download.PathAsync();
            var csv = ParseCsv(await File.ReadAllTextAsync(path, Encoding.UTF8, TestContext.Current.CancellationToken));
            var shown = await page.Locator($"#{id} table").EvaluateAsync<string[][]>("t => Array.from(t.rows).map(r => Array.from(r.cells).map(c => c.textContent))");
            Assert.True(shown.Length >= 2, $"{id}: {shown.Length} rows");
            Assert.Equal(shown, csv);
        }
    }

    [Theory]
    [InlineData(Roles.Officer, new string[0])]
    [InlineData(Roles.Planner, new[] { "evaluation", "crime-change" })]
    public async Task Dashboard_RoleWithoutAccess_ToldPlainlyPartByPart(string role, string[] allowed)
    {
        var page = await OpenAsync(role);
        await page.ScreenshotAsync("dashboard-" + role);
        foreach (var part in new[] { "evaluation", "disproportionality", "outcome-test", "procedural-justice", "crime-change", "roads" })
        {
            var state = await page.GetAttributeAsync("#" + part, "data-state");
            var text = await page.InnerTextAsync($"#{part} .section-status");
            if (allowed.Contains(part))
            {
                Assert.Equal("shown", state);
            }
            else
            {
                Assert.Equal("denied", state);
                Assert.Matches("^This part needs the (analyst|analyst or planner|analyst or supervisor) role; you are signed in as " + role, text);
                Assert.Equal(0, await page.Locator($"#{part} figure").CountAsync());
            }
        }
        Assert.Null(await page.EvaluateAsync<string?>("document.body.dataset.error ?? null"));
    }

    [Fact]
    public async Task Dashboard_SupervisorWithoutTeam_GetsTheServicesReasonNotABrokenPage()
    {
        // A supervisor sees their own team's procedural justice: a token with no team claim is refused by feedback itself.
        var page = await OpenAsync(Roles.Supervisor);
        Assert.Equal("denied", await page.GetAttributeAsync("#procedural-justice", "data-state"));
        Assert.Contains("team claim", await page.InnerTextAsync("#procedural-justice .section-status"), StringComparison.Ordinal);
        Assert.Null(await page.EvaluateAsync<string?>("document.body.dataset.error ?? null"));
    }

    [Fact]
    public async Task Dashboard_KeyboardOnly_ReadsAChartsValues()
    {
        var page = await OpenAsync(Roles.Analyst);
        var chart = page.Locator("#fig-rates-inside svg");
        await chart.FocusAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        var readout = await page.InnerTextAsync("#fig-rates-inside-readout");
        Assert.StartsWith("Find rate, Outside: ", readout, StringComparison.Ordinal);
        Assert.Contains("95% CI", readout, StringComparison.Ordinal);
        await page.Keyboard.PressAsync("Home");
        Assert.StartsWith("Find rate, Inside: ", await page.InnerTextAsync("#fig-rates-inside-readout"), StringComparison.Ordinal);
    }

    private async Task<IPage> OpenAsync(string role) => await world.OpenDashboardAsync(role, (await PatrolPlanAsync()).PlanId, From, To, Borough, BeforeFrom, BeforeTo);

    // One plan per world, as a planner would make it: learnt on January to April 2022, for May to
    // September, the window the dashboard looks at (the world's own plan is valid only after its data).
    private static readonly ConditionalWeakTable<WebWorld, Task<PatrolPlan>> Plans = new();

    private Task<PatrolPlan> PatrolPlanAsync() => Plans.GetValue(world, async w =>
    {
        var hotspot = w.HotspotClient(Roles.Planner);
        using var channel = hotspot.Channel;
        return await hotspot.ProposePatrolAreasAsync(new ProposePatrolAreasRequest
        {
            Area = new AreaOfInterest { BoundaryName = Borough },
            DataWindow = Months(2022, 1, 2022, 4),
            ValidWindow = Window,
            Method = Targeting.Hotspot.V1.Method.NaiveCounts,
            BudgetFraction = 0.01,
            MaxAreas = 6,
            Note = "dashboard tests",
        });
    });

    private GrpcClient FeedbackGrpc(string role) =>
        new(world.Feedback, new GrpcClientOptions { BearerToken = DevelopmentTokens.Issue(role, "dashboard-test-" + role), MaxReceiveMessageSize = 64 * 1024 * 1024 });

    /// <summary>A figure's table body: the cells' text, row by row.</summary>
    private static async Task<List<string[]>> BodyAsync(IPage page, string id) =>
        [.. await page.Locator($"#{id} table").EvaluateAsync<string[][]>("t => Array.from(t.tBodies[0].rows).map(r => Array.from(r.cells).map(c => c.textContent))")];

    private static List<string[]> ParseCsv(string text)
    {
        using var parser = new TextFieldParser(new StringReader(text)) { HasFieldsEnclosedInQuotes = true, TrimWhiteSpace = false };
        parser.SetDelimiters(",");
        var rows = new List<string[]>();
        while (!parser.EndOfData)
        {
            rows.Add(parser.ReadFields()!);
        }
        return rows;
    }

    // The page's formats, written independently: JavaScript's toFixed and C#'s fixed-point both round the exact double.
    private static string Fixed(double value, int digits) => double.IsFinite(value) ? value.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "";

    private static string Pct(double fraction) => Fixed(fraction * 100, 1);

    private static string Int(double value) => value.ToString("0", CultureInfo.InvariantCulture);

    private static string P(double p) => !double.IsFinite(p) ? "" : p < 0.001 ? "<0.001" : Fixed(p, 3);

    private static string[] Interval(Estimate? e) => e is null ? ["", "", ""] : [Pct(e.Value), Pct(e.Lower), Pct(e.Upper)];

    private static string[] Interval2(Estimate? e) => e is null ? ["", "", ""] : [Fixed(e.Value, 2), Fixed(e.Lower, 2), Fixed(e.Upper, 2)];

    private static string[] GroupRow(EthnicityBasis basis, GroupRate g) =>
    [
        g.Group, basis == EthnicityBasis.OfficerDefined ? "Officer-defined" : "Self-defined", Int(g.Searches), Int(g.Population),
        .. Interval2(g.RatePer1000), Fixed(g.RatePer1000PerYear?.Value ?? double.NaN, 2), .. Interval2(g.RatioToWhite),
    ];

    private static string[] OutcomeRow(OutcomeTestRow o) =>
    [
        o.Group, .. Interval(o.FindRateInside), .. Interval(o.FindRateOutside), P(o.FindPValueHolm),
        Pct(o.ArrestRateInside?.Value ?? double.NaN), Pct(o.ArrestRateOutside?.Value ?? double.NaN), P(o.ArrestPValueHolm), o.Alert ? "yes" : "no", o.AlertReason,
    ];
}
