using System.Net;
using Microsoft.Extensions.Logging;
using Replication.Registry.Auth;
using Replication.Registry.Content;
using Replication.Registry.Http;

namespace Replication.Registry.Blobs;

/// <summary>
/// One blob upload session. The fault handling is written by hand rather than as a Polly retry because it is not a
/// replay: after a fault the registry is asked how much it kept (GET on the session, its <c>Range</c>) and the upload
/// continues from there, re-opening the source at that offset; only when the registry has dropped the session (as
/// distribution 2.8 does after a half-received PATCH) does it start a new one.
/// </summary>
internal sealed class BlobUpload
{
    private readonly RegistryTransport _transport;
    private readonly string _repository;
    private readonly Descriptor _blob;
    private readonly Func<long, CancellationToken, Task<Stream>> _openContent;
    private readonly IProgress<long>? _progress;
    private readonly ILogger _logger;
    private readonly RegistryClientOptions _options;
    private readonly Scopes _scopes;
    private long _reported = -1;

    public BlobUpload(
        RegistryTransport transport, string repository, Descriptor blob, Func<long, CancellationToken, Task<Stream>> openContent,
        IProgress<long>? progress, ILogger logger)
    {
        _transport = transport;
        _repository = repository;
        _blob = blob;
        _openContent = openContent;
        _progress = progress;
        _logger = logger;
        _options = transport.Options;
        _scopes = Scopes.Push(repository);
    }

