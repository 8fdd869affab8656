using System.Collections.Concurrent;
using Replication.Engine.Progress;
using Replication.Registry;
using Replication.Registry.Content;

namespace Replication.Engine.Copying;

/// <summary>
/// Puts blobs into destination repositories, once per digest per run: a blob already placed in the repository this run
/// is skipped without a request; one placed in another destination repository is mounted from there; otherwise a HEAD
/// decides between "present" and a transfer streamed from the source (the registry client hashes it and resumes it).
/// Concurrent requests for the same digest wait for the one in flight instead of transferring it twice.
/// </summary>
internal sealed class BlobCopier : IDisposable
{
    private readonly IRegistryClient _source;
    private readonly IRegistryClient _destination;
    private readonly SemaphoreSlim _slots;

    // digest -> destination repositories known to hold it (this run).
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _locations = new(StringComparer.Ordinal);
    private readonly SingleFlight<string> _transfers = new();
    private readonly SingleFlight<string> _placements = new();

    private readonly BandwidthLimiter? _bandwidth;
    private readonly IReadOnlySet<string> _newRepositories;

    /// <summary>A copier for one run; <paramref name="newRepositories"/> are those the plan found without tags.</summary>
    public BlobCopier(IRegistryClient source, IRegistryClient destination, int maxParallelBlobs, BandwidthLimiter? bandwidth, IReadOnlySet<string> newRepositories)
    {
        _source = source;
        _destination = destination;
        _slots = new SemaphoreSlim(maxParallelBlobs);
        _bandwidth = bandwidth;
        _newRepositories = newRepositories;
    }

    /// <summary>
    /// Up to this size a blob is uploaded into a new repository without asking first. There it is missing unless an
    /// interrupted run put it there, and sending it again costs less than a HEAD for every other one (an image's config
    /// is unique to it, so it is missing nearly always). Larger blobs are still asked about, so a run after a stop
    /// sends again at most this much of each blob the stop left behind in a repository without a tag.
    /// </summary>
    internal const long UnaskedBlobBytes = 64 * 1024;

    private int _transferCount;

    /// <summary>Blobs streamed from the source so far (one per digest unless a mount was refused).</summary>
    public int TransferCount => Volatile.Read(ref _transferCount);

    /// <summary>Records that a destination repository holds a digest (its manifest was found or pushed).</summary>
    public void Known(string repository, string digest) =>
        _locations.GetOrAdd(digest, _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal)).TryAdd(repository, 0);

    /// <summary>Makes sure <paramref name="destinationRepository"/> holds <paramref name="blob"/>.</summary>
    public async Task<BlobOutcome> EnsureAsync(
        TaskProgress progress,
        string sourceRepository,
        string destinationRepository,
        Descriptor blob,
        CancellationToken cancellationToken)
    {
        // One placement per repository and digest: two tags of a repository sharing a layer wait for each other.
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Holds(destinationRepository, blob.Digest))
            {
                progress.BlobDone(destinationRepository, blob, BlobOutcome.Present, null);
                return BlobOutcome.Present;
            }

            (BlobOutcome Outcome, string? From)? placed = null;
            var led = await _placements.TryLeadAsync(
                $"{destinationRepository}@{blob.Digest}",
                async () =>
                {
                    if (!Holds(destinationRepository, blob.Digest))
                    {
                        placed = await PlaceInRepositoryAsync(progress, sourceRepository, destinationRepository, blob, cancellationToken).ConfigureAwait(false);

                        // Known before the flight ends, so a waiter woken by its end sees the blob in place.
                        Known(destinationRepository, blob.Digest);
                    }
                },
                cancellationToken).ConfigureAwait(false);

            if (led && placed is { } done)
            {
                progress.BlobDone(destinationRepository, blob, done.Outcome, done.From);
                return done.Outcome;
            }
        }
    }

    /// <summary>Mount from a destination repository known to hold the blob, else HEAD, else the digest's single transfer.</summary>
    private async Task<(BlobOutcome Outcome, string? From)> PlaceInRepositoryAsync(
        TaskProgress progress,
        string sourceRepository,
        string destinationRepository,
        Descriptor blob,
        CancellationToken cancellationToken)
    {
        var mountRefused = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            if (OtherHolder(blob.Digest, destinationRepository, mountRefused) is { } from)
            {
                bool mounted;
                await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    mounted = await _destination.TryMountBlobAsync(destinationRepository, blob.Digest, from, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    _slots.Release();
                }

                if (mounted)
                {
                    return (BlobOutcome.Mounted, from);
                }

                // The registry would not mount (another storage, no read access): try elsewhere, then transfer.
                mountRefused.Add(from);
                continue;
            }

            BlobOutcome? outcome = null;
            await _transfers.TryLeadAsync(
                blob.Digest,
                async () =>
                {
                    // A holder may have appeared while we waited for the gate: go round again and mount from it.
                    if (OtherHolder(blob.Digest, destinationRepository, mountRefused) is null)
                    {
                        outcome = await PlaceAsync(progress, sourceRepository, destinationRepository, blob, cancellationToken).ConfigureAwait(false);

                        // Recorded inside the flight: a waiter that wakes when it ends must find this repository to
                        // mount from, not start a second transfer of the same digest.
                        Known(destinationRepository, blob.Digest);
                    }
                },
                cancellationToken).ConfigureAwait(false);

            if (outcome is { } placed)
            {
                return (placed, null);
            }
        }
    }

    public void Dispose() => _slots.Dispose();

    private bool Holds(string repository, string digest) =>
        _locations.TryGetValue(digest, out var holders) && holders.ContainsKey(repository);

    private string? OtherHolder(string digest, string repository, HashSet<string> refused) =>
        _locations.TryGetValue(digest, out var holders)
            ? holders.Keys.FirstOrDefault(r => r != repository && !refused.Contains(r))
            : null;

    /// <summary>HEAD, then stream when missing (a small blob into a new repository: stream). Runs as the single transfer of the digest.</summary>
    private async Task<BlobOutcome> PlaceAsync(TaskProgress progress, string sourceRepository, string destinationRepository, Descriptor blob, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var ask = blob.Size > UnaskedBlobBytes || !_newRepositories.Contains(destinationRepository);
            if (ask && await _destination.HeadBlobAsync(destinationRepository, blob.Digest, cancellationToken).ConfigureAwait(false) is not null)
            {
                return BlobOutcome.Present;
            }

            Interlocked.Increment(ref _transferCount);
            long counted = 0;
            void OnPosition(long position)
            {
                // A resume re-reads from an earlier offset; only bytes beyond the furthest point count as progress.
                if (position > counted)
                {
                    progress.Streamed(blob.Digest, position - counted);
                    counted = position;
                }
            }

            await _destination.UploadBlobAsync(
                destinationRepository,
                blob,
                (offset, token) => OpenSourceAsync(sourceRepository, blob.Digest, offset, OnPosition, token),
                progress: null,
                cancellationToken).ConfigureAwait(false);
            return BlobOutcome.Copied;
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Opens the source blob at <paramref name="offset"/> (a ranged GET), where the registry client resumes an upload.</summary>
    private async Task<Stream> OpenSourceAsync(string repository, string digest, long offset, Action<long> onPosition, CancellationToken cancellationToken)
    {
        var stream = await _source.OpenBlobAsync(repository, digest, offset, cancellationToken).ConfigureAwait(false);
        return new ProgressStream(stream, offset, onPosition, _bandwidth);
    }
}
