using Google.Protobuf.Reflection;
using Targeting.Testing.V1;

namespace Targeting.Grpc.Tests.Support;

/// <summary>Client handles on the interop TestService's rpcs.</summary>
internal static class TestMethods
{
    public static readonly ServiceDescriptor Service = TestReflection.Descriptor.FindTypeByName<ServiceDescriptor>("TestService");
    public static readonly ServiceDescriptor Unimplemented = TestReflection.Descriptor.FindTypeByName<ServiceDescriptor>("UnimplementedService");

    public static readonly GrpcMethod<Empty, Empty> EmptyCall = GrpcMethod<Empty, Empty>.For(Service, "EmptyCall");
    public static readonly GrpcMethod<SimpleRequest, SimpleResponse> UnaryCall = GrpcMethod<SimpleRequest, SimpleResponse>.For(Service, "UnaryCall");
    public static readonly GrpcMethod<StreamingOutputCallRequest, StreamingOutputCallResponse> StreamingOutputCall = GrpcMethod<StreamingOutputCallRequest, StreamingOutputCallResponse>.For(Service, "StreamingOutputCall");
    public static readonly GrpcMethod<StreamingInputCallRequest, StreamingInputCallResponse> StreamingInputCall = GrpcMethod<StreamingInputCallRequest, StreamingInputCallResponse>.For(Service, "StreamingInputCall");
    public static readonly GrpcMethod<StreamingOutputCallRequest, StreamingOutputCallResponse> FullDuplexCall = GrpcMethod<StreamingOutputCallRequest, StreamingOutputCallResponse>.For(Service, "FullDuplexCall");
    public static readonly GrpcMethod<SleepRequest, SleepResponse> Sleep = GrpcMethod<SleepRequest, SleepResponse>.For(Service, "Sleep");
    public static readonly GrpcMethod<FlakyRequest, FlakyResponse> FlakyCall = GrpcMethod<FlakyRequest, FlakyResponse>.For(Service, "FlakyCall");
    public static readonly GrpcMethod<FlakyRequest, FlakyResponse> FlakyCallWithSideEffects = GrpcMethod<FlakyRequest, FlakyResponse>.For(Service, "FlakyCallWithSideEffects");
    public static readonly GrpcMethod<FlakyRequest, FlakyResponse> FlakyStream = GrpcMethod<FlakyRequest, FlakyResponse>.For(Service, "FlakyStream");
    public static readonly GrpcMethod<Empty, CallerInfo> WhoAmI = GrpcMethod<Empty, CallerInfo>.For(Service, "WhoAmI");
    public static readonly GrpcMethod<Empty, Empty> UnimplementedCall = GrpcMethod<Empty, Empty>.For(Service, "UnimplementedCall");
    public static readonly GrpcMethod<Empty, Empty> UnimplementedServiceCall = GrpcMethod<Empty, Empty>.For(Unimplemented, "UnimplementedCall");

    public static StreamingOutputCallRequest Sizes(params int[] sizes)
    {
        var request = new StreamingOutputCallRequest();
        foreach (var size in sizes)
        {
            request.ResponseParameters.Add(new ResponseParameters { Size = size });
        }
        return request;
    }
}
