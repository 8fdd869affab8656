namespace Replication.Admin.Configuration;

/// <summary>
/// The "rules as code" YAML document: registries (never their secrets) and rules, each keyed by its name. Mirrors the
/// API's shapes, with registries referred to by name instead of id so a file moves between installations.
/// </summary>
public sealed class ConfigDocument
{
    public const int CurrentVersion = 1;

    public int Version { get; set; } = CurrentVersion;

    public List<RegistryDocument> Registries { get; set; } = [];

    public List<RuleDocument> Rules { get; set; } = [];
}

/// <summary>A registry. <see cref="Password"/> is accepted on import but never exported; prefer <see cref="PasswordFromEnv"/>.</summary>
public sealed class RegistryDocument
{
    public string? Name { get; set; }

    public string? Url { get; set; }

    public string? Type { get; set; }

    /// <summary><c>generic</c> (when missing), <c>docker-hub</c>, <c>ghcr</c>, <c>quay</c>, <c>gitlab</c> or <c>harbor</c>.</summary>
    public string? Kind { get; set; }

    public string? Username { get; set; }

    /// <summary>Name of an environment variable of the server that holds the password, read at import.</summary>
    public string? PasswordFromEnv { get; set; }

    /// <summary>Import only (never exported): the password in clear text.</summary>
    public string? Password { get; set; }

    public bool? VerifyTls { get; set; }

    public string? CaCertificate { get; set; }

    public string? Description { get; set; }
}

/// <summary>A replication rule, with its registries by name.</summary>
public sealed class RuleDocument
{
    public string? Name { get; set; }

    public string? Description { get; set; }

    public string? SourceRegistry { get; set; }

    public string? SourceProject { get; set; }

    public RepositoriesDocument? Repositories { get; set; }

    public TagsDocument? Tags { get; set; }

    public string? DestinationRegistry { get; set; }

    public string? DestinationProject { get; set; }

    /// <summary>Missing = keep the full path, no prefix.</summary>
    public DestinationNamingDocument? DestinationNaming { get; set; }

    public TriggerDocument? Trigger { get; set; }

    /// <summary>Platforms of multi-platform images to copy; missing or empty = all.</summary>
    public List<string>? Platforms { get; set; }

    /// <summary>KiB/s shared by the rule's transfers; missing = the global default.</summary>
    public int? BandwidthLimitKiBps { get; set; }

    public bool? Override { get; set; }

    public bool? IncludeReferrers { get; set; }

    public bool? Enabled { get; set; }
}

public sealed class RepositoriesDocument
{
    public List<string>? Include { get; set; }

    public List<string>? Exclude { get; set; }

    public List<string>? Names { get; set; }
}

public sealed class TagsDocument
{
    public List<string>? Include { get; set; }

    public List<string>? Exclude { get; set; }

    /// <summary>Semantic-version range (<c>&gt;=1.2 &lt;2</c>); missing = none.</summary>
    public string? Semver { get; set; }

    /// <summary>Only this many newest tags per repository; missing = all.</summary>
    public int? Newest { get; set; }
}

/// <summary><c>{flatten: none|1|2|3|all, prefix: mirror}</c>, as the API's <c>destinationNaming</c>.</summary>
public sealed class DestinationNamingDocument
{
    public string? Flatten { get; set; }

    public string? Prefix { get; set; }
}

public sealed class TriggerDocument
{
    public string? Mode { get; set; }

    public string? Cron { get; set; }

    public bool? ReplicateDeletions { get; set; }

    public bool? ReplicateExisting { get; set; }
}
