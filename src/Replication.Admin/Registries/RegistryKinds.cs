using Replication.Registry;

namespace Replication.Admin.Registries;

/// <summary>What the administrator picks as a registry's kind, with its defaults and the help the dialog shows.</summary>
/// <param name="Value">The API's and the file's spelling (<c>docker-hub</c>).</param>
/// <param name="Product">The client's product, for protocol quirks.</param>
/// <param name="DisplayName">The dialog's name for it.</param>
/// <param name="DefaultUrl">The URL filled in when none is given; null when every installation has its own.</param>
/// <param name="Help">What to enter, for the dialog's help text.</param>
public sealed record RegistryKindProfile(string Value, RegistryProduct Product, string DisplayName, string? DefaultUrl, string Help)
{
    /// <summary>True when the registry never lists its repositories, so rules must name them.</summary>
    public bool NeverListsCatalog => RegistryProductFacts.NeverListsCatalog(Product);
}

/// <summary>The registry kinds an administrator picks from; <c>generic</c> unless told otherwise.</summary>
public static class RegistryKinds
{
    public const string Generic = "generic";
    public const string DockerHub = "docker-hub";
    public const string GitHub = "ghcr";
    public const string Quay = "quay";
    public const string GitLab = "gitlab";
    public const string Harbor = "harbor";

    public const string DockerHubUrl = "https://registry-1.docker.io";

    public static IReadOnlyList<RegistryKindProfile> All { get; } =
    [
        new(Generic, RegistryProduct.Generic, "Generic OCI / Docker registry", null,
            "Any OCI distribution registry (CNCF distribution, zot, Artifactory, ECR, ACR, ...). Enter its root URL, e.g. https://registry.example.com."),
        new(DockerHub, RegistryProduct.DockerHub, "Docker Hub", DockerHubUrl,
            "URL https://registry-1.docker.io (hub.docker.com is the website). Username: your Docker ID; password: a personal access token. " +
            "Docker Hub never lists its repositories, so rules name them; official images such as 'alpine' are 'library/alpine'. " +
            "Manifest downloads count against a pull rate limit (shown by Test Connection); checks use HEAD, which does not count."),
        new(GitHub, RegistryProduct.GitHubContainerRegistry, "GitHub Container Registry", "https://ghcr.io",
            "URL https://ghcr.io. Username: your GitHub user; password: a personal access token (classic) with read:packages, and write:packages for a destination. " +
            "GHCR never lists its repositories, so rules name them (project = the user or organization)."),
        new(Quay, RegistryProduct.Quay, "Quay", "https://quay.io",
            "URL https://quay.io, or your Red Hat Quay's address. Username: a robot account ('organization+robot') and its token as the password. " +
            "The catalog lists only repositories the account can see."),
        new(GitLab, RegistryProduct.GitLab, "GitLab container registry", "https://registry.gitlab.com",
            "URL https://registry.gitlab.com, or your GitLab's registry address (not the GitLab web address). Username: a deploy token's name or your user; " +
            "password: the deploy token or a personal access token with read_registry (write_registry for a destination). Only GitLab administrators may list the catalog: name the repositories (group/project/image)."),
        new(Harbor, RegistryProduct.Harbor, "Harbor", null,
            "Your Harbor's address, e.g. https://harbor.example.com. Username: a robot account ('robot$name') or a user. " +
            "Projects missing at the destination are created through Harbor's API (type harbor). Only system administrators may list the catalog; a project's robot names repositories instead."),
    ];

    /// <summary>The kind for <paramref name="value"/> (case-insensitive); null when it is none of them. Missing means generic.</summary>
    public static RegistryKindProfile? Find(string? value)
    {
        var wanted = string.IsNullOrWhiteSpace(value) ? Generic : value.Trim();
        return All.FirstOrDefault(k => string.Equals(k.Value, wanted, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The kind a well-known registry host is (<c>docker.io</c>, <c>ghcr.io</c>, ...); generic for any other.</summary>
    public static string FromHost(string host) => host.Trim().ToLowerInvariant() switch
    {
        "docker.io" or "index.docker.io" or "registry-1.docker.io" or "registry.hub.docker.com" => DockerHub,
        "ghcr.io" => GitHub,
        "quay.io" => Quay,
        "registry.gitlab.com" => GitLab,
        _ => Generic,
    };

    public static string DisplayName(string? value) => Find(value)?.DisplayName ?? value ?? "";

    /// <summary>The client's kind for a saved value (generic for anything unknown).</summary>
    public static RegistryProduct ClientProduct(string? value) => Find(value)?.Product ?? RegistryProduct.Generic;
}
