namespace Replication.Engine.Copying;

/// <summary>How a task ended.</summary>
public enum TaskOutcome
{
    /// <summary>The manifest was pushed (with whatever blobs it lacked).</summary>
    Copied,

    /// <summary>The destination already had the same digest; nothing was pushed except missing referrers.</summary>
    UpToDate,

    /// <summary>The destination tag is gone (removed now, or already gone).</summary>
    Deleted,

    /// <summary>Left alone on purpose; <see cref="TaskResult.Message"/> says why.</summary>
    Skipped,

    /// <summary>Failed after the engine's own attempts; see <see cref="TaskResult.Message"/> and <see cref="TaskResult.IsTransient"/>.</summary>
    Failed,

    /// <summary>The run was stopped before the task finished; nothing partial was made visible.</summary>
    Cancelled,
}

/// <summary>The end of one task.</summary>
public sealed record TaskResult
{
    /// <summary>The task as given.</summary>
    public required ReplicationTask Task { get; init; }

    /// <summary>How it ended.</summary>
    public required TaskOutcome Outcome { get; init; }

    /// <summary>The task's id.</summary>
    public string TaskId => Task.Id;

    /// <summary>Copy: the digest now at the destination tag. Delete: the digest that was removed.</summary>
    public string? Digest { get; init; }

    /// <summary>Why it was skipped or failed, or a note (already gone, untagged only…); never a secret.</summary>
    public string? Message { get; init; }

    /// <summary>For a failure: worth a retry run later (network or registry trouble), as opposed to a refusal.</summary>
    public bool IsTransient { get; init; }

    /// <summary>Attempts made (the engine retries transient failures up to <see cref="ReplicationOptions.MaxTaskAttempts"/>).</summary>
    public int Attempts { get; init; }

    /// <summary>Bytes of the blobs the artifact consists of (each digest once).</summary>
    public long BytesTotal { get; init; }

    /// <summary>Bytes accounted for: streamed, mounted, or found present.</summary>
    public long BytesDone { get; init; }

    /// <summary>Bytes this task actually streamed from source to destination.</summary>
    public long BytesTransferred { get; init; }

    /// <summary>
    /// Destination tags this task pushed (the tag and any referrer tags): what the caller records as replicated by the
    /// rule, keyed by repository and tag (a newer digest replaces an older record). Filled whatever the outcome: a task
    /// stopped or failed while copying referrers has still pushed its own tag; a copy found already up to date when it
    /// ran (an interrupted earlier attempt pushed it) lists its tag too.
    /// </summary>
    public IReadOnlyList<ReplicatedArtifact> Replicated { get; init; } = [];

    /// <summary>
    /// Records the caller can forget: for a delete task that removed the tag or found it gone or changed, the record it
    /// was given.
    /// </summary>
    public IReadOnlyList<ReplicatedArtifact> Forgotten { get; init; } = [];

    /// <summary>Time from the task's start to its end, retries included.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>True for Copied, UpToDate, Deleted and Skipped.</summary>
    public bool Succeeded => Outcome is TaskOutcome.Copied or TaskOutcome.UpToDate or TaskOutcome.Deleted or TaskOutcome.Skipped;
}

/// <summary>How a run ended as a whole.</summary>
public enum RunOutcome
{
    /// <summary>Every task succeeded (or there was nothing to do).</summary>
    Succeeded,

    /// <summary>Some tasks failed, others succeeded.</summary>
    PartiallyFailed,

    /// <summary>Every task failed.</summary>
    Failed,

    /// <summary>Cancelled before every task finished.</summary>
    Stopped,
}

/// <summary>The end of a run: every task's result in the order given, and totals.</summary>
public sealed record ReplicationRunResult
{
    /// <summary>One result per task, in the order the tasks were given.</summary>
    public required IReadOnlyList<TaskResult> Tasks { get; init; }

    /// <summary>How the run ended.</summary>
    public required RunOutcome Outcome { get; init; }

    /// <summary>Bytes streamed from source to destination over the whole run.</summary>
    public long BytesTransferred { get; init; }

    /// <summary>Wall time of the run.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Tasks that ended with <paramref name="outcome"/>.</summary>
    public int Count(TaskOutcome outcome) => Tasks.Count(t => t.Outcome == outcome);

    /// <summary>Failed tasks (rebuild them for a retry run from <see cref="TaskResult.Task"/>).</summary>
    public IEnumerable<TaskResult> Failures => Tasks.Where(t => t.Outcome == TaskOutcome.Failed);

    /// <inheritdoc />
    public override string ToString() =>
        $"{Outcome}: copied {Count(TaskOutcome.Copied)}, up to date {Count(TaskOutcome.UpToDate)}, deleted {Count(TaskOutcome.Deleted)}, " +
        $"skipped {Count(TaskOutcome.Skipped)}, failed {Count(TaskOutcome.Failed)}, cancelled {Count(TaskOutcome.Cancelled)}; " +
        $"{BytesTransferred} bytes in {Duration.TotalSeconds:0.0}s";
}
