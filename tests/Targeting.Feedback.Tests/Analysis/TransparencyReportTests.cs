using System.Text.Json;
using System.Text.Json.Nodes;
using Targeting.Feedback.Analysis;
using Targeting.Feedback.Tests.Support;
using Targeting.Feedback.V1;
using Targeting.Stops.V1;

namespace Targeting.Feedback.Tests.Analysis;

public class TransparencyReportTests
{
    private static readonly Engine.Geography.BoundarySet Borough = World.Borough(530000, 174000, 531000, 175000);
    // June and July 2022 in London months (they begin at 23:00 UTC the day before, in summer time).
    private static readonly AnalysisWindow Window = AnalysisWindow.From(LondonMonths.Window(LondonMonths.Key(2022, 6), LondonMonths.Key(2022, 7)));
    private static readonly DateTimeOffset Now = new(2022, 9, 1, 0, 0, 0, TimeSpan.Zero);

    // A seeded mix: many searches in June, a handful in July, a few unlocated; officers with pseudonyms and teams.
    private static List<EncounterRecord> Records(int seed)
    {
        var random = new Random(seed);
        var records = new List<EncounterRecord>();
        var ethnicities = new[] { OfficerDefinedEthnicity.White, OfficerDefinedEthnicity.Black, OfficerDefinedEthnicity.Asian, OfficerDefinedEthnicity.Other, OfficerDefinedEthnicity.Unspecified };
        var objects = new[] { ObjectOfSearch.ControlledDrugs, ObjectOfSearch.OffensiveWeapons, ObjectOfSearch.StolenGoods, ObjectOfSearch.Firearms };
        var outcomes = new[] { Outcome.NoFurtherAction, Outcome.NoFurtherAction, Outcome.NoFurtherAction, Outcome.Arrest, Outcome.CommunityResolution };
        foreach (var (month, n) in new[] { ("2022-06", 60), ("2022-07", 9) })
        {
            for (var i = 0; i < n; i++)
            {
                var located = random.NextDouble() > 0.1;
                records.Add(World.Stop(
                    $"{month}-{random.Next(1, 28):00}T12:00:00Z",
                    located ? 530050 + random.Next(0, 900) : null,
                    located ? 174050 + random.Next(0, 900) : null,
                    outcomes[random.Next(outcomes.Length)],
                    officer: ethnicities[random.Next(ethnicities.Length)],
                    objectOfSearch: objects[random.Next(objects.Length)],
                    by: new Officer { Pseudonym = $"pseudonym-{random.Next(1000, 9999)}-{i}", Team = $"Team Juliet {i % 7}", PrecisionTrained = i % 2 == 0 }));
            }
        }

        return records;
    }

    private static TransparencyReport Build(List<EncounterRecord> records, int threshold = 5, IReadOnlyList<int>? boroughs = null) =>
        TransparencyReportBuilder.Build(World.Facts(records, Borough), Window, boroughs, new ActivePlans([]), threshold, Now);

