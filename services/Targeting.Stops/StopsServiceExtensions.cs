using System.Text;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Targeting.Grpc;
using Targeting.Stops.Access;
using Targeting.Stops.Geography;
using Targeting.Stops.Import;
using Targeting.Stops.Linking;
using Targeting.Stops.Storage;
using Targeting.Stops.Storage.Postgres;
using Targeting.Stops.Storage.Sqlite;
using Targeting.Stops.Validation;
using Targeting.Stops.V1;

namespace Targeting.Stops;

/// <summary>Composition of the stops service: <c>AddStopsService</c> and <c>MapStopsService</c>.</summary>
public static class StopsServiceExtensions
{
    /// <summary>The name the stops service reports under in grpc.health.v1.</summary>
    public static readonly string HealthName = StopsReflection.Descriptor.Services[0].FullName;

    /// <summary>The name of the hotspot client in <see cref="ServiceClients"/> (one per caller: a host may run several services).</summary>
    public const string HotspotClientName = "stops->hotspot";

    /// <summary>Development only: the key of the analysts' keyed pseudonyms when none is configured.</summary>
    private const string DevelopmentPseudonymKey = "targeting-development-pseudonym-key-do-not-use-outside-development";

    /// <summary>
    /// Registers the store (section <c>Storage</c>), the force boundary, validation, linking to
    /// the hotspot service (<c>Services:Hotspot:Address</c>), the link job and the health probe.
    /// Call <c>AddGrpcServer</c> as well.
    /// </summary>
    public static IServiceCollection AddStopsService(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>()
            .Bind(configuration.GetSection(StorageOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.Provider != "postgres" || !string.IsNullOrWhiteSpace(o.ConnectionString),
                "Storage:ConnectionString is required when Storage:Provider is postgres")
            .ValidateOnStart();
        services.AddOptions<StopsOptions>()
            .Bind(configuration.GetSection(StopsOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => File.Exists(o.BoundaryPath), "Stops:BoundaryPath must name an existing GeoJSON file")
            .PostConfigure<IHostEnvironment>((o, environment) =>
            {
                if (string.IsNullOrEmpty(o.PseudonymKey) && environment.IsDevelopment())
                {
                    o.PseudonymKey = DevelopmentPseudonymKey;
                }
            })
            .Validate(o => Encoding.UTF8.GetByteCount(o.PseudonymKey ?? "") >= 32,
                "Stops:PseudonymKey (at least 32 bytes) is required outside Development")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<StoreHealth>();
        services.AddSingleton<IEncounterStore>(provider =>
        {
            var storage = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
            var stops = provider.GetRequiredService<IOptions<StopsOptions>>().Value;
            var health = provider.GetRequiredService<StoreHealth>();
            return storage.Provider == "postgres"
                ? new PostgresEncounterStore(storage.ConnectionString!, health, stops.Writers, stops.MaxBatch)
                : new SqliteEncounterStore(Path.Combine(storage.DataDirectory, "stops.db"), health, stops.MaxBatch);
        });
        services.AddSingleton(provider =>
        {
            var stops = provider.GetRequiredService<IOptions<StopsOptions>>().Value;
            return ForceBoundary.Load(stops.BoundaryPath, stops.BoundaryToleranceMetres);
        });
        services.AddSingleton<EncounterValidator>();
        services.AddSingleton(provider => new Pseudonymiser(
            Encoding.UTF8.GetBytes(provider.GetRequiredService<IOptions<StopsOptions>>().Value.PseudonymKey!)));
        var hotspotAddress = configuration["Services:Hotspot:Address"];
        if (string.IsNullOrEmpty(hotspotAddress))
        {
            services.AddSingleton<IPatrolAreaLocator>(new HotspotPatrolAreaLocator(null));
        }
        else
        {
            if (!Uri.TryCreate(hotspotAddress, UriKind.Absolute, out var hotspotUri) || (hotspotUri.Scheme != Uri.UriSchemeHttp && hotspotUri.Scheme != Uri.UriSchemeHttps))
            {
                throw new InvalidOperationException($"Services:Hotspot:Address must be the hotspot service's absolute http:// or https:// address, not '{hotspotAddress}'.");
            }
            services.AddServiceClient(HotspotClientName, provider =>
            {
                var token = configuration["Services:Hotspot:BearerToken"];
                return new ServiceClientSettings
                {
                    Address = hotspotUri,
                    DaprAppId = configuration["Services:Hotspot:DaprAppId"],
                    Token = string.IsNullOrEmpty(token)
                        ? new ServiceTokens(provider.GetRequiredService<IOptions<GrpcAuthenticationOptions>>().Value, provider.GetRequiredService<TimeProvider>()).GetAsync
                        : _ => ValueTask.FromResult<string?>(token),
                    // The link deadline is short and the link job retries on its own schedule.
                    Retry = null,
                };
            });
            services.AddSingleton<IPatrolAreaLocator>(provider =>
                new HotspotPatrolAreaLocator(provider.GetRequiredService<ServiceClients>().Get(HotspotClientName)));
        }
        services.AddSingleton(provider =>
        {
            var stops = provider.GetRequiredService<IOptions<StopsOptions>>().Value;
            return new PatrolLinker(provider.GetRequiredService<IPatrolAreaLocator>(), provider.GetRequiredService<TimeProvider>(),
                stops.LinkDeadline, stops.LinkBreakerCooldown);
        });
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<StopsOptions>>().Value);
        services.AddSingleton<EncounterImporter>();
        services.AddSingleton<StopsGrpcService>();
        services.AddHostedService<StoreLifecycle>();
        services.AddHostedService<PatrolLinkJob>();
        return services;
    }

    /// <summary>Binds every rpc of targeting.stops.v1.StopsService with its roles, and ties health to the store.</summary>
    public static WebApplication MapStopsService(this WebApplication app)
    {
        app.MapAuthorizedGrpcService<StopsGrpcService>(StopsReflection.Descriptor.Services[0]);

        var grpcHealth = app.Services.GetRequiredService<GrpcHealth>();
        var storeHealth = app.Services.GetRequiredService<StoreHealth>();
        storeHealth.Changed += available => grpcHealth.SetStatus(HealthName, available ? ServingStatus.Serving : ServingStatus.NotServing);
        grpcHealth.SetStatus(HealthName, storeHealth.IsAvailable ? ServingStatus.Serving : ServingStatus.NotServing);
        return app;
    }
}
