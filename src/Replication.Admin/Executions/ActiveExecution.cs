using Microsoft.EntityFrameworkCore;
using Replication.Admin.Data;
using Replication.Admin.Rules;
using Replication.Engine.Copying;
using Replication.Engine.Planning;

namespace Replication.Admin.Executions;

/// <summary>
/// An execution a job is running, with the database context that holds it. Every method is one transition of the
/// state machine committed in one save (status, counts, bytes, task rows and the rule's record of what it replicated
/// together), then published to open pages.
/// </summary>
public sealed class ActiveExecution : IAsyncDisposable
{
    private readonly ExecutionLifecycle _lifecycle;
    private readonly ReplicationDbContext _db;
    private const int PlanSaveBatch = 1_000;

    private readonly bool _ownsContext;
    private ReplicationRecorder? _recorder;

    // The task rows by id, built at the first save of progress and kept: built at every save, a 20,000-task run made
    // two large-object-heap arrays a second, which waited for a full collection.
    private Dictionary<long, ExecutionTask>? _rowsById;

    internal ActiveExecution(ExecutionLifecycle lifecycle, ReplicationDbContext db, Execution execution, bool ownsContext = true)
    {
        _lifecycle = lifecycle;
        _db = db;
        _ownsContext = ownsContext;
        Execution = execution;
    }

    public Execution Execution { get; }

    /// <summary>The rule as it was when the execution started.</summary>
    public ReplicationRule Rule { get; private set; } = null!;

    /// <summary>What the rule replicated before this execution (the only things its deletions may touch).</summary>
    public IReadOnlyList<ReplicatedArtifact> Records { get; private set; } = [];

    /// <summary>The source changes an event execution replicates; empty for a full run.</summary>
    public IReadOnlyList<SourceChange> Changes => Execution.Changes;

    /// <summary>Tasks still to run, in plan order.</summary>
    public IReadOnlyList<ExecutionTask> Unfinished => Execution.Tasks.Where(t => !t.IsFinished).OrderBy(t => t.Id).ToList();

    internal async Task LoadRecordsAsync(ReplicationRule rule, CancellationToken cancellationToken)
    {
        Rule = rule;
        // Untracked: a rule's record can hold tens of thousands of tags and a run changes few of them; the recorder
        // attaches the ones it changes.
        var records = await _db.ReplicatedArtifacts.AsNoTracking().Where(a => a.RuleId == rule.Id).ToListAsync(cancellationToken);
        Records = records;
        _recorder = new ReplicationRecorder(_db, rule.Id, Execution.Id, records, _lifecycle.Clock);
    }

    /// <summary>Running, planned: saves the plan's tasks; returns each new row with the engine task it came from.</summary>
    public async Task<IReadOnlyDictionary<ExecutionTask, ReplicationTask>> RecordPlanAsync(ReplicationPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var planned = new Dictionary<ExecutionTask, ReplicationTask>(ReferenceEqualityComparer.Instance);
        foreach (var task in plan.ToTasks())
        {
            planned[new ExecutionTask
            {
                Operation = task.Operation,
                Kind = task.Kind,
                SourceRepository = task.SourceRepository,
                DestinationRepository = task.DestinationRepository,
                Tag = task.Tag,
                Digest = task.Digest,
            }] = task;
        }

        Execution.RecordPlan(planned.Keys, plan.UpToDate.Count);
        await SaveRowsInBatchesAsync(planned.Keys);
        _rowsById = null; // the new rows have their ids now
        _lifecycle.Logger.LogInformation("Execution {ExecutionId} planned: {Plan}", Execution.Id, plan);
        await PublishAsync();
        return planned;
    }

