using System.Globalization;
using Microsoft.Extensions.Options;
using Targeting.Engine.Geography;
using Targeting.Engine.Statistics;
using Targeting.Feedback.Analysis;

namespace Targeting.Feedback.Reference;

/// <summary>
/// The reference data the analyses need and the services do not own: Census 2021 populations by
/// borough and ethnic group, and borough polygons. Loaded once at start-up (a file that cannot be
/// read, or a Census file with no complete borough, stops the host); immutable and thread-safe.
/// </summary>
public sealed partial class ReferenceData
{
    /// <summary>Loads the files named in <paramref name="options"/>.</summary>
    public ReferenceData(IOptions<FeedbackOptions> options, IHostEnvironment environment, ILogger<ReferenceData> logger)
        : this(options.Value, Resolve(options.Value.CensusPath, environment), Resolve(options.Value.BoroughBoundaryPath, environment), logger)
    {
    }

    /// <summary>Loads the given files (tests and tools).</summary>
    public ReferenceData(FeedbackOptions options, string censusPath, string boroughBoundaryPath, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        Options = options;
        using (var reader = new StreamReader(censusPath, detectEncodingFromByteOrderMarks: true))
        {
            Census = CensusPopulationReader.Read(reader, Path.GetFileName(censusPath));
        }

        foreach (var rejected in Census.Rejected)
        {
            LogRejectedCensusRow(logger, rejected.Source, rejected.RowNumber, rejected.Reason);
        }

        if (Census.Boroughs.Count == 0)
        {
            throw new InvalidOperationException($"the Census file {censusPath} holds no complete borough (see the log for its rejected rows)");
        }

        Boroughs = BoundarySet.FromGeoJson(File.ReadAllText(boroughBoundaryPath), Projection, BoundaryKinds.Borough);
        Places = new StopPlaces(Projection, Boroughs);
        CensusSource = $"ONS Census 2021 usual residents by ethnic group (8 categories, broad groups), {Path.GetFileName(censusPath)}";
        var excluded = options.ForceWideExclusions.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var forceBoroughs = Census.Boroughs.Where(b => !excluded.Contains(b.Code)).ToArray();
        ForceWide = new CensusPopulations(forceBoroughs, []).Combined("force", options.ForceName);
        var leftOut = excluded.Count > 0 ? ", leaving out " + string.Join(", ", excluded.Order(StringComparer.Ordinal)) : string.Empty;
        ForceWideSource = string.Create(CultureInfo.InvariantCulture, $"{CensusSource}: {forceBoroughs.Length} boroughs{leftOut}");
        LogLoaded(logger, Census.Boroughs.Count, Boroughs.Count, boroughBoundaryPath);
    }

    /// <summary>The projected CRS the analyses compute in (British National Grid).</summary>
    public Projection Projection { get; } = Projection.BritishNationalGrid;

    public FeedbackOptions Options { get; }

    /// <summary>Projects encounters' locations and places them in <see cref="Boroughs"/>, remembering each point.</summary>
    public StopPlaces Places { get; }

    /// <summary>Census 2021 residents by borough.</summary>
    public CensusPopulations Census { get; }

    /// <summary>The Census boroughs the force polices, added together.</summary>
    public BoroughPopulation ForceWide { get; }

    /// <summary>The population source in words, for one borough.</summary>
    public string CensusSource { get; }

    /// <summary>The force-wide population source in words.</summary>
    public string ForceWideSource { get; }

    /// <summary>The borough polygons, projected.</summary>
    public BoundarySet Boroughs { get; }

    /// <summary>A path from configuration: absolute, or under the content root, or beside the binaries.</summary>
    public static string Resolve(string path, IHostEnvironment? environment)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Path.IsPathRooted(path))
        {
            return path;
        }

        foreach (var root in new[] { environment?.ContentRootPath, AppContext.BaseDirectory })
        {
            if (root is not null && Path.Combine(root, path) is var candidate && File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"'{path}' is neither under the content root nor beside the service's binaries", path);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Census file {Source} line {Row} rejected: {Reason}")]
    private static partial void LogRejectedCensusRow(ILogger logger, string source, long row, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reference data: Census 2021 for {Boroughs} boroughs; {Polygons} borough polygons from {Path}")]
    private static partial void LogLoaded(ILogger logger, int boroughs, int polygons, string path);
}
