using Microsoft.Extensions.Logging;

namespace Targeting.Grpc;

/// <summary>Every log message of the gRPC layer, source-generated (no formatting unless enabled).</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Error, "Unhandled exception in gRPC handler {Method}; the caller gets INTERNAL")]
    public static partial void UnhandledException(ILogger logger, string method, Exception exception);

    [LoggerMessage(2, LogLevel.Warning, "gRPC call {Method} ended with {StatusCode}: {Detail}")]
    public static partial void ErrorStatus(ILogger logger, string method, StatusCode statusCode, string detail, Exception? exception);

    [LoggerMessage(3, LogLevel.Debug, "gRPC call {Method} passed its deadline")]
    public static partial void DeadlineExceeded(ILogger logger, string method);

    [LoggerMessage(4, LogLevel.Debug, "gRPC call {Method} was cancelled by the client")]
    public static partial void CancelledByClient(ILogger logger, string method);

    [LoggerMessage(5, LogLevel.Information, "gRPC call {Method} rejected: {Reason}")]
    public static partial void Unauthenticated(ILogger logger, string method, string reason);

    [LoggerMessage(6, LogLevel.Information, "gRPC call {Method} by {Subject} denied: role not allowed")]
    public static partial void PermissionDenied(ILogger logger, string method, string subject);

    [LoggerMessage(7, LogLevel.Debug, "gRPC call to unknown method {Path}")]
    public static partial void UnknownMethod(ILogger logger, string path);

    [LoggerMessage(8, LogLevel.Debug, "gRPC call {Method}: dropped header {Header} whose value is not valid gRPC metadata")]
    public static partial void MalformedHeader(ILogger logger, string method, string header);

    [LoggerMessage(9, LogLevel.Debug, "gRPC call {Method}: dropped binary header {Header} that is not base64")]
    public static partial void MalformedBinaryHeader(ILogger logger, string method, string header);

    [LoggerMessage(10, LogLevel.Warning, "gRPC call {Method}: could not send DEADLINE_EXCEEDED")]
    public static partial void DeadlineCompletionFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(11, LogLevel.Information, "gRPC health of '{Service}' is now {Status}")]
    public static partial void HealthChanged(ILogger logger, string service, ServingStatus status);

    [LoggerMessage(12, LogLevel.Warning, "gRPC authentication uses the built-in development signing key (environment is Development)")]
    public static partial void UsingDevelopmentKey(ILogger logger);
}
