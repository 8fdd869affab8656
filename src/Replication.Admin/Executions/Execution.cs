using Replication.Engine.Planning;

namespace Replication.Admin.Executions;

/// <summary>
/// One run of a replication rule: why it ran, how far it got and how it ended. Its life is a state machine (see the
/// module's README): product code changes <see cref="Status"/> only through the transition methods below, each of
/// which checks the state it starts from and changes status and counts together, so one save commits both.
/// </summary>
public sealed class Execution
{
    public long Id { get; set; }

    public int RuleId { get; set; }

    public ExecutionTrigger Trigger { get; set; }

    public ExecutionStatus Status { get; set; } = ExecutionStatus.Pending;

    /// <summary>Account that clicked Replicate or Retry, or what started it ("schedule", "registry event", "automatic retry").</summary>
    public string TriggeredBy { get; set; } = "";

    /// <summary>Tasks planned (copies and deletions).</summary>
    public int Total { get; set; }

    /// <summary>Tasks copied, deleted or skipped on purpose.</summary>
    public int Succeeded { get; set; }

    public int Failed { get; set; }

    /// <summary>Tags found already identical at the destination (planned, or found so when copied).</summary>
    public int UpToDate { get; set; }

    /// <summary>Bytes of every blob the planned copies need, each digest once; fixed when the run is sized.</summary>
    public long BytesTotal { get; set; }

    /// <summary>Bytes in place at the destination: streamed, mounted or found present.</summary>
    public long BytesDone { get; set; }

    /// <summary>Bytes actually streamed from the source to the destination (what the network carried).</summary>
    public long BytesTransferred { get; set; }

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

    /// <summary>The node whose job holds it (waiting for its rule or running); null when none does.</summary>
    public string? Node { get; set; }

    /// <summary>When <see cref="Node"/> last said it still holds it; an old heartbeat lets another node take over.</summary>
    public DateTimeOffset? HeartbeatAt { get; set; }

    // Rows of full runs hold NULL; none is none.
    private List<SourceChange>? _changes;

    /// <summary>Event executions: the source changes to replicate; a burst for the same tag is folded in here.</summary>
    public List<SourceChange> Changes
    {
        get => _changes ??= [];
        set => _changes = value;
    }

    /// <summary>
    /// Task rows in hand: a new retry's, or a finished execution's read for Retry. A running execution's rows are not
    /// held here but read and written in pages (<see cref="ExecutionTaskRows"/>); its counts say how they stand.
    /// </summary>
    public List<ExecutionTask> Tasks { get; set; } = [];

    /// <summary>True once it can no longer change.</summary>
    public bool IsFinished => Status.IsFinished();

    /// <summary>Waiting to start: queued, behind its rule's running execution, or a retry not due yet.</summary>
    public bool IsWaiting => Status == ExecutionStatus.Pending && StartedAt is null;

    /// <summary>Tasks that ended without doing their work: failed, or left undone by a stop.</summary>
    public IEnumerable<ExecutionTask> RetryableTasks => Tasks.Where(t => t.Status is ExecutionTaskStatus.Failed or ExecutionTaskStatus.Stopped or ExecutionTaskStatus.Pending or ExecutionTaskStatus.Running);

    /// <summary>Whether a retry of this execution has work: tasks to run again, or a plan that never got made.</summary>
    public bool HasRetryableWork => IsFinished && Status != ExecutionStatus.Succeeded
        && (RetryableTasks.Any() || (!Planned && Status is ExecutionStatus.Failed or ExecutionStatus.Stopped));

    /// <summary>A new execution, waiting to start.</summary>
    public static Execution Queue(int ruleId, ExecutionTrigger trigger, string triggeredBy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(triggeredBy);
        return new Execution
        {
            RuleId = ruleId,
            Trigger = trigger,
            Status = ExecutionStatus.Pending,
            TriggeredBy = triggeredBy.Length > 256 ? triggeredBy[..256] : triggeredBy,
            CreatedAt = now,
        };
    }

    /// <summary>
    /// A retry of this finished execution's <see cref="RetryableTasks"/> (or, when it failed before planning, of its
    /// whole plan), due at <paramref name="dueAt"/> (null: now).
    /// </summary>
    public Execution QueueRetry(IReadOnlyList<ExecutionTask> tasks, int retryNumber, DateTimeOffset? dueAt, string triggeredBy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        Require(IsFinished, "queue a retry");
        var retry = Queue(RuleId, ExecutionTrigger.Retry, triggeredBy, now);
        retry.ParentExecutionId = Id;
        retry.RetryNumber = retryNumber;
        retry.RetryAt = dueAt;

        // Failed while planning: the retry plans again (the same events, or the whole rule).
        retry.Planned = Planned;
        retry.Changes = Planned ? [] : [.. Changes];
        retry.Total = tasks.Count;
        retry.Tasks = tasks.Select(t => t.Again()).ToList();
        return retry;
    }

    /// <summary>Pending → Running, or Running → Running when a job resumes it after the process died.</summary>
    public void Start(DateTimeOffset now)
    {
        Require(Status is ExecutionStatus.Pending or ExecutionStatus.Running, "start");
        if (Status == ExecutionStatus.Running)
        {
            Resumes++;
        }

        Status = ExecutionStatus.Running;
        StartedAt ??= now;
        RetryAt = null;
        Error = null;
    }

