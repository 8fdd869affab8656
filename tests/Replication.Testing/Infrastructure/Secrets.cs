using System.Security.Cryptography;

namespace Replication.Testing;

/// <summary>Random values for passwords and names.</summary>
internal static class Secrets
{
    public static string NewPassword() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    public static string NewId() => Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant();
}
