using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Replication.Benchmarks.Scenarios;

/// <summary>
/// Many small images written straight into distribution's filesystem storage layout (what the registry itself
/// writes on a push), in seconds instead of a push per blob: <c>docker/registry/v2/blobs/sha256/xx/hex/data</c> for
/// every blob and manifest, and per repository <c>_layers</c> links, <c>_manifests/revisions</c> links and
/// <c>_manifests/tags/TAG/current</c> and <c>index</c> links. The registry serves them as pushed images: real gzip
/// layers, configs whose diff_ids match, Docker schema 2 manifests, each image distinct (its own config).
/// </summary>
public sealed class ScaleCorpus
{
    private const string ManifestType = "application/vnd.docker.distribution.manifest.v2+json";
    private const string ConfigType = "application/vnd.docker.container.image.v1+json";
    private const string LayerType = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    private ScaleCorpus(IReadOnlyList<string> repositories, IReadOnlyDictionary<string, string> digests)
    {
        Repositories = repositories;
        Digests = digests;
    }

    /// <summary>Repositories, <c>scale/app-0000</c> …</summary>
    public IReadOnlyList<string> Repositories { get; }

    /// <summary>Manifest digest of each <c>repository:tag</c>.</summary>
    public IReadOnlyDictionary<string, string> Digests { get; }

    public int TagCount => Digests.Count;

    /// <summary>Writes <paramref name="repositories"/> × <paramref name="tags"/> images into <paramref name="storageRoot"/> (the registry stopped).</summary>
    public static ScaleCorpus Write(string storageRoot, string project, int repositories, int tags)
    {
        var root = Path.Combine(storageRoot, "docker", "registry", "v2");
        var written = new HashSet<string>(StringComparer.Ordinal);
        var (baseLayer, baseDiff) = Layer("shared base layer", 64 * 1024);
        var baseDigest = Blob(root, written, baseLayer);
        var names = new List<string>();
        var digests = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var r = 0; r < repositories; r++)
        {
            var repository = string.Create(CultureInfo.InvariantCulture, $"{project}/app-{r:D4}");
            names.Add(repository);
            var repositoryRoot = Path.Combine(root, "repositories", repository);
            var (ownLayer, ownDiff) = Layer(repository, 4 * 1024);
            var ownDigest = Blob(root, written, ownLayer);
            Link(Path.Combine(repositoryRoot, "_layers"), baseDigest);
            Link(Path.Combine(repositoryRoot, "_layers"), ownDigest);
            for (var t = 1; t <= tags; t++)
            {
                var tag = string.Create(CultureInfo.InvariantCulture, $"v{t}");
                var config = Encoding.UTF8.GetBytes(
                    $$$"""{"architecture":"amd64","os":"linux","config":{"Labels":{"image":"{{{repository}}}:{{{tag}}}"}},"rootfs":{"type":"layers","diff_ids":["{{{baseDiff}}}","{{{ownDiff}}}"]}}""");
                var configDigest = Blob(root, written, config);
                Link(Path.Combine(repositoryRoot, "_layers"), configDigest);
                var manifest = Encoding.UTF8.GetBytes(
                    $$$"""{"schemaVersion":2,"mediaType":"{{{ManifestType}}}","config":{"mediaType":"{{{ConfigType}}}","size":{{{config.Length}}},"digest":"{{{configDigest}}}"},"layers":[{"mediaType":"{{{LayerType}}}","size":{{{baseLayer.Length}}},"digest":"{{{baseDigest}}}"},{"mediaType":"{{{LayerType}}}","size":{{{ownLayer.Length}}},"digest":"{{{ownDigest}}}"}]}""");
                var manifestDigest = Blob(root, written, manifest);
                Link(Path.Combine(repositoryRoot, "_manifests", "revisions"), manifestDigest);
                var tagRoot = Path.Combine(repositoryRoot, "_manifests", "tags", tag);
                WriteLink(Path.Combine(tagRoot, "current", "link"), manifestDigest);
                Link(Path.Combine(tagRoot, "index"), manifestDigest);
                digests[$"{repository}:{tag}"] = manifestDigest;
            }
        }

        return new ScaleCorpus(names, digests);
    }

    private static (byte[] Gzip, string DiffId) Layer(string seed, int size)
    {
        // A tar-sized run of seeded bytes; the registry and the copiers only hash it, skopeo checks it is gzip.
        var raw = new byte[size];
        new Random(seed.GetHashCode(StringComparison.Ordinal)).NextBytes(raw);
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(raw);
        }

        return (buffer.ToArray(), "sha256:" + Convert.ToHexStringLower(SHA256.HashData(raw)));
    }

    private static string Blob(string root, HashSet<string> written, byte[] bytes)
    {
        var hex = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (written.Add(hex))
        {
            var directory = Path.Combine(root, "blobs", "sha256", hex[..2], hex);
            Directory.CreateDirectory(directory);
            File.WriteAllBytes(Path.Combine(directory, "data"), bytes);
        }

        return "sha256:" + hex;
    }

    private static void Link(string linksRoot, string digest) =>
        WriteLink(Path.Combine(linksRoot, "sha256", digest["sha256:".Length..], "link"), digest);

    private static void WriteLink(string path, string digest)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, digest);
    }
}
