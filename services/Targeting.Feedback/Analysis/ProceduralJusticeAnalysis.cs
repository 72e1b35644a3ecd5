using Targeting.Engine.Statistics;
using Targeting.Feedback.V1;
using Targeting.Stops.V1;

namespace Targeting.Feedback.Analysis;

/// <summary>
/// Procedural-justice compliance (grounds explained, person heard, treated with respect, debrief
/// given, record copy offered, body-worn video on) by team and by trained against untrained
/// officers, over <see cref="ProceduralJusticeCompliance"/>. Only the team name and the training
/// flag are read from the officer: the pseudonym never enters. A pure function; thread-safe.
/// </summary>
/// <remarks>
/// An encounter with no officer recorded (historical imports) goes under the team
/// <see cref="TeamNotRecorded"/> and is left out of the training rows, since whether its officer
/// was trained is unknown, not "no". Vehicle stops without a search are included: the pilot asks
/// for the same treatment at every encounter.
/// </remarks>
public static class ProceduralJusticeAnalysis
{
    /// <summary>The team label of encounters with no officer or no team recorded.</summary>
    public const string TeamNotRecorded = "(not recorded)";

    /// <summary>Summarises the encounters (those outside the window are ignored).</summary>
    public static ProceduralJusticeReport Assess(IEnumerable<EncounterRecord> records, AnalysisWindow window, ComplianceGrouping grouping)
    {
        ArgumentNullException.ThrowIfNull(records);
        return Summarise(records.Select(r => Read(r, window)).OfType<Answers>().ToList(), window, grouping);
    }

    /// <summary>What the tables need of one encounter (null when outside the window): team, training, answers.</summary>
    public static Answers? Read(EncounterRecord record, AnalysisWindow window)
    {
        ArgumentNullException.ThrowIfNull(record);
        var e = record.Current;
        if (e is null || !window.Contains(e.OccurredAt?.ToDateTime().Ticks ?? 0))
        {
            return null;
        }

        var pj = e.ProceduralJustice ?? new ProceduralJustice();
        var answers = new ProceduralJusticeAnswers(
            Map(pj.GroundsExplained), Map(pj.PersonHeard), Map(pj.TreatedWithRespect),
            Map(pj.DebriefGiven), Map(pj.RecordCopyOffered), Map(pj.BodyWornVideoOn));
        var team = string.IsNullOrWhiteSpace(e.Officer?.Team) ? TeamNotRecorded : e.Officer.Team.Trim();
        return new Answers(new ProceduralJusticeRecord(team, e.Officer?.PrecisionTrained ?? false, answers), e.Officer is not null);
    }

    /// <summary>The report from encounters already read.</summary>
    public static ProceduralJusticeReport Summarise(IReadOnlyList<Answers> encounters, AnalysisWindow window, ComplianceGrouping grouping)
    {
        ArgumentNullException.ThrowIfNull(encounters);
        var report = new ProceduralJusticeReport { Window = window.ToProto() };
        if (grouping is ComplianceGrouping.Unspecified or ComplianceGrouping.Team)
        {
            report.Rows.Add(ProceduralJusticeCompliance.ByTeam(encounters.Select(e => e.Record)).Select(s => ToProto(ComplianceGrouping.Team, s)));
        }

        if (grouping is ComplianceGrouping.Unspecified or ComplianceGrouping.Training)
        {
            var known = encounters.Where(e => e.OfficerRecorded).Select(e => e.Record);
            report.Rows.Add(ProceduralJusticeCompliance.ByTraining(known).Select(s => ToProto(ComplianceGrouping.Training, s)));
        }

        return report;
    }

    /// <summary>One encounter's team, training and answers, and whether an officer was recorded at all.</summary>
    public sealed record Answers(ProceduralJusticeRecord Record, bool OfficerRecorded);

    private static ComplianceAnswer Map(Answer answer) => answer switch
    {
        Answer.Yes => ComplianceAnswer.Yes,
        Answer.No => ComplianceAnswer.No,
        _ => ComplianceAnswer.NotRecorded,
    };

    private static ComplianceRow ToProto(ComplianceGrouping grouping, ComplianceSummary summary) => new()
    {
        Grouping = grouping,
        Group = summary.Group,
        Encounters = summary.Encounters,
        NotRecorded = summary.NotRecorded,
        GroundsExplained = summary.GroundsExplained.ToProto(),
        PersonHeard = summary.PersonHeard.ToProto(),
        TreatedWithRespect = summary.TreatedWithRespect.ToProto(),
        DebriefGiven = summary.DebriefGiven.ToProto(),
        RecordCopyOffered = summary.RecordCopyOffered.ToProto(),
        BodyWornVideoOn = summary.BodyWornVideoOn.ToProto(),
    };
}
