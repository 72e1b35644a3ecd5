using Google.Protobuf.Reflection;
using Grpc.Health.V1;
using Targeting.Grpc.Tests.Support;
using V1 = Grpc.Reflection.V1;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace Targeting.Grpc.Tests;

/// <summary>grpc.health.v1.Health and server reflection v1 / v1alpha, called anonymously.</summary>
public sealed class HealthAndReflectionTests : IAsyncLifetime
{
    private GrpcTestHost _host = null!;
    private GrpcClient _anonymous = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await GrpcTestHost.StartAsync();
        _anonymous = new GrpcClient(_host.Address);
    }

    public async ValueTask DisposeAsync()
    {
        _anonymous.Dispose();
        await _host.DisposeAsync();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static CallOptions Options => CallOptions.WithTimeout(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

    [Fact]
    public async Task Check_MappedService_IsServing()
    {
        var response = await _anonymous.UnaryAsync(HealthMethods.Check, new HealthCheckRequest { Service = "targeting.testing.v1.TestService" }, Options);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Check_UnknownService_IsNotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _anonymous.UnaryAsync(HealthMethods.Check, new HealthCheckRequest { Service = "no.Such" }, Options));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Check_AfterSetStatusNotServing_IsNotServing()
    {
        _host.Health.SetStatus("targeting.testing.v1.TestService", ServingStatus.NotServing);
        var response = await _anonymous.UnaryAsync(HealthMethods.Check, new HealthCheckRequest { Service = "targeting.testing.v1.TestService" }, Options);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, response.Status);
    }

    [Fact]
    public async Task Watch_StatusChanges_StreamsCurrentThenEachChange()
    {
        // Grpc.AspNetCore.HealthChecks publishes each change to watchers at Grpc:HealthWatchInterval (1 s).
        var service = Targeting.Testing.V1.TestService.Descriptor.FullName;
        _host.Health.SetStatus(service, ServingStatus.Serving);
        var seen = new List<HealthCheckResponse.Types.ServingStatus>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        await using var responses = _anonymous.ServerStreamingAsync(HealthMethods.Watch, new HealthCheckRequest { Service = service }, new CallOptions { CancellationToken = stop.Token }).GetAsyncEnumerator(stop.Token);
        Assert.True(await responses.MoveNextAsync());
        seen.Add(responses.Current.Status);
        _host.Health.SetStatus(service, ServingStatus.NotServing);
        Assert.True(await responses.MoveNextAsync());
        seen.Add(responses.Current.Status);
        _host.Health.SetStatus(service, ServingStatus.Serving);
        Assert.True(await responses.MoveNextAsync());
        seen.Add(responses.Current.Status);
        Assert.Equal([HealthCheckResponse.Types.ServingStatus.Serving, HealthCheckResponse.Types.ServingStatus.NotServing, HealthCheckResponse.Types.ServingStatus.Serving], seen);
    }

    [Fact]
    public async Task Watch_UnknownService_SaysServiceUnknown()
    {
        var service = "unmapped." + Guid.NewGuid().ToString("N");
        await using var responses = _anonymous.ServerStreamingAsync(HealthMethods.Watch, new HealthCheckRequest { Service = service }, new CallOptions { CancellationToken = Ct }).GetAsyncEnumerator(Ct);
        Assert.True(await responses.MoveNextAsync());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.ServiceUnknown, responses.Current.Status);
    }

    [Fact]
    public async Task Reflection_ListServices_NamesEveryMappedService()
    {
        var response = await ReflectV1(new V1.ServerReflectionRequest { ListServices = "" });
        var names = response.Single().ListServicesResponse.Service.Select(s => s.Name).Order().ToList();
        Assert.Equal(["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection", "targeting.testing.v1.TestService"], names);
    }

    [Fact]
    public async Task Reflection_FileContainingSymbol_ReturnsFileWithTransitiveDependencies()
    {
        var responses = await ReflectV1(
            new V1.ServerReflectionRequest { FileContainingSymbol = "targeting.testing.v1.TestService" },
            new V1.ServerReflectionRequest { FileContainingSymbol = "targeting.testing.v1.TestService.Sleep" });
        var first = responses[0].FileDescriptorResponse.FileDescriptorProto.Select(bytes => FileDescriptorProto.Parser.ParseFrom(bytes).Name).ToList();
        var second = responses[1].FileDescriptorResponse.FileDescriptorProto.Select(bytes => FileDescriptorProto.Parser.ParseFrom(bytes).Name).ToList();
        Assert.Equal(["targeting/testing/v1/test.proto", "google/protobuf/timestamp.proto"], first);
        Assert.Equal("targeting/testing/v1/test.proto", second[0]);
    }

    [Fact]
    public async Task Reflection_FileContainingNestedSymbol_FindsItsFile()
    {
        var response = (await ReflectV1(new V1.ServerReflectionRequest { FileContainingSymbol = "grpc.health.v1.HealthCheckResponse.ServingStatus" })).Single();
        var file = FileDescriptorProto.Parser.ParseFrom(response.FileDescriptorResponse.FileDescriptorProto[0]);
        Assert.Equal("grpc.health.v1", file.Package);
        Assert.Contains(file.MessageType, m => m.Name == "HealthCheckResponse" && m.EnumType.Any(e => e.Name == "ServingStatus"));
    }

    [Fact]
    public async Task Reflection_FileByFilename_ReturnsTheDescriptorThatDescribesTheService()
    {
        var response = (await ReflectV1(new V1.ServerReflectionRequest { FileByFilename = "targeting/testing/v1/test.proto" })).Single();
        var file = FileDescriptorProto.Parser.ParseFrom(response.FileDescriptorResponse.FileDescriptorProto[0]);
        Assert.Equal("targeting.testing.v1", file.Package);
        Assert.Equal(TestMethods.Service.Methods.Select(m => m.Name), file.Service.Single(s => s.Name == "TestService").Method.Select(m => m.Name));
    }

    [Fact]
    public async Task Reflection_UnknownSymbolAndFile_AnswerNotFoundErrors()
    {
        var responses = await ReflectV1(
            new V1.ServerReflectionRequest { FileContainingSymbol = "no.such.Symbol" },
            new V1.ServerReflectionRequest { FileByFilename = "no/such.proto" });
        Assert.All(responses, r => Assert.Equal((int)StatusCode.NotFound, r.ErrorResponse.ErrorCode));
    }

    [Fact]
    public async Task Reflection_V1Alpha_AnswersLikeV1()
    {
        await using var call = _anonymous.DuplexStreaming(HealthMethods.ReflectionV1Alpha, Options);
        await call.WriteAsync(new V1Alpha.ServerReflectionRequest { Host = "h", ListServices = "*" }, Ct);
        var response = await call.ReadAsync(Ct);
        await call.CompleteRequestAsync();
        Assert.NotNull(response);
        Assert.Contains(response.ListServicesResponse.Service, s => s.Name == "grpc.reflection.v1alpha.ServerReflection");
        Assert.Null(await call.ReadAsync(Ct));
    }

    private async Task<List<V1.ServerReflectionResponse>> ReflectV1(params V1.ServerReflectionRequest[] requests)
    {
        await using var call = _anonymous.DuplexStreaming(HealthMethods.ReflectionV1, Options);
        var responses = new List<V1.ServerReflectionResponse>();
        foreach (var request in requests)
        {
            await call.WriteAsync(request, Ct);
            responses.Add((await call.ReadAsync(Ct))!);
        }
        await call.CompleteRequestAsync();
        Assert.Null(await call.ReadAsync(Ct));
        return responses;
    }
}
