namespace Replication.Registry.Blobs;

/// <summary>
/// A blob body as it arrives: bounded by an idle limit between reads (never by the total time), and a broken
/// connection surfaces as a transient <see cref="RegistryException"/> naming the blob and how far it got.
/// </summary>
internal sealed class BlobDownloadStream : Stream
{
    private readonly Stream _inner;
    private readonly HttpResponseMessage _response;
    private readonly TimeSpan _idleLimit;
    private readonly string _what;
    private readonly long? _expectedLength;
    private long _read;

    public BlobDownloadStream(Stream inner, HttpResponseMessage response, TimeSpan idleLimit, string what, long? expectedLength)
    {
        _inner = inner;
        _response = response;
        _idleLimit = idleLimit;
        _what = what;
        _expectedLength = expectedLength;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _expectedLength ?? throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(_idleLimit);
        int n;
        try
        {
            n = await _inner.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RegistryException($"Download of {_what} stalled: no data for {_idleLimit.TotalSeconds:0} s after {_read} bytes.", e);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new RegistryException($"Download of {_what} broke off after {_read} bytes: {e.Message}", e);
        }

        _read += n;
        if (n == 0 && buffer.Length > 0 && _expectedLength is { } expected && _read < expected)
        {
            throw new RegistryException($"Download of {_what} ended after {_read} of {expected} bytes.");
        }

        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

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
            _inner.Dispose();
            _response.Dispose();
        }

        base.Dispose(disposing);
    }
}
