using System.Security.Cryptography;
using Replication.Registry.Blobs;
using Replication.Registry.Content;

namespace Replication.Registry.Tests.Transport;

public class BlobHasherTests
{
    private static readonly byte[] Data = RandomNumberGenerator.GetBytes(10_000);
    private static readonly string Digest = Digests.Sha256(Data);

    [Theory]
    [InlineData(4000L)] // the registry kept exactly what it acknowledged
    [InlineData(6500L)] // it kept part of the failed chunk too
    [InlineData(1000L)] // it lost acknowledged bytes
    public async Task Rewinding_to_what_the_registry_kept_gives_the_hash_of_the_whole_blob(long kept)
    {
        using var hasher = new BlobHasher(Digest);
        var opened = new List<long>();
        Task<Stream> Open(long offset, CancellationToken _)
        {
            opened.Add(offset);
            return Task.FromResult<Stream>(new MemoryStream(Data, (int)offset, Data.Length - (int)offset));
        }

        // Send 4000 bytes, acknowledged; then 4000 more that fail.
        hasher.Append(Data.AsSpan(0, 4000));
        hasher.Acknowledge();
        hasher.Append(Data.AsSpan(4000, 4000));

        await using var stream = await hasher.PositionAsync(Open, kept, CancellationToken.None);
        Assert.Equal(kept, hasher.Position);
        var rest = new byte[Data.Length - kept];
        await stream.ReadExactlyAsync(rest);
        hasher.Append(rest);

        Assert.Equal(Digest, hasher.CurrentDigest);
        Assert.Equal(kept >= 4000 ? 4000 : 0, opened.Single());
        Assert.Equal(kept >= 4000 ? kept - 4000 : kept, hasher.RereadBytes);
    }
}
