namespace Replication.Admin.Executions;

/// <summary>
/// The one place pages read executions from: saved state merged with the live pictures of runs (counts, bytes, speed,
/// tasks in flight) and a tail of each running execution's log kept from its first line, so a page opened late misses
/// nothing. It listens to every picture the <see cref="ExecutionNotifier"/> carries, updates itself, and only then
/// tells its watchers, so a watcher that reads it always sees the picture it was told about.
/// </summary>
public sealed class LiveExecutions : IDisposable
{
    /// <summary>Log lines kept per running execution (the execution page shows as many).</summary>
    public const int LogTail = 300;

    // A finished execution's entry lingers this long, for pages still reading the end of its log.
    private static readonly TimeSpan FinishedLinger = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<long, Entry> _entries = [];
    private readonly Dictionary<int, long> _newestOfRule = [];
    private readonly ExecutionNotifier _notifier;
    private readonly ExecutionNotifier _watchers;
    private readonly TimeProvider _clock;
    private readonly IDisposable _subscription;

    public LiveExecutions(ExecutionNotifier notifier, TimeProvider clock, ILogger<ExecutionNotifier> logger)
    {
        ArgumentNullException.ThrowIfNull(notifier);
        _notifier = notifier;
        _clock = clock;
        _watchers = new ExecutionNotifier(logger);
        _subscription = notifier.Subscribe(OnPictureAsync);
    }

    /// <summary>Publishes a picture to every node's pages (through the notifier, which feeds this store too).</summary>
    public Task PublishAsync(ExecutionProgress progress) => _notifier.PublishAsync(progress);

    /// <summary>Told after the store took in a picture of any execution.</summary>
    public IDisposable Watch(Func<ExecutionProgress, Task> onChange) => _watchers.Subscribe(onChange);

    /// <summary>Told after the store took in a picture of one execution.</summary>
    public IDisposable Watch(long executionId, Func<ExecutionProgress, Task> onChange) => _watchers.Subscribe(executionId, onChange);

    /// <summary>Pages watching now (for tests and diagnostics).</summary>
    public int WatcherCount => _watchers.SubscriberCount;

    /// <summary>The saved execution with the latest live picture applied.</summary>
    public ExecutionState Merge(ExecutionSummary saved)
    {
        ArgumentNullException.ThrowIfNull(saved);
        return ExecutionState.From(saved).Apply(Latest(saved.Id));
    }

    /// <summary>The latest live picture of an execution; null when none arrived (or it was dropped after finishing).</summary>
    public ExecutionProgress? Latest(long executionId)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(executionId, out var entry) ? entry.Latest : null;
        }
    }

    /// <summary>The latest picture of the newest execution of a rule seen live; null when none.</summary>
    public ExecutionProgress? LatestOfRule(int ruleId)
    {
        lock (_gate)
        {
            return _newestOfRule.TryGetValue(ruleId, out var id) && _entries.TryGetValue(id, out var entry) ? entry.Latest : null;
        }
    }

    /// <summary>The live progress of the tasks of an execution that ran or changed while it was watched here.</summary>
    public IReadOnlyDictionary<long, ExecutionTaskProgress> Tasks(long executionId)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(executionId, out var entry) ? new Dictionary<long, ExecutionTaskProgress>(entry.Tasks) : new Dictionary<long, ExecutionTaskProgress>();
        }
    }

    /// <summary>The last <see cref="LogTail"/> log lines published for an execution, oldest first.</summary>
    public IReadOnlyList<ExecutionLogLine> RecentLog(long executionId)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(executionId, out var entry) ? [.. entry.Log] : [];
        }
    }

    public void Dispose()
    {
        _subscription.Dispose();
    }

    private Task OnPictureAsync(ExecutionProgress progress)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(progress.ExecutionId, out var entry))
            {
                entry = new Entry();
                _entries[progress.ExecutionId] = entry;
            }

            // Pictures of one execution come from one job in order; a saved state published late never undoes an end.
            if (entry.Latest is not { IsFinished: true } || progress.IsFinished)
            {
                entry.Latest = progress;
            }

            foreach (var task in progress.Tasks)
            {
                entry.Tasks[task.TaskId] = task;
            }

            // A finished execution's end is saved before it is published: its tasks are read from the database again,
            // and a 20,000-task run does not keep 20,000 pictures for the minute it lingers.
            if (progress.IsFinished)
            {
                entry.Tasks.Clear();
            }

            foreach (var line in progress.NewLogLines)
            {
                entry.Log.Enqueue(line);
                if (entry.Log.Count > LogTail)
                {
                    entry.Log.Dequeue();
                }
            }

            if (!_newestOfRule.TryGetValue(progress.RuleId, out var newest) || progress.ExecutionId >= newest)
            {
                _newestOfRule[progress.RuleId] = progress.ExecutionId;
            }

            var now = _clock.GetUtcNow();
            entry.FinishedAt = progress.IsFinished ? entry.FinishedAt ?? now : null;
            Prune(now);
        }

        return _watchers.PublishAsync(progress);
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (id, entry) in _entries.Where(e => e.Value.FinishedAt is { } at && now - at > FinishedLinger).ToList())
        {
            _entries.Remove(id);
            if (_newestOfRule.TryGetValue(entry.Latest!.RuleId, out var newest) && newest == id)
            {
                _newestOfRule.Remove(entry.Latest.RuleId);
            }
        }
    }

    private sealed class Entry
    {
        public ExecutionProgress? Latest { get; set; }

        public Dictionary<long, ExecutionTaskProgress> Tasks { get; } = [];

        public Queue<ExecutionLogLine> Log { get; } = new();

        public DateTimeOffset? FinishedAt { get; set; }
    }
}