    /// <summary>
    /// Inserts a plan's task rows a thousand at a time, then the execution, in one transaction, so a 20,000-task plan
    /// is not one save that builds every row's insert command at once. (At 5,000 tasks the app's peak memory measured
    /// the same either way; the peak lies elsewhere, see the executions README.)
    /// </summary>
    private async Task SaveRowsInBatchesAsync(IEnumerable<ExecutionTask> rows)
    {
        await using var transaction = await _db.Database.BeginTransactionAsync(CancellationToken.None);
        var tracker = _db.ChangeTracker;
        var detectChanges = tracker.AutoDetectChangesEnabled;
        tracker.AutoDetectChangesEnabled = false; // else the first save finds every row through Execution.Tasks
        try
        {
            foreach (var batch in rows.Chunk(PlanSaveBatch))
            {
                foreach (var row in batch)
                {
                    row.ExecutionId = Execution.Id;
                }

                _db.ExecutionTasks.AddRange(batch);
                await _db.SaveChangesAsync(CancellationToken.None);
            }
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = detectChanges;
        }

        await _db.SaveChangesAsync(CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
    }

    /// <summary>Running: what the tracker saw since the last save (task rows, counts, bytes, records).</summary>
    public async Task SaveProgressAsync(ExecutionProgressTracker tracker, CancellationToken cancellationToken)
    {
        ApplyProgress(tracker, resetUnfinished: false);
        await _db.SaveChangesAsync(cancellationToken);
        _recorder?.Saved();
    }

    /// <summary>The process is shutting down: the unfinished tasks go back to pending and it stays Running, to be resumed.</summary>
    public async Task InterruptAsync(ExecutionProgressTracker tracker)
    {
        ApplyProgress(tracker, resetUnfinished: true);
        await _db.SaveChangesAsync(CancellationToken.None);
        _lifecycle.Logger.LogInformation("Execution {ExecutionId} interrupted by shutdown; it resumes at the next start", Execution.Id);
    }

    /// <summary>
    /// Running → the outcome the tasks earned, with the run's final progress in the same save; a transient failure
    /// schedules the automatic retry of what failed.
    /// </summary>
    public async Task CompleteAsync(ExecutionProgressTracker? tracker)
    {
        if (tracker is not null)
        {
            ApplyProgress(tracker, resetUnfinished: false);
        }

        Execution.Complete(_lifecycle.Clock.GetUtcNow());
        Execution? retry = null;
        var transient = Execution.Tasks.Where(t => t.Status == ExecutionTaskStatus.Failed && t.IsTransient).ToList();
        if (Execution.Status is ExecutionStatus.Failed or ExecutionStatus.PartiallyFailed && transient.Count > 0)
        {
            retry = _lifecycle.PrepareAutomaticRetry(Execution, transient);
        }

        await EndAsync(retry);
    }

    /// <summary>Pending or Running → Failed as a whole; a transient cause (the registry unreachable while planning) schedules a retry.</summary>
    public async Task FailAsync(string error, bool transient)
    {
        Execution.Fail(error, _lifecycle.Clock.GetUtcNow());
        var retry = transient ? _lifecycle.PrepareAutomaticRetry(Execution, []) : null;
        await EndAsync(retry);
    }

    /// <summary>Pending or Running → Stopped, before its plan ran to the end.</summary>
    public async Task StopAsync()
    {
        Execution.Stop(_lifecycle.Clock.GetUtcNow());
        await EndAsync(null);
    }

    /// <summary>Publishes the saved state, or the tracker's live picture of it.</summary>
    public Task PublishAsync(ExecutionProgressTracker? tracker = null) =>
        _lifecycle.Live.PublishAsync(tracker?.Snapshot(Execution.Status) ?? ExecutionProgress.Of(Execution));

    public async ValueTask DisposeAsync()
    {
        if (_ownsContext)
        {
            await _db.DisposeAsync();
        }
    }

    private void ApplyProgress(ExecutionProgressTracker tracker, bool resetUnfinished)
    {
        var changes = tracker.TakeChanges();
        var rows = _rowsById ??= Execution.Tasks.ToDictionary(t => t.Id);
        foreach (var update in changes.Tasks)
        {
            if (rows.TryGetValue(update.TaskId, out var row))
            {
                update.ApplyTo(row);
                if (resetUnfinished && row.Status is ExecutionTaskStatus.Running or ExecutionTaskStatus.Stopped)
                {
                    row.Status = ExecutionTaskStatus.Pending;
                    row.FinishedAt = null;
                    row.Error = null;
                }
            }
        }

        Execution.RecordProgress(changes.Counts);
        _recorder?.Record(changes.Results);
    }

    private async Task EndAsync(Execution? retry)
    {
        if (retry is not null)
        {
            _db.Executions.Add(retry);
        }

        if (Execution.ParentExecutionId is { } parent && Execution.Status == ExecutionStatus.Stopped)
        {
            // The parent no longer "retries at" anything.
            await _db.Executions.Where(e => e.Id == parent).ExecuteUpdateAsync(s => s.SetProperty(e => e.RetryAt, (DateTimeOffset?)null));
        }

        await _db.SaveChangesAsync(CancellationToken.None);
        var log = _lifecycle.Logger;
        if (retry is not null)
        {
            _lifecycle.ScheduleRun(retry);
            log.LogInformation("Execution {ExecutionId} retries at {RetryAt:u} as execution {RetryId}", Execution.Id, retry.RetryAt, retry.Id);
            await _lifecycle.Live.PublishAsync(ExecutionProgress.Of(retry));
        }

        log.LogInformation(
            "Execution {ExecutionId} {Status}: {Succeeded} succeeded, {UpToDate} up to date, {Failed} failed",
            Execution.Id, Execution.Status, Execution.Succeeded, Execution.UpToDate, Execution.Failed);
        await PublishAsync();
        await ExecutionOutcomes.NotifyAsync(_lifecycle.OutcomeHandlers, Execution, log);
    }
}

/// <summary>Keeps the rule's record of what it replicated in step with the results (<see cref="TaskResult.Replicated"/>, <see cref="TaskResult.Forgotten"/>).</summary>
internal sealed class ReplicationRecorder(ReplicationDbContext db, int ruleId, long executionId, List<ReplicatedArtifact> loaded, TimeProvider clock)
{
    // Loaded untracked; a record is attached to the context when this run changes it, and let go once saved.
    private readonly Dictionary<(string Repository, string Tag), ReplicatedArtifact> _records =
        loaded.ToDictionary(r => (r.Repository, r.Tag));

