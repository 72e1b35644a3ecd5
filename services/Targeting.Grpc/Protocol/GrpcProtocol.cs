using System.Text;
using Microsoft.Extensions.Primitives;

namespace Targeting.Grpc;

/// <summary>Header names and cached values of gRPC over HTTP/2 (grpc/grpc doc/PROTOCOL-HTTP2.md).</summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string StatusDetailsHeader = "grpc-status-details-bin";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string MessageTypeHeader = "grpc-message-type";
    public const string RetryPushbackHeader = "grpc-retry-pushback-ms";
    public const string TeHeader = "te";
    public const string DaprAppIdHeader = "dapr-app-id";
    public const string Identity = "identity";
    public const string Gzip = "gzip";
    public const string SupportedEncodings = "identity,gzip";

    /// <summary>Size of the length prefix before each message: 1 byte compressed flag + 4 bytes big-endian length.</summary>
    public const int HeaderSize = 5;

    /// <summary>Default limit on a received message, as in the other gRPC implementations: 4 MiB.</summary>
    public const int DefaultMaxReceiveMessageSize = 4 * 1024 * 1024;

    public static readonly StringValues ContentTypeValue = new(ContentType);
    public static readonly StringValues GzipValue = new(Gzip);
    public static readonly StringValues SupportedEncodingsValue = new(SupportedEncodings);

    // grpc-status values are sent on every call: cache them instead of formatting each time.
    private static readonly StringValues[] StatusValues = CreateStatusValues();

    public static StringValues StatusValue(StatusCode code)
    {
        var index = (int)code;
        return (uint)index < (uint)StatusValues.Length ? StatusValues[index] : new StringValues(index.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static StringValues[] CreateStatusValues()
    {
        var values = new StringValues[17];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = new StringValues(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return values;
    }

    /// <summary>
    /// True for "application/grpc" and "application/grpc+proto", with or without parameters. Other
    /// subtypes (+json, custom) are gRPC but not a format this layer speaks.
    /// </summary>
    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var rest = contentType.AsSpan(ContentType.Length);
        if (rest.IsEmpty || rest[0] == ';')
        {
            return true;
        }
        return rest.StartsWith("+proto", StringComparison.OrdinalIgnoreCase)
            && (rest.Length == 6 || rest[6] == ';');
    }

    /// <summary>True when the content type starts with "application/grpc" at all (any subtype).</summary>
    public static bool IsAnyGrpcContentType(string? contentType) =>
        contentType is not null && contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a comma-separated grpc-accept-encoding list names gzip.</summary>
    public static bool AcceptsGzip(StringValues acceptEncoding)
    {
        foreach (var value in acceptEncoding)
        {
            if (value is null)
            {
                continue;
            }
            foreach (var range in value.AsSpan().Split(','))
            {
                if (value.AsSpan()[range].Trim().Equals(Gzip, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>
    /// Percent-encodes a status message as the spec requires: UTF-8, then every byte outside
    /// 0x20-0x7E, and '%' itself, as %XX.
    /// </summary>
    public static string PercentEncode(string message)
    {
        var needsEncoding = false;
        foreach (var c in message)
        {
            if (c < 0x20 || c > 0x7E || c == '%')
            {
                needsEncoding = true;
                break;
            }
        }
        if (!needsEncoding)
        {
            return message;
        }

        var bytes = Encoding.UTF8.GetBytes(message);
        var builder = new StringBuilder(bytes.Length * 2);
        foreach (var b in bytes)
        {
            if (b < 0x20 || b > 0x7E || b == (byte)'%')
            {
                builder.Append('%').Append(HexDigit(b >> 4)).Append(HexDigit(b & 0xF));
            }
            else
            {
                builder.Append((char)b);
            }
        }
        return builder.ToString();
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'A' + value - 10);

    /// <summary>
    /// Decodes a percent-encoded status message. Broken %-sequences are kept as they are (the spec
    /// forbids failing on them); invalid UTF-8 becomes U+FFFD.
    /// </summary>
    public static string PercentDecode(string value)
    {
        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return value;
        }
        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%' && i + 2 < value.Length && IsHex(value[i + 1]) && IsHex(value[i + 2]))
            {
                bytes.Add((byte)((HexValue(value[i + 1]) << 4) | HexValue(value[i + 2])));
                i += 2;
            }
            else if (c <= 0x7F)
            {
                bytes.Add((byte)c);
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool IsHex(char c) => c is (>= '0' and <= '9') or (>= 'a' and <= 'f') or (>= 'A' and <= 'F');

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => c - 'A' + 10,
    };

    /// <summary>Base64 without padding, as the spec asks senders to emit for -bin metadata.</summary>
    public static string ToUnpaddedBase64(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    /// <summary>Decodes base64 with or without padding (receivers must accept both).</summary>
    public static byte[] FromBase64(string value)
    {
        var trimmed = value.Trim();
        var remainder = trimmed.Length % 4;
        if (remainder != 0)
        {
            trimmed += new string('=', 4 - remainder);
        }
        return Convert.FromBase64String(trimmed);
    }
}
