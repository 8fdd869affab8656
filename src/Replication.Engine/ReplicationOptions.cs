namespace Replication.Engine;

/// <summary>Limits and pacing of a replication run (bound from configuration section <c>Replication:Engine</c> by the app).</summary>
public sealed class ReplicationOptions
{
    /// <summary>
    /// Artifacts (tags) copied at once. 16 with 32 blobs and 32 requests per host beat 8/16/16 in 7 of 8 side-by-side
    /// benchmark rounds on a quiet machine (about 10 % faster); under heavy load they tie.
    /// </summary>
    public int MaxParallelArtifacts { get; set; } = 16;

    /// <summary>Blob operations (HEAD, mount, streamed transfer) in flight at once across the whole run.</summary>
    public int MaxParallelBlobs { get; set; } = 32;

    /// <summary>Repositories whose tags are listed at once while planning.</summary>
    public int MaxParallelListings { get; set; } = 8;

    /// <summary>Manifest HEAD/GET requests in flight at once while planning and sizing a run.</summary>
    public int MaxParallelChecks { get; set; } = 16;

    /// <summary>
    /// Copies whose source manifests a run reads (sizes) ahead of the copying. A run with no more copies starts with its
    /// final byte total; a larger one starts after the first window and holds at most this many manifest trees, not one
    /// per tag, while its byte total grows to the final one.
    /// </summary>
    public int MaxSizedAhead { get; set; } = 2_000;

    /// <summary>
    /// Share of the destination tags a run takes from the rule's record (listed at the destination, recorded as pushed)
    /// that it HEADs anyway to check the record, at least one per repository; when one holds another digest, every tag
    /// of that repository is HEADed. 1 HEADs every tag. 0.1 spares a warm run about 45 % of its requests.
    /// </summary>
    public double RecordedTagSample { get; set; } = 0.1;

    /// <summary>
    /// Attempts of one task that failed on a transient fault, the first included. The registry client already retries
    /// single requests; this covers faults that outlast them (a blob cut mid-stream several times).
    /// </summary>
    public int MaxTaskAttempts { get; set; } = 3;

    /// <summary>Pause before a task's next attempt; multiplied by the attempt number.</summary>
    public TimeSpan TaskRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Default bandwidth limit in KiB/s of one run (all its blob streams together) for rules without their own; null or
    /// 0 = unlimited.
    /// </summary>
    public int? BandwidthLimitKiBps { get; set; }

    /// <summary>A <c>BytesTransferred</c> event is sent when a task has moved this many bytes since the last one…</summary>
    public long ProgressByteInterval { get; set; } = 256 * 1024;

    /// <summary>…or this much time has passed since the last one, whichever comes first.</summary>
    public TimeSpan ProgressTimeInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for a limit below one.</summary>
    public void EnsureValid()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxParallelArtifacts, 1, nameof(MaxParallelArtifacts));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxParallelBlobs, 1, nameof(MaxParallelBlobs));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxParallelListings, 1, nameof(MaxParallelListings));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxParallelChecks, 1, nameof(MaxParallelChecks));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTaskAttempts, 1, nameof(MaxTaskAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSizedAhead, 1, nameof(MaxSizedAhead));
        if (!(RecordedTagSample is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(RecordedTagSample), RecordedTagSample, "RecordedTagSample is a share between 0 and 1.");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(BandwidthLimitKiBps ?? 0, 0, nameof(BandwidthLimitKiBps));
    }
}
