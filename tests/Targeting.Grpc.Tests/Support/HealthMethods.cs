using Grpc.Health.V1;
using V1 = Grpc.Reflection.V1;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace Targeting.Grpc.Tests.Support;

internal static class HealthMethods
{
    public static readonly GrpcMethod<HealthCheckRequest, HealthCheckResponse> Check = GrpcMethod<HealthCheckRequest, HealthCheckResponse>.For(HealthReflection.Descriptor.Services[0], "Check");
    public static readonly GrpcMethod<HealthCheckRequest, HealthCheckResponse> Watch = GrpcMethod<HealthCheckRequest, HealthCheckResponse>.For(HealthReflection.Descriptor.Services[0], "Watch");
    public static readonly GrpcMethod<V1.ServerReflectionRequest, V1.ServerReflectionResponse> ReflectionV1 =
        GrpcMethod<V1.ServerReflectionRequest, V1.ServerReflectionResponse>.For(V1.ReflectionReflection.Descriptor.Services[0], "ServerReflectionInfo");
    public static readonly GrpcMethod<V1Alpha.ServerReflectionRequest, V1Alpha.ServerReflectionResponse> ReflectionV1Alpha =
        GrpcMethod<V1Alpha.ServerReflectionRequest, V1Alpha.ServerReflectionResponse>.For(V1Alpha.ReflectionReflection.Descriptor.Services[0], "ServerReflectionInfo");
}
