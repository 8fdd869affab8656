using System.Globalization;
using System.Text.Json;
using Replication.Registry.Content;

namespace Replication.Registry.Inspection;

/// <summary>What a tag points at, as a registry administrator asks about it.</summary>
/// <param name="Digest">The manifest's digest.</param>
/// <param name="MediaType">The manifest's media type (image, index, ...).</param>
/// <param name="Size">Bytes of the manifest and everything it references (for an index: every child image, each blob once).</param>
/// <param name="Platforms">os/architecture[/variant] of each image (one for a single-platform image; empty when unknown).</param>
/// <param name="Created">When the image was built (its config's <c>created</c>, else the <c>org.opencontainers.image.created</c> annotation); null when unknown.</param>
/// <param name="Complete">False when an index had more children than were read, so size and platforms are partial.</param>
public sealed record TagDetails(string Digest, string MediaType, long Size, IReadOnlyList<string> Platforms, DateTimeOffset? Created, bool Complete = true)
{
    public bool IsIndex => MediaTypes.IsIndex(MediaType);
}

/// <summary>
/// Reads a tag's manifest and the config blobs of its images (never the layers) to say what the tag is: digest, size,
/// platforms and creation time. Attestation manifests inside an index (platform unknown/unknown) are not platforms.
/// </summary>
public static class TagInspector
{
    /// <summary>Children of an index read at most; a huge index is described from its first ones.</summary>
    public const int MaxChildren = 32;

    /// <summary>Config blobs larger than this are not read (they are JSON of a few KiB).</summary>
    public const long MaxConfigBytes = 4 * 1024 * 1024;

    private const string CreatedAnnotation = "org.opencontainers.image.created";

    public static async Task<TagDetails> InspectAsync(IRegistryClient client, string repository, string tag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var manifest = await client.GetManifestAsync(repository, tag, cancellationToken).ConfigureAwait(false);
        if (!manifest.IsIndex)
        {
            var image = await DescribeImageAsync(client, repository, manifest, declared: null, cancellationToken).ConfigureAwait(false);
            return new TagDetails(manifest.Digest, manifest.MediaType, manifest.Bytes.Length + image.Blobs.Sum(b => b.Size), image.Platform is null ? [] : [image.Platform], image.Created);
        }

        var children = manifest.Children;
        var blobs = new Dictionary<string, long>(StringComparer.Ordinal);
        var platforms = new List<string>();
        DateTimeOffset? created = Annotation(manifest);
        long manifests = manifest.Bytes.Length;
        foreach (var child in children.Take(MaxChildren))
        {
            var childManifest = await client.GetManifestAsync(repository, child.Digest, cancellationToken).ConfigureAwait(false);
            manifests += childManifest.Bytes.Length;
            if (childManifest.IsIndex)
            {
                continue;
            }

            var image = await DescribeImageAsync(client, repository, childManifest, child.Platform, cancellationToken).ConfigureAwait(false);
            foreach (var blob in image.Blobs)
            {
                blobs[blob.Digest] = blob.Size;
            }

            if (image.Platform is { } platform && platform != "unknown/unknown" && !platforms.Contains(platform))
            {
                platforms.Add(platform);
            }

            created = Latest(created, image.Created);
        }

        return new TagDetails(manifest.Digest, manifest.MediaType, manifests + blobs.Values.Sum(), platforms, created, children.Count <= MaxChildren);
    }

    private static async Task<(IReadOnlyList<Descriptor> Blobs, string? Platform, DateTimeOffset? Created)> DescribeImageAsync(
        IRegistryClient client, string repository, Manifest manifest, Platform? declared, CancellationToken cancellationToken)
    {
        var blobs = manifest.Blobs;
        var config = blobs.Count > 0 ? blobs[0] : null;
        string? platform = declared?.ToString();
        DateTimeOffset? created = Annotation(manifest);
        if (config is not null && config.Size is > 0 and <= MaxConfigBytes && config.MediaType is MediaTypes.OciConfig or MediaTypes.DockerConfig)
        {
            var stream = await client.OpenBlobAsync(repository, config.Digest, cancellationToken).ConfigureAwait(false);
            await using var disposeStream = stream.ConfigureAwait(false);
            using var json = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            var root = json.RootElement;
            if (platform is null && Text(root, "os") is { } os && Text(root, "architecture") is { } architecture)
            {
                platform = Text(root, "variant") is { } variant ? $"{os}/{architecture}/{variant}" : $"{os}/{architecture}";
            }

            created ??= Parse(Text(root, "created"));
        }

        return (blobs, platform, created);
    }

    private static DateTimeOffset? Annotation(Manifest manifest)
    {
        using var json = JsonDocument.Parse(manifest.Bytes);
        return json.RootElement.TryGetProperty("annotations", out var annotations) && annotations.ValueKind == JsonValueKind.Object
            ? Parse(Text(annotations, CreatedAnnotation))
            : null;
    }

    private static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Parse(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && at.Year > 1970 ? at : null;

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
