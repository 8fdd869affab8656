namespace Replication.Admin.Security;

/// <summary>Configuration section <c>Admin</c>: the first administrator, created only when no account exists.</summary>
public sealed class AdminOptions
{
    public const string SectionName = "Admin";

    public string UserName { get; set; } = "admin";

    /// <summary>Empty: a strong random password is generated and written to the log once.</summary>
    public string? InitialPassword { get; set; }

    public override string ToString() => $"AdminOptions {{ UserName = {UserName} }}";
}
