using System.Text.Json;

namespace Replication.Registry.Content;

/// <summary>Reads the parts of a manifest the copier needs, without ever rewriting it.</summary>
internal static class ManifestParser
{
    public static IReadOnlyList<Descriptor> Children(Manifest manifest)
    {
        if (!manifest.IsIndex)
        {
            return [];
        }

        using var doc = JsonDocument.Parse(manifest.Bytes);
        return ReadDescriptors(doc.RootElement, "manifests");
    }

    public static IReadOnlyList<Descriptor> Blobs(Manifest manifest)
    {
        if (manifest.IsIndex)
        {
            return [];
        }

        using var doc = JsonDocument.Parse(manifest.Bytes);
        var blobs = new List<Descriptor>();
        if (doc.RootElement.TryGetProperty("config", out var config) && config.ValueKind == JsonValueKind.Object)
        {
            blobs.Add(config.Deserialize<Descriptor>()!);
        }

        blobs.AddRange(ReadDescriptors(doc.RootElement, "layers"));
        return blobs;
    }

    public static Descriptor? Subject(Manifest manifest)
    {
        using var doc = JsonDocument.Parse(manifest.Bytes);
        return doc.RootElement.TryGetProperty("subject", out var subject) && subject.ValueKind == JsonValueKind.Object
            ? subject.Deserialize<Descriptor>()
            : null;
    }

    private static List<Descriptor> ReadDescriptors(JsonElement root, string property) =>
        root.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().Select(e => e.Deserialize<Descriptor>()!).ToList()
            : [];
}
