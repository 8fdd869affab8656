using System.Buffers.Binary;
using System.IO.Hashing;

namespace Replication.Testing.Images;

/// <summary>
/// Generates a <see cref="SeededBlob"/>'s bytes on the fly: a gzip header, stored deflate blocks of
/// SplitMix64 output, and the CRC-32/size trailer; raw generator output for blobs too small for gzip.
/// </summary>
internal sealed class SeededBlobStream : Stream
{
    private const int GzipHeaderSize = 10;
    private const int GzipTrailerSize = 8;
    private const int BlockHeaderSize = 5;
    private const int MaxBlockPayload = 65535;

    private static readonly byte[] GzipHeader = [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff];

    private readonly long _size;
    private readonly byte[] _random = new byte[8192];
    private readonly Crc32 _crc = new();
    private readonly byte[] _frame = new byte[GzipHeaderSize];
    private readonly long _payloadSize;
    private readonly long _blockCount;
    private ulong _state;
    private int _randomOffset;
    private long _position;

    // Current segment: header, block header, block payload or trailer.
    private Segment _segment;
    private int _frameOffset;
    private int _frameLength;
    private long _blocksEmitted;
    private long _rawEmitted;
    private long _payloadLeft;
    private int _blockPayloadLeft;

    public SeededBlobStream(long seed, long size)
    {
        _size = size;
        _state = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL) ^ 0xD1B54A32D192ED03UL;
        _randomOffset = _random.Length;
        if (size >= SeededBlob.MinimumGzipSize)
        {
            var framed = size - GzipHeaderSize - GzipTrailerSize;
            _blockCount = Math.Max(1, (framed + MaxBlockPayload + BlockHeaderSize - 1) / (MaxBlockPayload + BlockHeaderSize));
            _payloadSize = framed - (BlockHeaderSize * _blockCount);
            _payloadLeft = _payloadSize;
            _segment = Segment.Header;
            GzipHeader.CopyTo(_frame, 0);
            _frameLength = GzipHeaderSize;
        }
        else
        {
            _segment = Segment.Raw;
        }
    }

    private enum Segment
    {
        Raw,
        Header,
        BlockHeader,
        BlockPayload,
        Trailer,
        Done,
    }

    /// <summary>Sees every payload (uncompressed) byte, for the diff ID.</summary>
    public Action<ReadOnlySpan<byte>>? PayloadObserver { get; init; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _size;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var written = 0;
        while (written < buffer.Length && _segment != Segment.Done)
        {
            var destination = buffer[written..];
            var n = _segment switch
            {
                Segment.Raw => ReadRaw(destination),
                Segment.BlockPayload => ReadPayload(destination),
                _ => ReadFrame(destination),
            };
            written += n;
        }

        _position += written;
        return written;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int ReadRaw(Span<byte> destination)
    {
        var n = (int)Math.Min(destination.Length, _size - _rawEmitted);
        FillRandom(destination[..n]);
        _rawEmitted += n;
        if (_rawEmitted >= _size)
        {
            _segment = Segment.Done;
        }

        return n;
    }

    private int ReadFrame(Span<byte> destination)
    {
        var n = Math.Min(destination.Length, _frameLength - _frameOffset);
        _frame.AsSpan(_frameOffset, n).CopyTo(destination);
        _frameOffset += n;
        if (_frameOffset == _frameLength)
        {
            NextSegment();
        }

        return n;
    }

    private int ReadPayload(Span<byte> destination)
    {
        var n = Math.Min(destination.Length, _blockPayloadLeft);
        var span = destination[..n];
        FillRandom(span);
        _crc.Append(span);
        PayloadObserver?.Invoke(span);
        _blockPayloadLeft -= n;
        _payloadLeft -= n;
        if (_blockPayloadLeft == 0)
        {
            NextSegment();
        }

        return n;
    }

    private void NextSegment()
    {
        _frameOffset = 0;
        switch (_segment)
        {
            case Segment.Header:
            case Segment.BlockPayload when _blocksEmitted < _blockCount:
                StartBlock();
                break;
            case Segment.BlockHeader:
                _segment = Segment.BlockPayload;
                if (_blockPayloadLeft == 0)
                {
                    NextSegment();
                }

                break;
            case Segment.BlockPayload:
                _segment = Segment.Trailer;
                BinaryPrimitives.WriteUInt32LittleEndian(_frame, _crc.GetCurrentHashAsUInt32());
                BinaryPrimitives.WriteUInt32LittleEndian(_frame.AsSpan(4), unchecked((uint)_payloadSize));
                _frameLength = GzipTrailerSize;
                break;
            default:
                _segment = Segment.Done;
                break;
        }
    }

    private void StartBlock()
    {
        _blocksEmitted++;
        var length = (int)Math.Min(MaxBlockPayload, _payloadLeft);
        _blockPayloadLeft = length;
        _frame[0] = _blocksEmitted == _blockCount ? (byte)1 : (byte)0; // BFINAL on the last block, BTYPE 00 = stored.
        BinaryPrimitives.WriteUInt16LittleEndian(_frame.AsSpan(1), (ushort)length);
        BinaryPrimitives.WriteUInt16LittleEndian(_frame.AsSpan(3), (ushort)~length);
        _frameLength = BlockHeaderSize;
        _segment = Segment.BlockHeader;
    }

    private void FillRandom(Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            if (_randomOffset == _random.Length)
            {
                Refill();
            }

            var n = Math.Min(destination.Length, _random.Length - _randomOffset);
            _random.AsSpan(_randomOffset, n).CopyTo(destination);
            _randomOffset += n;
            destination = destination[n..];
        }
    }

    private void Refill()
    {
        var span = _random.AsSpan();
        for (var i = 0; i < span.Length; i += 8)
        {
            // SplitMix64: fast, well distributed, fully determined by the seed.
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            BinaryPrimitives.WriteUInt64LittleEndian(span[i..], z ^ (z >> 31));
        }

        _randomOffset = 0;
    }
}
