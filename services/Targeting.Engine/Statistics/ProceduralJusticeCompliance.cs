namespace Targeting.Engine.Statistics;

/// <summary>
/// Procedural-justice compliance: for each question of the pilot's record (grounds explained,
/// person heard, treated with respect, debrief given, record copy offered, body-worn video on),
/// the share of "yes" among the encounters where the question was answered, with its Wilson
/// interval (<see cref="Proportions.Wilson"/>). Stateless and thread-safe.
/// </summary>
public static class ProceduralJusticeCompliance
{
    /// <summary>The row label of trained officers in <see cref="ByTraining"/>.</summary>
    public const string Trained = "trained";

    /// <summary>The row label of untrained officers in <see cref="ByTraining"/>.</summary>
    public const string Untrained = "untrained";

    /// <summary>Summarises one group of encounters.</summary>
    /// <param name="group">The row's label.</param>
    /// <param name="answers">One entry per encounter.</param>
    /// <param name="confidence">Confidence level of the intervals; default 0.95.</param>
    /// <returns>The row; a question never answered has an undefined (NaN) rate.</returns>
    public static ComplianceSummary Summarise(string group, IEnumerable<ProceduralJusticeAnswers> answers, double confidence = 0.95)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(answers);
        var tallies = new (long Yes, long Answered)[6];
        long encounters = 0, notRecorded = 0;
        foreach (var record in answers)
        {
            encounters++;
            var any = false;
            var i = 0;
            foreach (var answer in record.All())
            {
                if (answer != ComplianceAnswer.NotRecorded)
                {
                    any = true;
                    tallies[i].Answered++;
                    if (answer == ComplianceAnswer.Yes)
                    {
                        tallies[i].Yes++;
                    }
                }

                i++;
            }

            if (!any)
            {
                notRecorded++;
            }
        }

        Estimate Rate(int i) => Proportions.Wilson(tallies[i].Yes, tallies[i].Answered, confidence);
        return new ComplianceSummary(group, encounters, notRecorded, Rate(0), Rate(1), Rate(2), Rate(3), Rate(4), Rate(5));
    }

    /// <summary>One row per team, ordered by team name (ordinal).</summary>
    public static IReadOnlyList<ComplianceSummary> ByTeam(IEnumerable<ProceduralJusticeRecord> records, double confidence = 0.95)
    {
        ArgumentNullException.ThrowIfNull(records);
        return records
            .GroupBy(r => r.Team, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Summarise(g.Key, g.Select(r => r.Answers), confidence))
            .ToArray();
    }

    /// <summary>Two rows, <see cref="Trained"/> then <see cref="Untrained"/> (each present even when empty).</summary>
    public static IReadOnlyList<ComplianceSummary> ByTraining(IEnumerable<ProceduralJusticeRecord> records, double confidence = 0.95)
    {
        ArgumentNullException.ThrowIfNull(records);
        var list = records as IReadOnlyCollection<ProceduralJusticeRecord> ?? records.ToArray();
        return
        [
            Summarise(Trained, list.Where(r => r.PrecisionTrained).Select(r => r.Answers), confidence),
            Summarise(Untrained, list.Where(r => !r.PrecisionTrained).Select(r => r.Answers), confidence),
        ];
    }
}

/// <summary>An answer on the procedural-justice record. The numbers equal those of <c>targeting.stops.v1.Answer</c>.</summary>
public enum ComplianceAnswer
{
    /// <summary>Not recorded (left out of the rate's denominator).</summary>
    NotRecorded = 0,

    /// <summary>Yes.</summary>
    Yes = 1,

    /// <summary>No.</summary>
    No = 2,
}

/// <summary>The six answers of one encounter's procedural-justice record.</summary>
public sealed record ProceduralJusticeAnswers(
    ComplianceAnswer GroundsExplained,
    ComplianceAnswer PersonHeard,
    ComplianceAnswer TreatedWithRespect,
    ComplianceAnswer DebriefGiven,
    ComplianceAnswer RecordCopyOffered,
    ComplianceAnswer BodyWornVideoOn)
{
    internal IEnumerable<ComplianceAnswer> All()
    {
        yield return GroundsExplained;
        yield return PersonHeard;
        yield return TreatedWithRespect;
        yield return DebriefGiven;
        yield return RecordCopyOffered;
        yield return BodyWornVideoOn;
    }
}

/// <summary>One encounter for the compliance tables: the officer's team and training, and the answers. No officer id.</summary>
public sealed record ProceduralJusticeRecord(string Team, bool PrecisionTrained, ProceduralJusticeAnswers Answers);

/// <summary>Compliance for one group of encounters (see <see cref="ProceduralJusticeCompliance"/>).</summary>
/// <param name="Group">The team name, or "trained" / "untrained".</param>
/// <param name="Encounters">Encounters in the group.</param>
/// <param name="NotRecorded">Encounters with no answer to any question.</param>
/// <param name="GroundsExplained">Share answered yes, with its Wilson interval.</param>
/// <param name="PersonHeard">Share answered yes.</param>
/// <param name="TreatedWithRespect">Share answered yes.</param>
/// <param name="DebriefGiven">Share answered yes.</param>
/// <param name="RecordCopyOffered">Share answered yes.</param>
/// <param name="BodyWornVideoOn">Share answered yes.</param>
public sealed record ComplianceSummary(
    string Group,
    long Encounters,
    long NotRecorded,
    Estimate GroundsExplained,
    Estimate PersonHeard,
    Estimate TreatedWithRespect,
    Estimate DebriefGiven,
    Estimate RecordCopyOffered,
    Estimate BodyWornVideoOn);
