using Replication.Engine.Copying;
using Replication.Engine.Planning;

namespace Replication.Admin.Executions;

/// <summary>One artifact of an execution: a tag to copy, or a destination tag to delete.</summary>
public sealed class ExecutionTask
{
    /// <summary>Longest log kept per task; older lines are dropped first.</summary>
    public const int LogMaxLength = 16_000;

    public long Id { get; set; }

    public long ExecutionId { get; set; }

    public TaskOperation Operation { get; set; }

    public ArtifactKind Kind { get; set; }

    /// <summary>Full source repository path.</summary>
    public required string SourceRepository { get; set; }

    /// <summary>Full destination repository path.</summary>
    public required string DestinationRepository { get; set; }

    public required string Tag { get; set; }

    /// <summary>Copy: the source digest (as planned, then as copied). Delete: the digest the rule replicated.</summary>
    public string? Digest { get; set; }

    public ExecutionTaskStatus Status { get; set; } = ExecutionTaskStatus.Pending;

    public int Attempts { get; set; }

    public long BytesTotal { get; set; }

    /// <summary>Bytes of the artifact in place at the destination: streamed, mounted or found present.</summary>
    public long BytesDone { get; set; }

    /// <summary>Bytes this task streamed from the source (a stopped or failed task keeps what it moved).</summary>
    public long BytesTransferred { get; set; }

    public string? Error { get; set; }

    /// <summary>The failure is worth an automatic retry (network or registry trouble).</summary>
    public bool IsTransient { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>The task's log, one line per entry (newline separated), bounded to <see cref="LogMaxLength"/>.</summary>
    public string Log { get; set; } = "";

    /// <summary><c>repository:tag</c> at the source.</summary>
    public string SourceReference => $"{SourceRepository}:{Tag}";

    /// <summary><c>repository:tag</c> at the destination.</summary>
    public string DestinationReference => $"{DestinationRepository}:{Tag}";

    public bool IsFinished => Status is not (ExecutionTaskStatus.Pending or ExecutionTaskStatus.Running);

    /// <summary>How the engine names this task: the row's id, so every event finds its row.</summary>
    public string EngineId => Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The engine's task, named by <see cref="EngineId"/>.</summary>
    public ReplicationTask ToEngineTask() => new()
    {
        Id = EngineId,
        Operation = Operation,
        SourceRepository = SourceRepository,
        DestinationRepository = DestinationRepository,
        Tag = Tag,
        Digest = Digest,
        Kind = Kind,
    };

    /// <summary>A fresh, pending copy of this task for a retry execution.</summary>
    public ExecutionTask Again() => new()
    {
        Operation = Operation,
        Kind = Kind,
        SourceRepository = SourceRepository,
        DestinationRepository = DestinationRepository,
        Tag = Tag,
        Digest = Digest,
        Status = ExecutionTaskStatus.Pending,
    };

    /// <summary>Appends lines, dropping the oldest when the log would exceed <see cref="LogMaxLength"/>.</summary>
    public void AppendLog(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var text = string.Concat(Log, string.Concat(lines.Select(l => l + "\n")));
        if (text.Length > LogMaxLength)
        {
            var cut = text.IndexOf('\n', text.Length - LogMaxLength);
            text = cut < 0 ? text[^LogMaxLength..] : text[(cut + 1)..];
        }

        Log = text;
    }

    public override string ToString() => $"ExecutionTask {{ Id = {Id}, {Operation} {DestinationReference}, Status = {Status} }}";
}

/// <summary>Where a task is.</summary>
public enum ExecutionTaskStatus
{
    Pending,
    Running,

    /// <summary>Copied or deleted.</summary>
    Succeeded,

    /// <summary>The destination already had the same digest.</summary>
    UpToDate,

    /// <summary>Left alone on purpose (the error column says why).</summary>
    Skipped,
    Failed,

    /// <summary>The execution was stopped before the task finished; nothing partial was left.</summary>
    Stopped,
}
