using Microsoft.Extensions.Logging;

namespace Targeting.Grpc;

/// <summary>Every log message of the gRPC glue, source-generated (no formatting unless enabled).</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Error, "Unhandled exception in gRPC handler {Method}; the caller gets INTERNAL")]
    public static partial void UnhandledException(ILogger logger, string method, Exception exception);

    [LoggerMessage(2, LogLevel.Warning, "gRPC call {Method} ended with {StatusCode}: {Detail}")]
    public static partial void ErrorStatus(ILogger logger, string method, StatusCode statusCode, string detail, Exception? exception);

    [LoggerMessage(5, LogLevel.Information, "gRPC call {Method} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string method, string reason);

    [LoggerMessage(11, LogLevel.Information, "gRPC health of '{Service}' is now {Status}")]
    public static partial void HealthChanged(ILogger logger, string service, ServingStatus status);

    [LoggerMessage(12, LogLevel.Warning, "gRPC authentication uses the built-in development signing key (environment is Development)")]
    public static partial void UsingDevelopmentKey(ILogger logger);
}