    [Fact]
    public void Build_JsonAndCsv_HoldNoOfficerPseudonymTeamOrRecordId()
    {
        var records = Records(7);
        var report = Build(records);
        var outputs = new[] { TransparencyFormats.ToJson(report), TransparencyFormats.ToCsv(report) };

        var secrets = records.SelectMany(r => new[] { r.Current.Officer.Pseudonym, r.Current.Officer.Team, r.EncounterId }).Distinct().ToArray();
        Assert.Equal(69 + 7, secrets.Count(s => s.StartsWith("pseudonym-", StringComparison.Ordinal) || s.StartsWith("Team", StringComparison.Ordinal)));
        foreach (var output in outputs)
        {
            Assert.All(secrets, secret => Assert.DoesNotContain(secret, output, StringComparison.Ordinal));
            Assert.DoesNotContain("Team", output, StringComparison.Ordinal);
            Assert.DoesNotContain("pseudonym", output, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Build_ThresholdOne_PublishesTheTrueCountsAddingUpToEverySearch()
    {
        var records = Records(11);
        var report = Build(records, threshold: 1);

        // Rows: the borough and the not-placed row, for June and July.
        Assert.Equal(["Testborough 2022-06", "Testborough 2022-07", "Not placed in a borough 2022-06", "Not placed in a borough 2022-07"],
            report.Rows.Select(r => r.Borough + " " + r.Month));
        Assert.All(report.Rows, r => Assert.False(r.Searches.Suppressed));
        Assert.Equal(records.Count, report.Rows.Sum(r => r.Searches.Value));
        Assert.Equal(records.Count(r => r.Current.Outcome == Outcome.Arrest), report.Rows.Sum(r => r.Arrests.Value));
        Assert.Equal(records.Count(r => r.Current.Outcome != Outcome.NoFurtherAction), report.Rows.Sum(r => r.Finds.Value));
        Assert.All(report.Rows, r => Assert.Equal(r.Searches.Value, r.SearchesByEthnicity.Values.Sum(c => c.Value)));
        Assert.All(report.Rows, r => Assert.Equal(r.Searches.Value, r.SearchesByObject.Values.Sum(c => c.Value)));
        var june = report.Rows[0];
        Assert.Equal(records.Count(r => r.Current.Location is not null && r.Current.OccurredAt.ToDateTime().Month == 6 && r.Current.OfficerDefinedEthnicity == OfficerDefinedEthnicity.Black),
            june.SearchesByEthnicity["Black"].Value);
    }

    [Fact]
    public void Build_DefaultThreshold_HidesEverySmallCountAndShowsTheRestTrue()
    {
        var records = Records(13);
        var open = Build(records, threshold: 1);
        var report = Build(records);

        var suppressed = 0;
        foreach (var (truth, shown) in open.Rows.Zip(report.Rows, (a, b) => (a, b)))
        {
            foreach (var (t, s) in Counts(truth).Zip(Counts(shown), (a, b) => (a, b)))
            {
                if (t.Value is >= 1 and <= 4)
                {
                    Assert.True(s.Suppressed, $"{shown.Borough} {shown.Month}: a count of {t.Value} is published");
                }

                if (s.Suppressed)
                {
                    suppressed++;
                    Assert.Equal(0, s.Value);
                }
                else
                {
                    Assert.Equal(t.Value, s.Value);
                }
            }
        }

        Assert.True(suppressed > 0);
        var csv = TransparencyFormats.ToCsv(report);
        Assert.Contains(TransparencyFormats.SuppressedMark, csv, StringComparison.Ordinal);
        Assert.StartsWith("borough,month,searches,arrests,finds,inside_patrol_areas,ethnicity: White,", csv, StringComparison.Ordinal);
    }

    [Fact]
    public void ToCsv_AwkwardBoroughName_QuotedAndReadsBackFieldForField()
    {
        var report = new TransparencyReport
        {
            Rows =
            {
                new TransparencyRow
                {
                    Borough = "Kingston, \"upon\" Thames", Month = "2022-06",
                    Searches = new PublicCount { Value = 12 }, Arrests = new PublicCount { Suppressed = true },
                    Finds = new PublicCount { Value = 0 }, InsidePatrolAreas = new PublicCount { Value = 7 },
                    SearchesByEthnicity = { ["White"] = new PublicCount { Value = 6 } },
                    SearchesByObject = { ["Offensive weapons"] = new PublicCount { Suppressed = true } },
                },
            },
        };

        var records = Targeting.Import.CsvRecordReader.ReadAll(new StringReader(TransparencyFormats.ToCsv(report))).ToList();

        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Null(r.Malformed));
        Assert.Equal(["borough", "month", "searches", "arrests", "finds", "inside_patrol_areas", "ethnicity: White", "object: Offensive weapons"], records[0].Fields);
        Assert.Equal(["Kingston, \"upon\" Thames", "2022-06", "12", "[c]", "0", "7", "6", "[c]"], records[1].Fields);
    }

    [Fact]
    public void Build_DefaultThreshold_NoSuppressedCountRecoverableByIntegerProgramming()
    {
        var records = Records(17);
        var open = Build(records, threshold: 1);
        var report = Build(records);

        // Month by month (each is suppressed on its own and no figure spans months, decision 044), against a
        // reader who also knows the month's total searches (the column totals are not published).
        var suppressed = 0;
        foreach (var month in report.Rows.Select(r => r.Month).Distinct())
        {
            var input = AttackInput(Month(open, month), Month(report, month));
            var result = JsonDocument.Parse(FeedbackReference.RunPython("transparency_check.py", input.ToJsonString())).RootElement;
            suppressed += result.GetProperty("suppressed").GetInt32();
            Assert.True(result.GetProperty("pinned").GetArrayLength() == 0, $"{month}: {result.GetProperty("pinned")}");
        }

        Assert.True(suppressed > 0);
    }

    [Fact]
    public void Build_SameMonthInAOneAndATwoMonthReportOrAtAHigherThreshold_NoCountShownInOneAndHiddenInTheOther()
    {
        var records = Records(17);
        var facts = World.Facts(records, Borough);
        var june = AnalysisWindow.From(LondonMonths.Window(LondonMonths.Key(2022, 6), LondonMonths.Key(2022, 6)));
        var both = Build(records);
        var alone = TransparencyReportBuilder.Build(facts, june, null, new ActivePlans([]), 5, Now);
        var higher = TransparencyReportBuilder.Build(facts, Window, null, new ActivePlans([]), 9, Now, minimumThreshold: 5);

        Assert.Equal(alone.Rows, both.Rows.Where(r => r.Month == "2022-06"));
        // At 9, everything hidden at 5 stays hidden, and what is shown is the same figure.
        foreach (var (low, high) in both.Rows.Zip(higher.Rows))
        {
            foreach (var (l, h) in Counts(low).Zip(Counts(high)))
            {
                Assert.True(!l.Suppressed || h.Suppressed);
                Assert.True(h.Suppressed || h.Value == l.Value);
            }
        }

        Assert.True(higher.Rows.Sum(r => Counts(r).Count(c => c.Suppressed)) > both.Rows.Sum(r => Counts(r).Count(c => c.Suppressed)));
    }

    [Fact]
    public void Build_WindowNotWholeMonths_Throws()
    {
        var halfJune = AnalysisWindow.From(World.TimeWindow("2022-06-15T00:00:00Z", "2022-07-31T23:00:00Z"));

        Assert.Throws<ArgumentException>(() => TransparencyReportBuilder.Build(World.Facts(Records(3), Borough), halfJune, null, new ActivePlans([]), 5, Now));
    }

    private static TransparencyReport Month(TransparencyReport report, string month)
    {
        var one = report.Clone();
        one.Rows.Clear();
        one.Rows.Add(report.Rows.Where(r => r.Month == month));
        return one;
    }

    [Fact]
    public void TransparencyCheck_OnlyPrimarySuppression_FindsTheCountRecoverable()
    {
        // The attack can fail a report: a lone suppressed 3 in a row whose total is published is 10 − 7 = 3.
        var input = """{"tables": [{"cells": [["s", 7], [6, 8]], "column_totals": [9, 15]}], "row_totals": [10, 14], "grand_total": 24}""";

        var result = JsonDocument.Parse(FeedbackReference.RunPython("transparency_check.py", input)).RootElement;

        Assert.Equal(1, result.GetProperty("pinned").GetArrayLength());
        Assert.Equal(3, result.GetProperty("pinned")[0][3].GetInt32());
    }

    [Fact]
    public void Build_BoroughFilter_NoNotPlacedRow()
    {
        var report = Build(Records(19), boroughs: [0]);

        Assert.All(report.Rows, r => Assert.Equal("Testborough", r.Borough));
        Assert.Equal(2, report.Rows.Count);
    }

    private static IEnumerable<PublicCount> Counts(TransparencyRow row) =>
        new[] { row.Searches, row.Arrests, row.Finds, row.InsidePatrolAreas }
            .Concat(row.SearchesByEthnicity.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value))
            .Concat(row.SearchesByObject.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value));

