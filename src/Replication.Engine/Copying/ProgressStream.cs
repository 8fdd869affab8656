namespace Replication.Engine.Copying;

/// <summary>
/// A read-only pass-through over a source blob stream that reports the absolute position reached and, with a
/// <see cref="BandwidthLimiter"/>, holds each read back until the run's byte budget allows it.
/// </summary>
internal sealed class ProgressStream(Stream inner, long startOffset, Action<long> onPosition, BandwidthLimiter? limiter = null) : Stream
{
    private long _position = startOffset;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        if (limiter is not null && read > 0)
        {
            limiter.WaitAsync(read, CancellationToken.None).GetAwaiter().GetResult();
        }

        return Advance(read);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (limiter is not null && read > 0)
        {
            await limiter.WaitAsync(read, cancellationToken).ConfigureAwait(false);
        }

        return Advance(read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Advance(int read)
    {
        if (read > 0)
        {
            _position += read;
            onPosition(_position);
        }

        return read;
    }
}
