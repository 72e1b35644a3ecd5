using Targeting.Grpc.Tests.Support;
using Targeting.Testing.V1;

namespace Targeting.Grpc.Tests;

/// <summary>The start-up check of a service's binding against its descriptor.</summary>
public sealed class BindingTests
{
    private static async Task<string> StartExpectingFailure(Action<GrpcServiceBuilder<InteropTestService>> bind)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            GrpcTestHost.StartAsync(map: app => app.MapGrpcService(TestMethods.Service, bind)));
        Assert.Contains("targeting.testing.v1.TestService", error.Message, StringComparison.Ordinal);
        return error.Message;
    }

    /// <summary>Binds every rpc as Unimplemented except the ones named.</summary>
    private static void RestUnimplemented(GrpcServiceBuilder<InteropTestService> service, params string[] except)
    {
        foreach (var method in TestMethods.Service.Methods.Where(m => !except.Contains(m.Name)))
        {
            service.Unimplemented(method.Name);
        }
    }

    [Fact]
    public async Task MapGrpcService_RpcLeftUnbound_RefusesToStartNamingIt()
    {
        var message = await StartExpectingFailure(service => RestUnimplemented(service, "Sleep"));
        Assert.Contains("rpc Sleep (unary, targeting.testing.v1.SleepRequest -> targeting.testing.v1.SleepResponse) is not bound to a handler", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapGrpcService_WrongRequestType_RefusesToStart()
    {
        var message = await StartExpectingFailure(service =>
        {
            service.Unary<Empty, SleepResponse>("Sleep", (s, r, c) => Task.FromResult(new SleepResponse()), Roles.Analyst);
            RestUnimplemented(service, "Sleep");
        });
        Assert.Contains("rpc Sleep takes targeting.testing.v1.SleepRequest", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapGrpcService_WrongResponseType_RefusesToStart()
    {
        var message = await StartExpectingFailure(service =>
        {
            service.Unary<SleepRequest, Empty>("Sleep", (s, r, c) => Task.FromResult(new Empty()), Roles.Analyst);
            RestUnimplemented(service, "Sleep");
        });
        Assert.Contains("rpc Sleep returns targeting.testing.v1.SleepResponse", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapGrpcService_WrongStreamingKind_RefusesToStart()
    {
        var message = await StartExpectingFailure(service =>
        {
            service.Unary<StreamingOutputCallRequest, StreamingOutputCallResponse>("StreamingOutputCall", (s, r, c) => Task.FromResult(new StreamingOutputCallResponse()), Roles.Analyst);
            RestUnimplemented(service, "StreamingOutputCall");
        });
        Assert.Contains("rpc StreamingOutputCall is server-streaming but was bound as unary", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapGrpcService_NoRole_RefusesToStart()
    {
        var message = await StartExpectingFailure(service =>
        {
            service.Unary<Empty, Empty>("EmptyCall", (s, r, c) => Task.FromResult(new Empty()));
            RestUnimplemented(service, "EmptyCall");
        });
        Assert.Contains("rpc EmptyCall has no role", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapGrpcService_UnknownRole_RefusesToStart()
    {
        var message = await StartExpectingFailure(service =>
        {
            service.Unary<Empty, Empty>("EmptyCall", (s, r, c) => Task.FromResult(new Empty()), "planer");
            RestUnimplemented(service, "EmptyCall");
        });
        Assert.Contains("unknown role 'planer'", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapGrpcService_RpcBoundTwice_RefusesToStart()
    {
        var message = await StartExpectingFailure(service =>
        {
            service.Unary<Empty, Empty>("EmptyCall", (s, r, c) => Task.FromResult(new Empty()), Roles.Analyst);
            service.Unary<Empty, Empty>("EmptyCall", (s, r, c) => Task.FromResult(new Empty()), Roles.Analyst);
            RestUnimplemented(service, "EmptyCall");
        });
        Assert.Contains("rpc EmptyCall is bound more than once", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapGrpcService_RpcNotInDescriptor_RefusesToStart()
    {
        var message = await StartExpectingFailure(service =>
        {
            service.Unary<Empty, Empty>("Emptycall", (s, r, c) => Task.FromResult(new Empty()), Roles.Analyst);
            RestUnimplemented(service);
        });
        Assert.Contains("rpc Emptycall does not exist", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapGrpcService_EveryRpcBound_Starts()
    {
        await using var host = await GrpcTestHost.StartAsync(map: app => app.MapGrpcService<InteropTestService>(TestMethods.Service, service =>
        {
            service.Unary<Empty, Empty>("EmptyCall", (s, r, c) => Task.FromResult(new Empty()), Roles.Analyst);
            RestUnimplemented(service, "EmptyCall");
        }));
        using var client = host.CreateClient();
        Assert.Equal(new Empty(), await client.UnaryAsync(TestMethods.EmptyCall, new Empty(), CallOptions.WithTimeout(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken)));
    }

    [Fact]
    public void GrpcMethod_TypesNotMatchingDescriptor_Throws()
    {
        Assert.Throws<ArgumentException>(() => new GrpcMethod<Empty, SimpleResponse>(TestMethods.Service.FindMethodByName("UnaryCall")));
    }

    [Fact]
    public void GrpcMethod_IdempotencyLevel_DecidesRetryability()
    {
        Assert.True(TestMethods.FlakyCall.IsRetryable);
        Assert.True(TestMethods.UnaryCall.IsRetryable);
        Assert.False(TestMethods.FlakyCallWithSideEffects.IsRetryable);
        Assert.False(TestMethods.StreamingInputCall.IsRetryable);
    }
}
