using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Targeting.Grpc;
using Targeting.Web.V1;

namespace Targeting.Web;

/// <summary>Composition of the web host: <c>AddWebHost</c> and <c>UseWebHost</c>.</summary>
public static class WebHostExtensions
{
    /// <summary>
    /// Registers the web host: Grpc.AspNetCore with the project's auth (AddGrpcServer), JSON
    /// transcoding of the gateway, its options (sections <c>Web</c> and <c>Services</c>) and the
    /// clients of hotspot, stops and feedback.
    /// </summary>
    public static IServiceCollection AddWebHost(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddGrpcServer(configuration);
        services.AddGrpc().AddJsonTranscoding(o =>
        {
            // Zero values are left out: a London-wide surface is tens of thousands of cells.
            o.JsonSettings.IgnoreDefaultValues = true;
            // A status's details (google.rpc.BadRequest field violations) are written as JSON Any values.
            o.TypeRegistry = Google.Protobuf.Reflection.TypeRegistry.FromFiles(Google.Rpc.ErrorDetailsReflection.Descriptor);
        });
        services.AddHttpContextAccessor();
        services.AddOptions<WebOptions>().Bind(configuration.GetSection(WebOptions.Section))
            .Validate(o => o.MaxMapStops > 0, "Web:MaxMapStops must be positive.")
            .ValidateOnStart();
        services.AddOptions<WebServicesOptions>().Bind(configuration.GetSection(WebServicesOptions.Section))
            .Validate(o => IsHttpAddress(o.Hotspot.Address), "Services:Hotspot:Address must be the hotspot service's absolute http:// or https:// address, e.g. http://localhost:5101.")
            .Validate(o => IsHttpAddress(o.Stops.Address), "Services:Stops:Address must be the stops service's absolute http:// or https:// address.")
            .Validate(o => IsHttpAddress(o.Feedback.Address), "Services:Feedback:Address must be the feedback service's absolute http:// or https:// address.")
            .ValidateOnStart();
        services.AddSingleton(provider => new WebToken(ServiceToken(
            provider.GetRequiredService<IOptions<WebServicesOptions>>().Value, provider.GetRequiredService<IHostEnvironment>())));

        services.AddServiceClient(WebClients.Hotspot, p => Client(p, o => o.Hotspot, asCaller: true));
        services.AddServiceClient(WebClients.Stops, p => Client(p, o => o.Stops, asCaller: true));
        services.AddServiceClient(WebClients.Feedback, p => Client(p, o => o.Feedback, asCaller: true));
        services.AddServiceClient(WebClients.StopsAsWeb, p => Client(p, o => o.Stops, asCaller: false));
        services.AddServiceClient(WebClients.FeedbackAsWeb, p => Client(p, o => o.Feedback, asCaller: false));
        services.AddScoped<WebGatewayService>();
        services.AddScoped<PublicGatewayService>();
        return services;
    }

    /// <summary>
    /// The pipeline: the bundled pages as static files (anonymous: they hold no data), then
    /// authentication and authorization, the gateway (gRPC and its JSON routes under /api/v1),
    /// the boundary layers under /geo and /healthz for probes.
    /// </summary>
    public static WebApplication UseWebHost(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var web = app.Services.GetRequiredService<IOptions<WebOptions>>().Value;
        var root = StaticRoot(web, app.Environment);
        var files = new PhysicalFileProvider(root);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context => context.Context.Response.Headers["X-Content-Type-Options"] = "nosniff",
        });
        app.Use(async (context, next) =>
        {
            // The pages load only what they bundle and call only this host.
            context.Response.Headers["Content-Security-Policy"] = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'";
            await next(context);
        });
        app.UseGrpcServer();
        app.MapAuthorizedGrpcService<WebGatewayService>(WebReflection.Descriptor.Services[0]);
        // Explicitly anonymous, as health is: the public report's one rpc.
        app.MapGrpcService<PublicGatewayService>().AllowAnonymous();
        app.MapGet("/healthz", () => Results.Text("ok")).AllowAnonymous();
        var boroughs = Resolve(web.BoroughsPath);
        var wards = Resolve(web.WardsPath);
        // Public ONS boundaries (Open Government Licence), the map's vector layers.
        app.MapGet("/geo/boroughs.geojson", () => Results.File(boroughs, "application/geo+json")).AllowAnonymous();
        app.MapGet("/geo/wards.geojson", () => Results.File(wards, "application/geo+json")).AllowAnonymous();
        return app;
    }

    private static string StaticRoot(WebOptions options, IHostEnvironment environment)
    {
        string[] candidates = string.IsNullOrWhiteSpace(options.StaticRoot)
            ? [Path.Combine(AppContext.BaseDirectory, "web"), Path.Combine(environment.ContentRootPath, "ClientApp", "dist")]
            : [Path.GetFullPath(options.StaticRoot, environment.ContentRootPath)];
        return candidates.FirstOrDefault(c => File.Exists(Path.Combine(c, "index.html")))
            ?? throw new InvalidOperationException($"The web pages are not built: no index.html in {string.Join(" or ", candidates)}. Build services/Targeting.Web (dotnet build runs the bundler) or set Web:StaticRoot.");
    }

    private static string Resolve(string path)
    {
        var full = Path.GetFullPath(path, AppContext.BaseDirectory);
        return File.Exists(full) ? full : throw new InvalidOperationException($"Boundary file not found: {full} (Web:BoroughsPath / Web:WardsPath).");
    }

    private static bool IsHttpAddress(string? address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static ServiceClientSettings Client(IServiceProvider provider, Func<WebServicesOptions, WebServiceAddress> service, bool asCaller)
    {
        var options = provider.GetRequiredService<IOptions<WebServicesOptions>>().Value;
        var address = service(options);
        var accessor = provider.GetRequiredService<IHttpContextAccessor>();
        var own = provider.GetRequiredService<WebToken>().Get;
        return new ServiceClientSettings
        {
            Address = new Uri(address.Address!), // validated at start
            DaprAppId = address.DaprAppId,
            Token = asCaller ? _ => ValueTask.FromResult(WebClients.CallerToken(accessor)) : own,
            MaxReceiveMessageSize = options.MaxReceiveMessageSize,
        };
    }

    private sealed record WebToken(Func<CancellationToken, ValueTask<string?>> Get);

    // The web's own token: configured, or in Development one it mints (and renews) itself.
    private static Func<CancellationToken, ValueTask<string?>> ServiceToken(WebServicesOptions options, IHostEnvironment environment)
    {
        if (!string.IsNullOrWhiteSpace(options.Token))
        {
            var token = options.Token.Trim();
            return _ => ValueTask.FromResult<string?>(token);
        }
        if (!environment.IsDevelopment())
        {
            throw new InvalidOperationException("Services:Token is required outside Development: the web calls feedback (public report) and stops with a token of role 'service'.");
        }

        var current = (Token: string.Empty, Renew: DateTime.MinValue);
        var gate = new Lock();
        return _ =>
        {
            lock (gate)
            {
                if (DateTime.UtcNow >= current.Renew)
                {
                    current = (DevelopmentTokens.Issue(Roles.Service, "web"), DateTime.UtcNow + DevelopmentTokens.DefaultLifetime / 2);
                }
                return ValueTask.FromResult<string?>(current.Token);
            }
        };
    }
}
