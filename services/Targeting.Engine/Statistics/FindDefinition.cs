namespace Targeting.Engine.Statistics;

/// <summary>
/// What counts as a "find" (the search found what it was for), for find rates and the outcome
/// test: the outcome linked to the object of search where that is recorded; otherwise any
/// outcome other than no further action. The second is a proxy: an arrest for an offence other
/// than the one searched for still counts, so proxy find rates run higher than linked ones
/// (the Met's published files never record the link, so its data always use the proxy).
/// </summary>
public static class FindDefinition
{
    /// <summary>The definition in words, for reports.</summary>
    public const string Description =
        "a find is an outcome linked to the object of search where that link is recorded; otherwise any outcome other than no further action";

    /// <summary>Classifies one search.</summary>
    /// <param name="outcomeLinkedToObject">Whether the outcome was linked to the object of search; null when not recorded.</param>
    /// <param name="noFurtherAction">Whether the outcome was no further action; null when no outcome was recorded.</param>
    /// <returns>The classification; <see cref="FindBasis.Unknown"/> (not a find, and to be left out of find-rate denominators) when neither is recorded.</returns>
    public static FindClassification Classify(bool? outcomeLinkedToObject, bool? noFurtherAction) =>
        outcomeLinkedToObject is { } linked
            ? new FindClassification(linked, FindBasis.LinkedOutcome)
            : noFurtherAction is { } nfa
                ? new FindClassification(!nfa, FindBasis.AnyOutcomeOtherThanNoFurtherAction)
                : new FindClassification(false, FindBasis.Unknown);
}

/// <summary>Which rule decided whether a search was a find.</summary>
public enum FindBasis
{
    /// <summary>No outcome recorded: the search is left out of find rates.</summary>
    Unknown,

    /// <summary>"Outcome linked to object of search" was recorded and decided it.</summary>
    LinkedOutcome,

    /// <summary>No link recorded: any outcome other than no further action counts as a find.</summary>
    AnyOutcomeOtherThanNoFurtherAction,
}

/// <summary>Whether one search was a find, and by which rule.</summary>
/// <param name="IsFind">True for a find (always false when <paramref name="Basis"/> is Unknown).</param>
/// <param name="Basis">The rule that decided it.</param>
public readonly record struct FindClassification(bool IsFind, FindBasis Basis);
