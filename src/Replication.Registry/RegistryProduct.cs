namespace Replication.Registry;

/// <summary>
/// Which registry product an endpoint is, for the quirks the protocol leaves open: Docker Hub's implicit
/// <c>library/</c> namespace and pull rate limit, registries that never list their catalog.
/// </summary>
public enum RegistryProduct
{
    /// <summary>Any OCI distribution registry (CNCF distribution, zot, Artifactory, ECR, ACR, ...).</summary>
    Generic,

    /// <summary>Docker Hub (<c>registry-1.docker.io</c>): no catalog, <c>library/</c> for official images, manifest GETs rate-limited.</summary>
    DockerHub,

    /// <summary>GitHub Container Registry (<c>ghcr.io</c>): no catalog.</summary>
    GitHubContainerRegistry,

    /// <summary>Quay (<c>quay.io</c> or Red Hat Quay).</summary>
    Quay,

    /// <summary>GitLab's container registry (<c>registry.gitlab.com</c>): token realm on the GitLab host, catalog for administrators only.</summary>
    GitLab,

    /// <summary>Harbor: catalog for system administrators only.</summary>
    Harbor,
}

/// <summary>The protocol facts of each <see cref="RegistryProduct"/>, in one place.</summary>
public static class RegistryProductFacts
{
    /// <summary>Docker's documented repository for reading the pull limit with a HEAD, which does not count as a pull.</summary>
    public const string DockerHubRateLimitProbe = "ratelimitpreview/test";

    /// <summary>
    /// True when every manifest GET counts against a pull limit and a HEAD does not (Docker Hub; goharbor/harbor#20632):
    /// a copier should read a manifest the destination already holds from the destination.
    /// </summary>
    public static bool CountsManifestGets(RegistryProduct product) => product == RegistryProduct.DockerHub;

    /// <summary>True when the registry never answers <c>/v2/_catalog</c>, whatever the account: repositories must be named.</summary>
    public static bool NeverListsCatalog(RegistryProduct kind) => kind is RegistryProduct.DockerHub or RegistryProduct.GitHubContainerRegistry;

    /// <summary>
    /// The repository path the registry serves for <paramref name="repository"/>: on Docker Hub a single name
    /// (<c>alpine</c>) is an official image under <c>library/</c>; elsewhere the name as given.
    /// </summary>
    public static string RepositoryPath(RegistryProduct kind, string repository) =>
        kind == RegistryProduct.DockerHub && !repository.Contains('/', StringComparison.Ordinal) ? "library/" + repository : repository;
}
