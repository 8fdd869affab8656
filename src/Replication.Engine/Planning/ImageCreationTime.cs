using System.Text.Json;
using Replication.Registry;

namespace Replication.Engine.Planning;

/// <summary>When an image was built, from its config's <c>created</c> (for an index: its first platform's), for "keep the newest N" on tags that are not versions.</summary>
internal static class ImageCreationTime
{
    /// <summary>Largest config read; a config is a few KiB, anything bigger is not trusted for a date.</summary>
    private const long MaxConfigBytes = 1024 * 1024;

    public static async Task<DateTimeOffset?> ReadAsync(IRegistryClient client, string repository, string tag, CancellationToken cancellationToken)
    {
        var manifest = await client.GetManifestAsync(repository, tag, cancellationToken).ConfigureAwait(false);
        if (manifest.IsIndex)
        {
            // Attestation manifests carry platform unknown/unknown; the first real platform dates the image.
            var child = manifest.Children.FirstOrDefault(c => c.Platform is { Os: not "unknown" }) ?? (manifest.Children.Count > 0 ? manifest.Children[0] : null);
            if (child is null)
            {
                return null;
            }

            manifest = await client.GetManifestAsync(repository, child.Digest, cancellationToken).ConfigureAwait(false);
        }

        var blobs = manifest.Blobs;
        var config = blobs.Count > 0 ? blobs[0] : null;
        if (config is null || config.Size > MaxConfigBytes)
        {
            return null;
        }

        var stream = await client.OpenBlobAsync(repository, config.Digest, cancellationToken).ConfigureAwait(false);
        await using var disposeStream = stream.ConfigureAwait(false);
        try
        {
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("created", out var created)
                && created.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(created.GetString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var time)
                ? time
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
