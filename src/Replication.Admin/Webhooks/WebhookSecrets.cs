using System.Security.Cryptography;
using System.Text;

namespace Replication.Admin.Webhooks;

/// <summary>
/// Per-registry webhook secrets: generated with 256 random bits, shown once, stored only as a SHA-256 hash (the secret
/// is random, so a plain hash is enough), compared in constant time.
/// </summary>
public static class WebhookSecrets
{
    private const string HashPrefix = "sha256:";

    /// <summary>A new secret (URL-safe base64 of 32 random bytes).</summary>
    public static string Generate() => Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    /// <summary>What is stored for <paramref name="secret"/>.</summary>
    public static string Hash(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return HashPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
    }

    /// <summary>Whether <paramref name="presented"/> is the secret behind <paramref name="storedHash"/>, in constant time.</summary>
    public static bool Matches(string? storedHash, string? presented)
    {
        if (string.IsNullOrEmpty(storedHash) || !storedHash.StartsWith(HashPrefix, StringComparison.Ordinal) || presented is null)
        {
            return false;
        }

        byte[] expected;
        try
        {
            expected = Convert.FromHexString(storedHash.AsSpan(HashPrefix.Length));
        }
        catch (FormatException)
        {
            return false;
        }

        var actual = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
