using Replication.Registry.Content;

namespace Replication.Registry;

/// <summary>
/// The OCI distribution API of one registry, as a replication tool needs it.
/// Repository names are full paths ("team/app"); references are tags or digests.
/// Failures surface as <see cref="RegistryException"/> (typed by the OCI error code where the registry sent one).
/// </summary>
public interface IRegistryClient
{
    RegistryEndpoint Endpoint { get; }

    /// <summary><c>GET /v2/</c> through the auth challenge, within 10 seconds, explained for an administrator.</summary>
    Task<PingResult> PingAsync(CancellationToken cancellationToken = default);

    /// <summary>One page of <c>/v2/_catalog</c>. Throws <see cref="CatalogUnavailableException"/> when the registry refuses the catalog.</summary>
    Task<Page<string>> GetCatalogPageAsync(int pageSize = 100, string? last = null, CancellationToken cancellationToken = default);

    /// <summary>Every repository, following <c>Link</c> headers.</summary>
    IAsyncEnumerable<string> ListRepositoriesAsync(CancellationToken cancellationToken = default);

    /// <summary>One page of <c>/v2/{name}/tags/list</c>. An unknown repository yields an empty page.</summary>
    Task<Page<string>> GetTagsPageAsync(string repository, int pageSize = 100, string? last = null, CancellationToken cancellationToken = default);

    /// <summary>Every tag of a repository, following <c>Link</c> headers.</summary>
    IAsyncEnumerable<string> ListTagsAsync(string repository, CancellationToken cancellationToken = default);

    /// <summary>HEAD a manifest; null when it does not exist.</summary>
    Task<ManifestInfo?> HeadManifestAsync(string repository, string reference, CancellationToken cancellationToken = default);

    /// <summary>GET a manifest with every supported type in <c>Accept</c>; bytes exactly as served, digest verified when fetched by digest.</summary>
    Task<Manifest> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken = default);

    /// <summary>PUT the exact bytes under a tag or digest; returns the digest the registry reports.</summary>
    Task<string> PutManifestAsync(string repository, string reference, Manifest manifest, CancellationToken cancellationToken = default);

    /// <summary>DELETE a manifest by digest. False when it was already gone. Throws <see cref="RegistryException"/> with code UNSUPPORTED when deletion is disabled.</summary>
    Task<bool> DeleteManifestAsync(string repository, string digest, CancellationToken cancellationToken = default);

    /// <summary>HEAD a blob: its size, or null when the repository does not have it.</summary>
    Task<long?> HeadBlobAsync(string repository, string digest, CancellationToken cancellationToken = default);

    /// <summary>
    /// GET a blob as a stream (redirects followed without forwarding credentials). The caller disposes it. A connection
    /// that breaks mid-body surfaces from the stream's reads as a transient <see cref="RegistryException"/>.
    /// </summary>
    Task<Stream> OpenBlobAsync(string repository, string digest, CancellationToken cancellationToken = default);

    /// <summary>
    /// GET a blob from byte <paramref name="offset"/> on (HTTP <c>Range</c>): what an <c>openContent</c> callback of
    /// <see cref="UploadBlobAsync"/> calls to resume a copy without re-reading the start.
    /// </summary>
    Task<Stream> OpenBlobAsync(string repository, string digest, long offset, CancellationToken cancellationToken = default);

    /// <summary>Cross-repository mount; false when the registry answered with an upload session instead (which is cancelled).</summary>
    Task<bool> TryMountBlobAsync(string repository, string digest, string fromRepository, CancellationToken cancellationToken = default);

    /// <summary>
    /// Upload a blob from a stream, hashing while streaming and refusing a digest mismatch.
    /// Small blobs go monolithic (POST, PUT with Content-Length); large ones in PATCH chunks that resume from the
    /// registry's <c>Range</c> after a fault. <paramref name="openContent"/> opens the source at an offset, so a resume
    /// can re-read from where the registry stopped without buffering (it is called again after every fault, and the
    /// streams it returns are disposed by the upload). <paramref name="progress"/> receives the number of bytes of this
    /// blob sent so far (cumulative, never decreasing, ending at <c>blob.Size</c>).
    /// Throws <see cref="DigestMismatchException"/> (and completes nothing) when the content does not hash to <c>blob.Digest</c>.
    /// </summary>
    Task UploadBlobAsync(
        string repository,
        Descriptor blob,
        Func<long, CancellationToken, Task<Stream>> openContent,
        IProgress<long>? progress = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// The OCI 1.1 referrers API (<c>GET /v2/&lt;name&gt;/referrers/&lt;digest&gt;</c>, every <c>Link</c> page), no
    /// fallback: a caller that copies many manifests asks once, and after <see cref="ReferrersApiSupport.Unsupported"/>
    /// goes straight to <see cref="GetReferrersFromTagAsync"/> for the rest of its work.
    /// </summary>
    Task<ReferrersApiAnswer> GetReferrersFromApiAsync(string repository, string digest, CancellationToken cancellationToken = default);

    /// <summary>
    /// The referrers listed by the tag-schema fallback index <c>sha256-&lt;hex&gt;</c> (one GET); empty when that tag does
    /// not exist or holds no index. The cosign <c>.sig/.att/.sbom</c> tags come from a tag listing
    /// (<see cref="AttachmentTags.TryParse"/>), not from a question per digest.
    /// </summary>
    Task<IReadOnlyList<Descriptor>> GetReferrersFromTagAsync(string repository, string digest, CancellationToken cancellationToken = default);

    /// <summary>
    /// The manifest of each tag of a repository from the product's own bulk listing, where it has one (Harbor's artifact
    /// API: a hundred artifacts a page, with their tags), sparing a HEAD per tag; null where it has none, refuses it or
    /// answers something else (a network failure throws a <see cref="RegistryException"/>, as any listing does). Only as
    /// good as the product's database: a tag missing from the answer is not known to be absent (Harbor may cut an
    /// artifact's tag list), so a caller HEADs it and reads presence from <see cref="ListTagsAsync"/>.
    /// </summary>
    Task<IReadOnlyDictionary<string, ManifestInfo>?> ListTagManifestsAsync(string repository, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates <paramref name="project"/>, private, through Harbor's API where it does not exist yet; true when it was
    /// created now. Asks <c>HEAD /api/v2.0/projects?project_name=</c> first (a listing by name where a proxy refuses
    /// HEAD); a 409 from a concurrent creation counts as existing. Only for endpoints the caller knows to be Harbor.
    /// </summary>
    /// <exception cref="RegistryException">Harbor refused (401, 403…) or could not be reached; the message says which.</exception>
    Task<bool> EnsureHarborProjectAsync(string project, CancellationToken cancellationToken = default);
}