    private readonly List<ReplicatedArtifact> _unsaved = [];

    public void Record(IEnumerable<TaskResult> results)
    {
        foreach (var result in results)
        {
            foreach (var forgotten in result.Forgotten)
            {
                Forget(forgotten);
            }

            foreach (var pushed in result.Replicated)
            {
                Remember(pushed);
            }
        }
    }

    /// <summary>
    /// The changes are saved: the context forgets the records (a later change attaches one again). A cold run of
    /// 20,000 tags would otherwise keep 20,000 tracked records, each with EF's snapshot, scanned at every save.
    /// </summary>
    public void Saved()
    {
        foreach (var record in _unsaved)
        {
            var entry = db.Entry(record);
            if (entry.State == EntityState.Unchanged)
            {
                entry.State = EntityState.Detached;
            }
        }

        _unsaved.Clear();
    }

    private void Remember(Replication.Engine.ReplicatedArtifact pushed)
    {
        if (_records.TryGetValue((pushed.Repository, pushed.Tag), out var record))
        {
            if (db.Entry(record).State == EntityState.Detached)
            {
                db.ReplicatedArtifacts.Attach(record);
                _unsaved.Add(record);
            }

            record.Digest = pushed.Digest;
            record.SourceDigest = pushed.SourceDigest;
            record.ReplicatedAt = clock.GetUtcNow();
            record.ExecutionId = executionId;
            return;
        }

        record = new ReplicatedArtifact
        {
            RuleId = ruleId,
            Repository = pushed.Repository,
            Tag = pushed.Tag,
            Digest = pushed.Digest,
            SourceDigest = pushed.SourceDigest,
            ReplicatedAt = clock.GetUtcNow(),
            ExecutionId = executionId,
        };
        _records[(pushed.Repository, pushed.Tag)] = record;
        db.ReplicatedArtifacts.Add(record);
        _unsaved.Add(record);
    }

    private void Forget(Replication.Engine.ReplicatedArtifact forgotten)
    {
        if (_records.TryGetValue((forgotten.Repository, forgotten.Tag), out var record) && record.Digest == forgotten.Digest)
        {
            _records.Remove((forgotten.Repository, forgotten.Tag));
            db.ReplicatedArtifacts.Remove(record);
        }
    }
}
