using System.Globalization;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using Targeting.Engine.Geography;
using Targeting.Engine.Statistics;
using Targeting.Feedback.V1;

namespace Targeting.Feedback.Analysis;

/// <summary>
/// Crime change in a plan's areas against comparable untargeted cells, before and after, as a
/// difference in differences (Poisson rate ratio, <see cref="DifferenceInDifferences"/>), and
/// displacement into a buffer around the areas (<see cref="WeightedDisplacementQuotient"/>).
/// A pure function; thread-safe.
/// </summary>
/// <remarks>
/// <para><b>Zones.</b> Targeted: inside the plan's areas. Buffer: within <c>buffer_m</c> of them,
/// outside them, and inside the area of interest (incidents come from the area of interest
/// only, so a buffer reaching past its edge is clipped there). Control: the comparable cells below.</para>
/// <para><b>Comparable cells.</b> The area of interest is cut into cells of the plan's grid (its
/// cell size and origin, so they are the cells the plan chose from). Cells touching the targeted
/// areas or their buffer are left out. The rest are ranked by their count in the before period,
/// highest first (ties south-west first), and taken in that order, as many as it takes for their
/// before count to reach the targeted areas' before count: the cells ranked just below the
/// selected ones, hot but untargeted, with a similar level of crime before. Such cells regress to
/// the mean less than the very hottest, so a fall in the targeted areas larger than in the
/// controls is an upper bound on the effect, not proof of it.</para>
/// </remarks>
public static class CrimeChangeAnalysis
{
    /// <summary>The default buffer width, metres.</summary>
    public const double DefaultBufferM = 250;

    /// <summary>Assesses the change.</summary>
    /// <param name="plan">The plan's areas.</param>
    /// <param name="before">The before window.</param>
    /// <param name="after">The after window.</param>
    /// <param name="incidents">Incidents in the area of interest over both windows (others are ignored).</param>
    /// <param name="targets">Which incidents count.</param>
    /// <param name="bufferM">Buffer width, metres (positive).</param>
    /// <param name="areaOfInterest">The area of interest (projected), to clip the buffer; null when unknown.</param>
    public static CrimeChangeReport Assess(
        PlanAreas plan, AnalysisWindow before, AnalysisWindow after, IReadOnlyList<IncidentFact> incidents, PlanTargets targets, double bufferM, Geometry? areaOfInterest)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(incidents);
        ArgumentNullException.ThrowIfNull(targets);
        if (!(bufferM > 0) || double.IsInfinity(bufferM))
        {
            throw new ArgumentOutOfRangeException(nameof(bufferM), bufferM, "the buffer must be a positive number of metres");
        }

        var parameters = plan.Plan.Provenance?.Parameters;
        var cellSize = parameters is { CellSizeM: > 0 } ? parameters.CellSizeM : 100.0;
        var notes = new List<string>();
        var buffered = plan.Union.IsEmpty ? plan.Union : plan.Union.Buffer(bufferM);
        var bufferLocator = new AreaLocator(buffered);
        var aoi = areaOfInterest is null ? null : new AreaLocator(areaOfInterest);
        var excluded = buffered.IsEmpty ? null : PreparedGeometryFactory.Prepare(buffered);

        long r0 = 0, r1 = 0, b0 = 0, b1 = 0;
        var lattice = new LatticeCells(cellSize, parameters?.OriginOffsetXM ?? 0, parameters?.OriginOffsetYM ?? 0);
        var afterByCell = new LatticeCells(cellSize, lattice.OffsetX, lattice.OffsetY);
        foreach (var incident in incidents)
        {
            var isBefore = before.Contains(incident.OccurredUtcTicks);
            var isAfter = after.Contains(incident.OccurredUtcTicks);
            if (!(isBefore || isAfter) || !targets.Counts(incident))
            {
                continue;
            }

            if (aoi is not null && !aoi.Covers(incident.X, incident.Y))
            {
                continue;
            }

            if (plan.Contains(incident.X, incident.Y))
            {
                r0 += isBefore ? 1 : 0;
                r1 += isAfter ? 1 : 0;
            }
            else if (bufferLocator.Covers(incident.X, incident.Y))
            {
                b0 += isBefore ? 1 : 0;
                b1 += isAfter ? 1 : 0;
            }
            else
            {
                // Both periods go on lattices: the before counts rank the cells, the after counts are read for the chosen ones.
                if (isBefore)
                {
                    lattice.Add(incident.X, incident.Y);
                }

                if (isAfter)
                {
                    afterByCell.Add(incident.X, incident.Y);
                }
            }
        }

        long c0 = 0, c1 = 0;
        var controlCells = 0;
        foreach (var (cell, count) in lattice.Ranked())
        {
            if (c0 >= r0 || count == 0)
            {
                break;
            }

            // A cell whose square touches the targeted areas or their buffer is not a control.
            if (excluded is not null && excluded.Intersects(plan.Union.Factory.ToGeometry(lattice.Square(cell))))
            {
                continue;
            }

            c0 += count;
            c1 += afterByCell.CountOf(cell);
            controlCells++;
        }

        if (r0 == 0)
        {
            notes.Add("no targeted incidents in the targeted areas before: no control cells can be matched and the rate ratio is undefined");
        }
        else if (c0 < r0)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"the untargeted cells hold only {c0} incidents before, fewer than the targeted areas' {r0}"));
        }

        if (areaOfInterest is null)
        {
            notes.Add($"the area of interest '{plan.Plan.AreaName}' is not a boundary the feedback service holds: the buffer is not clipped to it");
        }

        var did = DifferenceInDifferences.PoissonRateRatio(r0, r1, c0, c1);
        if (did.RateRatio.Note is { } didNote)
        {
            notes.Add("rate ratio: " + didNote);
        }

        var displacement = WeightedDisplacementQuotient.Compute(new DisplacementCounts(r0, r1, b0, b1, c0, c1));
        if (displacement.Note is { } displacementNote)
        {
            notes.Add("WDQ: " + displacementNote);
        }

        return new CrimeChangeReport
        {
            PlanId = plan.Plan.PlanId,
            Before = before.ToProto(),
            After = after.ToProto(),
            BufferM = bufferM,
            CellSizeM = cellSize,
            CrimeTypes = { targets.CrimeTypes },
            TargetedBefore = r0,
            TargetedAfter = r1,
            ControlBefore = c0,
            ControlAfter = c1,
            BufferBefore = b0,
            BufferAfter = b1,
            ControlCells = controlCells,
            ControlDefinition = string.Create(CultureInfo.InvariantCulture,
                $"the {controlCells} cells of {cellSize:0.#} m ranked highest by before-period count among those not touching the targeted areas or their {bufferM:0.#} m buffer, taken until their before count reached the targeted areas' ({r0})"),
            RateRatio = did.RateRatio.ToProto(),
            RateRatioPValue = did.PValue,
            WeightedDisplacementQuotient = displacement.Wdq,
            SuccessMeasure = displacement.SuccessMeasure,
            BufferDisplacementMeasure = displacement.BufferDisplacementMeasure,
            TotalNetEffect = displacement.TotalNetEffect,
            Notes = string.Join("; ", notes),
        };
    }
}
