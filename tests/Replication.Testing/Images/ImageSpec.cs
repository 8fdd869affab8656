namespace Replication.Testing.Images;

/// <summary>What image to build: format, layers, platform and a label that makes its config unique.</summary>
public sealed record ImageSpec
{
    /// <summary>OCI (default) or Docker schema 2.</summary>
    public ManifestFormat Format { get; init; } = ManifestFormat.Oci;

    /// <summary>Layers, bottom first; one 1 KiB layer by default.</summary>
    public IReadOnlyList<SeededBlob> Layers { get; init; } = [SeededBlob.Layer(seed: 1, size: 1024)];

    /// <summary>Platform OS.</summary>
    public string Os { get; init; } = "linux";

    /// <summary>Platform architecture.</summary>
    public string Architecture { get; init; } = "amd64";

    /// <summary>Platform variant (e.g. <c>v8</c> for arm64), or null.</summary>
    public string? Variant { get; init; }

    /// <summary>Written into the config's labels; images with the same layers but different labels differ.</summary>
    public string Label { get; init; } = "replication-test";

    /// <summary>The config's <c>created</c> time; null for the fixed default.</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Manifest annotations (OCI only).</summary>
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    /// <summary>An image with one layer per size, seeds <paramref name="seed"/>, <paramref name="seed"/>+1, ...</summary>
    public static ImageSpec WithLayers(long seed, params long[] sizes) =>
        new() { Layers = [.. sizes.Select((size, i) => SeededBlob.Layer(seed + i, size))], Label = $"seed-{seed}" };

    /// <summary>This image for another platform (its config differs, its layers are shared).</summary>
    public ImageSpec ForPlatform(string architecture, string? variant = null, string os = "linux") =>
        this with { Architecture = architecture, Variant = variant, Os = os };

    /// <summary>Total size of the layers in bytes.</summary>
    public long LayerBytes => Layers.Sum(l => l.Size);
}