    private bool Chunked => _blob.Size > _options.MonolithicUploadLimitBytes;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var hasher = new BlobHasher(_blob.Digest);
        Uri? location = null;
        Stream? source = null;
        var completed = false;
        var consecutiveFaults = 0;
        try
        {
            location = await StartSessionAsync(cancellationToken).ConfigureAwait(false);
            long offset = 0;
            while (!completed)
            {
                BlobSliceContent? content = null;
                try
                {
                    if (source is null || hasher.Position != offset)
                    {
                        if (source is not null)
                        {
                            await source.DisposeAsync().ConfigureAwait(false);
                            source = null;
                        }

                        source = await hasher.PositionAsync(_openContent, offset, cancellationToken).ConfigureAwait(false);
                    }

                    if (Chunked && offset < _blob.Size)
                    {
                        var length = Math.Min(_options.ChunkSizeBytes, _blob.Size - offset);
                        content = new BlobSliceContent(source, length, hasher, null, Report);
                        (location, offset) = await PatchAsync(location, content, offset, length, cancellationToken).ConfigureAwait(false);
                        hasher.Acknowledge();
                        consecutiveFaults = 0;
                    }
                    else if (Chunked)
                    {
                        // Everything is at the registry: refuse to complete a blob that is not what it claims to be.
                        if (hasher.CurrentDigest != _blob.Digest)
                        {
                            throw new DigestMismatchException(_blob.Digest, hasher.CurrentDigest, $"Blob upload to {_repository} refused");
                        }

                        await CompleteAsync(location, null, cancellationToken).ConfigureAwait(false);
                        completed = true;
                    }
                    else
                    {
                        content = new BlobSliceContent(source, _blob.Size - offset, hasher, _blob.Digest, Report);
                        await CompleteAsync(location, content, cancellationToken).ConfigureAwait(false);
                        completed = true;
                    }
                }
                catch (Exception e) when (IsRecoverable(e, content, cancellationToken))
                {
                    if (content?.Mismatch is { } mismatch)
                    {
                        throw mismatch;
                    }

                    if (++consecutiveFaults >= Math.Max(1, _options.MaxAttempts))
                    {
                        throw e as RegistryException
                            ?? new RegistryException($"Upload of {_blob.Digest} to {_repository} failed {consecutiveFaults} times in a row: {e.Message}", e);
                    }

                    _logger.LogWarning(
                        "Upload of {Digest} to {Repository} hit a fault at byte {Offset} ({Reason}); asking the registry what it kept",
                        _blob.Digest, _repository, hasher.Position, e.Message);
                    if (source is not null)
                    {
                        await source.DisposeAsync().ConfigureAwait(false);
                        source = null;
                    }

                    await Task.Delay(Backoff(consecutiveFaults, e), cancellationToken).ConfigureAwait(false);
                    var status = await GetStatusAsync(location, cancellationToken).ConfigureAwait(false);
                    if (status is { } kept)
                    {
                        (location, offset) = kept;
                        _logger.LogInformation("Resuming upload of {Digest} at byte {Offset} of {Size}", _blob.Digest, offset, _blob.Size);
                    }
                    else if (await BlobExistsAsync(cancellationToken).ConfigureAwait(false))
                    {
                        // The last request did complete; only its answer was lost.
                        completed = true;
                    }
                    else
                    {
                        _logger.LogWarning("The registry dropped the upload session of {Digest}; starting a new one from byte 0", _blob.Digest);
                        location = null;
                        location = await StartSessionAsync(cancellationToken).ConfigureAwait(false);
                        offset = 0;
                    }
                }
                finally
                {
                    content?.Dispose();
                }
            }
        }
        finally
        {
            if (source is not null)
            {
                await source.DisposeAsync().ConfigureAwait(false);
            }

            if (!completed && location is not null)
            {
                await CancelSessionAsync(location).ConfigureAwait(false);
            }
        }
    }

    private void Report(long position)
    {
        if (position > _reported)
        {
            _reported = position;
            _progress?.Report(position);
        }
    }

    private static bool IsRecoverable(Exception e, BlobSliceContent? content, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        if (content?.Mismatch is not null || content?.SourceFault is not null)
        {
            return true; // a mismatch is rethrown by the handler; a source fault re-opens the source
        }

        return e switch
        {
            RegistryException r => r.IsTransient || r.HasCode(RegistryErrorCodes.BlobUploadUnknown) || r.HasCode(RegistryErrorCodes.BlobUploadInvalid)
                || r.StatusCode is HttpStatusCode.RequestedRangeNotSatisfiable or HttpStatusCode.Unauthorized,
            _ => RegistryTransport.IsNetworkFault(e) || e is EndOfStreamException,
        };
    }

    private TimeSpan Backoff(int attempt, Exception fault)
    {
        if (fault is UploadStatusException { RetryAfter: { } asked })
        {
            return asked;
        }

        var exponential = _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        var jittered = exponential * (0.5 + Random.Shared.NextDouble());
        return TimeSpan.FromMilliseconds(Math.Min(jittered, _options.MaxRetryDelay.TotalMilliseconds));
    }

    private async Task<Uri> StartSessionAsync(CancellationToken cancellationToken)
    {
        var request = new RegistryRequest(HttpMethod.Post, _transport.Url($"/v2/{_repository}/blobs/uploads/"), _scopes);
        using var response = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw await RegistryResponses.ErrorAsync(response, $"start an upload to {_repository}", cancellationToken).ConfigureAwait(false);
        }

        return RegistryResponses.Location(response)
            ?? throw new RegistryException($"The registry started an upload to {_repository} without saying where to send it (no Location).");
    }

    private async Task<(Uri Location, long Offset)> PatchAsync(Uri location, BlobSliceContent content, long offset, long length, CancellationToken cancellationToken)
    {
        // Sent once: a half-sent body cannot be replayed, so faults go back to RunAsync, which asks the registry.
        var request = new RegistryRequest(HttpMethod.Patch, location, _scopes)
        {
            Content = () => content,
            Retry = false,
            ReplayableBody = false,
            Configure = m => m.Content!.Headers.TryAddWithoutValidation("Content-Range", UploadRange.ContentRange(offset, length)),
        };
        using var response = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw await UploadStatusException.FromAsync(response, $"send bytes {offset}-{offset + length - 1} of {_blob.Digest} to {_repository}", _transport, cancellationToken).ConfigureAwait(false);
        }

        var next = RegistryResponses.Location(response) ?? location;
        var received = UploadRange.ReceivedBytes(RegistryResponses.Header(response, "Range")) ?? offset + length;
        return (next, received);
    }

    private async Task CompleteAsync(Uri location, BlobSliceContent? content, CancellationToken cancellationToken)
    {
        var request = new RegistryRequest(HttpMethod.Put, WithDigest(location), _scopes)
        {
            Content = content is null ? () => new ByteArrayContent([]) : () => content,
            Retry = content is null,
            ReplayableBody = content is null,
        };
        using var response = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.NoContent or HttpStatusCode.Accepted)
        {
            var reported = RegistryResponses.Header(response, "Docker-Content-Digest");
            if (reported is not null && reported != _blob.Digest)
            {
                throw new DigestMismatchException(_blob.Digest, reported, $"The registry stored the blob uploaded to {_repository} under another digest");
            }

            Report(_blob.Size);
            return;
        }

        if (content is null && response.StatusCode == HttpStatusCode.NotFound && await BlobExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            Report(_blob.Size);
            return; // an earlier attempt of this PUT completed the blob; its answer was lost
        }

        throw await UploadStatusException.FromAsync(response, $"complete the upload of {_blob.Digest} to {_repository}", _transport, cancellationToken).ConfigureAwait(false);
    }

    private Uri WithDigest(Uri location)
    {
        var builder = new UriBuilder(location);
        var digest = "digest=" + Uri.EscapeDataString(_blob.Digest);
        builder.Query = string.IsNullOrEmpty(builder.Query) || builder.Query == "?" ? digest : builder.Query.TrimStart('?') + "&" + digest;
        return builder.Uri;
    }

    /// <summary>How much of the session the registry holds; null when the session is gone.</summary>
    private async Task<(Uri Location, long Offset)?> GetStatusAsync(Uri location, CancellationToken cancellationToken)
    {
        using var response = await _transport.SendAsync(new RegistryRequest(HttpMethod.Get, location, _scopes), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.OK or HttpStatusCode.Accepted)
        {
            var received = UploadRange.ReceivedBytes(RegistryResponses.Header(response, "Range")) ?? 0;
            return (RegistryResponses.Location(response) ?? location, Math.Min(received, _blob.Size));
        }

        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest)
        {
            return null; // BLOB_UPLOAD_UNKNOWN / BLOB_UPLOAD_INVALID: the registry discarded it
        }

        throw await RegistryResponses.ErrorAsync(response, $"read the upload status of {_blob.Digest} in {_repository}", cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> BlobExistsAsync(CancellationToken cancellationToken)
    {
        var request = new RegistryRequest(HttpMethod.Head, _transport.Url($"/v2/{_repository}/blobs/{_blob.Digest}"), _scopes) { FollowRedirects = true };
        using var response = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode;
    }

    private async Task CancelSessionAsync(Uri location)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var request = new RegistryRequest(HttpMethod.Delete, location, _scopes) { Retry = false };
            using var response = await _transport.SendAsync(request, timeout.Token).ConfigureAwait(false);
            _logger.LogDebug("Cancelled upload session of {Digest} in {Repository}: {Status}", _blob.Digest, _repository, (int)response.StatusCode);
        }
        catch (Exception e) when (e is RegistryException or OperationCanceledException)
        {
            // Best effort: registries purge abandoned sessions themselves.
            _logger.LogDebug("Could not cancel upload session of {Digest}: {Reason}", _blob.Digest, e.Message);
        }
    }
}

/// <summary>An upload request the registry answered with an error; carries Retry-After for the resume backoff.</summary>
internal sealed class UploadStatusException : RegistryException
{
    private UploadStatusException(RegistryException from, TimeSpan? retryAfter)
        : base(from.Message, from.StatusCode, from.Errors)
    {
        RetryAfter = retryAfter;
    }

    public TimeSpan? RetryAfter { get; }

    public static async Task<UploadStatusException> FromAsync(HttpResponseMessage response, string action, RegistryTransport transport, CancellationToken cancellationToken)
    {
        var error = await RegistryResponses.ErrorAsync(response, action, cancellationToken).ConfigureAwait(false);
        return new UploadStatusException(error, RegistryTransport.RetryAfter(response, transport.Time, transport.Options.MaxRetryDelay));
    }
}
