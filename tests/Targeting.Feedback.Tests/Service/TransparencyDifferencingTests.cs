using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;
using Targeting.Common.V1;
using Targeting.Feedback.Analysis;
using Targeting.Feedback.Tests.Support;
using Targeting.Feedback.V1;
using Targeting.Grpc;

namespace Targeting.Feedback.Tests.Service;

/// <summary>
/// A public caller against the real services (<see cref="TransparencyWorld"/>): it sends every
/// window it can make from month edges (London and UTC), a mid-month instant and the instants of
/// two searches it knows of (and 1 µs after), every threshold from the default down to 1 and above,
/// and every choice of boroughs, then combines every report it was given into one system of
/// equations and tries to solve it for each small count of the world.
/// </summary>
/// <remarks>
/// <para>The reader's unknowns are the counts of each table column (ethnic group, object, arrest /
/// not, find / not, inside / not, and the searches) per borough row and per piece of time between
/// any two edges the reports use; a report's figure is the sum of the pieces its row covers. The
/// columns of a row share their total (a search is in exactly one column of each table), and a
/// suppressed figure is known to be at least 1 (zeros are shown). Rows of different boroughs or
/// months share no unknown, so the system is solved block by block.</para>
/// <para>A small count (1 to 4) of the world is recoverable if it is a linear combination of the
/// published figures (exact elimination modulo the prime 2^61 − 1, over 0/±1 coefficients), or if
/// the integer programme (scipy's milp, tests/reference/feedback/differencing_check.py) gives it the
/// same smallest and largest value.</para>
/// </remarks>
public sealed class TransparencyDifferencingTests(TransparencyWorld world) : IClassFixture<TransparencyWorld>
{
    private const int Minimum = 5; // FeedbackOptions.SuppressionThreshold's default, the server's minimum here

    private static readonly string[] Ethnicities = ["White", "Black", "Asian", "Other", "Mixed", "Not recorded"];
    private static readonly string[] Objects = [.. ObjectLabels.All.Select(ObjectLabels.Label).Append(ObjectLabels.NotRecorded)];

    // Column c of table t: 0 ethnicity, 1 object, 2 arrest / not, 3 find / not, 4 inside / not; the searches are apart.
    private static readonly int[] Widths = [Ethnicities.Length, Objects.Length, 2, 2, 2];

    [Fact]
    public async Task GetTransparencyReport_EveryWindowThresholdAndBoroughSetAPublicCallerCanSend_NoSmallCountRecoverable()
    {
        var ct = TestContext.Current.CancellationToken;
        var requests = AttackRequests().ToList();
        var client = world.Client(Roles.Public);
        var answers = new (TransparencyRequest Request, TransparencyReport? Report, RpcException? Refusal)[requests.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, requests.Count), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (i, token) =>
        {
            try
            {
                answers[i] = (requests[i], await client.GetTransparencyReportAsync(requests[i], new CallOptions { CancellationToken = token }), null);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.InvalidArgument)
            {
                answers[i] = (requests[i], null, ex);
            }
        });

        var accepted = answers.Where(a => a.Report is not null).ToList();
        var system = new ReaderSystem(world.Searches);
        foreach (var (request, report, _) in accepted)
        {
            system.Read(report!);
        }

        // Not a vacuous pass: the world has small counts, reports were given at several thresholds and
        // borough sets, and they hide something.
        var targets = system.SmallCounts().ToList();
        Assert.True(targets.Count >= 40, $"{targets.Count} small counts in the world");
        Assert.True(accepted.Count >= 100, $"{accepted.Count} of {requests.Count} requests answered");
        Assert.Contains(accepted, a => a.Request.SuppressionThreshold == Minimum + 1 && a.Request.Boroughs.Count == 1);
        Assert.True(system.Suppressed > 0);

        var recoverable = targets.Where(system.IsLinear).Select(t => t.Name).ToList();
        Assert.True(recoverable.Count == 0,
            $"{recoverable.Count} of {targets.Count} small counts are linear combinations of {accepted.Count} public reports ({world.Store}), e.g.: "
            + string.Join("; ", recoverable.Take(8)));

        // The reader's equations hold for the true counts (the model reads the reports as they are meant).
        Assert.Empty(system.Inconsistent().Take(5));

