namespace Replication.Admin.Registries;

/// <summary>A registry the administrator registered: where it is, how to sign in, and how it answered last time.</summary>
public sealed class RegistryEndpoint
{
    public int Id { get; set; }

    public required string Name { get; set; }

    /// <summary>Root URL (scheme, host, optional port), without the <c>/v2/</c> path.</summary>
    public required string Url { get; set; }

    /// <summary>One of <see cref="RegistryTypes"/>.</summary>
    public string Type { get; set; } = RegistryTypes.DockerRegistry;

    /// <summary>One of <see cref="RegistryKinds"/>: the product, for its defaults and quirks.</summary>
    public string Kind { get; set; } = RegistryKinds.Generic;

    /// <summary>Null for anonymous access.</summary>
    public string? Username { get; set; }

    /// <summary>The password encrypted with Data Protection; never the plain text.</summary>
    public string? ProtectedPassword { get; set; }

    public bool VerifyTls { get; set; } = true;

    /// <summary>PEM of an extra CA to trust for this registry.</summary>
    public string? CaCertificate { get; set; }

    public string Description { get; set; } = "";

    public RegistryStatus Status { get; set; } = RegistryStatus.Unknown;

    public DateTimeOffset? LastCheckedAt { get; set; }

    /// <summary>What the last Test Connection said, shown beside the status.</summary>
    public string? LastCheckMessage { get; set; }

    /// <summary>Hash of the webhook secret (the events feature fills it); the secret itself is never stored.</summary>
    public string? WebhookSecretHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string CreatedBy { get; set; } = "";

    public DateTimeOffset UpdatedAt { get; set; }

    public string UpdatedBy { get; set; } = "";

    public CredentialKind CredentialKind => string.IsNullOrEmpty(Username) ? CredentialKind.Anonymous : CredentialKind.UsernamePassword;

    // Never print the protected password, even encrypted.
    public override string ToString() => $"RegistryEndpoint {{ Id = {Id}, Name = {Name}, Url = {Url} }}";
}

public static class RegistryTypes
{
    /// <summary>Any OCI distribution v2 registry (CNCF distribution, GHCR, Quay, GitLab, ...).</summary>
    public const string DockerRegistry = "docker-registry";

    /// <summary>Harbor: also speaks Harbor's project API.</summary>
    public const string Harbor = "harbor";

    public static IReadOnlyList<string> All { get; } = [DockerRegistry, Harbor];

    public static string DisplayName(string type) => type switch
    {
        DockerRegistry => "Docker registry (OCI)",
        Harbor => "Harbor",
        _ => type,
    };
}

public enum RegistryStatus
{
    Unknown,
    Healthy,
    Unhealthy,
}

public enum CredentialKind
{
    Anonymous,
    UsernamePassword,
}
