using Grpc.Net.ClientFactory;
using Microsoft.Extensions.DependencyInjection;
using Targeting.Grpc.Tests.Support;
using Targeting.Testing.V1;

namespace Targeting.Grpc.Tests;

/// <summary>
/// The clients the services use to call each other, registered with
/// <see cref="ServiceClientRegistration.AddServiceClient"/> (Grpc.Net.ClientFactory), against a
/// real in-process server.
/// </summary>
public sealed class ServiceClientsTests : IAsyncLifetime
{
    private GrpcTestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await GrpcTestHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private static CallOptions Options => CallOptions.WithTimeout(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

    private ServiceProvider Register(string name, Func<CancellationToken, ValueTask<string?>> token, RetryPolicy? retry = null, string? daprAppId = null)
    {
        var services = new ServiceCollection();
        services.AddServiceClient(name, _ => new ServiceClientSettings
        {
            Address = _host.Address,
            DaprAppId = daprAppId,
            Token = token,
            Retry = retry ?? new RetryPolicy { InitialBackoff = TimeSpan.FromMilliseconds(10) },
            RetryableServices = [TestService.Descriptor],
        });
        return services.BuildServiceProvider();
    }

    private static Func<CancellationToken, ValueTask<string?>> Fixed(string? token) => _ => ValueTask.FromResult(token);

    [Fact]
    public async Task Get_DirectAddress_ComesFromTheClientFactoryAndCallsWithTheToken()
    {
        await using var provider = Register("caller->test", Fixed(DevelopmentTokens.Issue(Roles.Planner, "feedback")));

        var viaFactory = provider.GetRequiredService<GrpcClientFactory>().CreateClient<GrpcClient>("caller->test");
        var viaClients = provider.GetRequiredService<ServiceClients>().Get("caller->test");

        Assert.Equal(_host.Address, viaClients.Address);
        Assert.Equal("feedback", (await viaFactory.UnaryAsync(TestMethods.WhoAmI, new Empty(), Options)).Subject);
        Assert.Equal("feedback", (await viaClients.UnaryAsync(TestMethods.WhoAmI, new Empty(), Options)).Subject);
    }

    [Fact]
    public async Task Get_TokenProvider_IsAskedOnEveryCall()
    {
        var issued = 0;
        await using var provider = Register("rotating", _ => ValueTask.FromResult<string?>(DevelopmentTokens.Issue(Roles.Planner, $"s-{Interlocked.Increment(ref issued)}")));
        var client = provider.GetRequiredService<ServiceClients>().Get("rotating");

        var first = await client.UnaryAsync(TestMethods.WhoAmI, new Empty(), Options);
        var second = await provider.GetRequiredService<ServiceClients>().Get("rotating").UnaryAsync(TestMethods.WhoAmI, new Empty(), Options);

        Assert.Equal(["s-1", "s-2"], new[] { first.Subject, second.Subject });
    }

    [Fact]
    public async Task Get_NoToken_CallIsRefusedUnauthenticated()
    {
        await using var provider = Register("anonymous", Fixed(null));
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            provider.GetRequiredService<ServiceClients>().Get("anonymous").UnaryAsync(TestMethods.WhoAmI, new Empty(), Options));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Get_RetryPolicy_RetriesOnlyTheIdempotentRpc()
    {
        await using var provider = Register("retrying", Fixed(DevelopmentTokens.Issue(Roles.Analyst)));
        var client = provider.GetRequiredService<ServiceClients>().Get("retrying");
        var idempotent = Guid.NewGuid().ToString();
        var withSideEffects = Guid.NewGuid().ToString();

        var response = await client.UnaryAsync(TestMethods.FlakyCall, new FlakyRequest { Key = idempotent, Failures = 2 }, Options);
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            client.UnaryAsync(TestMethods.FlakyCallWithSideEffects, new FlakyRequest { Key = withSideEffects, Failures = 1 }, Options));

        Assert.Equal(3, response.Attempt);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(1, _host.Probe.Attempts(withSideEffects));
    }

    [Fact]
    public async Task Get_NamesKeepTheirOwnSettings()
    {
        // A host running stops and feedback together registers a hotspot client for each, with
        // different retry policies: one must not take the other's.
        var services = new ServiceCollection();
        foreach (var (name, retry) in new[] { ("a->test", (RetryPolicy?)null), ("b->test", new RetryPolicy { InitialBackoff = TimeSpan.FromMilliseconds(10) }) })
        {
            services.AddServiceClient(name, _ => new ServiceClientSettings
            {
                Address = _host.Address,
                Token = Fixed(DevelopmentTokens.Issue(Roles.Analyst)),
                Retry = retry,
                RetryableServices = [TestService.Descriptor],
            });
        }
        await using var provider = services.BuildServiceProvider();
        var clients = provider.GetRequiredService<ServiceClients>();
        var noRetry = Guid.NewGuid().ToString();

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            clients.Get("a->test").UnaryAsync(TestMethods.FlakyCall, new FlakyRequest { Key = noRetry, Failures = 1 }, Options));
        var retried = await clients.Get("b->test").UnaryAsync(TestMethods.FlakyCall, new FlakyRequest { Key = Guid.NewGuid().ToString(), Failures = 1 }, Options);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(1, _host.Probe.Attempts(noRetry));
        Assert.Equal(2, retried.Attempt);
    }

    [Fact]
    public async Task Get_DaprAppId_CallsThroughTheSidecarInvokerWithAppIdAndToken()
    {
        // The host stands where the sidecar would.
        await using var sidecar = await GrpcTestHost.StartAsync(map: DaprProbeService.Map);
        var services = new ServiceCollection();
        services.AddServiceClient("caller->hotspot", _ => new ServiceClientSettings
        {
            Address = sidecar.Address,
            DaprAppId = "hotspot",
            Token = Fixed(DevelopmentTokens.Issue(Roles.Service)),
        });
        await using var provider = services.BuildServiceProvider();
        var clients = provider.GetRequiredService<ServiceClients>();

        await clients.Get("caller->hotspot").UnaryAsync(TestMethods.EmptyCall, new Empty(), Options);

        Assert.Equal("hotspot", sidecar.Probe.DaprAppId);
        Assert.Same(clients.Get("caller->hotspot"), clients.Get("caller->hotspot"));
    }
}
