using Google.Protobuf.WellKnownTypes;
using Targeting.Common.V1;
using Targeting.Feedback.Analysis;
using Targeting.Feedback.Tests.Support;
using Targeting.Feedback.V1;
using Targeting.Grpc;
using Targeting.Hotspot.V1;

namespace Targeting.Feedback.Tests.Service;

/// <summary>
/// Windows hold to the microsecond through the real stops service and store (<see cref="TransparencyWorld"/>):
/// an encounter at a fractional second is in [its second, +1 s), in [its instant, +1 s), not in
/// [its instant + 1 µs, …) nor in […, its instant).
/// </summary>
public sealed class WindowPrecisionTests(TransparencyWorld world) : IClassFixture<TransparencyWorld>
{
    [Fact]
    public async Task AssessFairness_EncounterAtAFractionalSecond_CountedInHalfOpenWindowsToTheMicrosecond()
    {
        // A located search in Lambeth with a fraction of a second, alone in its second.
        var search = world.Searches.First(s => s.Row == 1 && s.At.Ticks % TimeSpan.TicksPerSecond != 0
            && world.Searches.Count(o => o.At.Ticks / TimeSpan.TicksPerSecond == s.At.Ticks / TimeSpan.TicksPerSecond) == 1);
        var t = search.At;
        var second = new DateTime(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        var microsecond = TimeSpan.FromTicks(10);
        var client = world.Client(Roles.Analyst);
        async Task<long> Searches(DateTime start, DateTime end) =>
            (await client.AssessFairnessAsync(new FairnessRequest
            {
                Borough = "Lambeth",
                Window = new TimeWindow { Start = Timestamp.FromDateTime(start), End = Timestamp.FromDateTime(end) },
            })).Searches;

        Assert.Equal(1, await Searches(second, second.AddSeconds(1)));
        Assert.Equal(1, await Searches(t, t.AddSeconds(1)));
        Assert.Equal(1, await Searches(t - microsecond, t + microsecond));
        Assert.Equal(0, await Searches(t + microsecond, t.AddSeconds(1)));
        Assert.Equal(0, await Searches(second, t));
    }

    [Fact]
    public void IncidentFacts_NanosColumn_KeepsTheMicrosecondAndAnOlderServersBatchReadsAsWholeSeconds()
    {
        var batch = new IncidentPoints { Crs = "EPSG:27700", CrimeTypes = { "Robbery" } };
        batch.X.Add([1, 2]);
        batch.Y.Add([1, 2]);
        batch.OccurredAtSeconds.Add([1_710_429_615, 1_710_429_616]);
        batch.CrimeTypeIndex.Add([0, 0]);
        batch.Provenance.Add([Provenance.Reported, Provenance.Reported]);
        var whole = new List<IncidentFact>();
        IncidentFacts.Add(whole, batch);
        batch.OccurredAtNanos.Add([287_942_000, 0]);
        var precise = new List<IncidentFact>();
        IncidentFacts.Add(precise, batch);

        var expected = new DateTime(2024, 3, 14, 15, 20, 15, DateTimeKind.Utc).AddTicks(2_879_420);
        Assert.Equal(expected.Ticks, precise[0].OccurredUtcTicks);
        Assert.Equal(expected.Ticks - 2_879_420, whole[0].OccurredUtcTicks);
        batch.OccurredAtNanos.Add(5);
        Assert.Throws<ArgumentException>(() => IncidentFacts.Add([], batch));
    }
}
