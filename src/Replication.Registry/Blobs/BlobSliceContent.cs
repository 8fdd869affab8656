using System.Buffers;
using System.Net;
using System.Net.Http.Headers;

namespace Replication.Registry.Blobs;

/// <summary>
/// A request body of exactly <c>length</c> bytes read from the source as it is sent (never buffered whole), hashed on
/// the way. When the slice ends the blob, the digest is checked before its last bytes leave, so a mismatching blob is
/// never completed at the registry.
/// </summary>
internal sealed class BlobSliceContent : HttpContent
{
    private const int BufferSize = 256 * 1024;

    private readonly Stream _source;
    private readonly long _length;
    private readonly BlobHasher _hasher;
    private readonly string? _expectedDigestAtEnd;
    private readonly Action<long> _onPosition;

    public BlobSliceContent(Stream source, long length, BlobHasher hasher, string? expectedDigestAtEnd, Action<long> onPosition)
    {
        _source = source;
        _length = length;
        _hasher = hasher;
        _expectedDigestAtEnd = expectedDigestAtEnd;
        _onPosition = onPosition;
        Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        Headers.ContentLength = length;
    }

    /// <summary>Set when reading the source failed (as opposed to the network towards the registry).</summary>
    public Exception? SourceFault { get; private set; }

    public DigestMismatchException? Mismatch { get; private set; }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var remaining = _length;
            while (remaining > 0)
            {
                int read;
                try
                {
                    read = await _source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    SourceFault = e;
                    throw;
                }

                if (read == 0)
                {
                    SourceFault = new EndOfStreamException($"The source ended {remaining} bytes early (at byte {_hasher.Position}).");
                    throw SourceFault;
                }

                _hasher.Append(buffer.AsSpan(0, read));
                remaining -= read;
                if (remaining == 0 && _expectedDigestAtEnd is not null && _hasher.CurrentDigest != _expectedDigestAtEnd)
                {
                    Mismatch = new DigestMismatchException(_expectedDigestAtEnd, _hasher.CurrentDigest, "Blob upload refused");
                    throw Mismatch;
                }

                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                _onPosition(_hasher.Position);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }
}
