using Targeting.Feedback.V1;
using Targeting.Grpc;
using Targeting.Web.V1;

namespace Targeting.Web;

/// <summary>
/// The public page's rpc (targeting.web.v1.PublicGateway), mapped anonymous: the web asks the
/// feedback service for the transparency report under its own service identity. The report is the
/// suppressed whole-month aggregates, the same for every caller, so nothing depends on who asks.
/// </summary>
public sealed class PublicGatewayService(ServiceClients clients) : PublicGateway.PublicGatewayBase
{
    private static readonly GrpcMethod<TransparencyRequest, TransparencyReport> TransparencyRpc =
        GrpcMethod<TransparencyRequest, TransparencyReport>.For(FeedbackReflection.Descriptor.Services[0], "GetTransparencyReport");

    public override Task<TransparencyReport> GetTransparencyReport(TransparencyRequest request, ServerCallContext context) =>
        clients.Get(WebClients.FeedbackAsWeb).UnaryAsync(TransparencyRpc, request, WebGatewayService.Timed(context));
}
