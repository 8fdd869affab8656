namespace Replication.Admin.Security;

/// <summary>
/// Configuration section <c>Security:FailedAttempts</c>: how many failed sign-ins (form or HTTP Basic, any account) or
/// failed webhook secrets one client address may send in a window before its further attempts are refused with 429.
/// </summary>
public sealed class FailedAttemptOptions
{
    public const string SectionName = "Security:FailedAttempts";

    /// <summary>Failures allowed per client address and window; the next attempt is refused.</summary>
    public int Limit { get; set; } = 10;

    /// <summary>The window: an address that used up its failures is refused for at most this long.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);
}
