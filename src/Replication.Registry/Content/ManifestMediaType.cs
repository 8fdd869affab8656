using System.Text.Json;

namespace Replication.Registry.Content;

/// <summary>Works out a manifest's media type when the registry's Content-Type is missing or generic.</summary>
internal static class ManifestMediaType
{
    public static string Resolve(string? contentType, ReadOnlySpan<byte> bytes)
    {
        if (!string.IsNullOrEmpty(contentType) && contentType is not ("application/json" or "text/plain" or "application/octet-stream"))
        {
            return contentType;
        }

        try
        {
            var reader = new Utf8JsonReader(bytes);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.TryGetProperty("mediaType", out var mt) && mt.ValueKind == JsonValueKind.String && mt.GetString() is { Length: > 0 } declared)
            {
                return declared;
            }

            if (root.TryGetProperty("schemaVersion", out var sv) && sv.ValueKind == JsonValueKind.Number && sv.GetInt32() == 1)
            {
                return root.TryGetProperty("signatures", out _) ? MediaTypes.DockerSchema1Signed : MediaTypes.DockerSchema1;
            }

            return root.TryGetProperty("manifests", out _) ? MediaTypes.OciIndex : MediaTypes.OciManifest;
        }
        catch (JsonException)
        {
            return contentType ?? "application/octet-stream";
        }
    }

    public static bool IsSchema1(string mediaType, ReadOnlySpan<byte> bytes)
    {
        if (MediaTypes.IsSchema1(mediaType))
        {
            return true;
        }

        if (mediaType is not ("application/json" or "application/octet-stream"))
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(bytes);
            using var doc = JsonDocument.ParseValue(ref reader);
            return doc.RootElement.TryGetProperty("schemaVersion", out var sv) && sv.ValueKind == JsonValueKind.Number && sv.GetInt32() == 1;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
