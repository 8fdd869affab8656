using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Replication.Registry;
using Replication.Registry.Content;

namespace Replication.Admin.Demo;

/// <summary>
/// The demo's sample images, built here byte for byte the same on every run: small but real OCI images (each layer a
/// gzip-wrapped tar with a text file), a multi-platform index, a nested repository, and a base layer shared by several
/// repositories so the copier's cross-repository mount shows. Pushed with the product's own registry client.
/// </summary>
public static class SampleImages
{
    public const string Project = "demo";

    private static readonly DateTimeOffset Created = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Pushes every sample tag that the registry does not hold yet; returns how many tags were pushed.</summary>
    public static async Task<int> PushAsync(IRegistryClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var pushed = 0;
        foreach (var tag in Build())
        {
            var repository = $"{Project}/{tag.Repository}";
            var existing = await client.HeadManifestAsync(repository, tag.Tag, cancellationToken);
            if (existing?.Digest == tag.Manifest.Digest)
            {
                continue;
            }

            foreach (var image in tag.Images)
            {
                foreach (var blob in image.Blobs)
                {
                    if (await client.HeadBlobAsync(repository, blob.Descriptor.Digest, cancellationToken) is null)
                    {
                        var bytes = blob.Bytes;
                        await client.UploadBlobAsync(
                            repository,
                            blob.Descriptor,
                            (offset, _) => Task.FromResult<Stream>(new MemoryStream(bytes, (int)offset, bytes.Length - (int)offset, writable: false)),
                            cancellationToken: cancellationToken);
                    }
                }

                if (tag.Images.Count > 1)
                {
                    // Children of an index go by digest, before the index.
                    await client.PutManifestAsync(repository, image.Manifest.Digest, image.Manifest, cancellationToken);
                }
            }

            await client.PutManifestAsync(repository, tag.Tag, tag.Manifest, cancellationToken);
            pushed++;
        }

        return pushed;
    }

    /// <summary>Every sample tag: repository (without the project), tag, and what it holds. About 17 MiB; built on demand.</summary>
    public static IReadOnlyList<SampleTag> Build()
    {
        // Sizes are small so the demo starts in seconds, yet big enough to watch a progress bar move.
        var baseLayer = Layer("base-os", 2 << 20);
        var baseLayerArm = Layer("base-os-arm64", 2 << 20);
        var alpine319 = Image("alpine", "amd64", baseLayer, Layer("alpine-3.19", 512 << 10));
        var alpine320Amd = Image("alpine", "amd64", baseLayer, Layer("alpine-3.20", 640 << 10));
        var alpine320Arm = Image("alpine", "arm64", baseLayerArm, Layer("alpine-3.20-arm64", 640 << 10));
        var alpine320 = Index(alpine320Amd, alpine320Arm);
        var nginx126 = Image("nginx", "amd64", baseLayer, Layer("nginx-1.26", 2 << 20), Layer("nginx-conf", 64 << 10));
        var nginx127 = Image("nginx", "amd64", baseLayer, Layer("nginx-1.27", 2 << 20), Layer("nginx-conf", 64 << 10));
        var redis72 = Image("redis", "amd64", baseLayer, Layer("redis-7.2", 3 << 20));
        var redis74 = Image("redis", "amd64", baseLayer, Layer("redis-7.4", 3 << 20));
        var busybox = Image("busybox", "amd64", Layer("busybox-1.36", 1 << 20));
        return
        [
            new("alpine", "3.19", alpine319.Manifest, [alpine319]),
            new("alpine", "3.20", alpine320, [alpine320Amd, alpine320Arm]),
            new("alpine", "latest", alpine320, [alpine320Amd, alpine320Arm]),
            new("nginx", "1.26", nginx126.Manifest, [nginx126]),
            new("nginx", "1.27", nginx127.Manifest, [nginx127]),
            new("redis", "7.2", redis72.Manifest, [redis72]),
            new("redis", "7.4", redis74.Manifest, [redis74]),
            new("tools/busybox", "1.36", busybox.Manifest, [busybox]),
        ];
    }

