using Replication.Testing.Images;

namespace Replication.Registry.Tests.Support;

/// <summary><c>openContent</c> callbacks over seeded blobs, counting what the upload reads from its source.</summary>
internal sealed class CountingSource(SeededBlob blob)
{
    private long _bytesRead;

    public List<long> Opens { get; } = [];

    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>When set, the first stream opened throws an I/O error on reaching this offset.</summary>
    public long? FailOnceAt { get; init; }

    public async Task<Stream> OpenAsync(long offset, CancellationToken cancellationToken)
    {
        lock (Opens)
        {
            Opens.Add(offset);
        }

        var stream = blob.OpenRead();
        await SkipAsync(stream, offset, cancellationToken);
        var failAt = Opens.Count == 1 ? FailOnceAt : null;
        return new CountingStream(stream, offset, failAt, n => Interlocked.Add(ref _bytesRead, n));
    }

    private static async Task SkipAsync(Stream stream, long count, CancellationToken cancellationToken)
    {
        var buffer = new byte[256 * 1024];
        while (count > 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken);
            if (read == 0)
            {
                throw new EndOfStreamException();
            }

            count -= read;
        }
    }

    private sealed class CountingStream(Stream inner, long position, long? failAt, Action<long> counted) : Stream
    {
        private long _position = position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (failAt is { } at && _position >= at)
            {
                throw new IOException($"Simulated source failure at byte {_position}.");
            }

            if (failAt is { } limit && _position + buffer.Length > limit)
            {
                buffer = buffer[..(int)(limit - _position)];
            }

            var n = await inner.ReadAsync(buffer, cancellationToken);
            _position += n;
            counted(n);
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
