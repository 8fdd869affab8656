using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;

namespace Replication.Admin.Security;

/// <summary>
/// Remembers for a minute that an account's password checked out over HTTP Basic, so automation that polls the API
/// does not pay the password hash (PBKDF2, 100,000 rounds) on every request. Entries are keyed by a keyed hash of
/// the account, its security stamp and the password: the password itself is never kept, and a password change (new
/// stamp) makes the old entry unreachable at once.
/// </summary>
public sealed class VerifiedCredentials(TimeProvider time)
{
    /// <summary>How long a verified password is taken on trust.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    private const int PruneAbove = 1024;

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _verified = new(StringComparer.Ordinal);

    /// <summary>Whether this password was verified for this account (as it is now) within <see cref="Lifetime"/>.</summary>
    public bool Contains(IdentityUser user, string password) =>
        _verified.TryGetValue(Key(user, password), out var until) && until > time.GetUtcNow();

    /// <summary>Records a successful password check.</summary>
    public void Add(IdentityUser user, string password)
    {
        var now = time.GetUtcNow();
        if (_verified.Count >= PruneAbove)
        {
            foreach (var (key, until) in _verified)
            {
                if (until <= now)
                {
                    _verified.TryRemove(key, out _);
                }
            }
        }

        _verified[Key(user, password)] = now + Lifetime;
    }

    private string Key(IdentityUser user, string password) =>
        Convert.ToHexString(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{user.Id}\n{user.SecurityStamp}\n{password}")));
}
