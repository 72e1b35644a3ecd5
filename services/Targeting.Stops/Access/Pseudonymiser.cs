using System.Security.Cryptography;
using System.Text;

namespace Targeting.Stops.Access;

/// <summary>
/// Keyed pseudonyms for analytic views: HMAC-SHA256 of the officer's pseudonym under a secret key,
/// so analysts can group by officer without being able to recover (or brute-force without the
/// key) the operational pseudonym. Deterministic for a key; thread-safe.
/// </summary>
public sealed class Pseudonymiser(byte[] key)
{
    public const string Prefix = "hmac-";

    /// <summary>The keyed pseudonym (128 bits, hex); an empty id stays empty.</summary>
    public string Pseudonymise(string id)
    {
        if (id.Length == 0)
        {
            return id;
        }

        Span<byte> hash = stackalloc byte[32];
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(id), hash);
        return Prefix + Convert.ToHexStringLower(hash[..16]);
    }
}
