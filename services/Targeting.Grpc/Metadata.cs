using System.Collections;

namespace Targeting.Grpc;

/// <summary>
/// gRPC metadata: ordered key/value pairs sent as HTTP/2 headers or trailers. Keys are lower-case
/// (0-9 a-z _ - .); keys ending in "-bin" carry bytes (sent base64-encoded), the others printable
/// ASCII. Keys starting with "grpc-" are reserved by the protocol and rejected.
/// </summary>
public sealed class Metadata : IReadOnlyList<Metadata.Entry>
{
    public const string BinarySuffix = "-bin";

    private readonly List<Entry> _entries = [];

    public int Count => _entries.Count;

    public Entry this[int index] => _entries[index];

    /// <summary>Adds an ASCII entry. The key must not end in "-bin".</summary>
    public Metadata Add(string key, string value)
    {
        _entries.Add(new Entry(key, value));
        return this;
    }

    /// <summary>Adds a binary entry. The key must end in "-bin".</summary>
    public Metadata Add(string key, byte[] value)
    {
        _entries.Add(new Entry(key, value));
        return this;
    }

    /// <summary>The last entry with this key, or null.</summary>
    public Entry? Get(string key)
    {
        var normalized = NormalizeKey(key);
        for (var i = _entries.Count - 1; i >= 0; i--)
        {
            if (_entries[i].Key == normalized)
            {
                return _entries[i];
            }
        }
        return null;
    }

    /// <summary>The string value of the last ASCII entry with this key, or null.</summary>
    public string? GetValue(string key) => Get(key)?.Value;

    /// <summary>The bytes of the last binary entry with this key, or null.</summary>
    public byte[]? GetValueBytes(string key) => Get(key)?.ValueBytes;

    /// <summary>Every entry with this key, in order.</summary>
    public IEnumerable<Entry> GetAll(string key)
    {
        var normalized = NormalizeKey(key);
        return _entries.Where(entry => entry.Key == normalized);
    }

    public bool Remove(string key) => _entries.RemoveAll(entry => entry.Key == NormalizeKey(key)) > 0;

    public IEnumerator<Entry> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal static string NormalizeKey(string key) => key.ToLowerInvariant();

    internal static bool IsBinaryKey(string key) => key.EndsWith(BinarySuffix, StringComparison.Ordinal);

    /// <summary>Header names that carry the protocol itself, never exposed as metadata.</summary>
    internal static bool IsReservedHeader(string key) =>
        key.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith(':')
        || key.Equals("content-type", StringComparison.OrdinalIgnoreCase)
        || key.Equals("te", StringComparison.OrdinalIgnoreCase)
        || key.Equals("host", StringComparison.OrdinalIgnoreCase)
        || key.Equals("content-length", StringComparison.OrdinalIgnoreCase)
        || key.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase)
        || key.Equals("connection", StringComparison.OrdinalIgnoreCase);

    /// <summary>One metadata entry: an ASCII value, or bytes for a "-bin" key.</summary>
    public sealed class Entry
    {
        public Entry(string key, string value)
        {
            Key = ValidateKey(key);
            if (IsBinaryKey(Key))
            {
                throw new ArgumentException($"Metadata key '{Key}' ends in -bin, so its value must be bytes.", nameof(key));
            }
            foreach (var c in value)
            {
                if (c is < (char)0x20 or > (char)0x7E)
                {
                    throw new ArgumentException($"Metadata value for '{Key}' must be printable ASCII (0x20-0x7E).", nameof(value));
                }
            }
            Value = value;
        }

        public Entry(string key, byte[] value)
        {
            Key = ValidateKey(key);
            if (!IsBinaryKey(Key))
            {
                throw new ArgumentException($"Binary metadata key '{Key}' must end in -bin.", nameof(key));
            }
            ValueBytes = value;
        }

        public string Key { get; }

        /// <summary>The value of an ASCII entry (null for a binary one).</summary>
        public string? Value { get; }

        /// <summary>The value of a binary entry (null for an ASCII one).</summary>
        public byte[]? ValueBytes { get; }

        public bool IsBinary => ValueBytes is not null;

        /// <summary>The value as it travels in a header: base64 without padding for binary entries.</summary>
        internal string HeaderValue => ValueBytes is { } bytes ? GrpcProtocol.ToUnpaddedBase64(bytes) : Value!;

        public override string ToString() => IsBinary ? $"{Key}: <{ValueBytes!.Length} bytes>" : $"{Key}: {Value}";

        private static string ValidateKey(string key)
        {
            ArgumentException.ThrowIfNullOrEmpty(key);
            var normalized = NormalizeKey(key);
            foreach (var c in normalized)
            {
                if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'z') or '_' or '-' or '.'))
                {
                    throw new ArgumentException($"Metadata key '{key}' may contain only 0-9 a-z _ - . characters.", nameof(key));
                }
            }
            if (normalized.StartsWith("grpc-", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Metadata key '{key}' is reserved: keys starting with grpc- belong to the protocol.", nameof(key));
            }
            return normalized;
        }
    }
}
