using System.Globalization;
using Replication.Admin.Executions;
using Replication.Engine.Copying;
using Replication.Engine.Progress;

namespace Replication.Admin.Executions;

/// <summary>
/// Turns the engine's events (raised concurrently from worker threads) into the execution's live state: task rows to
/// save, counts and bytes, throughput and ETA, log lines. The job saves <see cref="TakeChanges"/> about once a second
/// and publishes <see cref="Snapshot"/> more often; both are cheap and never block the engine for long.
/// </summary>
public sealed class ExecutionProgressTracker : IProgress<ReplicationEvent>
{
    private static readonly TimeSpan ThroughputWindow = TimeSpan.FromSeconds(5);

    private readonly object _lock = new();
    private readonly TimeProvider _clock;
    private readonly Dictionary<long, TaskState> _tasks = [];
    private readonly Queue<(DateTimeOffset At, long Transferred)> _samples = new();
    private readonly List<ExecutionLogLine> _unpublishedLines = [];
    private readonly List<TaskResult> _unsavedResults = [];

    // Finished before this run started (a resumed execution), or counted by the plan (up to date).
    private readonly int _baseSucceeded;
    private readonly int _baseFailed;
    private readonly int _baseUpToDate;
    private readonly long _baseBytesDone;
    private readonly long _baseBytesTotal;
    private readonly long _baseBytesTransferred;

    private long _runBytesDone;
    private long _runBytesTotal;
    private long _runBytesTransferred;

    // False from a start with a partial byte total (a run larger than the engine's sizing window) until it is sized.
    private bool _bytesTotalFinal = true;
    private bool _changed = true;

    // When RunStarted arrived (null before: the run is not sized yet), and tasks of this run finished since.
    private DateTimeOffset? _startedAt;
    private int _finishedInRun;

    /// <param name="runnable">The rows this run runs.</param>
    /// <param name="before">The execution's rows as they stood before the run: the ones it does not run count as they ended.</param>
    public ExecutionProgressTracker(Execution execution, IEnumerable<ExecutionTask> runnable, TaskTally before, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(runnable);
        ArgumentNullException.ThrowIfNull(before);
        _clock = clock;
        Execution = execution;
        foreach (var row in runnable)
        {
            _tasks[row.Id] = new TaskState(row.Id, row.DestinationReference);
        }

        // The runnable rows are pending or running, so they count in neither the outcomes nor the bytes of the tally.
        _baseSucceeded = before.Succeeded;
        _baseFailed = before.Failed;
        _baseUpToDate = Math.Max(0, execution.Total - before.Rows) + before.UpToDate;
        _baseBytesDone = before.BytesDone;
        _baseBytesTotal = before.BytesTotal;
        _baseBytesTransferred = before.BytesTransferred;
    }

    /// <summary>The execution row (the job owns it; the tracker only reads its identity and totals).</summary>
    public Execution Execution { get; }

