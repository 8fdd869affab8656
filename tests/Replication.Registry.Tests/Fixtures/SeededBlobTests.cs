using System.IO.Compression;
using System.Security.Cryptography;
using Replication.Testing.Images;

namespace Replication.Registry.Tests.Fixtures;

public sealed class SeededBlobTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(22)]
    [InlineData(23)]
    [InlineData(1024)]
    [InlineData(65558)]
    [InlineData(65559)]
    [InlineData(65563)]
    [InlineData(3 * 1024 * 1024 + 7)]
    public async Task Blob_has_exactly_its_size_and_a_stable_digest(long size)
    {
        var blob = SeededBlob.Layer(seed: 42, size);

        var bytes = await ReadAllAsync(blob);

        Assert.Equal(size, bytes.Length);
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)), await blob.GetDigestAsync());
        Assert.Equal(bytes, await ReadAllAsync(SeededBlob.Layer(seed: 42, size)));
    }

    [Theory]
    [InlineData(23)]
    [InlineData(4096)]
    [InlineData(65559)]
    [InlineData(2 * 1024 * 1024)]
    public async Task Blob_is_valid_gzip_whose_content_hashes_to_the_diff_id(long size)
    {
        var blob = SeededBlob.Layer(seed: 7, size);
        var (_, diffId) = await blob.GetDigestsAsync();

        await using var gzip = new GZipStream(blob.OpenRead(), CompressionMode.Decompress);
        var content = SHA256.HashData(gzip);

        Assert.True(blob.IsGzip);
        Assert.Equal(diffId, "sha256:" + Convert.ToHexStringLower(content));
    }

    [Fact]
    public async Task Different_seeds_give_different_digests()
    {
        Assert.NotEqual(await SeededBlob.Layer(1, 4096).GetDigestAsync(), await SeededBlob.Layer(2, 4096).GetDigestAsync());
    }

    private static async Task<byte[]> ReadAllAsync(SeededBlob blob)
    {
        await using var stream = blob.OpenRead();
        using var memory = new MemoryStream();
        // Odd buffer sizes cross every segment boundary of the generator.
        var buffer = new byte[4093];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            memory.Write(buffer, 0, read);
        }

        return memory.ToArray();
    }
}
