namespace Replication.Admin.Registries;

/// <summary>A registry as pages and the API see it: everything but the password (only whether one is saved).</summary>
public sealed record RegistryView(
    int Id,
    string Name,
    string Url,
    string Type,
    string? Username,
    bool HasPassword,
    bool VerifyTls,
    string? CaCertificate,
    string Description,
    RegistryStatus Status,
    DateTimeOffset? LastCheckedAt,
    string? LastCheckMessage)
{
    /// <summary>One of <see cref="RegistryKinds"/>.</summary>
    public string Kind { get; init; } = RegistryKinds.Generic;

    public CredentialKind CredentialKind => string.IsNullOrEmpty(Username) ? CredentialKind.Anonymous : CredentialKind.UsernamePassword;

    public static RegistryView From(RegistryEndpoint entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return new RegistryView(
            entity.Id,
            entity.Name,
            entity.Url,
            entity.Type,
            entity.Username,
            !string.IsNullOrEmpty(entity.ProtectedPassword),
            entity.VerifyTls,
            entity.CaCertificate,
            entity.Description,
            entity.Status,
            entity.LastCheckedAt,
            entity.LastCheckMessage)
        {
            Kind = entity.Kind,
        };
    }
}
