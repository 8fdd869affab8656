using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Replication.Registry.Auth;
using Replication.Registry.Content;
using Replication.Registry.Http;

namespace Replication.Registry;

/// <summary>What a registry product's own API answers faster than the distribution protocol.</summary>
internal sealed partial class RegistryClient
{
    // Harbor refuses pages over 100 (swagger: page_size maximum 100).
    private const int HarborPageSize = 100;

    // A repository of a million artifacts is still listed; a server that never stops paging is not followed forever.
    private const int MaxHarborPages = 10_000;

    private const string JsonMediaType = "application/json";

    public async Task<IReadOnlyDictionary<string, ManifestInfo>?> ListTagManifestsAsync(string repository, CancellationToken cancellationToken = default)
    {
        repository = RepositoryPath(repository);
        var slash = repository.IndexOf('/', StringComparison.Ordinal);
        if (Endpoint.Product != RegistryProduct.Harbor || slash < 0)
        {
            return null;
        }

        // Harbor wants the repository name (the path after the project) URL-encoded twice: a/b is a%252Fb.
        var artifacts = $"/api/v2.0/projects/{Uri.EscapeDataString(repository[..slash])}/repositories/{Uri.EscapeDataString(Uri.EscapeDataString(repository[(slash + 1)..]))}/artifacts";
        var manifests = new Dictionary<string, ManifestInfo>(StringComparer.Ordinal);
        try
        {
            for (var page = 1; page <= MaxHarborPages; page++)
            {
                var url = _transport.Url($"{artifacts}?page={page}&page_size={HarborPageSize}&with_tag=true&with_label=false&with_scan_overview=false&with_accessory=false");
                using var response = await _transport.SendAsync(new RegistryRequest(HttpMethod.Get, url, Scopes.None) { ProductApi = true }, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return manifests; // no such repository (yet), or a page past the end
                }

                if (!response.IsSuccessStatusCode)
                {
                    _logger.LogDebug("{Registry} answered {Status} to the artifact list of {Repository}; its tags are HEADed one by one", Endpoint.Authority, (int)response.StatusCode, repository);
                    return null;
                }

                var listed = ReadArtifacts(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false), manifests);
                if (listed < HarborPageSize)
                {
                    return manifests;
                }
            }

            return manifests;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            _logger.LogDebug("The artifact list of {Repository} at {Registry} is not what Harbor answers ({Message}); its tags are HEADed one by one", repository, Endpoint.Authority, ex.Message);
            return null;
        }
    }

    /// <summary>Adds each tagged artifact of one page of Harbor's artifact list; the number of artifacts on the page.</summary>
    private static int ReadArtifacts(byte[] body, Dictionary<string, ManifestInfo> manifests)
    {
        using var doc = JsonDocument.Parse(body);
        var count = 0;
        foreach (var artifact in doc.RootElement.EnumerateArray())
        {
            count++;
            var digest = artifact.GetProperty("digest").GetString();
            var mediaType = artifact.TryGetProperty("manifest_media_type", out var type) ? type.GetString() : null;
            if (digest is null || !Digests.IsSupported(digest) || string.IsNullOrEmpty(mediaType)
                || !artifact.TryGetProperty("tags", out var tags) || tags.ValueKind != JsonValueKind.Array)
            {
                continue; // an index child or an untagged artifact
            }

            // Harbor's "size" is the whole artifact's, layers included: the manifest's own size stays unknown (-1).
            foreach (var tag in tags.EnumerateArray())
            {
                if (tag.TryGetProperty("name", out var name) && name.GetString() is { Length: > 0 } tagName)
                {
                    manifests[tagName] = new ManifestInfo(digest, mediaType, -1);
                }
            }
        }

        return count;
    }

    public async Task<bool> EnsureHarborProjectAsync(string project, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(project);
        if (await HarborProjectExistsAsync(project, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["project_name"] = project,
            ["metadata"] = new Dictionary<string, string> { ["public"] = "false" },
        });
        using var response = await _transport.SendAsync(
            new RegistryRequest(HttpMethod.Post, _transport.Url("/api/v2.0/projects"), Scopes.None)
            {
                ProductApi = true,
                Accept = [JsonMediaType],
                Content = () => new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue(JsonMediaType) } },
            },
            cancellationToken).ConfigureAwait(false);
        return response.StatusCode switch
        {
            HttpStatusCode.Created or HttpStatusCode.OK => true,
            HttpStatusCode.Conflict => false,
            _ => throw await RegistryResponses.ErrorAsync(response, $"create the Harbor project '{project}'", cancellationToken).ConfigureAwait(false),
        };
    }

    private async Task<bool> HarborProjectExistsAsync(string project, CancellationToken cancellationToken)
    {
        var head = new RegistryRequest(HttpMethod.Head, _transport.Url($"/api/v2.0/projects?project_name={Uri.EscapeDataString(project)}"), Scopes.None)
        {
            ProductApi = true,
            Accept = [JsonMediaType],
        };
        using (var response = await _transport.SendAsync(head, cancellationToken).ConfigureAwait(false))
        {
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    return true;
                case HttpStatusCode.NotFound:
                    return false;
                case HttpStatusCode.MethodNotAllowed:
                    break;
                default:
                    throw await RegistryResponses.ErrorAsync(response, $"check whether the Harbor project '{project}' exists", cancellationToken).ConfigureAwait(false);
            }
        }

        // Some proxies refuse HEAD: list by name and look for the exact one ("name" is a fuzzy match).
        var get = new RegistryRequest(HttpMethod.Get, _transport.Url($"/api/v2.0/projects?name={Uri.EscapeDataString(project)}&page_size={HarborPageSize}&with_detail=false"), Scopes.None)
        {
            ProductApi = true,
            Accept = [JsonMediaType],
        };
        using var listed = await _transport.SendAsync(get, cancellationToken).ConfigureAwait(false);
        if (!listed.IsSuccessStatusCode)
        {
            throw await RegistryResponses.ErrorAsync(listed, $"look up the Harbor project '{project}'", cancellationToken).ConfigureAwait(false);
        }

        try
        {
            using var doc = JsonDocument.Parse(await listed.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
            return doc.RootElement.ValueKind == JsonValueKind.Array
                && doc.RootElement.EnumerateArray().Any(p => p.TryGetProperty("name", out var name) && name.GetString() == project);
        }
        catch (JsonException ex)
        {
            throw new RegistryException($"Could not look up the Harbor project '{project}': the answer is not Harbor's project list ({ex.Message}).", listed.StatusCode, null, ex);
        }
    }
}
