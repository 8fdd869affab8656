using Replication.Registry;
using Replication.Registry.Content;

namespace Replication.Admin.Tests.Infrastructure;

/// <summary>
/// The seam for component tests: answers Test Connection with a fixed result, serves a scripted catalog and tag lists,
/// and remembers which endpoint (and so which credential) it was asked about. Real registry behaviour is tested against real registries in the host tests.
/// </summary>
public sealed class FakeRegistryClientFactory : IRegistryClientFactory
{
    private readonly List<RegistryEndpoint> requested = [];
    private int listings;

    public PingResult NextPing { get; set; } = new(PingOutcome.Ok, "Connected (registry/2.0)", "registry/2.0");

    /// <summary>Catalog pages served in order; each page's cursor is its last repository.</summary>
    public List<string[]> CatalogPages { get; } = [];

    /// <summary>When set, the catalog is refused as a registry without catalog access would.</summary>
    public bool RefuseCatalog { get; set; }

    public Dictionary<string, string[]> Tags { get; } = [];

    /// <summary>Manifests by <c>repository:tag</c> or <c>repository@digest</c>, for tag details.</summary>
    public Dictionary<string, Manifest> Manifests { get; } = [];

    /// <summary>Blob contents by digest (image configs for tag details).</summary>
    public Dictionary<string, byte[]> Blobs { get; } = [];

    /// <summary>Full listings (the preview's) wait for this; replace it with an unfinished task to play a registry that does not answer.</summary>
    public Task ListingGate { get; set; } = Task.CompletedTask;

    /// <summary>How many full catalog listings were started (each preview starts one).</summary>
    public int Listings => Volatile.Read(ref listings);

    public IReadOnlyList<RegistryEndpoint> Requested
    {
        get
        {
            lock (requested)
            {
                return requested.ToList();
            }
        }
    }

    public IRegistryClient Create(RegistryEndpoint endpoint)
    {
        lock (requested)
        {
            requested.Add(endpoint);
        }

        return new PingOnlyClient(this, endpoint, NextPing);
    }

    private sealed class PingOnlyClient(FakeRegistryClientFactory owner, RegistryEndpoint endpoint, PingResult ping) : IRegistryClient
    {
        public RegistryEndpoint Endpoint => endpoint;

        public Task<PingResult> PingAsync(CancellationToken cancellationToken = default) => Task.FromResult(ping);

        public Task<Page<string>> GetCatalogPageAsync(int pageSize = 100, string? last = null, CancellationToken cancellationToken = default)
        {
            if (owner.RefuseCatalog)
            {
                throw new CatalogUnavailableException("The registry refused the catalog.");
            }

            var index = last is null ? 0 : owner.CatalogPages.FindIndex(p => p.Length > 0 && p[^1] == last) + 1;
            var page = index < owner.CatalogPages.Count ? owner.CatalogPages[index] : [];
            var next = index + 1 < owner.CatalogPages.Count ? page[^1] : null;
            return Task.FromResult(new Page<string>(page, next));
        }

        public async IAsyncEnumerable<string> ListRepositoriesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref owner.listings);
            await owner.ListingGate.WaitAsync(cancellationToken);
            if (owner.RefuseCatalog)
            {
                throw new CatalogUnavailableException("The registry refused the catalog.");
            }

            foreach (var repository in owner.CatalogPages.SelectMany(p => p))
            {
                yield return repository;
            }
        }

        public Task<Page<string>> GetTagsPageAsync(string repository, int pageSize = 100, string? last = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new Page<string>(owner.Tags.TryGetValue(repository, out var tags) ? tags : [], null));

        public IAsyncEnumerable<string> ListTagsAsync(string repository, CancellationToken cancellationToken = default) =>
            (owner.Tags.TryGetValue(repository, out var tags) ? tags : []).ToAsyncEnumerable();

        public Task<ManifestInfo?> HeadManifestAsync(string repository, string reference, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<Manifest> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken = default) =>
            owner.Manifests.TryGetValue(reference.StartsWith("sha256:", StringComparison.Ordinal) ? $"{repository}@{reference}" : $"{repository}:{reference}", out var manifest)
                ? Task.FromResult(manifest)
                : throw new RegistryException($"manifest unknown: {repository}:{reference}", System.Net.HttpStatusCode.NotFound);

        public Task<string> PutManifestAsync(string repository, string reference, Manifest manifest, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> DeleteManifestAsync(string repository, string digest, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<long?> HeadBlobAsync(string repository, string digest, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<Stream> OpenBlobAsync(string repository, string digest, CancellationToken cancellationToken = default) =>
            Task.FromResult<Stream>(new MemoryStream(owner.Blobs[digest]));

        public Task<bool> TryMountBlobAsync(string repository, string digest, string fromRepository, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task UploadBlobAsync(string repository, Descriptor blob, Func<long, CancellationToken, Task<Stream>> openContent, IProgress<long>? progress = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<Stream> OpenBlobAsync(string repository, string digest, long offset, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ReferrersApiAnswer> GetReferrersFromApiAsync(string repository, string digest, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<Descriptor>> GetReferrersFromTagAsync(string repository, string digest, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyDictionary<string, ManifestInfo>?> ListTagManifestsAsync(string repository, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyDictionary<string, ManifestInfo>?>(null);

        public Task<bool> EnsureHarborProjectAsync(string project, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
