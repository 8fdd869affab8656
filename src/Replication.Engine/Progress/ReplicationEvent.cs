using Replication.Engine.Copying;

namespace Replication.Engine.Progress;

/// <summary>
/// Something a run did, for live progress and task logs. Events are reported synchronously from the engine's worker
/// threads, possibly concurrently: an observer must be thread-safe and quick (hand off to a channel or notifier; do not
/// use <see cref="Progress{T}"/>, which reorders). An exception thrown by the observer is caught and the event dropped:
/// a broken display never breaks a run, whose result carries everything that matters.
/// </summary>
public abstract record ReplicationEvent
{
    /// <summary>When the engine raised the event.</summary>
    public DateTimeOffset Timestamp { get; init; }
}

/// <summary>The run is sized and starts: totals for progress bars. <see cref="BytesTotal"/> counts each blob digest once.</summary>
public sealed record RunStarted(int TaskCount, int CopyCount, int DeleteCount, long BytesTotal) : ReplicationEvent
{
    /// <summary>
    /// False when the run has more copies than <see cref="ReplicationOptions.MaxSizedAhead"/>: <see cref="BytesTotal"/>
    /// then covers the first window only, grows with <see cref="BytesTransferred.RunBytesTotal"/> as later copies are
    /// sized, and <see cref="RunSized"/> says when it is final.
    /// </summary>
    public bool BytesTotalFinal { get; init; } = true;
}

/// <summary>A run that started with a partial byte total has sized its last copy: <see cref="BytesTotal"/> is final.</summary>
public sealed record RunSized(long BytesTotal) : ReplicationEvent;

/// <summary>A task (or a retry of it) started. <see cref="BytesTotal"/> is 0 for deletions and when the source could not be read yet.</summary>
public sealed record TaskStarted(ReplicationTask Task, int Attempt, long BytesTotal) : ReplicationEvent;

/// <summary>
/// Byte progress, throttled (every <see cref="ReplicationOptions.ProgressByteInterval"/> bytes or
/// <see cref="ReplicationOptions.ProgressTimeInterval"/> per task) and after each blob. "Done" counts bytes streamed,
/// mounted or found present; "transferred" only those streamed (for throughput). Run totals may grow slightly as
/// referrers are discovered.
/// </summary>
public sealed record BytesTransferred(
    string TaskId,
    long TaskBytesDone,
    long TaskBytesTotal,
    long RunBytesDone,
    long RunBytesTotal,
    long RunBytesTransferred) : ReplicationEvent;

/// <summary>How a blob got to the destination.</summary>
public enum BlobOutcome
{
    /// <summary>It was already there (found by HEAD, or placed earlier in this run).</summary>
    Present,

    /// <summary>Mounted from another destination repository that has it.</summary>
    Mounted,

    /// <summary>Streamed from the source.</summary>
    Copied,
}

/// <summary>A blob of a task's artifact is at the destination.</summary>
public sealed record BlobFinished(string TaskId, string Repository, string Digest, long Size, BlobOutcome Outcome, string? MountedFrom) : ReplicationEvent;

/// <summary>A manifest was pushed (an index child by digest, a referrer, or the tagged manifest itself).</summary>
public sealed record ManifestPushed(string TaskId, string Repository, string Reference, string Digest, string MediaType) : ReplicationEvent;

/// <summary>A line for the task's log (referrers copied, placeholder untagging, …).</summary>
public sealed record TaskLog(string TaskId, string Message) : ReplicationEvent;

/// <summary>A task failed transiently and will be attempted again after <see cref="Delay"/>.</summary>
public sealed record TaskRetrying(string TaskId, int FailedAttempt, string Error, TimeSpan Delay) : ReplicationEvent;

/// <summary>A task ended.</summary>
public sealed record TaskFinished(TaskResult Result) : ReplicationEvent;

/// <summary>The run ended.</summary>
public sealed record RunFinished(ReplicationRunResult Result) : ReplicationEvent;
