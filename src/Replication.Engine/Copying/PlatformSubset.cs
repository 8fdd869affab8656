using System.Text.Json;
using System.Text.Json.Nodes;
using Replication.Registry.Content;

namespace Replication.Engine.Copying;

/// <summary>
/// A rule's platform subset (<c>linux/amd64</c>, <c>linux/arm64</c>; a platform without a variant matches every variant).
/// Copying a subset of a multi-platform index is the one case where a manifest is not copied byte for byte: a new index
/// with the same media type and only those entries, so its digest differs from the source's.
/// </summary>
public static class PlatformSubset
{
    /// <summary>Problems with the platform names; empty when usable.</summary>
    public static IReadOnlyList<string> Validate(IEnumerable<string> platforms)
    {
        ArgumentNullException.ThrowIfNull(platforms);
        return platforms.Where(p => Parse(p) is null)
            .Select(p => $"Platform '{p}' is not os/architecture[/variant] in lowercase, e.g. linux/amd64 or linux/arm64/v8.")
            .ToList();
    }

    /// <summary>Whether an index entry's platform is one of <paramref name="platforms"/>.</summary>
    public static bool Matches(Platform? platform, IReadOnlyList<string> platforms) =>
        platform is not null && platforms.Select(Parse).Any(p => p is { } wanted
            && wanted.Os == platform.Os && wanted.Architecture == platform.Architecture
            && (wanted.Variant is null || wanted.Variant == platform.Variant));

    /// <summary>
    /// The index as the destination gets it: unchanged when it is not an index, when no subset is asked or every entry
    /// is in it; else a new index of the same media type with only the matching entries (all other fields kept). Null
    /// when no entry matches.
    /// </summary>
    public static Manifest? Apply(Manifest manifest, IReadOnlyList<string> platforms)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(platforms);
        if (!manifest.IsIndex || platforms.Count == 0)
        {
            return manifest;
        }

        var children = manifest.Children;
        var keep = children.Select(c => Matches(c.Platform, platforms)).ToList();
        if (keep.All(k => k))
        {
            return manifest;
        }

        if (!keep.Any(k => k))
        {
            return null;
        }

        var root = JsonNode.Parse(manifest.Bytes.Span)!.AsObject();
        var entries = root["manifests"]!.AsArray();
        for (var i = entries.Count - 1; i >= 0; i--)
        {
            if (!keep[i])
            {
                entries.RemoveAt(i);
            }
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(root);
        return new Manifest(bytes, manifest.MediaType, Digests.Compute(bytes, manifest.Digest));
    }

    /// <summary>The platforms an index lists, for messages.</summary>
    public static string Describe(Manifest index) =>
        string.Join(", ", index.Children.Select(c => c.Platform?.ToString() ?? "no platform").Distinct(StringComparer.Ordinal));

    private static Platform? Parse(string? text)
    {
        var parts = text?.Trim().Split('/') ?? [];
        return parts.Length is 2 or 3 && parts.All(p => p.Length > 0 && p.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-' or '.'))
            ? new Platform { Os = parts[0], Architecture = parts[1], Variant = parts.Length == 3 ? parts[2] : null }
            : null;
    }
}
