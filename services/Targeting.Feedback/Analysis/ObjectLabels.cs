using Targeting.Stops.V1;

namespace Targeting.Feedback.Analysis;

/// <summary>Objects of search as data.police.uk names them, for reports and for request filters.</summary>
public static class ObjectLabels
{
    private static readonly (ObjectOfSearch Object, string Label)[] Labels =
    [
        (ObjectOfSearch.ControlledDrugs, "Controlled drugs"),
        (ObjectOfSearch.OffensiveWeapons, "Offensive weapons"),
        (ObjectOfSearch.StolenGoods, "Stolen goods"),
        (ObjectOfSearch.EvidenceOfOffences, "Evidence of offences under the Act"),
        (ObjectOfSearch.Firearms, "Firearms"),
        (ObjectOfSearch.ArticlesForCriminalDamage, "Articles for use in criminal damage"),
        (ObjectOfSearch.AnythingToThreatenOrHarm, "Anything to threaten or harm anyone"),
        (ObjectOfSearch.Fireworks, "Fireworks"),
        (ObjectOfSearch.PsychoactiveSubstances, "Psychoactive substances"),
        (ObjectOfSearch.GoingEquipped, "Going equipped"),
        (ObjectOfSearch.Terrorism, "Terrorism"),
    ];

    /// <summary>Every object of search (not <see cref="ObjectOfSearch.Unspecified"/>), in the proto's order.</summary>
    public static IReadOnlyList<ObjectOfSearch> All { get; } = [.. Labels.Select(l => l.Object)];

    /// <summary>The label of objects not recorded.</summary>
    public const string NotRecorded = "Not recorded";

    /// <summary>The data.police.uk label of an object ("Offensive weapons"), or <see cref="NotRecorded"/>.</summary>
    public static string Label(ObjectOfSearch value)
    {
        foreach (var (o, label) in Labels)
        {
            if (o == value)
            {
                return label;
            }
        }

        return NotRecorded;
    }

    /// <summary>
    /// Parses an object of search given as its label ("Offensive weapons"), its proto enum name
    /// ("OBJECT_OF_SEARCH_OFFENSIVE_WEAPONS") or that name's short form ("offensive_weapons"), any case.
    /// A convenience: "weapons" means offensive weapons and firearms.
    /// </summary>
    public static bool TryParse(string? text, out IReadOnlyList<ObjectOfSearch> objects)
    {
        objects = [];
        var key = Normalise(text);
        if (key.Length == 0)
        {
            return false;
        }

        if (key == "weapons")
        {
            objects = [ObjectOfSearch.OffensiveWeapons, ObjectOfSearch.Firearms];
            return true;
        }

        foreach (var (o, label) in Labels)
        {
            var enumName = Normalise(Enum.GetName(o));
            if (key == Normalise(label) || key == enumName || key == "objectofsearch" + enumName)
            {
                objects = [o];
                return true;
            }
        }

        return false;
    }

    // Letters and digits only, lower case: "OBJECT_OF_SEARCH_OFFENSIVE_WEAPONS" and "Offensive weapons" meet.
    private static string Normalise(string? text) =>
        new((text ?? string.Empty).Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
}
