namespace Replication.Admin.Executions;

/// <summary>
/// An immutable picture of one execution at a moment, as the notifier publishes it: counts, bytes, speed, the tasks
/// in flight and the log lines since the previous picture.
/// </summary>
public sealed record ExecutionProgress
{
    public required long ExecutionId { get; init; }

    public required int RuleId { get; init; }

    public required ExecutionStatus Status { get; init; }

    public ExecutionTrigger Trigger { get; init; }

    public int Total { get; init; }

    public int Succeeded { get; init; }

    public int Failed { get; init; }

    public int UpToDate { get; init; }

    public long BytesTotal { get; init; }

    /// <summary>False while a run larger than the engine's sizing window is still sizing its later copies: <see cref="BytesTotal"/> then grows.</summary>
    public bool BytesTotalFinal { get; init; } = true;

    public long BytesDone { get; init; }

    /// <summary>Bytes actually streamed (not those mounted or found present).</summary>
    public long BytesTransferred { get; init; }

    /// <summary>Bytes streamed per second over the last few seconds; 0 when idle or unknown.</summary>
    public double BytesPerSecond { get; init; }

    /// <summary>Time left at the current speed; null when unknown.</summary>
    public TimeSpan? Eta { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public DateTimeOffset? RetryAt { get; init; }

    public string? Error { get; init; }

    /// <summary>Tasks currently running (and those that changed since the last picture).</summary>
    public IReadOnlyList<ExecutionTaskProgress> Tasks { get; init; } = [];

    /// <summary>Log lines written since the previous picture of this execution.</summary>
    public IReadOnlyList<ExecutionLogLine> NewLogLines { get; init; } = [];

    /// <summary>The node that published it, for a picture relayed from another node; null for this node's own.</summary>
    public string? Origin { get; init; }

    /// <summary>The saved state of an execution, without live figures (speed, tasks in flight, log).</summary>
    public static ExecutionProgress Of(Execution execution)
    {
        ArgumentNullException.ThrowIfNull(execution);
        return new ExecutionProgress
        {
            ExecutionId = execution.Id,
            RuleId = execution.RuleId,
            Trigger = execution.Trigger,
            Status = execution.Status,
            Total = execution.Total,
            Succeeded = execution.Succeeded,
            Failed = execution.Failed,
            UpToDate = execution.UpToDate,
            BytesDone = execution.BytesDone,
            BytesTotal = execution.BytesTotal,
            BytesTransferred = execution.BytesTransferred,
            StartedAt = execution.StartedAt,
            FinishedAt = execution.FinishedAt,
            RetryAt = execution.RetryAt,
            Error = execution.Error,
        };
    }

    /// <summary>Tasks finished (any outcome) out of <see cref="Total"/>.</summary>
    public int Done => Succeeded + Failed + UpToDate;

    public bool IsFinished => Status.IsFinished();

    /// <summary>Artifacts done as a fraction of the total (0..1); 0 when nothing is planned yet.</summary>
    public double ArtifactFraction => Total == 0 ? (IsFinished ? 1 : 0) : Math.Clamp((double)Done / Total, 0, 1);

    /// <summary>Bytes done as a fraction of the total (0..1).</summary>
    public double ByteFraction => BytesTotal == 0 ? (IsFinished ? 1 : 0) : Math.Clamp((double)BytesDone / BytesTotal, 0, 1);
}

/// <summary>One task's progress inside an <see cref="ExecutionProgress"/>.</summary>
public sealed record ExecutionTaskProgress(
    long TaskId,
    string Destination,
    ExecutionTaskStatus Status,
    int Attempts,
    long BytesDone,
    long BytesTotal,
    string? Error);

/// <summary>A line of a task's log.</summary>
public sealed record ExecutionLogLine(long TaskId, DateTimeOffset At, string Message)
{
    public override string ToString() => $"{At:HH:mm:ss} [{TaskId}] {Message}";
}
