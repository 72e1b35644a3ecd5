using System.Reflection;
using Grpc.AspNetCore.HealthChecks;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace Targeting.Grpc;

/// <summary>Hosting the services on Grpc.AspNetCore: <c>AddGrpcServer</c>, <c>UseGrpcServer</c>, <c>MapAuthorizedGrpcService</c>.</summary>
public static class GrpcServerExtensions
{
    /// <summary>The health check standing for the server as a whole (service name ""): always healthy.</summary>
    private const string ServerCheck = "server";

    /// <summary>
    /// Registers Grpc.AspNetCore with the project's interceptor and limits (section <c>Grpc</c>),
    /// JwtBearer validation of HS256 tokens (section <c>Authentication</c>; a signing key is
    /// required outside Development), authorization with every endpoint needing a token unless it
    /// says otherwise, gRPC health from ASP.NET Core health checks, reflection, and HTTP/2 on every
    /// Kestrel endpoint.
    /// </summary>
    public static IServiceCollection AddGrpcServer(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<GrpcServerOptions>()
            .Bind(configuration.GetSection(GrpcServerOptions.SectionName))
            .Validate(o => o.MaxReceiveMessageSize > 0 && o.MaxSendMessageSize > 0, "Grpc:MaxReceiveMessageSize and Grpc:MaxSendMessageSize must be positive.")
            .Validate(o => o.ResponseCompression is null or "gzip" or "identity", "Grpc:ResponseCompression must be gzip, identity or unset.")
            .Validate(o => o.HealthWatchInterval >= TimeSpan.FromSeconds(1), "Grpc:HealthWatchInterval must be at least 1 second.")
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

        if (services.Any(d => d.ServiceType == typeof(GrpcServerMarker)))
        {
            return services;
        }
        services.AddSingleton<GrpcServerMarker>();

        // Registered in DI as a singleton, Grpc.AspNetCore reuses one interceptor instead of building
        // one (and resolving its logger) for every call; it holds no per-call state.
        services.TryAddSingleton<ServerInterceptor>();
        services.AddGrpc(options =>
        {
            options.Interceptors.Add<ServerInterceptor>();
            options.EnableDetailedErrors = false;
        });
        services.AddOptions<global::Grpc.AspNetCore.Server.GrpcServiceOptions>().Configure<IOptions<GrpcServerOptions>>((options, server) =>
        {
            options.MaxReceiveMessageSize = server.Value.MaxReceiveMessageSize;
            options.MaxSendMessageSize = server.Value.MaxSendMessageSize;
            options.ResponseCompressionAlgorithm = server.Value.ResponseCompression is "gzip" ? "gzip" : null;
        });
        services.AddGrpcReflection();

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<GrpcAuthenticationOptions>, TimeProvider>((jwt, authentication, time) => ConfigureJwt(jwt, authentication.Value, time));
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, GrpcAuthorizationResultHandler>();

        services.AddGrpcHealthChecks(options =>
        {
            // "" is the server as a whole: up while it answers; each service reports its own store.
            options.Services.Map("", registration => registration.Name == ServerCheck);
        }).AddCheck(ServerCheck, () => HealthCheckResult.Healthy());
        services.AddOptions<HealthCheckPublisherOptions>().Configure<IOptions<GrpcServerOptions>>((options, server) =>
        {
            options.Delay = TimeSpan.Zero;
            options.Period = server.Value.HealthWatchInterval;
        });
        services.TryAddSingleton<GrpcHealth>();
        services.AddSingleton<MappedServiceHealthChecks>();
        services.AddSingleton<IConfigureOptions<HealthCheckServiceOptions>>(sp => sp.GetRequiredService<MappedServiceHealthChecks>());
        services.AddSingleton<IConfigureOptions<GrpcHealthChecksOptions>>(sp => sp.GetRequiredService<MappedServiceHealthChecks>());

        services.AddOptions<KestrelServerOptions>().Configure<IOptions<GrpcServerOptions>>((kestrel, grpc) =>
        {
            if (grpc.Value.Http2OnlyEndpoints)
            {
                kestrel.ConfigureEndpointDefaults(endpoint => endpoint.Protocols = HttpProtocols.Http2);
            }
        });
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>
    /// Adds authentication and authorization (put it before mapping services) and maps the
    /// anonymous grpc.health.v1.Health and grpc.reflection (v1 and v1alpha) services.
    /// </summary>
    public static WebApplication UseGrpcServer(this WebApplication app)
    {
        if (app.Services.GetService<GrpcServerMarker>() is not { } marker)
        {
            throw new InvalidOperationException("Call builder.Services.AddGrpcServer(builder.Configuration) before app.UseGrpcServer().");
        }
        if (marker.Used)
        {
            return app;
        }
        marker.Used = true;
        if (app.Services.GetRequiredService<IOptions<GrpcAuthenticationOptions>>().Value.UsesDevelopmentKey)
        {
            Log.UsingDevelopmentKey(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Targeting.Grpc.Server"));
        }
        // An anonymous endpoint (health, reflection) has no use for the caller: skipping JwtBearer
        // there saves each of its calls a handler, the header read and the result (about a tenth of
        // the server's CPU per unary call, bench/grpc). Every other endpoint authenticates as before.
        var schemes = app.Services.GetRequiredService<IAuthenticationSchemeProvider>();
        app.Use(next =>
        {
            var authenticate = new AuthenticationMiddleware(next, schemes).Invoke;
            return context => context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is null ? authenticate(context) : next(context);
        });
        // The key UseAuthentication sets: without it WebApplication adds its own authentication in
        // front of every request (if the name ever changes, calls are authenticated twice: slower, not wrong).
        ((IApplicationBuilder)app).Properties["__AuthenticationMiddlewareSet"] = true;
        app.UseAuthorization();
        app.MapGrpcHealthChecksService().AllowAnonymous();
        app.MapGrpcReflectionService().AllowAnonymous();
        return app;
    }

    /// <summary>
    /// Maps a service class derived from its generated base. Throws, so the host does not start,
    /// unless every rpc of <paramref name="service"/> is overridden with an
    /// <see cref="AllowRolesAttribute"/> naming known roles; the rpcs in
    /// <paramref name="leftUnimplemented"/> are the exception (the base answers UNIMPLEMENTED to
    /// any authenticated caller).
    /// </summary>
    public static GrpcServiceEndpointConventionBuilder MapAuthorizedGrpcService<TService>(this IEndpointRouteBuilder endpoints, ServiceDescriptor service, params string[] leftUnimplemented)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(service);
        var problems = RoleProblems(typeof(TService), service, leftUnimplemented);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                $"The gRPC service {service.FullName} ({typeof(TService).Name}) is not bound correctly, so the host cannot start:"
                + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)));
        }
        endpoints.ServiceProvider.GetRequiredService<GrpcHealth>().Register(service.FullName);
        return endpoints.MapGrpcService<TService>();
    }

    /// <summary>What keeps <paramref name="type"/> from serving <paramref name="service"/> with declared roles.</summary>
    internal static List<string> RoleProblems(Type type, ServiceDescriptor service, IReadOnlyCollection<string> leftUnimplemented)
    {
        var problems = new List<string>();
        foreach (var name in leftUnimplemented)
        {
            if (service.FindMethodByName(name) is null)
            {
                problems.Add($"rpc {name} does not exist in {service.FullName}.");
            }
        }
        foreach (var rpc in service.Methods)
        {
            if (leftUnimplemented.Contains(rpc.Name))
            {
                continue;
            }
            var method = type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
                .FirstOrDefault(m => m.Name == rpc.Name && m.GetBaseDefinition().DeclaringType != m.DeclaringType);
            if (method is null)
            {
                problems.Add($"rpc {rpc.Name} ({rpc.InputType.FullName} -> {rpc.OutputType.FullName}) is not overridden: implement it or list it as left unimplemented.");
                continue;
            }
            var roles = method.GetCustomAttribute<AllowRolesAttribute>();
            if (roles is null)
            {
                problems.Add($"rpc {rpc.Name} has no role: declare who may call it with [AllowRoles(Roles.*)].");
                continue;
            }
            foreach (var role in roles.Allowed.Where(r => !Roles.IsKnown(r)))
            {
                problems.Add($"rpc {rpc.Name} names unknown role '{role}'; roles are: {string.Join(", ", Roles.All)}.");
            }
        }
        return problems;
    }

    private static void ConfigureJwt(JwtBearerOptions jwt, GrpcAuthenticationOptions settings, TimeProvider time)
    {
        var cache = new ValidatedTokenCache(time, settings.ClockSkew);
        // Keep the token's own claim names ("sub", "role", "team") instead of WS-* URIs.
        jwt.MapInboundClaims = false;
        jwt.RequireHttpsMetadata = false;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudience = settings.Audience,
            IssuerSigningKey = DevelopmentTokens.CreateKey(settings.SigningKey ?? string.Empty),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ClockSkew = settings.ClockSkew,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            NameClaimType = JwtRegisteredClaimNames.Sub,
            RoleClaimType = TokenClaims.Role,
        };
        jwt.Events = new JwtBearerEvents
        {
            OnMessageReceived = cache.TryAnswer,
            OnTokenValidated = context =>
            {
                if (string.IsNullOrEmpty(context.Principal?.FindFirst(TokenClaims.Subject)?.Value))
                {
                    context.Fail(new NoSubjectException());
                }
                else
                {
                    cache.Remember(context);
                }
                return Task.CompletedTask;
            },
        };
    }

    /// <summary>Marks that AddGrpcServer ran (and whether UseGrpcServer has).</summary>
    private sealed class GrpcServerMarker
    {
        public bool Used { get; set; }
    }
}
