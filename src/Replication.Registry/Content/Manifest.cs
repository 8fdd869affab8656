namespace Replication.Registry.Content;

/// <summary>
/// A manifest exactly as the registry served it. <see cref="Bytes"/> are never re-serialised:
/// pushing them unchanged is what keeps digests (and signatures over them) valid.
/// </summary>
public sealed class Manifest
{
    public Manifest(ReadOnlyMemory<byte> bytes, string mediaType, string digest)
    {
        Bytes = bytes;
        MediaType = mediaType;
        Digest = digest;
    }

    public ReadOnlyMemory<byte> Bytes { get; }

    public string MediaType { get; }

    /// <summary>"sha256:…" of <see cref="Bytes"/>.</summary>
    public string Digest { get; }

    public bool IsIndex => MediaTypes.IsIndex(MediaType);

    /// <summary>Digest, media type and size: what a HEAD would have told of it.</summary>
    public ManifestInfo Info => new(Digest, MediaType, Bytes.Length);

    /// <summary>For an index: the child manifests. For an image: empty.</summary>
    public IReadOnlyList<Descriptor> Children => ManifestParser.Children(this);

    /// <summary>For an image: config first, then layers. For an index: empty.</summary>
    public IReadOnlyList<Descriptor> Blobs => ManifestParser.Blobs(this);

    /// <summary>The manifest this one refers to (OCI 1.1 <c>subject</c>), if any.</summary>
    public Descriptor? Subject => ManifestParser.Subject(this);
}

/// <summary>What a HEAD on a manifest tells: enough to decide "up to date" without downloading.</summary>
public sealed record ManifestInfo(string Digest, string MediaType, long Size);