    public void Report(ReplicationEvent value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_lock)
        {
            _changed = true;
            switch (value)
            {
                case RunStarted started:
                    // The total is fixed here, when the run is sized: each digest once, as the run will count it. A run
                    // larger than the sizing window starts with the total of its first window, which grows until RunSized.
                    _runBytesTotal = started.BytesTotal;
                    _startedAt = value.Timestamp;
                    _bytesTotalFinal = started.BytesTotalFinal;
                    _samples.Enqueue((value.Timestamp, 0));
                    break;
                case RunSized sized:
                    _runBytesTotal = Math.Max(_runBytesTotal, sized.BytesTotal);
                    _bytesTotalFinal = true;
                    break;
                case TaskStarted started when Find(started.Task.Id) is { } task:
                    task.Status = ExecutionTaskStatus.Running;
                    task.Attempts = started.Attempt;
                    task.BytesTotal = Math.Max(task.BytesTotal, started.BytesTotal);
                    task.StartedAt ??= value.Timestamp;
                    task.Dirty = true;
                    Log(task, value.Timestamp, started.Attempt > 1 ? $"Attempt {started.Attempt} started" : Describe(started.Task));
                    break;
                case BytesTransferred bytes:
                    if (Find(bytes.TaskId) is { } progressed)
                    {
                        progressed.BytesDone = bytes.TaskBytesDone;
                        progressed.BytesTotal = bytes.TaskBytesTotal;
                        progressed.Dirty = true;
                    }

                    _runBytesDone = Math.Max(_runBytesDone, bytes.RunBytesDone);
                    _runBytesTransferred = Math.Max(_runBytesTransferred, bytes.RunBytesTransferred);

                    // Only referrers found while copying can add to a sized run.
                    _runBytesTotal = Math.Max(_runBytesTotal, _startedAt is not null && _bytesTotalFinal ? bytes.RunBytesDone : bytes.RunBytesTotal);
                    Sample(value.Timestamp, bytes.RunBytesTransferred);
                    break;
                case BlobFinished blob when Find(blob.TaskId) is { } task:
                    Log(task, value.Timestamp, blob.Outcome switch
                    {
                        BlobOutcome.Copied => $"Copied blob {Short(blob.Digest)} ({Size(blob.Size)}) to {blob.Repository}",
                        BlobOutcome.Mounted => $"Mounted blob {Short(blob.Digest)} ({Size(blob.Size)}) from {blob.MountedFrom}",
                        _ => $"Blob {Short(blob.Digest)} ({Size(blob.Size)}) already present",
                    });
                    break;
                case ManifestPushed manifest when Find(manifest.TaskId) is { } task:
                    Log(task, value.Timestamp, $"Pushed manifest {manifest.Repository}:{manifest.Reference} ({Short(manifest.Digest)})");
                    break;
                case TaskLog log when Find(log.TaskId) is { } task:
                    Log(task, value.Timestamp, log.Message);
                    break;
                case TaskRetrying retrying when Find(retrying.TaskId) is { } task:
                    task.Error = retrying.Error;
                    task.Dirty = true;
                    Log(task, value.Timestamp, $"Attempt {retrying.FailedAttempt} failed: {retrying.Error}; retrying in {retrying.Delay.TotalSeconds:0.#} s");
                    break;
                case TaskFinished finished when Find(finished.Result.TaskId) is { } task:
                    Finish(task, finished.Result, value.Timestamp);
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>Makes <paramref name="results"/> the final word (the run's result, should an event have been dropped).</summary>
    public void Complete(IEnumerable<TaskResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        lock (_lock)
        {
            foreach (var result in results)
            {
                if (Find(result.TaskId) is { } task && !task.Finished)
                {
                    Finish(task, result, _clock.GetUtcNow());
                }
            }

            _changed = true;
        }
    }

    /// <summary>Every task of the run has ended: what is left to save is the outcome, committed with it.</summary>
    public bool AllFinished
    {
        get
        {
            lock (_lock)
            {
                return _tasks.Values.All(t => t.Finished);
            }
        }
    }

    /// <summary>Whether anything happened since the last snapshot.</summary>
    public bool HasChanged
    {
        get
        {
            lock (_lock)
            {
                return _changed;
            }
        }
    }

    /// <summary>Task rows to update and finished results to record, since the last call.</summary>
    internal TrackerChanges TakeChanges()
    {
        lock (_lock)
        {
            var dirty = _tasks.Values.Where(t => t.Dirty).Select(t => t.TakeUpdate()).ToList();
            var results = _unsavedResults.ToList();
            _unsavedResults.Clear();
            return new TrackerChanges(dirty, results, Counts());
        }
    }

    /// <summary>The picture to publish; drains the log lines not published yet.</summary>
    public ExecutionProgress Snapshot(ExecutionStatus status)
    {
        lock (_lock)
        {
            _changed = false;
            var counts = Counts();
            var speed = Throughput();
            var left = counts.BytesTotal - counts.BytesDone;
            var lines = _unpublishedLines.ToList();
            _unpublishedLines.Clear();
            var active = _tasks.Values.Where(t => t.Status == ExecutionTaskStatus.Running || t.ChangedSincePublish).ToList();
            foreach (var task in active)
            {
                task.ChangedSincePublish = false;
            }

            return ExecutionProgress.Of(Execution) with
            {
                Status = status,
                Succeeded = counts.Succeeded,
                Failed = counts.Failed,
                UpToDate = counts.UpToDate,
                BytesDone = counts.BytesDone,
                BytesTotal = counts.BytesTotal,
                BytesTransferred = counts.BytesTransferred,
                BytesTotalFinal = _bytesTotalFinal,
                BytesPerSecond = speed,
                Eta = speed > 0 && left > 0 ? TimeLeft(left, speed) : null,
                Tasks = active.Select(t => new ExecutionTaskProgress(t.Id, t.Destination, t.Status, t.Attempts, t.BytesDone, t.BytesTotal, t.Error)).ToList(),
                NewLogLines = lines,
            };
        }
    }

    /// <summary>
    /// At the current speed over the bytes left; while the total still grows (bytes left over it would promise too early
    /// an end), at the pace tasks have finished since the run started over the tasks left.
    /// </summary>
    private TimeSpan? TimeLeft(long bytesLeft, double bytesPerSecond)
    {
        if (_bytesTotalFinal)
        {
            return TimeSpan.FromSeconds(bytesLeft / bytesPerSecond);
        }

        var elapsed = _startedAt is { } started ? (_clock.GetUtcNow() - started).TotalSeconds : 0;
        var tasksLeft = _tasks.Count - _finishedInRun;
        return _finishedInRun == 0 || elapsed <= 0 || tasksLeft <= 0 ? null : TimeSpan.FromSeconds(tasksLeft * elapsed / _finishedInRun);
    }

    private ExecutionCounts Counts()
    {
        var succeeded = _baseSucceeded + _tasks.Values.Count(t => t.Status is ExecutionTaskStatus.Succeeded or ExecutionTaskStatus.Skipped);
        var failed = _baseFailed + _tasks.Values.Count(t => t.Status is ExecutionTaskStatus.Failed);
        var upToDate = _baseUpToDate + _tasks.Values.Count(t => t.Status == ExecutionTaskStatus.UpToDate);
        return new ExecutionCounts(
            succeeded,
            failed,
            upToDate,
            _baseBytesDone + _runBytesDone,
            _baseBytesTotal + Math.Max(_runBytesTotal, _runBytesDone),
            _baseBytesTransferred + _runBytesTransferred);
    }

    /// <summary>
    /// Bytes streamed over the window that ends now, not at the last sample: when nothing moves (a destination down)
    /// the speed decays to zero within the window instead of freezing at its last value.
    /// </summary>
    private double Throughput()
    {
        var now = _clock.GetUtcNow();
        Trim(now);
        if (_samples.Count < 2)
        {
            return 0;
        }

        var (firstAt, firstBytes) = _samples.Peek();
        var lastBytes = _samples.Last().Transferred;
        var seconds = (now - firstAt).TotalSeconds;
        return seconds <= 0.05 ? 0 : (lastBytes - firstBytes) / seconds;
    }

    private void Sample(DateTimeOffset at, long transferred)
    {
        _samples.Enqueue((at, transferred));
        Trim(at);
    }

    // Keeps the newest sample at or before the window's start as its base, and everything after it.
    private void Trim(DateTimeOffset now)
    {
        while (_samples.Count > 1 && now - _samples.ElementAt(1).At >= ThroughputWindow)
        {
            _samples.Dequeue();
        }
    }

    private void Finish(TaskState task, TaskResult result, DateTimeOffset at)
    {
        _finishedInRun += task.Finished ? 0 : 1;
        task.Finished = true;
        task.Status = result.Outcome switch
        {
            TaskOutcome.Copied or TaskOutcome.Deleted => ExecutionTaskStatus.Succeeded,
            TaskOutcome.UpToDate => ExecutionTaskStatus.UpToDate,
            TaskOutcome.Skipped => ExecutionTaskStatus.Skipped,
            TaskOutcome.Failed => ExecutionTaskStatus.Failed,
            _ => ExecutionTaskStatus.Stopped,
        };
        task.Attempts = Math.Max(task.Attempts, result.Attempts);
        task.BytesTotal = Math.Max(result.BytesTotal, task.BytesTotal);
        task.BytesDone = result.Outcome is TaskOutcome.Copied or TaskOutcome.UpToDate ? task.BytesTotal : Math.Max(result.BytesDone, task.BytesDone);
        task.BytesTransferred = Math.Max(result.BytesTransferred, task.BytesTransferred);
        task.Error = result.Outcome is TaskOutcome.Failed or TaskOutcome.Skipped or TaskOutcome.Cancelled ? result.Message : null;
        task.IsTransient = result.IsTransient;
        task.Digest = result.Digest;
        task.FinishedAt = at;
        task.Dirty = true;
        _unsavedResults.Add(result);
        var message = result.Outcome switch
        {
            TaskOutcome.Copied => $"Copied in {result.Duration.TotalSeconds:0.0} s ({Size(result.BytesTransferred)} transferred)",
            TaskOutcome.UpToDate => "Already up to date at the destination",
            TaskOutcome.Deleted => result.Message ?? "Deleted at the destination",
            TaskOutcome.Skipped => $"Skipped: {result.Message}",
            TaskOutcome.Failed => $"Failed after {result.Attempts} attempt(s): {result.Message}",
            _ => "Stopped before it finished; nothing partial was pushed",
        };
        Log(task, at, message);
    }

    private TaskState? Find(string taskId) =>
        long.TryParse(taskId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && _tasks.TryGetValue(id, out var task) ? task : null;

    private void Log(TaskState task, DateTimeOffset at, string message)
    {
        var line = new ExecutionLogLine(task.Id, at, message);
        task.PendingLog.Add($"{at:HH:mm:ss} {message}");
        task.Dirty = true;
        task.ChangedSincePublish = true;

        // A live tail, not an archive: a burst beyond this waits for the saved log.
        if (_unpublishedLines.Count < 500)
        {
            _unpublishedLines.Add(line);
        }
    }

    private static string Describe(ReplicationTask task) => task.Operation == TaskOperation.Copy
        ? $"Copying {task.SourceReference} to {task.DestinationReference}"
        : $"Deleting {task.DestinationReference} (was {Short(task.Digest)})";

    private static string Short(string? digest) =>
        digest is null ? "?" : digest.Length > 19 && digest.StartsWith("sha256:", StringComparison.Ordinal) ? digest[..19] : digest;

    internal static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.0} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0.0} KiB",
        _ => $"{bytes} B",
    };

    private sealed class TaskState(long id, string destination)
    {
        public long Id { get; } = id;

        public string Destination { get; } = destination;

        public ExecutionTaskStatus Status { get; set; } = ExecutionTaskStatus.Pending;

        public int Attempts { get; set; }

        public long BytesDone { get; set; }

        public long BytesTotal { get; set; }

        public long BytesTransferred { get; set; }

        public string? Error { get; set; }

        public bool IsTransient { get; set; }

        public string? Digest { get; set; }

        public DateTimeOffset? StartedAt { get; set; }

        public DateTimeOffset? FinishedAt { get; set; }

        public bool Finished { get; set; }

        public bool Dirty { get; set; }

        public bool ChangedSincePublish { get; set; }

        public List<string> PendingLog { get; } = [];

        public TaskUpdate TakeUpdate()
        {
            Dirty = false;
            var lines = PendingLog.ToList();
            PendingLog.Clear();
            return new TaskUpdate(Id, Status, Attempts, BytesDone, BytesTotal, BytesTransferred, Error, IsTransient, Digest, StartedAt, FinishedAt, lines);
        }
    }
}

/// <summary>What changed in one task row since the last save.</summary>
internal sealed record TaskUpdate(
    long TaskId,
    ExecutionTaskStatus Status,
    int Attempts,
    long BytesDone,
    long BytesTotal,
    long BytesTransferred,
    string? Error,
    bool IsTransient,
    string? Digest,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    IReadOnlyList<string> LogLines)
{
    /// <summary>This update followed by <paramref name="later"/>, as one: the later state, every log line.</summary>
    public TaskUpdate Then(TaskUpdate later)
    {
        ArgumentNullException.ThrowIfNull(later);
        return later with
        {
            Digest = later.Digest ?? Digest,
            StartedAt = StartedAt ?? later.StartedAt,
            LogLines = [.. LogLines, .. later.LogLines],
        };
    }

    public void ApplyTo(ExecutionTask row)
    {
        row.Status = Status;
        row.Attempts = Attempts;
        row.BytesDone = BytesDone;
        row.BytesTotal = BytesTotal;
        row.BytesTransferred = BytesTransferred;
        row.Error = Error is { Length: > 2000 } ? Error[..2000] : Error;
        row.IsTransient = IsTransient;
        row.Digest = Digest ?? row.Digest;
        row.StartedAt ??= StartedAt;
        row.FinishedAt = FinishedAt;
        if (LogLines.Count > 0)
        {
            row.AppendLog(LogLines);
        }
    }
}

internal sealed record TrackerChanges(IReadOnlyList<TaskUpdate> Tasks, IReadOnlyList<TaskResult> Results, ExecutionCounts Counts);
