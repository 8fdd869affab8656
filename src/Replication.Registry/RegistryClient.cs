using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Replication.Registry.Auth;
using Replication.Registry.Blobs;
using Replication.Registry.Content;
using Replication.Registry.Http;

namespace Replication.Registry;

/// <summary>The OCI distribution client of one endpoint. Cheap to create: connections, limits and tokens live in the factory.</summary>
internal sealed partial class RegistryClient : IRegistryClient
{
    private const int ListPageSize = 100;
    private const int MaxManifestBytes = 4 * 1024 * 1024;

    private readonly RegistryTransport _transport;
    private readonly RegistryClientOptions _options;
    private readonly ILogger _logger;

    public RegistryClient(RegistryEndpoint endpoint, RegistryTransport transport, ILogger logger)
    {
        Endpoint = endpoint;
        _transport = transport;
        _options = transport.Options;
        _logger = logger;
    }

    public RegistryEndpoint Endpoint { get; }

    internal EndpointAuth Auth => _transport.Auth;

    // ---- ping ---------------------------------------------------------------------------------------------------

    public async Task<PingResult> PingAsync(CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(_options.PingTimeout);
        var where = Endpoint.BaseUrl.GetLeftPart(UriPartial.Authority);
        try
        {
            var request = new RegistryRequest(HttpMethod.Get, _transport.Url("/v2/"), Scopes.None) { Retry = false, FollowRedirects = true };
            using var response = await _transport.SendAsync(request, limit.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(limit.Token).ConfigureAwait(false);
            var apiVersion = RegistryResponses.Header(response, "Docker-Distribution-API-Version");
            var result = Classify(response, body, apiVersion, where);
            return result.Ok ? await WithRateLimitAsync(result, limit.Token).ConfigureAwait(false) : result;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new PingResult(PingOutcome.Timeout, $"{where} did not answer within {_options.PingTimeout.TotalSeconds:0} seconds.");
        }
        catch (RegistryException e) when (e.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            // The token service refused the credentials.
            return new PingResult(PingOutcome.Unauthorized, e.Message);
        }
        catch (RegistryException e) when (e.InnerException is not null)
        {
            return ClassifyFault(e.InnerException, where);
        }
        catch (RegistryException e)
        {
            return new PingResult(PingOutcome.NotARegistry, e.Message);
        }
    }

    /// <summary>
    /// Adds the pull rate limit to a successful ping. Docker Hub announces it on manifest requests only, so its documented
    /// probe is HEADed (a HEAD is not counted as a pull); other registries are asked nothing more.
    /// </summary>
    private async Task<PingResult> WithRateLimitAsync(PingResult result, CancellationToken cancellationToken)
    {
        if (Endpoint.Product == RegistryProduct.DockerHub)
        {
            try
            {
                await HeadManifestAsync(RegistryProductFacts.DockerHubRateLimitProbe, "latest", cancellationToken).ConfigureAwait(false);
            }
            catch (RegistryException e)
            {
                _logger.LogDebug(e, "Reading the rate limit of {Registry} failed", Endpoint.Authority);
            }
        }

        return _transport.RateLimitOf(Endpoint.BaseUrl) is { } rateLimit
            ? result with { Message = $"{result.Message}; pull rate limit: {rateLimit}", RateLimit = rateLimit }
            : result;
    }

    private PingResult Classify(HttpResponseMessage response, byte[] body, string? apiVersion, string where)
    {
        var status = $"{(int)response.StatusCode} {response.ReasonPhrase}".Trim();
        if (response.IsSuccessStatusCode)
        {
            return apiVersion is not null
                ? new PingResult(PingOutcome.Ok, $"Connected ({apiVersion})", apiVersion)
                : new PingResult(PingOutcome.NotARegistry, RegistryResponses.LooksLikeHtml(body)
                    ? $"{where} answered /v2/ with a web page, not the registry API: this URL is not an OCI registry."
                    : $"{where} answered /v2/ with {status} but without the Docker-Distribution-API-Version header: this URL is not an OCI registry.");
        }

        switch (response.StatusCode)
        {
            case HttpStatusCode.Unauthorized:
                if (apiVersion is null && !response.Headers.Contains("WWW-Authenticate"))
                {
                    return new PingResult(PingOutcome.NotARegistry, $"{where} answered /v2/ with {status} and no registry challenge: this URL is not an OCI registry.");
                }

                return new PingResult(PingOutcome.Unauthorized, Auth.HasCredentials
                    ? $"{where} rejected the username or password ({status})."
                    : $"{where} requires credentials: enter a username and password ({status}).");
            case HttpStatusCode.Forbidden:
                return new PingResult(PingOutcome.Unauthorized, $"{where} denied access to this account ({status}).");
            case HttpStatusCode.BadRequest when System.Text.Encoding.UTF8.GetString(body).Contains("HTTPS server", StringComparison.OrdinalIgnoreCase):
                return new PingResult(PingOutcome.NotARegistry, $"{where} expects HTTPS: change the URL to https://.");
            case >= HttpStatusCode.InternalServerError:
                return new PingResult(PingOutcome.Unreachable, $"{where} is up but failing: it answered {status}.", apiVersion);
            default:
                return new PingResult(PingOutcome.NotARegistry, RegistryResponses.LooksLikeHtml(body)
                    ? $"{where} answered /v2/ with a web page ({status}): this URL is not an OCI registry."
                    : $"{where} answered /v2/ with {status}: this URL is not an OCI registry.");
        }
    }

    private static PingResult ClassifyFault(Exception fault, string where)
    {
        var innermost = RegistryTransport.Innermost(fault);
        return fault switch
        {
            TimeoutException => new PingResult(PingOutcome.Timeout, $"{where} did not answer in time."),
            HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } =>
                new PingResult(PingOutcome.Unreachable, $"The host name of {where} could not be resolved (DNS)."),
            HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } =>
                new PingResult(PingOutcome.Unreachable, $"Could not connect to {where}: {innermost.Message}."),
            HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } or { InnerException: AuthenticationException } =>
                new PingResult(PingOutcome.TlsFailure, $"The TLS handshake with {where} failed: {innermost.Message}. Add the registry's CA certificate, turn off Verify TLS for a lab registry, or use http:// if it serves plain HTTP."),
            HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse or HttpRequestError.ResponseEnded } =>
                new PingResult(PingOutcome.NotARegistry, $"{where} did not answer with valid HTTP: {innermost.Message}."),
            _ => new PingResult(PingOutcome.Unreachable, $"Could not reach {where}: {innermost.Message}."),
        };
    }

    // ---- catalog and tags ---------------------------------------------------------------------------------------

    public async Task<Page<string>> GetCatalogPageAsync(int pageSize = 100, string? last = null, CancellationToken cancellationToken = default)
    {
        var (items, next) = await GetCatalogPageAsync(CatalogUrl(pageSize, last), cancellationToken).ConfigureAwait(false);
        return new Page<string>(items, NextCursor(next, items));
    }

    public async IAsyncEnumerable<string> ListRepositoriesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Uri? url = CatalogUrl(ListPageSize, null);
        while (url is not null)
        {
            var (items, next) = await GetCatalogPageAsync(url, cancellationToken).ConfigureAwait(false);
            foreach (var item in items)
            {
                yield return item;
            }

            url = next;
        }
    }

    public async Task<Page<string>> GetTagsPageAsync(string repository, int pageSize = 100, string? last = null, CancellationToken cancellationToken = default)
    {
        repository = RepositoryPath(repository);
        var (items, next) = await GetTagsPageAsync(repository, TagsUrl(repository, pageSize, last), cancellationToken).ConfigureAwait(false);
        return new Page<string>(items, NextCursor(next, items));
    }

    public async IAsyncEnumerable<string> ListTagsAsync(string repository, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        repository = RepositoryPath(repository);
        Uri? url = TagsUrl(repository, ListPageSize, null);
        while (url is not null)
        {
            var (items, next) = await GetTagsPageAsync(repository, url, cancellationToken).ConfigureAwait(false);
            foreach (var item in items)
            {
                yield return item;
            }

            url = next;
        }
    }

    /// <summary>A checked repository name as this registry serves it (Docker Hub: <c>alpine</c> is <c>library/alpine</c>).</summary>
    private string RepositoryPath(string repository)
    {
        References.RequireRepository(repository);
        return RegistryProductFacts.RepositoryPath(Endpoint.Product, repository);
    }

    private Uri CatalogUrl(int pageSize, string? last) =>
        _transport.Url($"/v2/_catalog?n={Math.Max(1, pageSize)}" + (last is null ? "" : "&last=" + Uri.EscapeDataString(last)));

    private Uri TagsUrl(string repository, int pageSize, string? last) =>
        _transport.Url($"/v2/{repository}/tags/list?n={Math.Max(1, pageSize)}" + (last is null ? "" : "&last=" + Uri.EscapeDataString(last)));

    private static string? NextCursor(Uri? next, IReadOnlyList<string> items) =>
        next is null ? null : LinkHeader.LastCursor(next) ?? (items.Count > 0 ? items[^1] : null);

    private async Task<(IReadOnlyList<string> Items, Uri? Next)> GetCatalogPageAsync(Uri url, CancellationToken cancellationToken)
    {
        using var response = await _transport.SendAsync(new RegistryRequest(HttpMethod.Get, url, Scopes.Catalog), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
        {
            var error = await RegistryResponses.ErrorAsync(response, "list the repositories", cancellationToken).ConfigureAwait(false);
            throw new CatalogUnavailableException(
                response.StatusCode == HttpStatusCode.NotFound || response.StatusCode == HttpStatusCode.MethodNotAllowed
                    ? $"{Endpoint.Authority} does not offer the repository catalog (/v2/_catalog answered {(int)response.StatusCode}); name the repositories explicitly."
                    : $"{Endpoint.Authority} does not allow this account to list its repositories (/v2/_catalog answered {(int)response.StatusCode}); name the repositories explicitly or use an account with catalog access.",
                response.StatusCode,
                error.Errors);
        }

        await EnsureSuccessAsync(response, "list the repositories", cancellationToken).ConfigureAwait(false);
        return (await ReadStringArrayAsync(response, "repositories", cancellationToken).ConfigureAwait(false), NextLink(response, url));
    }

    private async Task<(IReadOnlyList<string> Items, Uri? Next)> GetTagsPageAsync(string repository, Uri url, CancellationToken cancellationToken)
    {
        using var response = await _transport.SendAsync(new RegistryRequest(HttpMethod.Get, url, Scopes.Pull(repository)), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return ([], null); // NAME_UNKNOWN: a repository with no tags yet
        }

        await EnsureSuccessAsync(response, $"list the tags of {repository}", cancellationToken).ConfigureAwait(false);
        return (await ReadStringArrayAsync(response, "tags", cancellationToken).ConfigureAwait(false), NextLink(response, url));
    }

    private static Uri? NextLink(HttpResponseMessage response, Uri requestUri) =>
        response.Headers.TryGetValues("Link", out var links) ? LinkHeader.FindNext(links, requestUri) : null;

    private static async Task<IReadOnlyList<string>> ReadStringArrayAsync(HttpResponseMessage response, string property, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty(property, out var array)
                || array.ValueKind != JsonValueKind.Array)
            {
                return []; // distribution answers "tags": null for a repository whose tags were all deleted
            }

            return array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList();
        }
        catch (JsonException e)
        {
            throw new RegistryException($"The registry's {property} list is not JSON: {e.Message}", response.StatusCode, null, e);
        }
    }

    // ---- manifests ----------------------------------------------------------------------------------------------

    public async Task<ManifestInfo?> HeadManifestAsync(string repository, string reference, CancellationToken cancellationToken = default)
    {
        repository = RepositoryPath(repository);
        References.RequireReference(reference);
        var request = new RegistryRequest(HttpMethod.Head, ManifestUrl(repository, reference), Scopes.Pull(repository))
        {
            Accept = ManifestAccept,
        };
        using var response = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, $"check manifest {repository}:{reference}", cancellationToken).ConfigureAwait(false);
        var digest = RegistryResponses.Header(response, "Docker-Content-Digest");
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (digest is null || !Digests.IsSupported(digest) || mediaType is null)
        {
            // Some registries omit the digest on HEAD: read the manifest and compute it.
            return (await GetManifestAsync(repository, reference, cancellationToken).ConfigureAwait(false)).Info;
        }

        return new ManifestInfo(digest, mediaType, response.Content.Headers.ContentLength ?? -1);
    }

    public async Task<Manifest> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken = default)
    {
        repository = RepositoryPath(repository);
        References.RequireReference(reference);
        var request = new RegistryRequest(HttpMethod.Get, ManifestUrl(repository, reference), Scopes.Pull(repository))
        {
            Accept = ManifestAccept,
        };
        using var response = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, $"read manifest {repository}:{reference}", cancellationToken).ConfigureAwait(false);
        if (response.Content.Headers.ContentLength > MaxManifestBytes)
        {
            throw new RegistryException($"Manifest {repository}:{reference} is larger than {MaxManifestBytes / 1024 / 1024} MiB; refusing to read it.");
        }

        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var mediaType = ManifestMediaType.Resolve(response.Content.Headers.ContentType?.MediaType, bytes);
        if (ManifestMediaType.IsSchema1(mediaType, bytes))
        {
            throw new UnsupportedManifestException(
                $"{repository}:{reference} is a Docker schema 1 manifest ({mediaType}), which cannot be copied without rewriting it (and so changing its digest). Push the image again with a current Docker or OCI client.",
                mediaType);
        }

        string digest;
        if (Digests.IsSupported(reference))
        {
            digest = Digests.Compute(bytes, reference);
            if (digest != reference)
            {
                throw new DigestMismatchException(reference, digest, $"Manifest {repository}@{reference} as served");
            }
        }
        else
        {
            var computed = Digests.Sha256(bytes);
            var header = RegistryResponses.Header(response, "Docker-Content-Digest");
            if (header is not null && Digests.IsSupported(header) && Digests.Compute(bytes, header) != header)
            {
                throw new DigestMismatchException(header, Digests.Compute(bytes, header), $"Manifest {repository}:{reference} as served");
            }

            digest = header is not null && Digests.IsSupported(header) ? header : computed;
        }

        return new Manifest(bytes, mediaType, digest);
    }

    public async Task<string> PutManifestAsync(string repository, string reference, Manifest manifest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        repository = RepositoryPath(repository);
        References.RequireReference(reference);
        var request = new RegistryRequest(HttpMethod.Put, ManifestUrl(repository, reference), Scopes.Push(repository))
        {
            Content = () =>
            {
                var content = new ReadOnlyMemoryContent(manifest.Bytes);
                content.Headers.ContentType = new MediaTypeHeaderValue(manifest.MediaType);
                return content;
            },
        };
        using var response = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, $"push manifest {repository}:{reference}", cancellationToken).ConfigureAwait(false);
        var digest = RegistryResponses.Header(response, "Docker-Content-Digest");
        return digest is not null && Digests.IsSupported(digest) ? digest : Digests.Compute(manifest.Bytes.Span, manifest.Digest);
    }

    public async Task<bool> DeleteManifestAsync(string repository, string digest, CancellationToken cancellationToken = default)
    {
        repository = RepositoryPath(repository);
        Digests.RequireDigest(digest);
        var request = new RegistryRequest(HttpMethod.Delete, ManifestUrl(repository, digest), Scopes.Delete(repository));
        using var response = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        if (response.StatusCode == HttpStatusCode.MethodNotAllowed)
        {
            var error = await RegistryResponses.ErrorAsync(response, $"delete {repository}@{digest}", cancellationToken).ConfigureAwait(false);
            throw new RegistryException(
                $"{Endpoint.Authority} does not allow deleting images: deletion is disabled in its configuration (for CNCF distribution: storage.delete.enabled). {repository}@{digest} was not deleted.",
                response.StatusCode,
                error.Errors.Count > 0 ? error.Errors : [new RegistryError(RegistryErrorCodes.Unsupported, "deletion disabled")]);
        }

        await EnsureSuccessAsync(response, $"delete {repository}@{digest}", cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static readonly IReadOnlyList<string> ManifestAccept = [.. MediaTypes.AcceptedManifests];

    private Uri ManifestUrl(string repository, string reference) => _transport.Url($"/v2/{repository}/manifests/{reference}");

    // ---- blobs --------------------------------------------------------------------------------------------------

    public async Task<long?> HeadBlobAsync(string repository, string digest, CancellationToken cancellationToken = default)
    {
        repository = RepositoryPath(repository);
        Digests.RequireDigest(digest);
        var request = new RegistryRequest(HttpMethod.Head, BlobUrl(repository, digest), Scopes.Pull(repository)) { FollowRedirects = true };
        using var response = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, $"check blob {digest} in {repository}", cancellationToken).ConfigureAwait(false);
        return response.Content.Headers.ContentLength ?? -1;
    }

    public Task<Stream> OpenBlobAsync(string repository, string digest, CancellationToken cancellationToken = default) =>
        OpenBlobAsync(repository, digest, 0, cancellationToken);

    public async Task<Stream> OpenBlobAsync(string repository, string digest, long offset, CancellationToken cancellationToken = default)
    {
        repository = RepositoryPath(repository);
        Digests.RequireDigest(digest);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var request = new RegistryRequest(HttpMethod.Get, BlobUrl(repository, digest), Scopes.Pull(repository))
        {
            StreamResponse = true,
            FollowRedirects = true,
            Configure = offset > 0 ? m => m.Headers.Range = new RangeHeaderValue(offset, null) : null,
        };
        var response = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureSuccessAsync(response, $"read blob {digest} from {repository}", cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var length = response.Content.Headers.ContentLength;
            Stream stream = new BlobDownloadStream(body, response, _options.RequestTimeout, $"{repository}@{digest}", length);
            if (offset > 0 && response.StatusCode != HttpStatusCode.PartialContent)
            {
                // The server ignored Range: skip to the offset by reading (correct, if wasteful).
                await SkipAsync(stream, offset, cancellationToken).ConfigureAwait(false);
            }

            return stream;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static async Task SkipAsync(Stream stream, long count, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        while (count > 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new RegistryException($"The blob ended before offset {count} could be reached.");
            }

            count -= read;
        }
    }

    public async Task<bool> TryMountBlobAsync(string repository, string digest, string fromRepository, CancellationToken cancellationToken = default)
    {
        repository = RepositoryPath(repository);
        fromRepository = RepositoryPath(fromRepository);
        Digests.RequireDigest(digest);
        var url = _transport.Url($"/v2/{repository}/blobs/uploads/?mount={Uri.EscapeDataString(digest)}&from={Uri.EscapeDataString(fromRepository)}");
        using var response = await _transport.SendAsync(new RegistryRequest(HttpMethod.Post, url, Scopes.Mount(repository, fromRepository)), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            return true;
        }

        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            // The registry opened an upload session instead (blob not there, or not visible to us): close it.
            if (RegistryResponses.Location(response) is { } session)
            {
                await CancelSessionAsync(repository, session).ConfigureAwait(false);
            }

            return false;
        }

        await EnsureSuccessAsync(response, $"mount {digest} from {fromRepository} into {repository}", cancellationToken).ConfigureAwait(false);
        return false;
    }

    private async Task CancelSessionAsync(string repository, Uri session)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            using var response = await _transport.SendAsync(new RegistryRequest(HttpMethod.Delete, session, Scopes.Push(repository)) { Retry = false }, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RegistryException or OperationCanceledException)
        {
            _logger.LogDebug("Could not cancel an upload session in {Repository}: {Reason}", repository, e.Message);
        }
    }

    public async Task UploadBlobAsync(
        string repository,
        Descriptor blob,
        Func<long, CancellationToken, Task<Stream>> openContent,
        IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentNullException.ThrowIfNull(openContent);
        repository = RepositoryPath(repository);
        Digests.RequireDigest(blob.Digest);
        ArgumentOutOfRangeException.ThrowIfNegative(blob.Size);
        await new BlobUpload(_transport, repository, blob, openContent, progress, _logger).RunAsync(cancellationToken).ConfigureAwait(false);
    }

    private Uri BlobUrl(string repository, string digest) => _transport.Url($"/v2/{repository}/blobs/{digest}");

    // ---- referrers ----------------------------------------------------------------------------------------------

    public async Task<ReferrersApiAnswer> GetReferrersFromApiAsync(string repository, string digest, CancellationToken cancellationToken = default)
    {
        repository = RepositoryPath(repository);
        Digests.RequireDigest(digest);
        var referrers = new List<Descriptor>();
        var first = _transport.Url($"/v2/{repository}/referrers/{digest}");
        Uri? url = first;
        while (url is not null)
        {
            var request = new RegistryRequest(HttpMethod.Get, url, Scopes.Pull(repository)) { Accept = [MediaTypes.OciIndex] };
            using var response = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
            switch (response.StatusCode)
            {
                // A registry with the API never answers 404 (distribution spec): 404, as distribution 2.8 answers, and 405
                // from registries whose router predates the API say "no API" for the whole registry.
                case HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed when url == first:
                    return ReferrersApiAnswer.Unsupported;

                // An invalid request by the spec's words: this digest only, no conclusion about the registry.
                case HttpStatusCode.BadRequest when url == first:
                    return ReferrersApiAnswer.Unknown;
            }

            await EnsureSuccessAsync(response, $"list the referrers of {repository}@{digest}", cancellationToken).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            referrers.AddRange(new Manifest(bytes, MediaTypes.OciIndex, Digests.Sha256(bytes)).Children);

            // Long lists come in pages (Link: rel="next"), each an index of its own.
            url = NextLink(response, url);
        }

        return new ReferrersApiAnswer(ReferrersApiSupport.Supported, referrers);
    }

    public async Task<IReadOnlyList<Descriptor>> GetReferrersFromTagAsync(string repository, string digest, CancellationToken cancellationToken = default)
    {
        repository = RepositoryPath(repository);
        Digests.RequireDigest(digest);

        // One GET, not HEAD then GET: a missing tag costs the same, an existing one a request less.
        try
        {
            var index = await GetManifestAsync(repository, AttachmentTags.Stem(digest), cancellationToken).ConfigureAwait(false);

            // "If the tag schema does not return a valid image index, assume there are no referrers" (distribution spec).
            return index.IsIndex ? index.Children : [];
        }
        catch (RegistryException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }
    }

    // ---- shared -------------------------------------------------------------------------------------------------

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string action, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await RegistryResponses.ErrorAsync(response, action, cancellationToken).ConfigureAwait(false);
        }
    }
}
