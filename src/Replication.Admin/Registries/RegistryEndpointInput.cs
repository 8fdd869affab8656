using System.Text.Json.Serialization;

namespace Replication.Admin.Registries;

/// <summary>
/// What an administrator submits for a registry, from the dialog or the API (the API's JSON shape).
/// <see cref="Password"/> is write-only: empty on edit means "keep the saved password".
/// </summary>
public sealed class RegistryEndpointInput
{
    public string? Name { get; set; }

    public string? Url { get; set; }

    public string? Type { get; set; } = RegistryTypes.DockerRegistry;

    /// <summary>
    /// <c>generic</c>, <c>docker-hub</c>, <c>ghcr</c>, <c>quay</c>, <c>gitlab</c> or <c>harbor</c>. Missing: generic for a new
    /// registry, unchanged for an existing one (clients that predate kinds keep working).
    /// </summary>
    public string? Kind { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }

    public bool VerifyTls { get; set; } = true;

    public string? CaCertificate { get; set; }

    public string? Description { get; set; }

    /// <summary>The dialog's explicit choice; the API infers it from <see cref="Username"/>.</summary>
    [JsonIgnore]
    public CredentialKind? Credential { get; set; }

    [JsonIgnore]
    public CredentialKind EffectiveCredential => Credential ?? (string.IsNullOrWhiteSpace(Username) ? CredentialKind.Anonymous : CredentialKind.UsernamePassword);

    public static RegistryEndpointInput From(RegistryView registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return new RegistryEndpointInput
        {
            Name = registry.Name,
            Url = registry.Url,
            Type = registry.Type,
            Kind = registry.Kind,
            Username = registry.Username,
            Password = null,
            VerifyTls = registry.VerifyTls,
            CaCertificate = registry.CaCertificate,
            Description = registry.Description,
            Credential = registry.CredentialKind,
        };
    }

    /// <summary>The kind's URL when none is given (Docker Hub, GHCR, Quay, GitLab.com have one address for everybody).</summary>
    public void FillKindDefaults()
    {
        if (string.IsNullOrWhiteSpace(Url) && RegistryKinds.Find(Kind)?.DefaultUrl is { } url)
        {
            Url = url;
        }
    }

    public override string ToString() => $"RegistryEndpointInput {{ Name = {Name}, Url = {Url}, Type = {Type}, Kind = {Kind}, Username = {Username} }}";
}
