namespace Replication.Admin.Configuration;

/// <summary>The formats an import reads.</summary>
public enum ConfigFormat
{
    /// <summary>This app's own YAML (what export writes).</summary>
    Native,

    /// <summary>A regclient/regsync configuration file.</summary>
    Regsync,

    /// <summary>A <c>skopeo sync --src yaml</c> file.</summary>
    Skopeo,
}

/// <summary>An import: the file, its format, and whether to only say what would happen.</summary>
/// <param name="Text">The file's content.</param>
/// <param name="Format">Which format it is in.</param>
/// <param name="DryRun">True: compare and validate only; nothing is changed.</param>
/// <param name="Passwords">Passwords typed in the import dialog, by registry name (files never need to carry them).</param>
/// <param name="Destination">skopeo only: the destination given to <c>skopeo sync</c> after the file (<c>registry.example.com/project</c>).</param>
public sealed record ConfigImportRequest(
    string Text,
    ConfigFormat Format = ConfigFormat.Native,
    bool DryRun = true,
    IReadOnlyDictionary<string, string>? Passwords = null,
    string? Destination = null);

/// <summary>A registry or rule the import creates, changes or leaves alone; <see cref="Changes"/> says what changes.</summary>
public sealed record ConfigItem(string Kind, string Name, IReadOnlyList<string> Changes);

/// <summary>
/// What an import did, or would do: created, changed and unchanged entries, what cannot be expressed, and, when it
/// was refused, every field's problem or the line and column where the file cannot be read.
/// </summary>
public sealed record ConfigImportResult(
    IReadOnlyList<ConfigItem> Create,
    IReadOnlyList<ConfigItem> Change,
    IReadOnlyList<ConfigItem> Unchanged,
    IReadOnlyList<UnsupportedEntry> Unsupported,
    IReadOnlyDictionary<string, string[]> Errors,
    IReadOnlyList<string> PasswordsNeeded,
    bool Applied,
    ConfigSyntaxException? SyntaxError = null)
{
    public bool Succeeded => SyntaxError is null && Errors.Count == 0;

    public static ConfigImportResult Unreadable(ConfigSyntaxException error) => new([], [], [], [], new Dictionary<string, string[]>(), [], false, error);
}
