using Targeting.Feedback.V1;
using Targeting.Grpc;

namespace Targeting.Feedback;

/// <summary>
/// A typed client of the feedback service over the gRPC layer's <see cref="GrpcClient"/>, for the
/// command line, the web front and tests. Thread-safe; every rpc is NO_SIDE_EFFECTS, so the
/// client retries them on UNAVAILABLE. Failures throw <see cref="RpcException"/>.
/// </summary>
public sealed class FeedbackClient(GrpcClient client)
{
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor Service = FeedbackReflection.Descriptor.Services[0];
    private static readonly GrpcMethod<EvaluatePlanRequest, PlanEvaluation> EvaluatePlanMethod = GrpcMethod<EvaluatePlanRequest, PlanEvaluation>.For(Service, "EvaluatePlan");
    private static readonly GrpcMethod<CrimeChangeRequest, CrimeChangeReport> AssessCrimeChangeMethod = GrpcMethod<CrimeChangeRequest, CrimeChangeReport>.For(Service, "AssessCrimeChange");
    private static readonly GrpcMethod<FairnessRequest, FairnessReport> AssessFairnessMethod = GrpcMethod<FairnessRequest, FairnessReport>.For(Service, "AssessFairness");
    private static readonly GrpcMethod<ProceduralJusticeRequest, ProceduralJusticeReport> AssessProceduralJusticeMethod = GrpcMethod<ProceduralJusticeRequest, ProceduralJusticeReport>.For(Service, "AssessProceduralJustice");
    private static readonly GrpcMethod<TransparencyRequest, TransparencyReport> GetTransparencyReportMethod = GrpcMethod<TransparencyRequest, TransparencyReport>.For(Service, "GetTransparencyReport");
    private static readonly GrpcMethod<VehicleStopsRequest, VehicleStopsReport> AssessVehicleStopsMethod = GrpcMethod<VehicleStopsRequest, VehicleStopsReport>.For(Service, "AssessVehicleStops");

    /// <summary>The underlying client.</summary>
    public GrpcClient Client { get; } = client ?? throw new ArgumentNullException(nameof(client));

    public Task<PlanEvaluation> EvaluatePlanAsync(EvaluatePlanRequest request, CallOptions? options = null) =>
        Client.UnaryAsync(EvaluatePlanMethod, request, options);

    public Task<CrimeChangeReport> AssessCrimeChangeAsync(CrimeChangeRequest request, CallOptions? options = null) =>
        Client.UnaryAsync(AssessCrimeChangeMethod, request, options);

    public Task<FairnessReport> AssessFairnessAsync(FairnessRequest request, CallOptions? options = null) =>
        Client.UnaryAsync(AssessFairnessMethod, request, options);

    public Task<ProceduralJusticeReport> AssessProceduralJusticeAsync(ProceduralJusticeRequest request, CallOptions? options = null) =>
        Client.UnaryAsync(AssessProceduralJusticeMethod, request, options);

    public Task<TransparencyReport> GetTransparencyReportAsync(TransparencyRequest request, CallOptions? options = null) =>
        Client.UnaryAsync(GetTransparencyReportMethod, request, options);

    public Task<VehicleStopsReport> AssessVehicleStopsAsync(VehicleStopsRequest request, CallOptions? options = null) =>
        Client.UnaryAsync(AssessVehicleStopsMethod, request, options);
}
