namespace Replication.Admin.Executions;

/// <summary>One run of a replication rule: why it ran, how far it got and how it ended.</summary>
public sealed class Execution
{
    public long Id { get; set; }

    public int RuleId { get; set; }

    public ExecutionTrigger Trigger { get; set; }

    public ExecutionStatus Status { get; set; } = ExecutionStatus.Pending;

    /// <summary>Account that clicked Replicate or Retry, or what started it ("schedule", "webhook").</summary>
    public string TriggeredBy { get; set; } = "";

    /// <summary>Tasks planned (copies and deletions).</summary>
    public int Total { get; set; }

    /// <summary>Tasks copied, deleted or skipped on purpose.</summary>
    public int Succeeded { get; set; }

    public int Failed { get; set; }

    /// <summary>Tags found already identical at the destination (planned, or found so when copied).</summary>
    public int UpToDate { get; set; }

    public long BytesTotal { get; set; }

    public long BytesDone { get; set; }

    /// <summary>When the trigger created it (queued).</summary>
    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>
    /// For a failed execution: when its automatic retry runs. For a pending retry execution: when it is due.
    /// </summary>
    public DateTimeOffset? RetryAt { get; set; }

    /// <summary>Why it failed as a whole (planning refused, rule gone…), for the administrator.</summary>
    public string? Error { get; set; }

    /// <summary>The execution a retry execution retries.</summary>
    public long? ParentExecutionId { get; set; }

    /// <summary>Automatic retries so far in this chain (0 for the first run); picks the next retry delay.</summary>
    public int RetryNumber { get; set; }

    /// <summary>The tasks are persisted (planning done); a resumed execution then runs the unfinished ones instead of planning again.</summary>
    public bool Planned { get; set; }

    /// <summary>Times it was picked up again after the process died while it ran; bounded so nothing runs forever.</summary>
    public int Resumes { get; set; }

    /// <summary>An administrator asked it to stop; a job that picks it up later does not start it.</summary>
    public bool StopRequested { get; set; }

    /// <summary>Event executions: the source changes (JSON array) to replicate; a burst for the same tag is folded in here.</summary>
    public string? Changes { get; set; }

    public List<ExecutionTask> Tasks { get; set; } = [];

    /// <summary>True once it can no longer change.</summary>
    public bool IsFinished => Status.IsFinished();

    public override string ToString() => $"Execution {{ Id = {Id}, RuleId = {RuleId}, Trigger = {Trigger}, Status = {Status} }}";
}

/// <summary>What started an execution.</summary>
public enum ExecutionTrigger
{
    Manual,
    Scheduled,
    Event,
    Initial,
    Retry,
}

/// <summary>Where an execution is in its life.</summary>
public enum ExecutionStatus
{
    Pending,
    Running,
    Succeeded,
    Failed,
    PartiallyFailed,
    Stopped,
}

public static class ExecutionStatusExtensions
{
    public static bool IsFinished(this ExecutionStatus status) =>
        status is ExecutionStatus.Succeeded or ExecutionStatus.Failed or ExecutionStatus.PartiallyFailed or ExecutionStatus.Stopped;

    /// <summary>The API's camelCase spelling (<c>partiallyFailed</c>).</summary>
    public static string ToApi(this ExecutionStatus status) => ApiNames.CamelCase(status.ToString());

    public static string ToApi(this ExecutionTrigger trigger) => ApiNames.CamelCase(trigger.ToString());

    public static string ToApi(this ExecutionTaskStatus status) => ApiNames.CamelCase(status.ToString());
}

/// <summary>Enum names as the JSON API spells them, and back.</summary>
public static class ApiNames
{
    public static string CamelCase(string name) => string.IsNullOrEmpty(name) ? name : char.ToLowerInvariant(name[0]) + name[1..];

    public static bool TryParse<TEnum>(string? value, out TEnum result)
        where TEnum : struct, Enum
    {
        result = default;
        return !string.IsNullOrWhiteSpace(value) && !int.TryParse(value, out _) && Enum.TryParse(value.Trim(), ignoreCase: true, out result) && Enum.IsDefined(result);
    }
}