    // The five linked tables as a reader sees them (see transparency_check.py). The report publishes no column
    // totals (the month's force figures by group); the reader knows the zero ones (every cell shown as 0) and the
    // month's grand total.
    private static JsonObject AttackInput(TransparencyReport open, TransparencyReport report)
    {
        static JsonNode Total(long total) => total == 0 ? JsonValue.Create(0L)! : JsonValue.Create("s")!;
        JsonNode Cell(PublicCount c) => c.Suppressed ? JsonValue.Create("s")! : JsonValue.Create(c.Value)!;
        var tables = new JsonArray();
        void Table(Func<TransparencyRow, IEnumerable<PublicCount>> cells, Func<TransparencyRow, IEnumerable<long>> truth)
        {
            var rows = new JsonArray(report.Rows.Select(r => (JsonNode)new JsonArray(cells(r).Select(Cell).ToArray())).ToArray());
            var columns = open.Rows.Select(r => truth(r).ToArray()).Aggregate((a, b) => a.Zip(b, (x, y) => x + y).ToArray());
            tables.Add(new JsonObject { ["cells"] = rows, ["column_totals"] = new JsonArray(columns.Select(Total).ToArray()) });
        }

        Table(r => r.SearchesByEthnicity.Values, r => r.SearchesByEthnicity.Values.Select(c => c.Value));
        Table(r => r.SearchesByObject.Values, r => r.SearchesByObject.Values.Select(c => c.Value));
        foreach (var pick in new Func<TransparencyRow, PublicCount>[] { r => r.Arrests, r => r.Finds, r => r.InsidePatrolAreas })
        {
            // The second column (no arrest, not a find, not inside) is implied by the searches, not published.
            var rows = new JsonArray(report.Rows.Select(r => (JsonNode)new JsonArray(Cell(pick(r)), JsonValue.Create("i"))).ToArray());
            var first = open.Rows.Sum(r => pick(r).Value);
            tables.Add(new JsonObject { ["cells"] = rows, ["column_totals"] = new JsonArray(Total(first), Total(open.Rows.Sum(r => r.Searches.Value) - first)) });
        }

        return new JsonObject
        {
            ["tables"] = tables,
            ["row_totals"] = new JsonArray(report.Rows.Select(r => Cell(r.Searches)).ToArray()),
            ["grand_total"] = open.Rows.Sum(r => r.Searches.Value),
        };
    }
}
