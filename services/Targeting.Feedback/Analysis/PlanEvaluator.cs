using System.Globalization;
using NetTopologySuite.Geometries;
using Targeting.Engine.Geography;
using Targeting.Engine.Statistics;
using Targeting.Feedback.V1;

namespace Targeting.Feedback.Analysis;

/// <summary>
/// Evaluates a patrol plan over a window: where the searches were, what they found, and how much
/// of the window's crime the plan's areas held. A pure function of the plan, the searches and the
/// incidents; thread-safe.
/// </summary>
/// <remarks>
/// <para><b>Inside</b> is decided by point in polygon against the plan's own areas, not by the
/// patrol link each encounter stored when it was recorded. The link says which active plan held
/// the point at recording time; it is missing while the hotspot service was down (pending), names
/// only one plan when plans overlap, and cannot describe a plan evaluated over a window it was not
/// active in. The geometry answers the question asked, "was this search in this plan's areas",
/// the same way for every record; the stored links are counted beside it so that a disagreement
/// shows.</para>
/// <para><b>Base</b>: searches in the window located inside the plan's area of interest (when the
/// feedback service knows that boundary; otherwise every located search, with a note). Searches
/// with no location count only in <c>stops_total</c> and <c>stops_unlocated</c>. Finds follow
/// <see cref="FindDefinition"/>; searches with no recorded outcome are left out of the find and
/// arrest rates and counted in <c>outcomes_unknown</c>.</para>
/// <para><b>Hit rate, PAI, PEI</b> (Chainey, Tompson and Uhlig 2008; Hunt 2016): of the incidents
/// the plan targeted (<see cref="PlanTargets"/>) in its area of interest and the window, the share
/// inside its areas (Wilson interval); PAI = hit rate / coverage; PEI = incidents inside / the most
/// incidents any set of grid cells of the same total area could hold (cells of the plan's size and
/// origin; partial cells at the boundary count as whole, so the bound is slightly generous).</para>
/// </remarks>
public static class PlanEvaluator
{
    /// <summary>Evaluates the plan.</summary>
    /// <param name="plan">The plan's areas.</param>
    /// <param name="window">The evaluation window.</param>
    /// <param name="stops">Encounters (any window: those outside <paramref name="window"/> are ignored).</param>
    /// <param name="areaOfInterest">The plan's area of interest (projected), or null when unknown.</param>
    /// <param name="incidents">Incidents in the area of interest (any window; filtered here).</param>
    /// <param name="targets">Which incidents count.</param>
    public static PlanEvaluation Evaluate(
        PlanAreas plan, AnalysisWindow window, StopFacts stops, Geometry? areaOfInterest, IReadOnlyList<IncidentFact> incidents, PlanTargets targets)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(stops);
        ArgumentNullException.ThrowIfNull(incidents);
        ArgumentNullException.ThrowIfNull(targets);
        var aoi = areaOfInterest is null ? null : new AreaLocator(areaOfInterest);
        bool InAoi(double x, double y) => aoi is null || aoi.Covers(x, y);
        var planId = plan.Plan.PlanId;
        var notes = new List<string>();

        long total = 0, unlocated = 0, located = 0, inside = 0, linkedInside = 0, insideNotLinked = 0, linkedNotInside = 0, outcomesUnknown = 0;
        long findsLinked = 0, findsProxy = 0;
        var findIn = new Tally();
        var findOut = new Tally();
        var arrestIn = new Tally();
        var arrestOut = new Tally();
        foreach (var stop in stops.All)
        {
            if (!stop.IsSearch || !window.Contains(stop.OccurredUtcTicks))
            {
                continue;
            }

            total++;
            if (!stop.Located)
            {
                unlocated++;
                continue;
            }

            if (!InAoi(stop.X, stop.Y))
            {
                continue;
            }

            located++;
            var isInside = plan.Contains(stop.X, stop.Y);
            var isLinked = stop.LinkStatus == Stops.V1.PatrolLinkStatus.Inside && stop.LinkPlanId == planId;
            inside += isInside ? 1 : 0;
            linkedInside += isLinked ? 1 : 0;
            insideNotLinked += isInside && !isLinked ? 1 : 0;
            linkedNotInside += isLinked && !isInside ? 1 : 0;

            if (!stop.OutcomeKnown)
            {
                outcomesUnknown++;
            }

            if (stop.Find.Basis != FindBasis.Unknown)
            {
                (isInside ? findIn : findOut).Add(stop.Find.IsFind);
                if (stop.Find.IsFind)
                {
                    if (stop.Find.Basis == FindBasis.LinkedOutcome)
                    {
                        findsLinked++;
                    }
                    else
                    {
                        findsProxy++;
                    }
                }
            }

            if (stop.OutcomeKnown)
            {
                (isInside ? arrestIn : arrestOut).Add(stop.IsArrest);
            }
        }

