using System.Text.Json;
using Replication.Engine.Planning;
using Replication.Registry.Content;

namespace Replication.Admin.Webhooks;

/// <summary>What a notification body said: the manifest pushes and deletions to act on, and how many events were ignored.</summary>
public sealed record RegistryEventBatch(IReadOnlyList<SourceChange> Changes, int Ignored, string Format);

/// <summary>
/// Reads CNCF distribution notification envelopes (<c>{"events":[…]}</c>) and Harbor webhook payloads
/// (<c>{"type":"PUSH_ARTIFACT","event_data":{…}}</c>). Keeps manifest pushes with a tag and deletions; pulls, mounts
/// and blob events are ignored. A body that is not one of those shapes, or names an invalid repository, tag or digest,
/// is refused as a whole.
/// </summary>
public static class RegistryEventParser
{
    public const string DistributionMediaType = "application/vnd.docker.distribution.events.v1+json";

    private static readonly HashSet<string> ManifestMediaTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v1+prettyjws",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.artifact.manifest.v1+json",
    };

    /// <summary>Parses <paramref name="body"/>; false with a message saying what is wrong when it cannot be used.</summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out RegistryEventBatch batch, out string error)
    {
        batch = new RegistryEventBatch([], 0, "");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException exception)
        {
            error = $"The body is not valid JSON: {exception.Message}";
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "The body must be a JSON object: a distribution notification envelope or a Harbor webhook payload.";
                return false;
            }

            if (root.TryGetProperty("events", out var events))
            {
                return TryParseDistribution(events, out batch, out error);
            }

            if (root.TryGetProperty("type", out var type) && root.TryGetProperty("event_data", out var data))
            {
                return TryParseHarbor(type, data, out batch, out error);
            }

            error = "Unknown notification format: expected a distribution envelope {\"events\":[…]} or a Harbor payload {\"type\",\"event_data\"}.";
            return false;
        }
    }

    private static bool TryParseDistribution(JsonElement events, out RegistryEventBatch batch, out string error)
    {
        batch = new RegistryEventBatch([], 0, "distribution");
        if (events.ValueKind != JsonValueKind.Array)
        {
            error = "\"events\" must be an array.";
            return false;
        }

        var changes = new List<SourceChange>();
        var ignored = 0;
        var index = 0;
        foreach (var item in events.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("target", out var target) || target.ValueKind != JsonValueKind.Object)
            {
                error = $"events[{index}] has no \"target\" object.";
                return false;
            }

            var action = String(item, "action");
            var repository = String(target, "repository");
            var tag = String(target, "tag");
            var digest = String(target, "digest");
            var mediaType = String(target, "mediaType");
            var url = String(target, "url");
            index++;

            SourceChangeKind kind;
            if (string.Equals(action, "push", StringComparison.OrdinalIgnoreCase))
            {
                var isManifest = mediaType is not null ? ManifestMediaTypes.Contains(mediaType) : url?.Contains("/manifests/", StringComparison.Ordinal) == true;
                if (!isManifest || tag is null)
                {
                    // Blobs arrive before their manifest; a push by digest is an index child or referrer its tag brings along.
                    ignored++;
                    continue;
                }

                kind = SourceChangeKind.Pushed;
            }
            else if (string.Equals(action, "delete", StringComparison.OrdinalIgnoreCase))
            {
                kind = SourceChangeKind.Deleted;
            }
            else
            {
                ignored++;
                continue;
            }

            if (!TryValidate(repository, tag, digest, $"events[{index - 1}]", out error))
            {
                return false;
            }

            changes.Add(new SourceChange(kind, repository!, tag, digest));
        }

        batch = batch with { Changes = changes, Ignored = ignored };
        error = "";
        return true;
    }

    private static bool TryParseHarbor(JsonElement type, JsonElement data, out RegistryEventBatch batch, out string error)
    {
        batch = new RegistryEventBatch([], 0, "harbor");
        if (type.ValueKind != JsonValueKind.String || data.ValueKind != JsonValueKind.Object)
        {
            error = "A Harbor payload needs a string \"type\" and an \"event_data\" object.";
            return false;
        }

        SourceChangeKind kind;
        switch (type.GetString()!.ToUpperInvariant())
        {
            case "PUSH_ARTIFACT" or "PUSHIMAGE":
                kind = SourceChangeKind.Pushed;
                break;
            case "DELETE_ARTIFACT" or "DELETEIMAGE" or "DELETE_TAG":
                kind = SourceChangeKind.Deleted;
                break;
            default:
                batch = batch with { Ignored = 1 };
                error = "";
                return true;
        }

        if (!data.TryGetProperty("repository", out var repositoryElement) || repositoryElement.ValueKind != JsonValueKind.Object)
        {
            error = "event_data.repository is missing.";
            return false;
        }

        var repository = String(repositoryElement, "repo_full_name")
            ?? (String(repositoryElement, "namespace") is { } ns && String(repositoryElement, "name") is { } name ? $"{ns}/{name}" : null);
        if (!data.TryGetProperty("resources", out var resources) || resources.ValueKind != JsonValueKind.Array)
        {
            error = "event_data.resources must be an array.";
            return false;
        }

        var changes = new List<SourceChange>();
        var ignored = 0;
        var index = 0;
        foreach (var resource in resources.EnumerateArray())
        {
            if (resource.ValueKind != JsonValueKind.Object)
            {
                error = $"event_data.resources[{index}] must be an object.";
                return false;
            }

            var tag = String(resource, "tag");
            var digest = String(resource, "digest");
            if (!TryValidate(repository, tag, digest, $"event_data.resources[{index}]", out error))
            {
                return false;
            }

            index++;
            if (kind == SourceChangeKind.Pushed && tag is null)
            {
                ignored++;
                continue;
            }

            changes.Add(new SourceChange(kind, repository!, tag, digest));
        }

        batch = batch with { Changes = changes, Ignored = ignored };
        error = "";
        return true;
    }

    private static bool TryValidate(string? repository, string? tag, string? digest, string where, out string error)
    {
        if (!References.IsRepositoryName(repository))
        {
            error = $"{where}: the repository name is missing or invalid.";
            return false;
        }

        if (tag is not null && !References.IsTag(tag))
        {
            error = $"{where}: the tag '{Truncate(tag)}' is invalid.";
            return false;
        }

        if (digest is not null && !References.IsDigest(digest))
        {
            error = $"{where}: the digest '{Truncate(digest)}' is invalid.";
            return false;
        }

        if (tag is null && digest is null)
        {
            error = $"{where}: names neither a tag nor a digest.";
            return false;
        }

        error = "";
        return true;
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    private static string Truncate(string value) => value.Length > 80 ? value[..80] + "…" : value;
}
