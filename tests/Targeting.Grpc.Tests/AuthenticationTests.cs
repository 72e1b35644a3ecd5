using Microsoft.Extensions.Options;
using Targeting.Grpc.Tests.Support;
using Targeting.Testing.V1;

namespace Targeting.Grpc.Tests;

/// <summary>JWT bearer authentication and per-rpc roles.</summary>
public sealed class AuthenticationTests : IAsyncLifetime
{
    private GrpcTestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await GrpcTestHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private static CallOptions Options => CallOptions.WithTimeout(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

    private async Task<RpcException> CallWhoAmIExpectingFailure(string? token)
    {
        using var client = new GrpcClient(_host.Address, new GrpcClientOptions { BearerToken = token });
        return await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(TestMethods.WhoAmI, new Empty(), Options));
    }

    [Fact]
    public async Task Call_WithoutToken_IsUnauthenticated()
    {
        var error = await CallWhoAmIExpectingFailure(null);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Call_WithTokenSignedByAnotherKey_IsUnauthenticated()
    {
        var forged = DevelopmentTokens.CreateToken("an-attacker-key-that-is-at-least-32-bytes-long", DevelopmentTokens.Issuer, DevelopmentTokens.Audience, [Roles.Planner], "mallory", null, DateTime.UtcNow.AddHours(1));
        var error = await CallWhoAmIExpectingFailure(forged);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal("The bearer token is not valid.", error.Detail);
    }

    [Fact]
    public async Task Call_WithWrongAudience_IsUnauthenticated()
    {
        var token = DevelopmentTokens.CreateToken(DevelopmentTokens.SigningKey, DevelopmentTokens.Issuer, "some-other-system", [Roles.Planner], "p1", null, DateTime.UtcNow.AddHours(1));
        var error = await CallWhoAmIExpectingFailure(token);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Call_WithExpiredToken_IsUnauthenticatedAndSaysExpired()
    {
        var error = await CallWhoAmIExpectingFailure(DevelopmentTokens.Issue(Roles.Planner, lifetime: TimeSpan.FromMinutes(-5)));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal("The bearer token has expired.", error.Detail);
    }

    [Fact]
    public async Task Call_WithTokenThatExpiredAfterItWasAccepted_IsUnauthenticated()
    {
        // Validated tokens are cached: the cache must not outlive the token. No clock skew here, so
        // a token with 2 s to live is refused a few seconds after its first (cached) success.
        await using var host = await GrpcTestHost.StartAsync(new Dictionary<string, string?> { ["Authentication:ClockSkew"] = "00:00:00" });
        var token = DevelopmentTokens.Issue(Roles.Planner, "short-lived", lifetime: TimeSpan.FromSeconds(2));
        using var client = new GrpcClient(host.Address, new GrpcClientOptions { BearerToken = token });
        Assert.Equal("short-lived", (await client.UnaryAsync(TestMethods.WhoAmI, new Empty(), Options)).Subject);
        await Task.Delay(TimeSpan.FromSeconds(4), TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(TestMethods.WhoAmI, new Empty(), Options));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal("The bearer token has expired.", error.Detail);
    }

    [Fact]
    public async Task Call_WithGarbageToken_IsUnauthenticated()
    {
        var error = await CallWhoAmIExpectingFailure("not.a.jwt");
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Call_WithRoleNotAllowed_IsPermissionDenied()
    {
        var error = await CallWhoAmIExpectingFailure(DevelopmentTokens.Issue(Roles.Officer));
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("planner", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_WithAllowedRole_SeesSubjectRolesAndTeam()
    {
        using var client = new GrpcClient(_host.Address, new GrpcClientOptions { BearerToken = DevelopmentTokens.Issue([Roles.Analyst, Roles.Planner], "planner-7", "north") });
        var caller = await client.UnaryAsync(TestMethods.WhoAmI, new Empty(), Options);
        Assert.Equal("planner-7", caller.Subject);
        Assert.Equal([Roles.Analyst, Roles.Planner], caller.Roles);
        Assert.Equal("north", caller.Team);
    }

    [Fact]
    public async Task Call_WithTokenProvider_UsesTheProvidedTokenPerCall()
    {
        var calls = 0;
        using var client = new GrpcClient(_host.Address, new GrpcClientOptions
        {
            BearerTokenProvider = _ => { calls++; return ValueTask.FromResult<string?>(DevelopmentTokens.Issue(Roles.Planner, "rotating")); },
        });
        await client.UnaryAsync(TestMethods.WhoAmI, new Empty(), Options);
        var caller = await client.UnaryAsync(TestMethods.WhoAmI, new Empty(), Options);
        Assert.Equal("rotating", caller.Subject);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task Health_WithoutToken_IsAnswered()
    {
        using var client = new GrpcClient(_host.Address);
        var response = await client.UnaryAsync(HealthMethods.Check, new global::Grpc.Health.V1.HealthCheckRequest(), Options);
        Assert.Equal(global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Host_OutsideDevelopmentWithoutSigningKey_RefusesToStart()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GrpcTestHost.StartAsync(environment: "Production"));
        Assert.Contains("Authentication:SigningKey is required outside Development", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_OutsideDevelopmentWithItsOwnKey_RejectsDevelopmentTokensAndAcceptsItsOwn()
    {
        const string key = "production-key-from-a-secret-store-32-bytes-or-more";
        await using var host = await GrpcTestHost.StartAsync(new() { ["Authentication:SigningKey"] = key, ["Authentication:Issuer"] = "met", ["Authentication:Audience"] = "targeting-prod" }, environment: "Production");
        using var development = new GrpcClient(host.Address, new GrpcClientOptions { BearerToken = DevelopmentTokens.Issue(Roles.Planner) });
        var error = await Assert.ThrowsAsync<RpcException>(() => development.UnaryAsync(TestMethods.WhoAmI, new Empty(), Options));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);

        using var production = new GrpcClient(host.Address, new GrpcClientOptions { BearerToken = DevelopmentTokens.CreateToken(key, "met", "targeting-prod", [Roles.Planner], "p2", null, DateTime.UtcNow.AddMinutes(10)) });
        Assert.Equal("p2", (await production.UnaryAsync(TestMethods.WhoAmI, new Empty(), Options)).Subject);
    }

    [Fact]
    public async Task Host_ShortSigningKey_RefusesToStart()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GrpcTestHost.StartAsync(new() { ["Authentication:SigningKey"] = "too-short" }, environment: "Production"));
        Assert.Contains("at least 32 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Issue_UnknownRole_Throws()
    {
        Assert.Throws<ArgumentException>(() => DevelopmentTokens.Issue("admin"));
    }
}
