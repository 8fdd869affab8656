using System.Net;

namespace Replication.Registry.Http;

/// <summary>Wraps a request body and says when it has been sent completely (the moment the header timeout should start).</summary>
internal sealed class BodySentSignalContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly Action _onSent;

    public BodySentSignalContent(HttpContent inner, Action onSent)
    {
        _inner = inner;
        _onSent = onSent;
        foreach (var header in inner.Headers)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await _inner.CopyToAsync(stream, context, cancellationToken).ConfigureAwait(false);
        _onSent();
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        var known = _inner.Headers.ContentLength;
        length = known ?? 0;
        return known is not null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