        var result = JsonDocument.Parse(FeedbackReference.RunPython("differencing_check.py", system.ToJson(targets).ToJsonString())).RootElement;
        Assert.Equal(targets.Count, result.GetProperty("checked").GetInt32());
        Assert.Equal(0, result.GetProperty("pinned").GetArrayLength());
    }

    [Fact]
    public async Task GetTransparencyReport_PartMonthOrUtcMidnightInSummer_InvalidArgumentOnEachEndNamingTheRule()
    {
        var failure = await Assert.ThrowsAsync<RpcException>(() => world.Client(Roles.Public).GetTransparencyReportAsync(new TransparencyRequest
        {
            // 1 April 00:00 UTC is 01:00 in London (summer time): an hour into April.
            Window = new TimeWindow { Start = Timestamp.FromDateTime(new DateTime(2024, 4, 1, 0, 0, 0, DateTimeKind.Utc)), End = Timestamp.FromDateTime(TransparencyWorld.Known[0].AddTicks(10)) },
        }));

        Assert.Equal(StatusCode.InvalidArgument, failure.StatusCode);
        var violations = failure.GetBadRequest()!.FieldViolations;
        Assert.Equal(["window.start", "window.end"], violations.Select(v => v.Field));
        Assert.Contains("start of a calendar month in London time", violations[0].Description, StringComparison.Ordinal);
        Assert.Contains("2024-03-31T23:00:00Z for 2024-04", violations[0].Description, StringComparison.Ordinal);
        Assert.Contains("2024-03-01T00:00:00Z for 2024-03", violations[1].Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(-1)]
    public async Task GetTransparencyReport_ThresholdBelowTheServersMinimum_InvalidArgumentSayingTheMinimum(int threshold)
    {
        var failure = await Assert.ThrowsAsync<RpcException>(() => world.Client(Roles.Public).GetTransparencyReportAsync(new TransparencyRequest
        {
            Window = LondonMonths.Window(TransparencyWorld.Months[0], TransparencyWorld.Months[0]),
            SuppressionThreshold = threshold,
        }));

        Assert.Equal(StatusCode.InvalidArgument, failure.StatusCode);
        var violation = Assert.Single(failure.GetBadRequest()!.FieldViolations);
        Assert.Equal("suppression_threshold", violation.Field);
        Assert.StartsWith("must be at least 5, the server's minimum", violation.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTransparencyReport_AnalystToo_SameWholeMonthRuleAndMinimum()
    {
        var failure = await Assert.ThrowsAsync<RpcException>(() => world.Client(Roles.Analyst).GetTransparencyReportAsync(new TransparencyRequest
        {
            Window = new TimeWindow { Start = Timestamp.FromDateTime(TransparencyWorld.Known[0]), End = Timestamp.FromDateTime(TransparencyWorld.Known[0].AddTicks(10)) },
            SuppressionThreshold = 1,
        }));

        Assert.Equal(["window.start", "window.end", "suppression_threshold"], failure.GetBadRequest()!.FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public async Task GetTransparencyReport_OneBoroughOrAllOrOneMonthOrTwo_SameFiguresForTheSameBoroughMonth()
    {
        var client = world.Client(Roles.Public);
        var (first, second) = (TransparencyWorld.Months[1], TransparencyWorld.Months[2]);
        var all = await client.GetTransparencyReportAsync(new TransparencyRequest { Window = LondonMonths.Window(first, second) });
        var lambethMarch = await client.GetTransparencyReportAsync(new TransparencyRequest { Window = LondonMonths.Window(first, first), Boroughs = { "Lambeth" } });

        var row = Assert.Single(lambethMarch.Rows);
        Assert.Equal(row, all.Rows.Single(r => r.Borough == "Lambeth" && r.Month == LondonMonths.Format(first)));
        // Every column is there, used or not: which columns appear says nothing.
        Assert.Equal(Objects.Order(StringComparer.Ordinal), row.SearchesByObject.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(6, all.Rows.Count);
    }

    // Window ends: unset, the London month edges of the world and the month after, UTC midnight on the
    // 1st of the summer months, a mid-month instant, and each known search's instant and 1 µs after.
    private static IEnumerable<TransparencyRequest> AttackRequests()
    {
        var months = TransparencyWorld.Months;
        var edges = Enumerable.Range(months[0], months.Length + 1).Select(LondonMonths.StartUtc)
            .Concat([new DateTime(2024, 4, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2024, 3, 15, 0, 0, 0, DateTimeKind.Utc)])
            .Concat(TransparencyWorld.Known.SelectMany(k => new[] { k, k.AddTicks(10) }))
            .Select(t => (DateTime?)t)
            .Prepend(null)
            .Distinct()
            .ToList();
        string[][] boroughSets = [[], ["Lambeth"], ["E09000002"], ["Barking and Dagenham", "Lambeth"]];
        foreach (var start in edges)
        {
            foreach (var end in edges)
            {
                if (start is not null && end is not null && end <= start)
                {
                    continue;
                }

                var window = new TimeWindow
                {
                    Start = start is null ? null : Timestamp.FromDateTime(start.Value),
                    End = end is null ? null : Timestamp.FromDateTime(end.Value),
                };
                foreach (var threshold in new[] { 0, 1, 4, Minimum, Minimum + 1 })
                {
                    foreach (var boroughs in boroughSets)
                    {
                        yield return new TransparencyRequest { Window = window, SuppressionThreshold = threshold, Boroughs = { boroughs } };
                    }
                }
            }
        }
    }

    /// <summary>A form over one block's unknowns: (unknown, coefficient) pairs.</summary>
    private sealed record Target(string Name, (int Row, int Month) Block, Dictionary<int, long> Form, long Truth);

    /// <summary>What a reader of the reports knows, block by block (borough row × London month).</summary>
    private sealed class ReaderSystem(IReadOnlyList<TransparencyWorld.Search> searches)
    {
        private const ulong Prime = (1UL << 61) - 1;

        private readonly Dictionary<(int Row, int Month), Block> _blocks = [];

        public int Suppressed { get; private set; }

        public void Read(TransparencyReport report)
        {
            var start = report.Window?.Start?.ToDateTime() ?? DateTime.MinValue;
            var end = report.Window?.End?.ToDateTime() ?? DateTime.MaxValue;
            foreach (var row in report.Rows)
            {
                Assert.True(LondonMonths.TryParse(row.Month, out var month), row.Month);
                var r = Array.IndexOf(TransparencyWorld.RowLabels, row.Borough);
                Assert.True(r >= 0, row.Borough);
                var from = Max(start, LondonMonths.StartUtc(month));
                var to = Min(end, LondonMonths.StartUtc(month + 1));
                var block = BlockOf(r, month);
                var piece = (from, to);
                block.Observations.Add((piece, -1, 0, row.Searches));
                block.Observations.Add((piece, 2, 0, row.Arrests));
                block.Observations.Add((piece, 3, 0, row.Finds));
                block.Observations.Add((piece, 4, 0, row.InsidePatrolAreas));
                for (var c = 0; c < Ethnicities.Length; c++)
                {
                    // A column left out of a report says "none here" to its reader.
                    block.Observations.Add((piece, 0, c, row.SearchesByEthnicity.GetValueOrDefault(Ethnicities[c]) ?? new PublicCount()));
                }

                for (var c = 0; c < Objects.Length; c++)
                {
                    block.Observations.Add((piece, 1, c, row.SearchesByObject.GetValueOrDefault(Objects[c]) ?? new PublicCount()));
                }

                Suppressed += Counts(row).Count(p => p.Suppressed);
            }
        }

        /// <summary>Every count of 1 to 4 in the world: each block's month cell and each piece's cell.</summary>
        public IEnumerable<Target> SmallCounts()
        {
            foreach (var ((row, month), block) in _blocks)
            {
                block.Freeze(searches, row, month);
                for (var u = -1; u < Widths.Length; u++)
                {
                    for (var c = 0; c < (u < 0 ? 1 : Widths[u]); c++)
                    {
                        var whole = new Dictionary<int, long>();
                        for (var p = 0; p < block.Pieces.Count; p++)
                        {
                            var k = block.Unknown(p, u, c);
                            whole[k] = 1;
                            if (block.Truth[k] is >= 1 and < Minimum && block.Pieces.Count > 1)
                            {
                                yield return new Target($"{Name(row, month, u, c)} in [{block.Pieces[p].From:O}, {block.Pieces[p].To:O}) = {block.Truth[k]}", (row, month), new() { [k] = 1 }, block.Truth[k]);
                            }
                        }

                        var truth = whole.Keys.Sum(k => block.Truth[k]);
                        if (truth is >= 1 and < Minimum)
                        {
                            yield return new Target($"{Name(row, month, u, c)} = {truth}", (row, month), whole, truth);
                        }
                    }
                }
            }
        }

        public bool IsLinear(Target target) => _blocks[target.Block].Spans(target.Form);

        /// <summary>Published figures that differ from the world's truth.</summary>
        public IEnumerable<string> Inconsistent()
        {
            foreach (var ((row, month), block) in _blocks)
            {
                foreach (var (form, value) in block.Equations())
                {
                    var truth = form.Sum(f => f.Value * block.Truth[f.Key]);
                    if (truth != value)
                    {
                        yield return $"{TransparencyWorld.RowLabels[row]} {LondonMonths.Format(month)}: published {value}, true {truth}";
                    }
                }
            }
        }

        /// <summary>The blocks as differencing_check.py reads them.</summary>
        public JsonObject ToJson(IReadOnlyList<Target> targets)
        {
            static JsonArray Form(IEnumerable<KeyValuePair<int, long>> form) =>
                new([.. form.Select(f => (JsonNode)new JsonArray(f.Key, f.Value))]);
            var blocks = new JsonArray();
            foreach (var (key, block) in _blocks)
            {
                blocks.Add(new JsonObject
                {
                    ["unknowns"] = block.Truth.Length,
                    ["equations"] = new JsonArray([.. block.Equations().Select(e => (JsonNode)new JsonObject { ["form"] = Form(e.Form), ["value"] = e.Value })]),
                    ["at_least_one"] = new JsonArray([.. block.Hidden().Select(h => (JsonNode)Form(h))]),
                    ["targets"] = new JsonArray([.. targets.Where(t => t.Block == key).Select(t => (JsonNode)new JsonObject { ["name"] = t.Name, ["form"] = Form(t.Form) })]),
                });
            }

            return new JsonObject { ["blocks"] = blocks };
        }

        private Block BlockOf(int row, int month)
        {
            if (!_blocks.TryGetValue((row, month), out var block))
            {
                _blocks[(row, month)] = block = new Block(LondonMonths.StartUtc(month), LondonMonths.StartUtc(month + 1));
            }

            return block;
        }

        private static string Name(int row, int month, int table, int column)
        {
            var what = table switch
            {
                -1 => "searches",
                0 => "ethnicity " + Ethnicities[column],
                1 => "object " + Objects[column],
                _ => new[] { "arrests", "finds", "inside" }[table - 2] + (column == 0 ? "" : " (not)"),
            };
            return $"{TransparencyWorld.RowLabels[row]} {LondonMonths.Format(month)} {what}";
        }

        private static IEnumerable<PublicCount> Counts(TransparencyRow row) =>
            new[] { row.Searches, row.Arrests, row.Finds, row.InsidePatrolAreas }.Concat(row.SearchesByEthnicity.Values).Concat(row.SearchesByObject.Values);

        private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

        private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

        private sealed class Block(DateTime monthStart, DateTime monthEnd)
        {
            private readonly List<ulong[]> _basis = [];
            private readonly List<int> _pivots = [];

            public List<((DateTime From, DateTime To) Span, int Table, int Column, PublicCount Count)> Observations { get; } = [];

            public List<(DateTime From, DateTime To)> Pieces { get; } = [];

            public long[] Truth { get; private set; } = [];

            private int PerPiece => 1 + Widths.Sum();

            // Unknown of piece p, table t (−1: the searches), column c.
            public int Unknown(int piece, int table, int column) =>
                piece * PerPiece + (table < 0 ? 0 : 1 + Widths.Take(table).Sum() + column);

            public void Freeze(IReadOnlyList<TransparencyWorld.Search> world, int row, int month)
            {
                if (Pieces.Count > 0)
                {
                    return;
                }

                var edges = Observations.SelectMany(o => new[] { o.Span.From, o.Span.To }).Append(monthStart).Append(monthEnd)
                    .Where(t => t >= monthStart && t <= monthEnd).Distinct().Order().ToList();
                for (var i = 0; i + 1 < edges.Count; i++)
                {
                    Pieces.Add((edges[i], edges[i + 1]));
                }

                Truth = new long[Pieces.Count * PerPiece];
                foreach (var s in world.Where(s => s.Row == row && LondonMonths.KeyOf(s.At) == month))
                {
                    var p = Pieces.FindIndex(q => s.At >= q.From && s.At < q.To);
                    Truth[Unknown(p, -1, 0)]++;
                    Truth[Unknown(p, 0, Array.IndexOf(Ethnicities, s.Ethnicity))]++;
                    Truth[Unknown(p, 1, Array.IndexOf(Objects, s.Object))]++;
                    Truth[Unknown(p, 2, s.Arrest ? 0 : 1)]++;
                    Truth[Unknown(p, 3, s.Find ? 0 : 1)]++;
                    Truth[Unknown(p, 4, s.Inside ? 0 : 1)]++;
                }

                foreach (var (form, _) in Equations())
                {
                    Insert(form);
                }
            }

            // The shared totals (each table's columns add up to the searches, per piece) and every published figure.
            public IEnumerable<(Dictionary<int, long> Form, long Value)> Equations()
            {
                for (var p = 0; p < Pieces.Count; p++)
                {
                    for (var t = 0; t < Widths.Length; t++)
                    {
                        var form = new Dictionary<int, long> { [Unknown(p, -1, 0)] = -1 };
                        for (var c = 0; c < Widths[t]; c++)
                        {
                            form[Unknown(p, t, c)] = 1;
                        }

                        yield return (form, 0);
                    }
                }

                foreach (var o in Observations.Where(o => !o.Count.Suppressed))
                {
                    yield return (Covered(o.Span, o.Table, o.Column), o.Count.Value);
                }
            }

            public IEnumerable<Dictionary<int, long>> Hidden() =>
                Observations.Where(o => o.Count.Suppressed).Select(o => Covered(o.Span, o.Table, o.Column));

            public bool Spans(Dictionary<int, long> form) => Reduce(Vector(form)).All(v => v == 0);

            private Dictionary<int, long> Covered((DateTime From, DateTime To) span, int table, int column)
            {
                var form = new Dictionary<int, long>();
                for (var p = 0; p < Pieces.Count; p++)
                {
                    if (Pieces[p].From >= span.From && Pieces[p].To <= span.To)
                    {
                        form[Unknown(p, table, column)] = 1;
                    }
                }

                return form;
            }

            private ulong[] Vector(Dictionary<int, long> form)
            {
                var v = new ulong[Truth.Length];
                foreach (var (k, c) in form)
                {
                    v[k] = c >= 0 ? (ulong)c % Prime : Prime - ((ulong)(-c) % Prime);
                }

                return v;
            }

            private void Insert(Dictionary<int, long> form)
            {
                var v = Reduce(Vector(form));
                var pivot = Array.FindIndex(v, x => x != 0);
                if (pivot < 0)
                {
                    return;
                }

                // Normalise the pivot to 1.
                var inverse = Power(v[pivot], Prime - 2);
                for (var i = 0; i < v.Length; i++)
                {
                    v[i] = Multiply(v[i], inverse);
                }

                _basis.Add(v);
                _pivots.Add(pivot);
            }

            private ulong[] Reduce(ulong[] v)
            {
                for (var b = 0; b < _basis.Count; b++)
                {
                    var factor = v[_pivots[b]];
                    if (factor == 0)
                    {
                        continue;
                    }

                    var row = _basis[b];
                    for (var i = 0; i < v.Length; i++)
                    {
                        if (row[i] != 0)
                        {
                            v[i] = (v[i] + Prime - Multiply(factor, row[i])) % Prime;
                        }
                    }
                }

                return v;
            }

            private static ulong Multiply(ulong a, ulong b) => (ulong)((UInt128)a * b % Prime);

            private static ulong Power(ulong a, ulong e)
            {
                ulong result = 1;
                while (e > 0)
                {
                    if ((e & 1) == 1)
                    {
                        result = Multiply(result, a);
                    }

                    a = Multiply(a, a);
                    e >>= 1;
                }

                return result;
            }
        }
    }
}
