namespace Replication.Testing.Images;

/// <summary>A manifest the test client pushed: where, what digest, and the exact bytes.</summary>
public abstract record PushedManifest
{
    /// <summary>Repository, e.g. <c>team/app</c>.</summary>
    public required string Repository { get; init; }

    /// <summary>Tag it was pushed under, or null when pushed by digest only.</summary>
    public required string? Tag { get; init; }

    /// <summary>Manifest digest, <c>sha256:...</c>.</summary>
    public required string Digest { get; init; }

    /// <summary>Manifest media type.</summary>
    public required string MediaType { get; init; }

    /// <summary>The exact manifest bytes pushed.</summary>
    public required ReadOnlyMemory<byte> Bytes { get; init; }

    /// <summary>The manifest as a descriptor (for <c>subject</c> or index entries).</summary>
    public Descriptor Descriptor => new(MediaType, Digest, Bytes.Length);

    /// <summary><c>repository:tag</c>, or <c>repository@digest</c> when untagged.</summary>
    public string Reference => Tag is null ? $"{Repository}@{Digest}" : $"{Repository}:{Tag}";

    /// <summary>Digests of every blob this manifest needs, children included, without duplicates.</summary>
    public abstract IReadOnlyList<string> BlobDigests { get; }

    /// <summary>Bytes of the manifest(s) and of every distinct blob: what a full copy transfers.</summary>
    public abstract long TotalSize { get; }
}

/// <summary>An image manifest with its config and layers.</summary>
public sealed record PushedImage : PushedManifest
{
    /// <summary>The config blob.</summary>
    public required Descriptor Config { get; init; }

    /// <summary>The layer blobs, bottom first.</summary>
    public required IReadOnlyList<Descriptor> Layers { get; init; }

    /// <inheritdoc />
    public override IReadOnlyList<string> BlobDigests => [.. new[] { Config }.Concat(Layers).Select(d => d.Digest).Distinct()];

    /// <inheritdoc />
    public override long TotalSize =>
        Bytes.Length + new[] { Config }.Concat(Layers).DistinctBy(d => d.Digest).Sum(d => d.Size);
}

/// <summary>An OCI index or Docker manifest list with its child images.</summary>
public sealed record PushedIndex : PushedManifest
{
    /// <summary>Child images in index order, pushed by digest.</summary>
    public required IReadOnlyList<PushedImage> Manifests { get; init; }

    /// <inheritdoc />
    public override IReadOnlyList<string> BlobDigests => [.. Manifests.SelectMany(m => m.BlobDigests).Distinct()];

    /// <inheritdoc />
    public override long TotalSize =>
        Bytes.Length + Manifests.Sum(m => m.Bytes.Length)
        + Manifests.SelectMany(m => new[] { m.Config }.Concat(m.Layers)).DistinctBy(d => d.Digest).Sum(d => d.Size);
}