    /// <summary>
    /// Running: the plan's counts: <paramref name="tasks"/> task rows (saved beside it, not held here) and the tags
    /// already up to date. The byte total is set when the run is sized (<see cref="RecordProgress"/>).
    /// </summary>
    public void RecordPlan(int tasks, int upToDate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tasks);
        ArgumentOutOfRangeException.ThrowIfNegative(upToDate);
        Require(Status == ExecutionStatus.Running && !Planned, "record a plan");
        Total = tasks + upToDate;
        UpToDate = upToDate;
        Planned = true;
    }

    /// <summary>Running: counts and bytes as the run sees them now.</summary>
    public void RecordProgress(ExecutionCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        Require(Status == ExecutionStatus.Running, "record progress");
        Succeeded = counts.Succeeded;
        Failed = counts.Failed;
        UpToDate = counts.UpToDate;
        BytesDone = counts.BytesDone;
        BytesTotal = counts.BytesTotal;
        BytesTransferred = counts.BytesTransferred;
    }

    /// <summary>
    /// Running → the outcome its task rows earned (<paramref name="tasks"/>, counted once the unfinished ones were
    /// marked stopped in the same save): Succeeded when every task succeeded or was up to date (even if a stop arrived
    /// after the work was done), Stopped when work was left undone, else Failed or PartiallyFailed.
    /// </summary>
    public void Complete(TaskTally tasks, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        Require(Status == ExecutionStatus.Running, "complete");
        Count(tasks);
        var status = tasks.Undone > 0 ? ExecutionStatus.Stopped
            : Failed == 0 ? ExecutionStatus.Succeeded
            : Succeeded + UpToDate == 0 ? ExecutionStatus.Failed
            : ExecutionStatus.PartiallyFailed;
        End(status, now, status is ExecutionStatus.Failed or ExecutionStatus.PartiallyFailed ? FailureSummary(tasks) : null);
    }

    /// <summary>Pending or Running → Failed as a whole (the plan was refused, the rule is gone, an unexpected error).</summary>
    public void Fail(string error, TaskTally tasks, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(error);
        ArgumentNullException.ThrowIfNull(tasks);
        Require(!IsFinished, "fail");
        Count(tasks);
        End(ExecutionStatus.Failed, now, error);
    }

    /// <summary>Pending or Running → Stopped: an administrator stopped it before it had run all its tasks.</summary>
    public void Stop(TaskTally tasks, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        Require(!IsFinished, "stop");
        StopRequested = true;
        Count(tasks);
        End(ExecutionStatus.Stopped, now, null);
    }

    /// <summary>Failed or PartiallyFailed: its automatic retry is due at <paramref name="dueAt"/>.</summary>
    public void ScheduleRetry(DateTimeOffset dueAt)
    {
        Require(Status is ExecutionStatus.Failed or ExecutionStatus.PartiallyFailed, "schedule a retry");
        RetryAt = dueAt;
    }

    /// <summary>A retry waiting for its due time runs now, on behalf of <paramref name="user"/>, who becomes its actor.</summary>
    public void BringForward(string user)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        Require(IsWaiting && Trigger == ExecutionTrigger.Retry, "be brought forward");
        RetryAt = null;
        TriggeredBy = user.Length > 256 ? user[..256] : user;
    }

    /// <summary>Counts from the task rows: the final word, whatever the last progress save saw.</summary>
    private void Count(TaskTally tasks)
    {
        Succeeded = tasks.Succeeded;
        Failed = tasks.Failed;
        UpToDate = Math.Max(0, Total - tasks.Rows) + tasks.UpToDate;
        BytesTransferred = Math.Max(BytesTransferred, tasks.BytesTransferred);
    }

    private string FailureSummary(TaskTally tasks) => Failed == 0 ? "" : $"{Failed} of {Total} artifact(s) failed; first: {tasks.FirstFailure}";

    private void End(ExecutionStatus status, DateTimeOffset now, string? error)
    {
        Status = status;
        Error = error is { Length: > 2000 } ? error[..2000] : error;
        FinishedAt = now;
        StartedAt ??= now;
        RetryAt = null;
    }

    private void Require(bool allowed, string transition)
    {
        if (!allowed)
        {
            throw new ExecutionTransitionException(Id, Status, transition);
        }
    }

    public override string ToString() => $"Execution {{ Id = {Id}, RuleId = {RuleId}, Trigger = {Trigger}, Status = {Status} }}";
}

/// <summary>Counts and bytes of a running execution, as its run sees them.</summary>
public sealed record ExecutionCounts(int Succeeded, int Failed, int UpToDate, long BytesDone, long BytesTotal, long BytesTransferred);

/// <summary>A transition the execution's state does not allow (e.g. starting one that has finished).</summary>
public sealed class ExecutionTransitionException(long executionId, ExecutionStatus status, string transition)
    : InvalidOperationException($"Execution {executionId} is {status.ToApi()} and cannot {transition}.")
{
    public ExecutionStatus Status { get; } = status;
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
