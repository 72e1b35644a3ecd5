using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Targeting.Hotspot.Import;

/// <summary>
/// Gives incidents without a police.uk Crime ID a stable id: a SHA-256 of the row's fields plus
/// the row's occurrence index among identical rows of the same source (0 for the first).
/// </summary>
/// <remarks>
/// The hash leaves out the file name and row number, so re-importing a file, or importing a
/// subset and then the whole, yields the same ids (and counts duplicates, not new incidents);
/// the occurrence index keeps genuine repeats (two burglaries reported at the same snapped point
/// in the same month) distinct. One instance per source; not thread-safe.
/// </remarks>
public sealed class IncidentIdentity
{
    private const string Prefix = "sha256:";

    // Occurrences keyed by the hash's first 8 bytes: bounded by the number of distinct rows,
    // and a (vanishingly rare) prefix collision only shifts an index, never merges two ids.
    private readonly Dictionary<ulong, int> _occurrences = [];

    /// <summary>The id for a row made of <paramref name="fields"/>, leaving out the field at <paramref name="skip"/>.</summary>
    public string Next(IReadOnlyList<string> fields, int skip = -1)
    {
        var length = 0;
        for (var i = 0; i < fields.Count; i++)
        {
            length += Encoding.UTF8.GetMaxByteCount(fields[i].Length) + 1;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = 0;
            for (var i = 0; i < fields.Count; i++)
            {
                if (i == skip)
                {
                    continue;
                }

                written += Encoding.UTF8.GetBytes(fields[i].AsSpan().Trim(), buffer.AsSpan(written));
                buffer[written++] = 0x1F; // unit separator: no field can contain it unnoticed
            }

            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(buffer.AsSpan(0, written), hash);
            var key = BitConverter.ToUInt64(hash);
            _occurrences.TryGetValue(key, out var index);
            _occurrences[key] = index + 1;
            return Format(hash, index);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The id of an incident sent over ImportIncidents without one: a SHA-256 of its source, row
    /// number, time, point and type, so that sending the same file again gives the same ids.
    /// </summary>
    public static string ForWireIncident(V1.Incident incident)
    {
        var text = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{incident.Source}\u001F{incident.RowNumber}\u001F{incident.OccurredAt?.Seconds}\u001F{incident.OccurredAt?.Nanos}\u001F{incident.Location?.Latitude:R}\u001F{incident.Location?.Longitude:R}\u001F{incident.CrimeType}");
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return Prefix + Convert.ToHexStringLower(hash[..20]) + ".w";
    }

    private static string Format(ReadOnlySpan<byte> hash, int index) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Prefix}{Convert.ToHexStringLower(hash[..20])}.{index}");
}