        if (areaOfInterest is null)
        {
            notes.Add($"the area of interest '{plan.Plan.AreaName}' is not a boundary the feedback service holds: every located search counts as in it");
        }

        long incidentsTotal = 0, incidentsInside = 0;
        var provenance = plan.Plan.Provenance?.Parameters;
        var cellSize = provenance is { CellSizeM: > 0 } ? provenance.CellSizeM : 100.0;
        var lattice = new LatticeCells(cellSize, provenance?.OriginOffsetXM ?? 0, provenance?.OriginOffsetYM ?? 0);
        foreach (var incident in incidents)
        {
            if (!window.Contains(incident.OccurredUtcTicks) || !targets.Counts(incident) || !InAoi(incident.X, incident.Y))
            {
                continue;
            }

            incidentsTotal++;
            lattice.Add(incident.X, incident.Y);
            if (plan.Contains(incident.X, incident.Y))
            {
                incidentsInside++;
            }
        }

        var coverage = plan.Plan.CoverageFraction > 0
            ? plan.Plan.CoverageFraction
            : areaOfInterest is { Area: > 0 } ? plan.AreaM2 / areaOfInterest.Area : double.NaN;
        var hitRate = Proportions.Wilson(incidentsInside, incidentsTotal);
        var patrolM2 = plan.Plan.PatrolAreaM2 > 0 ? plan.Plan.PatrolAreaM2 : plan.AreaM2;
        var bestCells = (int)Math.Max(1, Math.Round(patrolM2 / (cellSize * cellSize)));
        var best = lattice.BestPossible(bestCells);
        if (incidentsTotal == 0)
        {
            notes.Add("no targeted incidents in the window and area: hit rate, PAI and PEI are undefined");
        }

        notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"PEI compares with the best {bestCells} cells of {cellSize:0.#} m (the plan's {patrolM2:0} m²); incidents with month-level times count in a window when their month's start does"));

        return new PlanEvaluation
        {
            PlanId = planId,
            Window = window.ToProto(),
            StopsTotal = total,
            StopsUnlocated = unlocated,
            StopsLocated = located,
            StopsInside = inside,
            ShareInside = Proportions.Wilson(inside, located).ToProto(),
            StopsLinkedInside = linkedInside,
            StopsInsideNotLinked = insideNotLinked,
            StopsLinkedNotInside = linkedNotInside,
            InsideBasis = "point in the plan's patrol-area polygons, computed by the feedback service in EPSG:" + plan.Union.SRID.ToString(CultureInfo.InvariantCulture)
                + "; the stored patrol links are counted beside it (stops_linked_inside) but not used",
            FindDefinition = string.Create(CultureInfo.InvariantCulture,
                $"{FindDefinition.Description}: {findsLinked} finds decided by the recorded link, {findsProxy} by the outcome; {outcomesUnknown} searches with no outcome left out"),
            FindsByLinkedOutcome = findsLinked,
            FindsByAnyOutcome = findsProxy,
            OutcomesUnknown = outcomesUnknown,
            FindRateInside = findIn.Rate().ToProto(),
            FindRateOutside = findOut.Rate().ToProto(),
            FindRateDifference = Proportions.Compare(findIn.Yes, findIn.Trials, findOut.Yes, findOut.Trials).ToProto(),
            ArrestRateInside = arrestIn.Rate().ToProto(),
            ArrestRateOutside = arrestOut.Rate().ToProto(),
            ArrestRateDifference = Proportions.Compare(arrestIn.Yes, arrestIn.Trials, arrestOut.Yes, arrestOut.Trials).ToProto(),
            IncidentsTotal = incidentsTotal,
            IncidentsInside = incidentsInside,
            IncidentsBestPossible = best,
            HitRate = hitRate.ToProto(),
            CoverageFraction = coverage,
            Pai = incidentsTotal == 0 || !(coverage > 0) ? double.NaN : hitRate.Value / coverage,
            Pei = best == 0 ? double.NaN : (double)incidentsInside / best,
            CrimeTypes = { targets.CrimeTypes },
            Notes = string.Join("; ", notes),
        };
    }

    private sealed class Tally
    {
        public long Yes { get; private set; }

        public long Trials { get; private set; }

        public void Add(bool yes)
        {
            Trials++;
            Yes += yes ? 1 : 0;
        }

        public Engine.Statistics.Estimate Rate() => Proportions.Wilson(Yes, Trials);
    }
}