    private static SampleImage Image(string name, string architecture, params SampleLayer[] layers)
    {
        var config = new JsonObject
        {
            ["created"] = Created.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["architecture"] = architecture,
            ["os"] = "linux",
            ["config"] = new JsonObject
            {
                ["Cmd"] = new JsonArray("/bin/sh"),
                ["Labels"] = new JsonObject
                {
                    ["org.opencontainers.image.title"] = name,
                    ["org.opencontainers.image.description"] = "Replication Admin demo image",
                },
            },
            ["rootfs"] = new JsonObject
            {
                ["type"] = "layers",
                ["diff_ids"] = new JsonArray(layers.Select(l => (JsonNode)l.DiffId).ToArray()),
            },
        };
        var configBlob = Blob(MediaTypes.OciConfig, Encoding.UTF8.GetBytes(config.ToJsonString()));
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciManifest,
            ["config"] = Describe(configBlob.Descriptor),
            ["layers"] = new JsonArray(layers.Select(l => (JsonNode)Describe(l.Blob.Descriptor)).ToArray()),
            ["annotations"] = new JsonObject { ["org.opencontainers.image.created"] = config["created"]!.GetValue<string>() },
        };
        var bytes = Encoding.UTF8.GetBytes(manifest.ToJsonString());
        return new SampleImage(
            new Manifest(bytes, MediaTypes.OciManifest, Digests.Sha256(bytes)),
            architecture,
            [configBlob, .. layers.Select(l => l.Blob)]);
    }

    private static Manifest Index(params SampleImage[] images)
    {
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciIndex,
            ["manifests"] = new JsonArray(images.Select(i => (JsonNode)new JsonObject
            {
                ["mediaType"] = MediaTypes.OciManifest,
                ["digest"] = i.Manifest.Digest,
                ["size"] = i.Manifest.Bytes.Length,
                ["platform"] = new JsonObject { ["architecture"] = i.Architecture, ["os"] = "linux" },
            }).ToArray()),
        };
        var bytes = Encoding.UTF8.GetBytes(index.ToJsonString());
        return new Manifest(bytes, MediaTypes.OciIndex, Digests.Sha256(bytes));
    }

    private static JsonObject Describe(Descriptor descriptor) => new()
    {
        ["mediaType"] = descriptor.MediaType,
        ["digest"] = descriptor.Digest,
        ["size"] = descriptor.Size,
    };

    private static SampleBlob Blob(string mediaType, byte[] bytes) =>
        new(new Descriptor { MediaType = mediaType, Digest = Digests.Sha256(bytes), Size = bytes.Length }, bytes);

    /// <summary>A tar with one text file of about <paramref name="size"/> bytes, gzip-wrapped.</summary>
    private static SampleLayer Layer(string name, int size)
    {
        var tar = Tar($"usr/share/demo/{name}.txt", Content(name, size));
        return new SampleLayer(Blob(MediaTypes.OciLayer, Gzip(tar)), Digests.Sha256(tar));
    }

    /// <summary>Readable, deterministic, and not compressible to nothing (a counter and a hash per line).</summary>
    private static byte[] Content(string name, int size)
    {
        var text = new StringBuilder(size + 128);
        var state = 0x9E3779B97F4A7C15UL ^ (ulong)name.Aggregate(17L, (h, c) => (h * 31) + c);
        for (var line = 0; text.Length < size; line++)
        {
            // xorshift64: a fixed sequence per layer name.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.Append(CultureInfo.InvariantCulture, $"{name} line {line:D7} {state:x16}\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString(0, size));
    }

    private static byte[] Tar(string path, byte[] content)
    {
        var header = new byte[512];
        Encoding.ASCII.GetBytes(path).CopyTo(header, 0);
        Octal("0000644", header, 100);
        Octal("0000000", header, 108);
        Octal("0000000", header, 116);
        Octal(Convert.ToString(content.Length, 8).PadLeft(11, '0'), header, 124);
        Octal(Convert.ToString(Created.ToUnixTimeSeconds(), 8).PadLeft(11, '0'), header, 136);
        header[156] = (byte)'0';
        Encoding.ASCII.GetBytes("ustar\0" + "00").CopyTo(header, 257);
        Encoding.ASCII.GetBytes("        ").CopyTo(header, 148);
        var checksum = header.Sum(b => b);
        Encoding.ASCII.GetBytes(Convert.ToString(checksum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);

        var padded = (content.Length + 511) / 512 * 512;
        var tar = new byte[512 + padded + 1024];
        header.CopyTo(tar, 0);
        content.CopyTo(tar, 512);
        return tar;
    }

    private static void Octal(string digits, byte[] header, int offset) => Encoding.ASCII.GetBytes(digits + "\0").CopyTo(header, offset);

    /// <summary>
    /// gzip with stored deflate blocks, written by hand: the same bytes on every machine and runtime (a compressor's
    /// output can change between zlib versions, and with it every digest).
    /// </summary>
    private static byte[] Gzip(byte[] data)
    {
        const int block = 65_535;
        using var output = new MemoryStream(data.Length + 64);
        output.Write([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]);
        var offset = 0;
        Span<byte> head = stackalloc byte[5];
        do
        {
            var length = Math.Min(block, data.Length - offset);
            var final = offset + length >= data.Length;
            head[0] = (byte)(final ? 1 : 0);
            BinaryPrimitives.WriteUInt16LittleEndian(head[1..], (ushort)length);
            BinaryPrimitives.WriteUInt16LittleEndian(head[3..], (ushort)~length);
            output.Write(head);
            output.Write(data, offset, length);
            offset += length;
        }
        while (offset < data.Length);

        Span<byte> trailer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, Crc32(data));
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], (uint)data.Length);
        output.Write(trailer);
        return output.ToArray();
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++)
        {
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }

        return c;
    }).ToArray();
}

/// <summary>A tag of the demo: an image, or an index whose images are pushed first.</summary>
public sealed record SampleTag(string Repository, string Tag, Manifest Manifest, IReadOnlyList<SampleImage> Images);

/// <summary>An image manifest with its config and layers.</summary>
public sealed record SampleImage(Manifest Manifest, string Architecture, IReadOnlyList<SampleBlob> Blobs);

/// <summary>A blob and its descriptor.</summary>
public sealed record SampleBlob(Descriptor Descriptor, byte[] Bytes);

internal sealed record SampleLayer(SampleBlob Blob, string DiffId);
