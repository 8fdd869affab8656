namespace Replication.Admin.Audit;

/// <summary>One thing somebody did: who, what, to what, when, and what changed (never a secret).</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>Account name, or the user name typed at a failed sign-in.</summary>
    public required string Who { get; set; }

    /// <summary>Dotted verb such as <c>registry.create</c> or <c>signin.failure</c> (see <see cref="AuditActions"/>).</summary>
    public required string Action { get; set; }

    /// <summary>What it was done to, in words an administrator recognises ("registry 'harbor-prod'").</summary>
    public string Target { get; set; } = "";

    public string Details { get; set; } = "";
}

/// <summary>The actions recorded so far; later features add theirs here.</summary>
public static class AuditActions
{
    public const string RegistryCreate = "registry.create";
    public const string RegistryUpdate = "registry.update";
    public const string RegistryDelete = "registry.delete";
    public const string RuleCreate = "rule.create";
    public const string RuleUpdate = "rule.update";
    public const string RuleDelete = "rule.delete";
    public const string SignInSuccess = "signin.success";
    public const string SignInFailure = "signin.failure";

    /// <summary>A client address used up its failed sign-ins: its further attempts are refused (429) for a while.</summary>
    public const string SignInThrottled = "signin.throttled";

    /// <summary>A signed-in account asked for something its role does not allow (403).</summary>
    public const string AccessDenied = "access.denied";

    /// <summary>A registry notification with a missing or wrong webhook secret, or for no such registry.</summary>
    public const string WebhookRefused = "webhook.refused";

    /// <summary>A client address used up its failed webhook secrets: its further notifications are refused (429) for a while.</summary>
    public const string WebhookThrottled = "webhook.throttled";
    public const string UserCreate = "user.create";
    public const string UserDelete = "user.delete";
    public const string UserRoleChange = "user.role";
    public const string UserPasswordChange = "user.password.change";
    public const string UserPasswordReset = "user.password.reset";
    public const string UserUnlock = "user.unlock";
    public const string TokenCreate = "token.create";
    public const string TokenRevoke = "token.revoke";
    public const string NotificationChannelCreate = "notification.create";
    public const string NotificationChannelUpdate = "notification.update";
    public const string NotificationChannelDelete = "notification.delete";
    public const string NotificationTest = "notification.test";
}
