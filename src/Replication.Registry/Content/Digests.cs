using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Replication.Registry.Content;

/// <summary>OCI digests (<c>sha256:&lt;64 hex&gt;</c>) and the names and references that go into URL paths.</summary>
public static partial class Digests
{
    public static bool IsDigest(string reference) => DigestPattern().IsMatch(reference);

    public static bool IsTag(string reference) => TagPattern().IsMatch(reference);

    public static bool IsRepositoryName(string name) => name.Length <= 255 && RepositoryPattern().IsMatch(name);

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

    internal static void RequireRepository(string name)
    {
        if (!IsRepositoryName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid repository name (lowercase path components such as 'team/app').", nameof(name));
        }
    }

    internal static void RequireDigest(string digest)
    {
        if (!IsDigest(digest))
        {
            throw new ArgumentException($"'{digest}' is not a valid digest (expected 'sha256:' followed by 64 hex digits).", nameof(digest));
        }
    }

    internal static void RequireReference(string reference)
    {
        if (!IsTag(reference) && !IsDigest(reference))
        {
            throw new ArgumentException($"'{reference}' is neither a valid tag nor a digest.", nameof(reference));
        }
    }

    [GeneratedRegex("^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$")]
    private static partial Regex DigestPattern();

    [GeneratedRegex("^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$")]
    private static partial Regex TagPattern();

    [GeneratedRegex("^[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryPattern();
}
