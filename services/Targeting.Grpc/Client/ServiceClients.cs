using System.Collections.Concurrent;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Targeting.Grpc;

/// <summary>How a host calls one of the other services (configuration section <c>Services:&lt;Name&gt;</c>).</summary>
public sealed class ServiceClientSettings
{
    /// <summary>The service's address, or the local Dapr sidecar's gRPC endpoint when <see cref="DaprAppId"/> is set.</summary>
    public required Uri Address { get; init; }

    /// <summary>The service's Dapr app id: calls then go through the sidecar (Dapr.Client's invocation invoker).</summary>
    public string? DaprAppId { get; init; }

    /// <summary>Gets the bearer token for each call (the host's "service" token; it may rotate).</summary>
    public required Func<CancellationToken, ValueTask<string?>> Token { get; init; }

    /// <summary>Largest response message accepted, in bytes.</summary>
    public int MaxReceiveMessageSize { get; init; } = GrpcServerOptions.DefaultMaxReceiveMessageSize;

    /// <summary>Retries of idempotent rpcs failing with UNAVAILABLE; null disables them.</summary>
    public RetryPolicy? Retry { get; init; } = new();

    /// <summary>Services besides the project's three whose idempotent rpcs may be retried (tests).</summary>
    public IReadOnlyList<Google.Protobuf.Reflection.ServiceDescriptor> RetryableServices { get; init; } = [];
}

/// <summary>
/// The clients a host uses to call the other services, by name. Direct calls go through
/// Grpc.Net.ClientFactory (<c>AddGrpcClient</c>): one channel per name, with the retry service
/// config and the bearer token as call credentials. With a Dapr app id, calls go through the
/// sidecar with Dapr.Client's invocation invoker instead, which the factory cannot host.
/// Register with <see cref="ServiceClientRegistration.AddServiceClient"/>.
/// </summary>
public sealed class ServiceClients(IServiceProvider services, GrpcClientFactory factory) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<GrpcClient>> _sidecarClients = new();

    /// <summary>The client registered under <paramref name="name"/>. Cheap; the connection is shared.</summary>
    public GrpcClient Get(string name)
    {
        var settings = services.GetRequiredKeyedService<ServiceClientSettings>(name);
        if (string.IsNullOrEmpty(settings.DaprAppId))
        {
            return factory.CreateClient<GrpcClient>(name);
        }

        return _sidecarClients.GetOrAdd(name, _ => new Lazy<GrpcClient>(() => new GrpcClient(settings.Address, new GrpcClientOptions
        {
            DaprAppId = settings.DaprAppId,
            BearerTokenProvider = settings.Token,
            MaxReceiveMessageSize = settings.MaxReceiveMessageSize,
            Retry = settings.Retry,
            RetryableServices = settings.RetryableServices,
        }))).Value;
    }

    public void Dispose()
    {
        foreach (var client in _sidecarClients.Values.Where(c => c.IsValueCreated))
        {
            client.Value.Dispose();
        }
    }
}

/// <summary>Registration of the clients of <see cref="ServiceClients"/>.</summary>
public static class ServiceClientRegistration
{
    /// <summary>
    /// Registers the client of another service under <paramref name="name"/>: a named
    /// Grpc.Net.ClientFactory client whose channel has the retry policy for exactly the rpcs the
    /// protos mark IDEMPOTENT or NO_SIDE_EFFECTS, the response size limit, the project's HTTP/2
    /// handler and the bearer token from <see cref="ServiceClientSettings.Token"/> on every call.
    /// The settings are read once, when the client is first needed.
    /// </summary>
    public static IServiceCollection AddServiceClient(this IServiceCollection services, string name, Func<IServiceProvider, ServiceClientSettings> settings)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(settings);
        services.TryAddSingleton<ServiceClients>();
        services.AddKeyedSingleton(name, (provider, _) => settings(provider));

        services.AddGrpcClient<GrpcClient>(name, (provider, factory) => factory.Address = Settings(provider, name).Address)
            .ConfigureChannel((provider, channel) =>
            {
                var current = Settings(provider, name);
                channel.MaxReceiveMessageSize = current.MaxReceiveMessageSize;
                channel.ServiceConfig = current.Retry is { } retry ? GrpcClient.RetryConfig(retry, current.RetryableServices) : null;
                channel.MaxRetryAttempts = current.Retry?.MaxAttempts;
                // Cleartext HTTP/2 is for loopback and for a sidecar-secured cluster (Dapr mTLS);
                // the token must travel there too.
                channel.UnsafeUseInsecureChannelCallCredentials = current.Address.Scheme == Uri.UriSchemeHttp;
            })
            .ConfigurePrimaryHttpMessageHandler(GrpcClient.CreateDefaultHandler)
            // A gRPC channel is meant to live long; HttpClientFactory's default 2-minute handler
            // rotation would only drop warm HTTP/2 connections.
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddCallCredentials(async (context, metadata, provider) =>
            {
                var token = await Settings(provider, name).Token(context.CancellationToken).ConfigureAwait(false);
                if (!string.IsNullOrEmpty(token))
                {
                    metadata.Add("authorization", "Bearer " + token);
                }
            })
            .ConfigureGrpcClientCreator((provider, invoker) =>
            {
                var current = Settings(provider, name);
                return new GrpcClient(invoker, current.Address, new GrpcClientOptions { MaxReceiveMessageSize = current.MaxReceiveMessageSize, Retry = current.Retry });
            });
        return services;
    }

    private static ServiceClientSettings Settings(IServiceProvider provider, string name) =>
        provider.GetRequiredKeyedService<ServiceClientSettings>(name);
}
