namespace Replication.Testing.Images;

/// <summary>Media types of the manifests and blobs the builders produce.</summary>
public static class MediaTypes
{
    /// <summary>OCI image manifest.</summary>
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";

    /// <summary>OCI image index.</summary>
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";

    /// <summary>OCI image config.</summary>
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";

    /// <summary>OCI gzip layer.</summary>
    public const string OciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";

    /// <summary>OCI empty descriptor (<c>{}</c>), the config of artifacts.</summary>
    public const string OciEmpty = "application/vnd.oci.empty.v1+json";

    /// <summary>Docker image manifest, schema 2.</summary>
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

    /// <summary>Docker manifest list.</summary>
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";

    /// <summary>Docker image config.</summary>
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";

    /// <summary>Docker gzip layer.</summary>
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    /// <summary>Cosign simple-signing payload layer.</summary>
    public const string CosignSignature = "application/vnd.dev.cosign.simplesigning.v1+json";

    /// <summary>Every manifest type, for <c>Accept</c>.</summary>
    public static IReadOnlyList<string> AllManifests { get; } = [OciManifest, OciIndex, DockerManifest, DockerManifestList];
}

/// <summary>Manifest family an image or index is built in.</summary>
public enum ManifestFormat
{
    /// <summary>OCI image manifest and OCI index.</summary>
    Oci,

    /// <summary>Docker schema 2 manifest and Docker manifest list.</summary>
    Docker,
}

/// <summary>A content descriptor: media type, digest and size.</summary>
/// <param name="MediaType">Media type.</param>
/// <param name="Digest"><c>sha256:...</c></param>
/// <param name="Size">Size in bytes.</param>
public sealed record Descriptor(string MediaType, string Digest, long Size);
