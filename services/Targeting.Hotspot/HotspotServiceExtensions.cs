using Microsoft.Extensions.Options;
using Targeting.Engine.Geography;
using Targeting.Grpc;
using Targeting.Hotspot.Planning;
using Targeting.Hotspot.Storage;
using Targeting.Hotspot.Storage.Postgres;
using Targeting.Hotspot.Storage.Sqlite;
using Targeting.Hotspot.V1;

namespace Targeting.Hotspot;

/// <summary>Composition of the hotspot service: <c>AddHotspotService</c> and <c>MapHotspotService</c>.</summary>
public static class HotspotServiceExtensions
{
    /// <summary>
    /// Registers the hotspot service: options (sections <c>Hotspot</c> and <c>Storage</c>), the
    /// store (SQLite by default, PostGIS with <c>Storage:Provider=postgres</c>), the boundaries
    /// (loaded once, at start-up), the locate index and the store monitor. Call
    /// <c>AddGrpcServer</c> as well.
    /// </summary>
    public static IServiceCollection AddHotspotService(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HotspotOptions>()
            .Bind(configuration.GetSection(HotspotOptions.SectionName))
            .Validate(o => o.MaxRejectedRowsInSummary >= 0, "Hotspot:MaxRejectedRowsInSummary must not be negative.")
            .Validate(o => o.SurfaceCacheCells >= 0 && o.SurfaceCacheTtl >= TimeSpan.Zero, "Hotspot:SurfaceCacheCells and Hotspot:SurfaceCacheTtl must not be negative.")
            .Validate(o => o.HealthCheckInterval > TimeSpan.Zero && o.PlanRefreshInterval > TimeSpan.Zero, "Hotspot intervals must be positive.")
            .ValidateOnStart();
        services.AddOptions<StorageOptions>()
            .Bind(configuration.GetSection(StorageOptions.SectionName))
            .Validate(o => o.Provider is "sqlite" or "postgres", "Storage:Provider must be sqlite or postgres.")
            .Validate(o => o.Provider != "postgres" || !string.IsNullOrWhiteSpace(o.ConnectionString), "Storage:ConnectionString is required for Storage:Provider=postgres.")
            .ValidateOnStart();

        services.AddSingleton(sp => Projection.FromEpsg(sp.GetRequiredService<IOptions<HotspotOptions>>().Value.ProjectedCrs));
        services.AddSingleton(sp => LoadBoundaries(sp.GetRequiredService<IOptions<HotspotOptions>>().Value, sp.GetRequiredService<IHostEnvironment>(), sp.GetRequiredService<Projection>()));
        services.AddSingleton<IHotspotStore>(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return storage.Provider == "postgres"
                ? new PostgisHotspotStore(PostgisHotspotStore.CreateDataSource(storage.ConnectionString!))
                : new SqliteHotspotStore(Path.Combine(storage.DataDirectory, "hotspot.db"));
        });
        services.AddSingleton<PatrolAreaIndex>();
        services.AddSingleton<SurfaceCache>();
        services.AddSingleton(sp => new PlanProposer(sp.GetRequiredService<BoundaryCatalog>(),
            LoadGazetteer(sp.GetRequiredService<IOptions<HotspotOptions>>().Value, sp.GetRequiredService<IHostEnvironment>(), sp.GetRequiredService<Projection>())));
        services.AddSingleton<HotspotStoreMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<HotspotStoreMonitor>());
        services.AddScoped<HotspotGrpcService>();
        return services;
    }

    /// <summary>Maps the rpcs of targeting.hotspot.v1.HotspotService with the roles hotspot.proto names.</summary>
    public static WebApplication MapHotspotService(this WebApplication app)
    {
        // Loading the boundaries here fails start-up on a bad file, instead of the first call.
        app.Services.GetRequiredService<BoundaryCatalog>();
        app.MapAuthorizedGrpcService<HotspotGrpcService>(HotspotReflection.Descriptor.Services[0]);
        return app;
    }

    private static BoundaryCatalog LoadBoundaries(HotspotOptions options, IHostEnvironment environment, Projection projection)
    {
        var data = DataLocator.FindDataDirectory();
        IReadOnlyList<BoundaryFile> files = options.Boundaries.Count > 0
            ? [.. options.Boundaries.Select(f => new BoundaryFile { Path = Resolve(f.Path, environment.ContentRootPath, data), Kind = f.Kind })]
            : data is not null
                ? BoundaryCatalog.SampleFiles(data)
                : throw new InvalidOperationException(
                    $"No boundaries: set Hotspot:Boundaries, or {DataLocator.EnvironmentVariable} to a folder holding boundaries/ (the repository's data/).");
        return BoundaryCatalog.Load(files, projection);
    }

    /// <summary>The configured gazetteer, else the shipped one if the data folder has it; null for "none" or no file.</summary>
    internal static Gazetteer? LoadGazetteer(HotspotOptions options, IHostEnvironment environment, Projection projection)
    {
        var configured = options.Gazetteer.Trim();
        if (string.Equals(configured, "none", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var data = DataLocator.FindDataDirectory();
        var path = configured.Length > 0
            ? Resolve(configured, environment.ContentRootPath, data)
            : data is not null ? Path.Combine([data, .. GazetteerFile.ShippedPath]) : null;
        if (path is null || (configured.Length == 0 && !File.Exists(path)))
        {
            return null;
        }

        return File.Exists(path)
            ? new Gazetteer(GazetteerFile.Read(path, projection))
            : throw new FileNotFoundException($"Hotspot:Gazetteer: no file at {path}", path);
    }

    /// <summary>A configured path: absolute, else under the content root, else under the data folder.</summary>
    private static string Resolve(string path, string contentRoot, string? data)
    {
        if (Path.IsPathRooted(path))
        {
            return path;
        }

        var underRoot = Path.GetFullPath(Path.Combine(contentRoot, path));
        return File.Exists(underRoot) || data is null ? underRoot : Path.GetFullPath(Path.Combine(data, path));
    }
}
