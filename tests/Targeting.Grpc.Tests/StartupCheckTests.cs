using Targeting.Grpc.Tests.Support;
using Targeting.Testing.V1;

namespace Targeting.Grpc.Tests;

/// <summary>MapAuthorizedGrpcService refuses a service whose rpcs do not all declare who may call them.</summary>
public sealed class StartupCheckTests
{
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor Service = TestService.Descriptor;

    private static string[] AllBut(params string[] names) => [.. Service.Methods.Select(m => m.Name).Where(n => !names.Contains(n))];

    [Fact]
    public void RoleProblems_CompleteService_HasNone() =>
        Assert.Empty(GrpcServerExtensions.RoleProblems(typeof(InteropTestService), Service, ["UnimplementedCall"]));

    [Fact]
    public void RoleProblems_RpcNeitherOverriddenNorListed_IsNamed()
    {
        var problems = GrpcServerExtensions.RoleProblems(typeof(InteropTestService), Service, []);
        Assert.Equal(["rpc UnimplementedCall (targeting.testing.v1.Empty -> targeting.testing.v1.Empty) is not overridden: implement it or list it as left unimplemented."], problems);
    }

    [Fact]
    public void RoleProblems_OverrideWithoutRoles_IsNamed()
    {
        var problems = GrpcServerExtensions.RoleProblems(typeof(NoRoles), Service, AllBut("EmptyCall"));
        Assert.Equal(["rpc EmptyCall has no role: declare who may call it with [AllowRoles(Roles.*)]."], problems);
    }

    [Fact]
    public void RoleProblems_UnknownRoleAndUnknownRpc_AreNamed()
    {
        var problems = GrpcServerExtensions.RoleProblems(typeof(UnknownRole), Service, [.. AllBut("EmptyCall"), "NoSuchRpc"]);
        Assert.Contains("rpc NoSuchRpc does not exist in targeting.testing.v1.TestService.", problems);
        Assert.Contains(problems, p => p.StartsWith("rpc EmptyCall names unknown role 'admin'", StringComparison.Ordinal));
        Assert.Equal(2, problems.Count);
    }

    [Fact]
    public async Task Host_WithAnRpcWithoutRoles_DoesNotStart()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GrpcTestHost.StartAsync(map: app =>
            app.MapAuthorizedGrpcService<NoRoles>(Service, AllBut("EmptyCall"))));
        Assert.Contains("is not bound correctly, so the host cannot start", error.Message, StringComparison.Ordinal);
        Assert.Contains("rpc EmptyCall has no role", error.Message, StringComparison.Ordinal);
    }

    private sealed class NoRoles : TestService.TestServiceBase
    {
        public override Task<Empty> EmptyCall(Empty request, ServerCallContext context) => Task.FromResult(new Empty());
    }

    private sealed class UnknownRole : TestService.TestServiceBase
    {
        [AllowRoles("admin")]
        public override Task<Empty> EmptyCall(Empty request, ServerCallContext context) => Task.FromResult(new Empty());
    }
}
