namespace Replication.Admin.Executions;

/// <summary>
/// One execution as a page shows it: the saved row, overlaid with the latest live picture (which also knows the
/// throughput and time left). <see cref="LiveExecutions"/> makes it; a reload starts again from the saved row.
/// </summary>
public sealed record ExecutionState
{
    public required long Id { get; init; }

    public required int RuleId { get; init; }

    public required string RuleName { get; init; }

    public ExecutionTrigger Trigger { get; init; }

    public ExecutionStatus Status { get; init; }

    public string TriggeredBy { get; init; } = "";

    public int Total { get; init; }

    public int Succeeded { get; init; }

    public int Failed { get; init; }

    public int UpToDate { get; init; }

    public long BytesTotal { get; init; }

    /// <summary>False while the run is still sizing its later copies (the total grows), as the last live picture said.</summary>
    public bool BytesTotalFinal { get; init; } = true;

    public long BytesDone { get; init; }

    /// <summary>Bytes actually streamed; <see cref="BytesDone"/> also counts what was mounted or already present.</summary>
    public long BytesTransferred { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public DateTimeOffset? RetryAt { get; init; }

    public string? Error { get; init; }

    public long? ParentExecutionId { get; init; }

    /// <summary>Bytes per second at the last live picture; 0 when unknown.</summary>
    public double BytesPerSecond { get; init; }

    /// <summary>Time left at the last live picture; null when unknown.</summary>
    public TimeSpan? Eta { get; init; }

    /// <summary>A live picture has been applied since the saved row was read.</summary>
    public bool IsLive { get; init; }

    public bool IsFinished => Status.IsFinished();

    public bool IsActive => Status is ExecutionStatus.Pending or ExecutionStatus.Running;

    /// <summary>Tasks finished (any outcome).</summary>
    public int Done => Succeeded + Failed + UpToDate;

    /// <summary>Artifacts done, in percent (0..100).</summary>
    public double ArtifactPercent => Total == 0 ? (IsFinished ? 100 : 0) : Math.Clamp(100.0 * Done / Total, 0, 100);

    /// <summary>Bytes done, in percent (0..100).</summary>
    public double BytePercent => BytesTotal == 0 ? (IsFinished ? 100 : 0) : Math.Clamp(100.0 * BytesDone / BytesTotal, 0, 100);

    /// <summary>How long it ran (or has been running at <paramref name="now"/>); null before it started.</summary>
    public TimeSpan? Duration(DateTimeOffset now) => StartedAt is { } started ? (FinishedAt ?? now) - started : null;

    public static ExecutionState From(ExecutionSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return new ExecutionState
        {
            Id = summary.Id,
            RuleId = summary.RuleId,
            RuleName = summary.RuleName,
            Trigger = summary.Trigger,
            Status = summary.Status,
            TriggeredBy = summary.TriggeredBy,
            Total = summary.Total,
            Succeeded = summary.Succeeded,
            Failed = summary.Failed,
            UpToDate = summary.UpToDate,
            BytesTotal = summary.BytesTotal,
            BytesDone = summary.BytesDone,
            BytesTransferred = summary.BytesTransferred,
            CreatedAt = summary.CreatedAt,
            StartedAt = summary.StartedAt,
            FinishedAt = summary.FinishedAt,
            RetryAt = summary.RetryAt,
            Error = summary.Error,
            ParentExecutionId = summary.ParentExecutionId,
        };
    }

    /// <summary>
    /// The saved row overlaid with <paramref name="progress"/>. A finished saved row is final and wins over a picture
    /// taken before the end; otherwise the picture is newer than the row (rows are saved about once a second).
    /// </summary>
    public ExecutionState Apply(ExecutionProgress? progress)
    {
        if (progress is null || progress.ExecutionId != Id || (IsFinished && !progress.IsFinished))
        {
            return this;
        }

        return this with
        {
            Status = progress.Status,
            Trigger = progress.Trigger,
            Total = progress.Total,
            Succeeded = progress.Succeeded,
            Failed = progress.Failed,
            UpToDate = progress.UpToDate,
            BytesTotal = progress.BytesTotal,
            BytesTotalFinal = progress.IsFinished || progress.BytesTotalFinal,
            BytesDone = progress.BytesDone,
            BytesTransferred = progress.BytesTransferred,
            StartedAt = progress.StartedAt ?? StartedAt,
            FinishedAt = progress.FinishedAt ?? FinishedAt,
            RetryAt = progress.RetryAt,
            Error = progress.Error ?? Error,
            BytesPerSecond = progress.IsFinished ? 0 : progress.BytesPerSecond,
            Eta = progress.IsFinished ? null : progress.Eta,
            IsLive = true,
        };
    }
}
