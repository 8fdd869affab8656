using System.Buffers;
using System.Security.Cryptography;
using Replication.Registry.Content;

namespace Replication.Registry.Blobs;

/// <summary>
/// Hashes a blob while it streams out, and can rewind to any offset a registry reports after a fault: it keeps the hash
/// state at the last offset the registry acknowledged and, when the registry holds more than that, re-reads (not re-sends)
/// the difference from the source.
/// </summary>
internal sealed class BlobHasher : IDisposable
{
    private readonly string _digest;
    private IncrementalHash _current;
    private IncrementalHash _acknowledged;
    private long _acknowledgedOffset;

    public BlobHasher(string digest)
    {
        _digest = digest;
        _current = Digests.CreateHash(digest);
        _acknowledged = Digests.CreateHash(digest);
    }

    /// <summary>Bytes hashed so far.</summary>
    public long Position { get; private set; }

    /// <summary>Bytes re-read from the source only to rebuild the hash after a resume.</summary>
    public long RereadBytes { get; private set; }

    public string CurrentDigest => Digests.Format(_digest, _current);

    public void Append(ReadOnlySpan<byte> data)
    {
        _current.AppendData(data);
        Position += data.Length;
    }

    /// <summary>The registry confirmed every byte hashed so far.</summary>
    public void Acknowledge()
    {
        _acknowledged.Dispose();
        _acknowledged = _current.Clone();
        _acknowledgedOffset = Position;
    }

    /// <summary>Opens the source so that its next byte is the one at <paramref name="offset"/>, with the hash state matching.</summary>
    public async Task<Stream> PositionAsync(Func<long, CancellationToken, Task<Stream>> openContent, long offset, CancellationToken cancellationToken)
    {
        var start = offset >= _acknowledgedOffset ? _acknowledgedOffset : 0;
        _current.Dispose();
        _current = start == _acknowledgedOffset ? _acknowledged.Clone() : Digests.CreateHash(_digest);
        Position = start;

        var stream = await openContent(start, cancellationToken).ConfigureAwait(false);
        var toSkip = offset - start;
        if (toSkip == 0)
        {
            return stream;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            while (toSkip > 0)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, toSkip)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                    throw new EndOfStreamException($"The source ended at byte {Position} while catching up to {offset}.");
                }

                Append(buffer.AsSpan(0, read));
                RereadBytes += read;
                toSkip -= read;
            }

            return stream;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose()
    {
        _current.Dispose();
        _acknowledged.Dispose();
    }
}
