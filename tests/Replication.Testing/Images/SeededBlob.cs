using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Replication.Testing.Images;

/// <summary>
/// A layer whose bytes are generated from a seed: the same seed and size always give the same digest, and
/// the bytes are produced while streaming, never held whole, so a 1 GiB layer costs a few KiB of memory.
/// The bytes are a valid gzip stream (stored deflate blocks of pseudo-random data) of exactly
/// <see cref="Size"/> bytes, so tools that sniff compression (skopeo) copy them unchanged; below
/// <see cref="MinimumGzipSize"/> bytes they are raw pseudo-random bytes.
/// </summary>
public sealed class SeededBlob
{
    /// <summary>The smallest size that still holds a gzip header, one empty block and the trailer.</summary>
    public const long MinimumGzipSize = 23;

    private static readonly ConcurrentDictionary<(long Seed, long Size), (string Digest, string DiffId)> Digests = new();

    /// <summary>Creates the description; nothing is generated until read.</summary>
    /// <param name="seed">Selects the content; different seeds give different bytes.</param>
    /// <param name="size">Exact size in bytes.</param>
    public SeededBlob(long seed, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        Seed = seed;
        Size = size;
    }

    /// <summary>The content seed.</summary>
    public long Seed { get; }

    /// <summary>Exact length of the blob in bytes.</summary>
    public long Size { get; }

    /// <summary>Whether the bytes form a gzip stream (true from <see cref="MinimumGzipSize"/> bytes on).</summary>
    public bool IsGzip => Size >= MinimumGzipSize;

    /// <summary>A layer of <paramref name="size"/> bytes from <paramref name="seed"/>.</summary>
    public static SeededBlob Layer(long seed, long size) => new(seed, size);

    /// <summary>Opens a fresh read-only stream over the bytes.</summary>
    public Stream OpenRead() => new SeededBlobStream(Seed, Size);

    /// <summary>The blob digest (<c>sha256:...</c>), computed by one streamed pass and cached per seed and size.</summary>
    public async Task<string> GetDigestAsync(CancellationToken cancellationToken = default) =>
        (await GetDigestsAsync(cancellationToken)).Digest;

    /// <summary>
    /// The blob digest and the digest of the uncompressed content (an image config's <c>rootfs.diff_ids</c>
    /// entry), computed together in one streamed pass and cached.
    /// </summary>
    public async Task<(string Digest, string DiffId)> GetDigestsAsync(CancellationToken cancellationToken = default)
    {
        if (Digests.TryGetValue((Seed, Size), out var known))
        {
            return known;
        }

        var computed = await Task.Run(() => Compute(cancellationToken), cancellationToken);
        Digests.TryAdd((Seed, Size), computed);
        return computed;
    }

    /// <summary>Describes the blob.</summary>
    public override string ToString() => $"SeededBlob {{ Seed = {Seed}, Size = {Size} }}";

    private (string Digest, string DiffId) Compute(CancellationToken cancellationToken)
    {
        using var blobHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var payloadHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var stream = new SeededBlobStream(Seed, Size) { PayloadObserver = payloadHash.AppendData };
        var buffer = new byte[81920];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            blobHash.AppendData(buffer.AsSpan(0, read));
        }

        var digest = "sha256:" + Convert.ToHexStringLower(blobHash.GetHashAndReset());
        var diffId = IsGzip ? "sha256:" + Convert.ToHexStringLower(payloadHash.GetHashAndReset()) : digest;
        return (digest, diffId);
    }
}
