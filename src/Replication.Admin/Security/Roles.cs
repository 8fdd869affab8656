namespace Replication.Admin.Security;

/// <summary>The two kinds of account.</summary>
public static class Roles
{
    /// <summary>Everything: registries, rules, runs, users.</summary>
    public const string Administrator = "Administrator";

    /// <summary>Sees everything, changes and runs nothing.</summary>
    public const string Viewer = "Viewer";

    public static IReadOnlyList<string> All { get; } = [Administrator, Viewer];
}

public static class Policies
{
    /// <summary>Changing or running anything.</summary>
    public const string Administrator = "Administrator";
}

public static class AuthenticationSchemes
{
    /// <summary>Chooses Basic for <c>Authorization: Basic</c> and the Identity cookie otherwise.</summary>
    public const string Portal = "Portal";

    public const string Basic = "Basic";

    /// <summary>An API token (<c>Authorization: Bearer</c>) on <c>/api/v1</c>.</summary>
    public const string Bearer = "Bearer";
}
