using System.Security.Cryptography;

namespace Replication.Registry.Content;

/// <summary>Computing and verifying OCI digests (<c>sha256:&lt;64 hex&gt;</c>); their grammar is <see cref="References"/>.</summary>
public static class Digests
{
    /// <summary>A digest this client can compute and verify: sha256 or sha512 (see <see cref="References.IsDigest"/> for any well-formed one).</summary>
    public static bool IsSupported(string? digest) =>
        References.IsDigest(digest) && Algorithm(digest!) is "sha256" or "sha512";

    public static string Sha256(ReadOnlySpan<byte> bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Digest of <paramref name="bytes"/> with the algorithm <paramref name="like"/> uses (sha256 or sha512).</summary>
    public static string Compute(ReadOnlySpan<byte> bytes, string like) =>
        Algorithm(like) switch
        {
            "sha512" => "sha512:" + Convert.ToHexStringLower(SHA512.HashData(bytes)),
            _ => Sha256(bytes),
        };

    public static string Algorithm(string digest)
    {
        var colon = digest.IndexOf(':');
        return colon < 0 ? "" : digest[..colon];
    }

    public static string Hex(string digest) => digest[(digest.IndexOf(':') + 1)..];

    internal static IncrementalHash CreateHash(string digest) =>
        Algorithm(digest) switch
        {
            "sha256" => IncrementalHash.CreateHash(HashAlgorithmName.SHA256),
            "sha512" => IncrementalHash.CreateHash(HashAlgorithmName.SHA512),
            var other => throw new ArgumentException($"Digest algorithm '{other}' is not supported; use sha256 or sha512.", nameof(digest)),
        };

    internal static string Format(string digest, IncrementalHash hash) =>
        Algorithm(digest) + ":" + Convert.ToHexStringLower(hash.GetCurrentHash());

    internal static void RequireDigest(string digest)
    {
        if (!IsSupported(digest))
        {
            throw new ArgumentException($"'{digest}' is not a valid digest (expected 'sha256:' followed by 64 hex digits).", nameof(digest));
        }
    }
}
