using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Replication.Testing.Registries;

namespace Replication.Testing.Images;

/// <summary>
/// A small OCI distribution client of the tests' own, independent of the product's registry client: it
/// builds and pushes images, indexes and referrers, and inspects what a registry holds. It speaks
/// anonymous, Basic and Bearer-token auth by following the registry's challenge. Blobs are streamed,
/// never held whole.
/// </summary>
public sealed partial class OciTestClient : IDisposable
{
    private const string EmptyJson = "{}";

    private readonly HttpClient _http;
    private readonly string? _userName;
    private readonly string? _password;
    private readonly ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private volatile bool _useBasic;

    /// <summary>A client for a test registry, with its default account.</summary>
    public OciTestClient(RegistryProcess registry)
        : this((registry ?? throw new ArgumentNullException(nameof(registry))).Url, registry.UserName, registry.Password, registry.CertificateAuthority)
    {
    }

    /// <summary>A client for any registry URL (for example a fault proxy), with optional credentials.</summary>
    /// <param name="baseUrl">Scheme, host and port, e.g. <c>http://127.0.0.1:5000</c>.</param>
    /// <param name="userName">User for Basic auth or the token server; null for anonymous.</param>
    /// <param name="password">Password for <paramref name="userName"/>.</param>
    /// <param name="trusted">The private CA of an HTTPS registry; null trusts the system store only.</param>
    public OciTestClient(string baseUrl, string? userName = null, string? password = null, TestCertificateAuthority? trusted = null)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        BaseUrl = baseUrl.TrimEnd('/');
        _userName = userName;
        _password = password;
        var handler = new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false };
        if (trusted is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = trusted.Validation;
        }

        _http = new HttpClient(handler)
        {
            Timeout = TimeSpan.FromMinutes(10),
        };
    }

    /// <summary>The registry base URL.</summary>
    public string BaseUrl { get; }

    /// <summary>How many blobs may upload at once within one image push.</summary>
    public int ParallelUploads { get; init; } = 4;

    // ---------------------------------------------------------------- push

    /// <summary>Pushes a seeded blob unless the repository has it: HEAD, then POST and a streamed monolithic PUT.</summary>
    public async Task<Descriptor> PushBlobAsync(string repository, SeededBlob blob, string mediaType = MediaTypes.OciLayerGzip, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blob);
        var digest = await blob.GetDigestAsync(cancellationToken);
        await UploadAsync(repository, digest, blob.Size, blob.OpenRead, cancellationToken);
        return new Descriptor(mediaType, digest, blob.Size);
    }

    /// <summary>Pushes a small blob from memory (configs, payloads) unless the repository has it.</summary>
    public async Task<Descriptor> PushBlobAsync(string repository, ReadOnlyMemory<byte> content, string mediaType, CancellationToken cancellationToken = default)
    {
        var digest = ManifestJson.Digest(content.Span);
        var bytes = content.ToArray();
        await UploadAsync(repository, digest, bytes.Length, () => new MemoryStream(bytes, writable: false), cancellationToken);
        return new Descriptor(mediaType, digest, bytes.Length);
    }

    /// <summary>Puts manifest bytes as given under a tag or digest and returns the digest the registry reported.</summary>
    public async Task<string> PushManifestAsync(string repository, string reference, ReadOnlyMemory<byte> bytes, string mediaType, CancellationToken cancellationToken = default)
    {
        var expected = ManifestJson.Digest(bytes.Span);
        var body = bytes.ToArray();
        using var response = await SendAsync(
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Put, $"{BaseUrl}/v2/{repository}/manifests/{reference}")
                {
                    Content = new ByteArrayContent(body),
                };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
                return request;
            },
            repository,
            cancellationToken);
        await EnsureAsync(response, HttpStatusCode.Created, cancellationToken);
        var reported = response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.First() : expected;
        if (!string.Equals(reported, expected, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Registry reported digest {reported} for a manifest whose bytes hash to {expected}.");
        }

        return expected;
    }

    /// <summary>Builds and pushes an image: layers, then config, then the manifest (under <paramref name="tag"/>, or by digest when null).</summary>
    public async Task<PushedImage> PushImageAsync(string repository, string? tag, ImageSpec? spec = null, CancellationToken cancellationToken = default)
    {
        spec ??= new ImageSpec();
        var docker = spec.Format == ManifestFormat.Docker;
        var layerType = docker ? MediaTypes.DockerLayerGzip : MediaTypes.OciLayerGzip;
        var layers = new Descriptor[spec.Layers.Count];
        var diffIds = new string[spec.Layers.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, spec.Layers.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, ParallelUploads), CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                diffIds[i] = (await spec.Layers[i].GetDigestsAsync(ct)).DiffId;
                layers[i] = await PushBlobAsync(repository, spec.Layers[i], layerType, ct);
            });

        var configBytes = ManifestJson.ImageConfig(spec, diffIds);
        var config = await PushBlobAsync(repository, configBytes, docker ? MediaTypes.DockerConfig : MediaTypes.OciConfig, cancellationToken);
        var mediaType = docker ? MediaTypes.DockerManifest : MediaTypes.OciManifest;
        var manifest = ManifestJson.ImageManifest(mediaType, config, layers, docker ? null : spec.Annotations);
        var digest = await PushManifestAsync(repository, tag ?? ManifestJson.Digest(manifest), manifest, mediaType, cancellationToken);
        return new PushedImage
        {
            Repository = repository,
            Tag = tag,
            Digest = digest,
            MediaType = mediaType,
            Bytes = manifest,
            Config = config,
            Layers = layers,
        };
    }

    /// <summary>
    /// Builds and pushes a multi-platform image: each platform's image by digest, then the OCI index or
    /// Docker manifest list (children first, as registries require).
    /// </summary>
    public async Task<PushedIndex> PushIndexAsync(string repository, string? tag, IReadOnlyList<ImageSpec> platforms, ManifestFormat format = ManifestFormat.Oci, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(platforms);
        var children = new List<PushedImage>();
        foreach (var platform in platforms)
        {
            children.Add(await PushImageAsync(repository, null, platform with { Format = format }, cancellationToken));
        }

        var mediaType = format == ManifestFormat.Docker ? MediaTypes.DockerManifestList : MediaTypes.OciIndex;
        var bytes = ManifestJson.Index(mediaType, children.Select((c, i) => (c.Descriptor, (ImageSpec?)platforms[i], (string?)null, (IReadOnlyDictionary<string, string>?)null)));
        var digest = await PushManifestAsync(repository, tag ?? ManifestJson.Digest(bytes), bytes, mediaType, cancellationToken);
        return new PushedIndex
        {
            Repository = repository,
            Tag = tag,
            Digest = digest,
            MediaType = mediaType,
            Bytes = bytes,
            Manifests = children,
        };
    }

    /// <summary>A multi-platform index for <c>linux/amd64</c> and <c>linux/arm64/v8</c> built from one spec.</summary>
    public Task<PushedIndex> PushIndexAsync(string repository, string? tag, ImageSpec spec, ManifestFormat format = ManifestFormat.Oci, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return PushIndexAsync(repository, tag, [spec.ForPlatform("amd64"), spec.ForPlatform("arm64", "v8")], format, cancellationToken);
    }

    /// <summary>Puts an already pushed manifest's exact bytes under another tag of the same repository.</summary>
    public async Task<T> TagAsync<T>(T manifest, string tag, CancellationToken cancellationToken = default)
        where T : PushedManifest
    {
        ArgumentNullException.ThrowIfNull(manifest);
        await PushManifestAsync(manifest.Repository, tag, manifest.Bytes, manifest.MediaType, cancellationToken);
        return manifest with { Tag = tag };
    }

    /// <summary>Pushes one image and tags it with every name in <paramref name="tags"/> (for paging tests).</summary>
    public async Task<IReadOnlyList<PushedImage>> PushTagsAsync(string repository, IEnumerable<string> tags, ImageSpec? spec = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var result = new List<PushedImage>();
        PushedImage? first = null;
        foreach (var tag in tags)
        {
            if (first is null)
            {
                first = await PushImageAsync(repository, tag, spec, cancellationToken);
                result.Add(first);
            }
            else
            {
                result.Add(await TagAsync(first, tag, cancellationToken));
            }
        }

        return result;
    }

    /// <summary>
    /// Pushes an OCI 1.1 artifact whose <c>subject</c> is <paramref name="subject"/> (a referrer, e.g. an SBOM or
    /// signature) by digest, and adds it to the referrers tag-schema fallback index tagged <c>sha256-&lt;hex&gt;</c>,
    /// since distribution 2.8 has no referrers API.
    /// </summary>
    public async Task<PushedImage> PushReferrerAsync(PushedManifest subject, string artifactType = "application/vnd.example.sbom.v1+json", SeededBlob? payload = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var repository = subject.Repository;
        var config = await PushBlobAsync(repository, Encoding.UTF8.GetBytes(EmptyJson), MediaTypes.OciEmpty, cancellationToken);
        var layer = await PushBlobAsync(repository, payload ?? SeededBlob.Layer(StableSeed(subject.Digest), 512), artifactType, cancellationToken);
        var annotations = new Dictionary<string, string> { ["org.opencontainers.image.created"] = "2024-01-01T00:00:00Z" };
        var bytes = ManifestJson.ImageManifest(MediaTypes.OciManifest, config, [layer], annotations, artifactType, subject.Descriptor);
        var digest = await PushManifestAsync(repository, ManifestJson.Digest(bytes), bytes, MediaTypes.OciManifest, cancellationToken);
        var referrer = new PushedImage
        {
            Repository = repository,
            Tag = null,
            Digest = digest,
            MediaType = MediaTypes.OciManifest,
            Bytes = bytes,
            Config = config,
            Layers = [layer],
        };
        await AddToReferrersFallbackAsync(subject, referrer, artifactType, annotations, cancellationToken);
        return referrer;
    }

    /// <summary>
    /// Pushes a cosign-style signature (or attestation, SBOM) for <paramref name="subject"/> under the tag
    /// <c>sha256-&lt;hex&gt;.&lt;suffix&gt;</c> in the subject's repository.
    /// </summary>
    /// <param name="subject">The signed manifest.</param>
    /// <param name="suffix"><c>sig</c>, <c>att</c> or <c>sbom</c>.</param>
    /// <param name="cancellationToken">Cancels the push.</param>
    public async Task<PushedImage> PushCosignTagAsync(PushedManifest subject, string suffix = "sig", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var repository = subject.Repository;
        var payload = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            critical = new
            {
                identity = new Dictionary<string, string> { ["docker-reference"] = repository },
                image = new Dictionary<string, string> { ["docker-manifest-digest"] = subject.Digest },
                type = "cosign container image signature",
            },
        }));
        var layer = await PushBlobAsync(repository, payload, MediaTypes.CosignSignature, cancellationToken);
        var configBytes = Encoding.UTF8.GetBytes(
            "{\"architecture\":\"\",\"os\":\"\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + layer.Digest + "\"]}}");
        var config = await PushBlobAsync(repository, configBytes, MediaTypes.OciConfig, cancellationToken);
        var signature = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(subject.Digest + suffix)));
        var bytes = ManifestJson.ImageManifest(
            MediaTypes.OciManifest,
            config,
            [layer],
            layerAnnotations: new Dictionary<string, string> { ["dev.cosignproject.cosign/signature"] = signature });
        var tag = CosignTag(subject.Digest, suffix);
        var digest = await PushManifestAsync(repository, tag, bytes, MediaTypes.OciManifest, cancellationToken);
        return new PushedImage
        {
            Repository = repository,
            Tag = tag,
            Digest = digest,
            MediaType = MediaTypes.OciManifest,
            Bytes = bytes,
            Config = config,
            Layers = [layer],
        };
    }

    /// <summary>The cosign tag for a digest: <c>sha256-&lt;hex&gt;.&lt;suffix&gt;</c>.</summary>
    public static string CosignTag(string digest, string suffix = "sig") => $"{ReferrersFallbackTag(digest)}.{suffix}";

    /// <summary>The referrers tag-schema fallback tag for a digest: <c>sha256-&lt;hex&gt;</c>.</summary>
    public static string ReferrersFallbackTag(string digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        return digest.Replace(':', '-');
    }

    /// <summary>Deletes a manifest by digest (distribution 2.8 cannot delete by tag).</summary>
    public async Task DeleteManifestAsync(string repository, string digest, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, $"{BaseUrl}/v2/{repository}/manifests/{digest}"), repository, cancellationToken);
        await EnsureAsync(response, HttpStatusCode.Accepted, cancellationToken);
    }

    // ---------------------------------------------------------------- inspect

    /// <summary>HEAD of a manifest: its digest, or null when the tag or digest is unknown.</summary>
    public async Task<string?> GetManifestDigestAsync(string repository, string reference, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(() => ManifestRequest(HttpMethod.Head, repository, reference), repository, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureAsync(response, HttpStatusCode.OK, cancellationToken);
        return response.Headers.GetValues("Docker-Content-Digest").First();
    }

    /// <summary>GET of a manifest: exact bytes, media type and digest, or null when unknown.</summary>
    public async Task<FetchedManifest?> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(() => ManifestRequest(HttpMethod.Get, repository, reference), repository, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureAsync(response, HttpStatusCode.OK, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new FetchedManifest(bytes, response.Content.Headers.ContentType?.MediaType ?? string.Empty, ManifestJson.Digest(bytes));
    }

    /// <summary>All tags of a repository, following <c>Link</c> paging; empty when the repository is unknown.</summary>
    public async Task<IReadOnlyList<string>> ListTagsAsync(string repository, int pageSize = 100, CancellationToken cancellationToken = default)
    {
        var tags = new List<string>();
        var url = $"{BaseUrl}/v2/{repository}/tags/list?n={pageSize}";
        while (url is not null)
        {
            var pageUrl = url;
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, pageUrl), repository, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return tags;
            }

            await EnsureAsync(response, HttpStatusCode.OK, cancellationToken);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
            if (json.RootElement.TryGetProperty("tags", out var page) && page.ValueKind == JsonValueKind.Array)
            {
                tags.AddRange(page.EnumerateArray().Select(t => t.GetString()!));
            }

            url = NextPage(response);
        }

        return tags;
    }

    /// <summary>All repositories of the registry (<c>_catalog</c>), following <c>Link</c> paging.</summary>
    public async Task<IReadOnlyList<string>> ListRepositoriesAsync(int pageSize = 100, CancellationToken cancellationToken = default)
    {
        var repositories = new List<string>();
        var url = $"{BaseUrl}/v2/_catalog?n={pageSize}";
        while (url is not null)
        {
            var pageUrl = url;
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, pageUrl), CatalogScope, cancellationToken);
            await EnsureAsync(response, HttpStatusCode.OK, cancellationToken);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
            repositories.AddRange(json.RootElement.GetProperty("repositories").EnumerateArray().Select(r => r.GetString()!));
            url = NextPage(response);
        }

        return repositories;
    }

    /// <summary>Whether the repository has the blob (HEAD).</summary>
    public async Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Head, $"{BaseUrl}/v2/{repository}/blobs/{digest}"), repository, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureAsync(response, HttpStatusCode.OK, cancellationToken);
        return true;
    }

    /// <summary>Streams a blob and returns the SHA-256 digest of what came back (to prove content, not just presence).</summary>
    public async Task<string> ComputeBlobDigestAsync(string repository, string digest, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, $"{BaseUrl}/v2/{repository}/blobs/{digest}"), repository, cancellationToken, HttpCompletionOption.ResponseHeadersRead);
        await EnsureAsync(response, HttpStatusCode.OK, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var sha = SHA256.Create();
        return "sha256:" + Convert.ToHexStringLower(await sha.ComputeHashAsync(stream, cancellationToken));
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    /// <summary>Names the registry, never the password.</summary>
    public override string ToString() => $"OciTestClient {BaseUrl}{(_userName is null ? string.Empty : $" as {_userName}")}";

    // ---------------------------------------------------------------- plumbing

    private const string CatalogScope = "\u0000catalog";

    private async Task UploadAsync(string repository, string digest, long size, Func<Stream> open, CancellationToken cancellationToken)
    {
        if (await BlobExistsAsync(repository, digest, cancellationToken))
        {
            return;
        }

        using var start = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, $"{BaseUrl}/v2/{repository}/blobs/uploads/"), repository, cancellationToken);
        await EnsureAsync(start, HttpStatusCode.Accepted, cancellationToken);
        var location = Resolve(start.Headers.Location ?? throw new InvalidOperationException("Upload start returned no Location."));
        var target = location + (location.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "digest=" + Uri.EscapeDataString(digest);
        using var put = await SendAsync(
            () =>
            {
                var content = new StreamContent(open(), 81920);
                content.Headers.ContentLength = size;
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                return new HttpRequestMessage(HttpMethod.Put, target) { Content = content };
            },
            repository,
            cancellationToken);
        await EnsureAsync(put, HttpStatusCode.Created, cancellationToken);
    }

    private async Task AddToReferrersFallbackAsync(PushedManifest subject, PushedImage referrer, string artifactType, IReadOnlyDictionary<string, string> annotations, CancellationToken cancellationToken)
    {
        var tag = ReferrersFallbackTag(subject.Digest);
        var entries = new List<(Descriptor, ImageSpec?, string?, IReadOnlyDictionary<string, string>?)>();
        var existing = await GetManifestAsync(subject.Repository, tag, cancellationToken);
        if (existing is not null)
        {
            using var json = JsonDocument.Parse(existing.Bytes);
            foreach (var m in json.RootElement.GetProperty("manifests").EnumerateArray())
            {
                var descriptor = new Descriptor(m.GetProperty("mediaType").GetString()!, m.GetProperty("digest").GetString()!, m.GetProperty("size").GetInt64());
                var type = m.TryGetProperty("artifactType", out var t) ? t.GetString() : null;
                var notes = m.TryGetProperty("annotations", out var a)
                    ? a.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!)
                    : null;
                if (!string.Equals(descriptor.Digest, referrer.Digest, StringComparison.Ordinal))
                {
                    entries.Add((descriptor, null, type, notes));
                }
            }
        }

        entries.Add((referrer.Descriptor, null, artifactType, annotations));
        var bytes = ManifestJson.Index(MediaTypes.OciIndex, entries);
        await PushManifestAsync(subject.Repository, tag, bytes, MediaTypes.OciIndex, cancellationToken);
    }

    private static long StableSeed(string digest) =>
        System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(Convert.FromHexString(digest.AsSpan(7, 16)));

    private HttpRequestMessage ManifestRequest(HttpMethod method, string repository, string reference)
    {
        var request = new HttpRequestMessage(method, $"{BaseUrl}/v2/{repository}/manifests/{reference}");
        foreach (var type in MediaTypes.AllManifests)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        return request;
    }

    private string Resolve(Uri location) => location.IsAbsoluteUri ? location.ToString() : new Uri(new Uri(BaseUrl + "/"), location).ToString();

    private string? NextPage(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var links))
        {
            return null;
        }

        var match = LinkNext().Match(string.Join(",", links));
        return match.Success ? Resolve(new Uri(match.Groups["url"].Value, UriKind.RelativeOrAbsolute)) : null;
    }

    /// <summary>Sends with the cached credential for the scope; on a 401 answers the challenge once and resends.</summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> create, string scopeKey, CancellationToken cancellationToken, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = create();
            if (_useBasic && _userName is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_userName}:{_password}")));
            }
            else if (_tokens.TryGetValue(scopeKey, out var token))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            var response = await _http.SendAsync(request, completion, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Unauthorized || attempt > 0 || !await AnswerChallengeAsync(response, scopeKey, cancellationToken))
            {
                return response;
            }

            response.Dispose();
        }
    }

    private async Task<bool> AnswerChallengeAsync(HttpResponseMessage response, string scopeKey, CancellationToken cancellationToken)
    {
        var challenge = response.Headers.WwwAuthenticate.FirstOrDefault();
        if (challenge is null || _userName is null)
        {
            return false;
        }

        if (string.Equals(challenge.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
        {
            _useBasic = true;
            return true;
        }

        if (!string.Equals(challenge.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var parameters = ChallengeParameter().Matches(challenge.Parameter ?? string.Empty)
            .ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value, StringComparer.OrdinalIgnoreCase);
        if (!parameters.TryGetValue("realm", out var realm))
        {
            return false;
        }

        var query = new List<string>();
        if (parameters.TryGetValue("service", out var service))
        {
            query.Add("service=" + Uri.EscapeDataString(service));
        }

        if (parameters.TryGetValue("scope", out var scope))
        {
            query.AddRange(scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => "scope=" + Uri.EscapeDataString(s)));
        }

        using var tokenRequest = new HttpRequestMessage(HttpMethod.Get, realm + (query.Count > 0 ? "?" + string.Join("&", query) : string.Empty));
        tokenRequest.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_userName}:{_password}")));
        using var tokenResponse = await _http.SendAsync(tokenRequest, cancellationToken);
        if (!tokenResponse.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"Token server {realm} answered {(int)tokenResponse.StatusCode} for {scope}.", null, tokenResponse.StatusCode);
        }

        using var json = JsonDocument.Parse(await tokenResponse.Content.ReadAsStreamAsync(cancellationToken));
        var root = json.RootElement;
        var token = root.TryGetProperty("token", out var t) ? t.GetString() : root.GetProperty("access_token").GetString();
        _tokens[scopeKey] = token ?? throw new InvalidOperationException($"Token server {realm} returned no token.");
        return true;
    }

    private static async Task EnsureAsync(HttpResponseMessage response, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        if (response.StatusCode == expected || (expected == HttpStatusCode.OK && response.IsSuccessStatusCode))
        {
            return;
        }

        var body = response.RequestMessage?.Method == HttpMethod.Head ? string.Empty : await response.Content.ReadAsStringAsync(cancellationToken);
        if (body.Length > 500)
        {
            body = body[..500];
        }

        throw new HttpRequestException(
            $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} answered {(int)response.StatusCode} (expected {(int)expected}): {body}",
            null,
            response.StatusCode);
    }

    [GeneratedRegex("(?<key>\\w+)=\"(?<value>[^\"]*)\"")]
    private static partial Regex ChallengeParameter();

    [GeneratedRegex("""<(?<url>[^>]+)>\s*;\s*rel="?next"?""")]
    private static partial Regex LinkNext();
}

/// <summary>A manifest as the registry served it.</summary>
/// <param name="Bytes">Exact bytes.</param>
/// <param name="MediaType">The response's <c>Content-Type</c>.</param>
/// <param name="Digest">SHA-256 of <paramref name="Bytes"/>.</param>
public sealed record FetchedManifest(byte[] Bytes, string MediaType, string Digest);
