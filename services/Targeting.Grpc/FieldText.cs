namespace Targeting.Grpc;

/// <summary>
/// Bounds what an error message repeats of the caller's input. Error details travel in HTTP/2
/// trailers (grpc-message, grpc-status-details-bin), which clients cap (HttpClient at 64 KiB,
/// gRPC C-core at 8-16 KiB) and reject the whole connection beyond: a 100,000-character value
/// echoed back would break every other call on that connection.
/// </summary>
public static class FieldText
{
    /// <summary>Most characters of a caller's value quoted in an error.</summary>
    public const int MaxQuoted = 60;

    /// <summary>Most characters of one violation's description.</summary>
    public const int MaxDescription = 200;

    /// <summary>The value in single quotes, cut to <see cref="MaxQuoted"/> characters with its full length said.</summary>
    public static string Quote(string value) =>
        value.Length <= MaxQuoted ? $"'{value}'" : $"'{value[..MaxQuoted]}…' ({value.Length} characters)";

    /// <summary>A description cut to <see cref="MaxDescription"/> characters (parser messages may quote input).</summary>
    public static string Bound(string description) =>
        description.Length <= MaxDescription ? description : description[..MaxDescription] + "…";
}
