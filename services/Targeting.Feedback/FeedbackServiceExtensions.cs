using Microsoft.Extensions.Options;
using Targeting.Feedback.Reference;
using Targeting.Feedback.Sources;
using Targeting.Feedback.V1;
using Targeting.Grpc;

namespace Targeting.Feedback;

/// <summary>Composition of the feedback service: <c>AddFeedbackService</c> and <c>MapFeedbackService</c>.</summary>
public static class FeedbackServiceExtensions
{
    /// <summary>
    /// Registers the feedback service: its options (section <c>Feedback</c>), the reference data
    /// (Census populations, borough polygons), and its sources, the hotspot and stops services
    /// over gRPC (section <c>Services</c>). Call <c>AddGrpcServer</c> too (once per host).
    /// </summary>
    public static IServiceCollection AddFeedbackService(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<FeedbackOptions>()
            .Bind(configuration.GetSection(FeedbackOptions.Section))
            .Validate(o => o.SuppressionThreshold >= 1, "Feedback:SuppressionThreshold must be at least 1.")
            .ValidateOnStart();
        services.AddOptions<SourcesOptions>()
            .Bind(configuration.GetSection(SourcesOptions.Section))
            .Validate(o => IsHttpAddress(o.Hotspot.Address), "Services:Hotspot:Address must be the hotspot service's absolute http:// or https:// address, e.g. http://localhost:5101.")
            .Validate(o => IsHttpAddress(o.Stops.Address), "Services:Stops:Address must be the stops service's absolute http:// or https:// address, e.g. http://localhost:5102.")
            .Validate(o => o.CallTimeout > TimeSpan.Zero, "Services:CallTimeout must be positive.")
            .ValidateOnStart();
        services.AddSingleton<ReferenceData>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<SourcesOptions>>().Value;
            return new SourceToken(ServiceToken(options, provider.GetRequiredService<IHostEnvironment>()));
        });
        services.AddServiceClient(HotspotClientName, provider => SourceClient(provider, o => o.Hotspot));
        services.AddServiceClient(StopsClientName, provider => SourceClient(provider, o => o.Stops));
        services.AddSingleton<IFeedbackSources>(provider =>
        {
            var clients = provider.GetRequiredService<ServiceClients>();
            return new GrpcFeedbackSources(clients.Get(HotspotClientName), clients.Get(StopsClientName),
                provider.GetRequiredService<IOptions<SourcesOptions>>().Value.CallTimeout);
        });
        services.AddScoped<FeedbackGrpcService>();
        return services;
    }

    /// <summary>The names of the feedback service's sources in <see cref="ServiceClients"/>.</summary>
    public const string HotspotClientName = "feedback->hotspot", StopsClientName = "feedback->stops";

    /// <summary>Binds every FeedbackService rpc with the roles its proto comment names, and loads the reference data now (a bad file stops the host).</summary>
    public static WebApplication MapFeedbackService(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        _ = app.Services.GetRequiredService<ReferenceData>();
        app.MapAuthorizedGrpcService<FeedbackGrpcService>(FeedbackReflection.Descriptor.Services[0]);
        return app;
    }

    private static bool IsHttpAddress(string? address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static ServiceClientSettings SourceClient(IServiceProvider provider, Func<SourcesOptions, ServiceAddress> source)
    {
        var options = provider.GetRequiredService<IOptions<SourcesOptions>>().Value;
        var address = source(options);
        return new ServiceClientSettings
        {
            Address = new Uri(address.Address!), // validated at start
            DaprAppId = address.DaprAppId,
            Token = provider.GetRequiredService<SourceToken>().Get,
            MaxReceiveMessageSize = options.MaxReceiveMessageSize,
        };
    }

    /// <summary>The one token provider both sources share (a development token is minted once, not per source).</summary>
    private sealed record SourceToken(Func<CancellationToken, ValueTask<string?>> Get);

    // The token the feedback service presents: configured, or in Development a development token it mints (and renews) itself.
    private static Func<CancellationToken, ValueTask<string?>> ServiceToken(SourcesOptions options, IHostEnvironment environment)
    {
        if (!string.IsNullOrWhiteSpace(options.Token))
        {
            var token = options.Token.Trim();
            return _ => ValueTask.FromResult<string?>(token);
        }

        if (!environment.IsDevelopment())
        {
            throw new InvalidOperationException("Services:Token is required outside Development: the feedback service calls hotspot and stops with a token of role 'service'.");
        }

        var current = (Token: string.Empty, Renew: DateTime.MinValue);
        var gate = new Lock();
        return _ =>
        {
            lock (gate)
            {
                if (DateTime.UtcNow >= current.Renew)
                {
                    current = (DevelopmentTokens.Issue(Roles.Service, "feedback"), DateTime.UtcNow + DevelopmentTokens.DefaultLifetime / 2);
                }

                return ValueTask.FromResult<string?>(current.Token);
            }
        };
    }
}
