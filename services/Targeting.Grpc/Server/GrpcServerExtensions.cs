using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Targeting.Grpc;

/// <summary>Hosting the gRPC layer: <c>AddGrpcServer</c>, <c>UseGrpcServer</c>, <c>MapGrpcService</c>.</summary>
public static class GrpcServerExtensions
{
    /// <summary>
    /// Registers the gRPC server: options from section <c>Grpc</c>, JWT validation from section
    /// <c>Authentication</c> (a signing key is required outside Development), health and
    /// reflection, and HTTP/2 on every Kestrel endpoint.
    /// </summary>
    public static IServiceCollection AddGrpcServer(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<GrpcServerOptions>()
            .Bind(configuration.GetSection(GrpcServerOptions.SectionName))
            .Validate(o => o.MaxReceiveMessageSize > 0 && o.MaxSendMessageSize > 0, "Grpc:MaxReceiveMessageSize and Grpc:MaxSendMessageSize must be positive.")
            .Validate(o => o.ResponseCompression is null or GrpcProtocol.Gzip or GrpcProtocol.Identity, "Grpc:ResponseCompression must be gzip, identity or unset.")
            .ValidateOnStart();
        services.AddOptions<GrpcAuthenticationOptions>()
            .Bind(configuration.GetSection(GrpcAuthenticationOptions.SectionName))
            .PostConfigure<IHostEnvironment>((options, environment) =>
            {
                if (string.IsNullOrEmpty(options.SigningKey) && environment.IsDevelopment())
                {
                    options.SigningKey = DevelopmentTokens.SigningKey;
                    options.UsesDevelopmentKey = true;
                }
            })
            .Validate(o => !string.IsNullOrEmpty(o.SigningKey),
                "Authentication:SigningKey is required outside Development (the built-in development key is trusted only when the environment is Development).")
            .Validate(o => string.IsNullOrEmpty(o.SigningKey) || System.Text.Encoding.UTF8.GetByteCount(o.SigningKey) >= 32,
                "Authentication:SigningKey must be at least 32 bytes (256 bits) for HS256.")
            .Validate(o => !string.IsNullOrEmpty(o.Issuer) && !string.IsNullOrEmpty(o.Audience), "Authentication:Issuer and Authentication:Audience must not be empty.")
            .ValidateOnStart();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<GrpcServerOptions>>((kestrel, grpc) =>
        {
            if (grpc.Value.Http2OnlyEndpoints)
            {
                kestrel.ConfigureEndpointDefaults(endpoint => endpoint.Protocols = HttpProtocols.Http2);
            }
        });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GrpcServiceRegistry>();
        services.TryAddSingleton<BearerTokenAuthenticator>();
        services.TryAddSingleton<GrpcServerRuntime>();
        services.TryAddSingleton<GrpcHealth>();
        services.TryAddSingleton<HealthService>();
        services.TryAddSingleton<ReflectionService>();
        return services;
    }

    /// <summary>
    /// Adds the gRPC middleware (put it early: it answers gRPC calls before routing) and maps the
    /// anonymous grpc.health.v1.Health and grpc.reflection v1 / v1alpha services.
    /// </summary>
    public static IApplicationBuilder UseGrpcServer(this IApplicationBuilder app)
    {
        var registry = app.ApplicationServices.GetService<GrpcServiceRegistry>()
            ?? throw new InvalidOperationException("Call builder.Services.AddGrpcServer(builder.Configuration) before app.UseGrpcServer().");
        if (registry.MiddlewareAdded)
        {
            return app;
        }
        registry.MiddlewareAdded = true;
        var authentication = app.ApplicationServices.GetRequiredService<IOptions<GrpcAuthenticationOptions>>().Value;
        if (authentication.UsesDevelopmentKey)
        {
            Log.UsingDevelopmentKey(app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Targeting.Grpc.Server"));
        }

        Map<HealthService>(app.ApplicationServices, global::Grpc.Health.V1.HealthReflection.Descriptor.Services[0], anonymous: true, service => service
            .Unary<global::Grpc.Health.V1.HealthCheckRequest, global::Grpc.Health.V1.HealthCheckResponse>("Check", (s, request, context) => s.CheckAsync(request, context))
            .ServerStreaming<global::Grpc.Health.V1.HealthCheckRequest, global::Grpc.Health.V1.HealthCheckResponse>("Watch", (s, request, writer, context) => s.WatchAsync(request, writer, context)));
        Map<ReflectionService>(app.ApplicationServices, global::Grpc.Reflection.V1.ReflectionReflection.Descriptor.Services[0], anonymous: true, service => service
            .DuplexStreaming<global::Grpc.Reflection.V1.ServerReflectionRequest, global::Grpc.Reflection.V1.ServerReflectionResponse>("ServerReflectionInfo", (s, requests, writer, context) => s.InfoAsync(requests, writer, context)));
        Map<ReflectionService>(app.ApplicationServices, global::Grpc.Reflection.V1Alpha.ReflectionReflection.Descriptor.Services[0], anonymous: true, service => service
            .DuplexStreaming<global::Grpc.Reflection.V1Alpha.ServerReflectionRequest, global::Grpc.Reflection.V1Alpha.ServerReflectionResponse>("ServerReflectionInfo", (s, requests, writer, context) => s.InfoV1AlphaAsync(requests, writer, context)));
        return app.UseMiddleware<GrpcServerMiddleware>();
    }

    /// <summary>
    /// Binds the rpcs of <paramref name="service"/> to handlers of <typeparamref name="TService"/>
    /// (resolved from DI per call, or created per call when not registered). Throws, so the host
    /// does not start, unless every rpc is bound once with its message types, streaming kind and
    /// at least one role.
    /// </summary>
    public static IEndpointRouteBuilder MapGrpcService<TService>(this IEndpointRouteBuilder endpoints, ServiceDescriptor service, Action<GrpcServiceBuilder<TService>> bind)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(bind);
        Map(endpoints.ServiceProvider, service, anonymous: false, bind);
        return endpoints;
    }

    /// <summary>
    /// Maps a service whose rpcs need no token. Internal on purpose: only health, reflection and the
    /// benchmark host (which measures the layer itself) may skip authentication.
    /// </summary>
    internal static IEndpointRouteBuilder MapAnonymousGrpcService<TService>(this IEndpointRouteBuilder endpoints, ServiceDescriptor service, Action<GrpcServiceBuilder<TService>> bind)
        where TService : class
    {
        Map(endpoints.ServiceProvider, service, anonymous: true, bind);
        return endpoints;
    }

    private static void Map<TService>(IServiceProvider services, ServiceDescriptor service, bool anonymous, Action<GrpcServiceBuilder<TService>> bind)
        where TService : class
    {
        var registry = services.GetService<GrpcServiceRegistry>()
            ?? throw new InvalidOperationException("Call builder.Services.AddGrpcServer(builder.Configuration) before mapping gRPC services.");
        var builder = new GrpcServiceBuilder<TService>(service, anonymous);
        bind(builder);
        registry.Add(service, builder.Build());
        services.GetRequiredService<GrpcHealth>().Register(service.FullName);
    }
}
