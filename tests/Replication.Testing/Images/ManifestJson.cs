using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Replication.Testing.Images;

/// <summary>Writes manifests, indexes and configs as compact JSON with a fixed property order, so equal inputs give equal digests.</summary>
internal static class ManifestJson
{
    /// <summary>A fixed creation time keeps configs deterministic.</summary>
    private const string Created = "2024-01-01T00:00:00Z";

    public static string Digest(ReadOnlySpan<byte> bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static byte[] ImageConfig(ImageSpec spec, IEnumerable<string> diffIds) => Write(w =>
    {
        w.WriteString("architecture", spec.Architecture);
        w.WriteString("os", spec.Os);
        if (spec.Variant is not null)
        {
            w.WriteString("variant", spec.Variant);
        }

        w.WriteString("created", spec.Created is { } created ? created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) : Created);
        w.WriteStartObject("config");
        w.WriteStartObject("Labels");
        w.WriteString("org.replication-admin.test", spec.Label);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartObject("rootfs");
        w.WriteString("type", "layers");
        w.WriteStartArray("diff_ids");
        foreach (var diffId in diffIds)
        {
            w.WriteStringValue(diffId);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static byte[] ImageManifest(
        string mediaType,
        Descriptor config,
        IEnumerable<Descriptor> layers,
        IReadOnlyDictionary<string, string>? annotations = null,
        string? artifactType = null,
        Descriptor? subject = null,
        IReadOnlyDictionary<string, string>? layerAnnotations = null) => Write(w =>
    {
        w.WriteNumber("schemaVersion", 2);
        w.WriteString("mediaType", mediaType);
        if (artifactType is not null)
        {
            w.WriteString("artifactType", artifactType);
        }

        w.WritePropertyName("config");
        WriteDescriptor(w, config);
        w.WriteStartArray("layers");
        foreach (var layer in layers)
        {
            WriteDescriptor(w, layer, annotations: layerAnnotations);
        }

        w.WriteEndArray();
        if (subject is not null)
        {
            w.WritePropertyName("subject");
            WriteDescriptor(w, subject);
        }

        WriteAnnotations(w, annotations);
    });

    public static byte[] Index(string mediaType, IEnumerable<(Descriptor Manifest, ImageSpec? Platform, string? ArtifactType, IReadOnlyDictionary<string, string>? Annotations)> entries) => Write(w =>
    {
        w.WriteNumber("schemaVersion", 2);
        w.WriteString("mediaType", mediaType);
        w.WriteStartArray("manifests");
        foreach (var (manifest, platform, artifactType, annotations) in entries)
        {
            WriteDescriptor(w, manifest, platform, artifactType, annotations);
        }

        w.WriteEndArray();
    });

    private static void WriteDescriptor(
        Utf8JsonWriter w,
        Descriptor descriptor,
        ImageSpec? platform = null,
        string? artifactType = null,
        IReadOnlyDictionary<string, string>? annotations = null)
    {
        w.WriteStartObject();
        w.WriteString("mediaType", descriptor.MediaType);
        w.WriteString("digest", descriptor.Digest);
        w.WriteNumber("size", descriptor.Size);
        if (artifactType is not null)
        {
            w.WriteString("artifactType", artifactType);
        }

        if (platform is not null)
        {
            w.WriteStartObject("platform");
            w.WriteString("architecture", platform.Architecture);
            w.WriteString("os", platform.Os);
            if (platform.Variant is not null)
            {
                w.WriteString("variant", platform.Variant);
            }

            w.WriteEndObject();
        }

        WriteAnnotations(w, annotations);
        w.WriteEndObject();
    }

    private static void WriteAnnotations(Utf8JsonWriter w, IReadOnlyDictionary<string, string>? annotations)
    {
        if (annotations is null || annotations.Count == 0)
        {
            return;
        }

        w.WriteStartObject("annotations");
        foreach (var (key, value) in annotations.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            w.WriteString(key, value);
        }

        w.WriteEndObject();
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
