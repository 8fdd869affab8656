using Microsoft.EntityFrameworkCore;
using Replication.Admin.Data;
using Replication.Admin.Rules;
using Replication.Engine.Copying;
using Replication.Engine.Planning;

namespace Replication.Admin.Executions;

/// <summary>
/// An execution a job is running, with the database context that holds it. Every method is one transition of the
/// state machine committed in one transaction (status, counts, bytes, task rows and the rule's record of what it
/// replicated together), then published to open pages. The task rows are never held: they are written and counted in
/// the database through <see cref="ExecutionTaskRows"/>.
/// </summary>
public sealed class ActiveExecution : IAsyncDisposable
{
    private readonly ExecutionLifecycle _lifecycle;
    private readonly ReplicationDbContext _db;
    private readonly ExecutionTaskRows _rows;
    private ReplicationRecorder? _recorder;

    // Row updates taken from the tracker whose save has not committed yet (a busy database): the next save applies them.
    private readonly Dictionary<long, TaskUpdate> _unsaved = [];

    internal ActiveExecution(ExecutionLifecycle lifecycle, ReplicationDbContext db, ReplicationDbContext rowsContext, Execution execution)
    {
        _lifecycle = lifecycle;
        _db = db;
        _rows = new ExecutionTaskRows(db, rowsContext, execution.Id);
        Execution = execution;
    }

    public Execution Execution { get; }

    /// <summary>The context that tracks <see cref="Execution"/>.</summary>
    internal ReplicationDbContext Context => _db;

    /// <summary>The rule as it was when the execution started.</summary>
    public ReplicationRule Rule { get; private set; } = null!;

    /// <summary>What the rule replicated before this execution (the only things its deletions may touch).</summary>
    public IReadOnlyList<ReplicatedArtifact> Records { get; private set; } = [];

    /// <summary>The source changes an event execution replicates; empty for a full run.</summary>
    public IReadOnlyList<SourceChange> Changes => Execution.Changes;

    internal async Task LoadRecordsAsync(ReplicationRule rule, CancellationToken cancellationToken)
    {
        Rule = rule;
        // Untracked: a rule's record can hold tens of thousands of tags and a run changes few of them; the recorder
        // attaches the ones it changes.
        var records = await _db.ReplicatedArtifacts.AsNoTracking().Where(a => a.RuleId == rule.Id).ToListAsync(cancellationToken);
        Records = records;
        _recorder = new ReplicationRecorder(_db, rule.Id, Execution.Id, records, _lifecycle.Clock);
    }

    /// <summary>
    /// Running, planned: saves the plan's task rows with the plan's counts; returns each new row, in plan order, with
    /// the engine task it came from (named by the row), which keeps what the plan learnt.
    /// </summary>
    public async Task<IReadOnlyList<RunnableTask>> RecordPlanAsync(ReplicationPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var planned = plan.ToTasks().Select(task => new RunnableTask(
            new ExecutionTask
            {
                Operation = task.Operation,
                Kind = task.Kind,
                SourceRepository = task.SourceRepository,
                DestinationRepository = task.DestinationRepository,
                Tag = task.Tag,
                Digest = task.Digest,
            },
            task)).ToList();

        Execution.RecordPlan(planned.Count, plan.UpToDate.Count);
        await SaveAsync(() => _rows.InsertAsync(planned.Select(p => p.Row), CancellationToken.None), CancellationToken.None);
        _lifecycle.Logger.LogInformation("Execution {ExecutionId} planned: {Plan}", Execution.Id, plan);
        await PublishAsync();
        return planned.Select(p => p with { Task = p.Task with { Id = p.Row.EngineId } }).ToList();
    }

    /// <summary>The rows a resumed or retry execution still has to run, in plan order, as engine tasks named by their rows.</summary>
    public async Task<IReadOnlyList<RunnableTask>> LoadUnfinishedAsync(CancellationToken cancellationToken) =>
        (await _rows.UnfinishedAsync(cancellationToken)).Select(row => new RunnableTask(row, row.ToEngineTask())).ToList();

    /// <summary>The rows counted as they stand (before a run: what earlier runs of it finished).</summary>
    public Task<TaskTally> TallyAsync(CancellationToken cancellationToken) => _rows.TallyAsync(cancellationToken);

    /// <summary>Running: what the tracker saw since the last save (task rows, counts, bytes, records).</summary>
    public async Task SaveProgressAsync(ExecutionProgressTracker tracker, CancellationToken cancellationToken)
    {
        await SaveAsync(() => ApplyProgressAsync(tracker, cancellationToken), cancellationToken);
        _recorder?.Saved();
    }

    /// <summary>The process is shutting down: the unfinished tasks go back to pending and it stays Running, to be resumed.</summary>
    public async Task InterruptAsync(ExecutionProgressTracker tracker)
    {
        await SaveAsync(
            async () =>
            {
                await ApplyProgressAsync(tracker, CancellationToken.None);
                await _rows.ResetUnfinishedAsync(CancellationToken.None);
            },
            CancellationToken.None);
        _lifecycle.Logger.LogInformation("Execution {ExecutionId} interrupted by shutdown; it resumes at the next start", Execution.Id);
    }

    /// <summary>
    /// Running → the outcome the tasks earned, with the run's final progress in the same commit; a transient failure
    /// schedules the automatic retry of what failed.
    /// </summary>
    public Task CompleteAsync(ExecutionProgressTracker? tracker) => EndAsync(
        async tasks =>
        {
            Execution.Complete(tasks, _lifecycle.Clock.GetUtcNow());
            if (Execution.Status is not (ExecutionStatus.Failed or ExecutionStatus.PartiallyFailed))
            {
                return null;
            }

            var transient = await _rows.TransientFailuresAsync(CancellationToken.None);
            return transient.Count > 0 ? _lifecycle.PrepareAutomaticRetry(Execution, transient) : null;
        },
        tracker);

    /// <summary>Pending or Running → Failed as a whole; a transient cause (the registry unreachable while planning) schedules a retry.</summary>
    public Task FailAsync(string error, bool transient) => EndAsync(
        tasks =>
        {
            Execution.Fail(error, tasks, _lifecycle.Clock.GetUtcNow());
            return Task.FromResult(transient ? _lifecycle.PrepareAutomaticRetry(Execution, []) : null);
        });

    /// <summary>Pending or Running → Stopped, before its plan ran to the end.</summary>
    public Task StopAsync() => EndAsync(
        tasks =>
        {
            Execution.Stop(tasks, _lifecycle.Clock.GetUtcNow());
            return Task.FromResult<Execution?>(null);
        });

    /// <summary>Publishes the saved state, or the tracker's live picture of it.</summary>
    public Task PublishAsync(ExecutionProgressTracker? tracker = null) =>
        _lifecycle.Live.PublishAsync(tracker?.Snapshot(Execution.Status) ?? ExecutionProgress.Of(Execution));

    public async ValueTask DisposeAsync()
    {
        await _rows.DisposeAsync();
        await _db.DisposeAsync();
    }

    /// <summary>One commit of the execution, its task rows and the rule's record: the rows' context joins the transaction.</summary>
    private async Task SaveAsync(Func<Task> changeRows, CancellationToken cancellationToken)
    {
        await using var transaction = await _db.Database.BeginTransactionAsync(cancellationToken);
        await _rows.JoinAsync(transaction, cancellationToken);
        try
        {
            await changeRows();
            await _db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            _unsaved.Clear();
        }
        finally
        {
            await _rows.LeaveAsync();
        }
    }

    private async Task ApplyProgressAsync(ExecutionProgressTracker tracker, CancellationToken cancellationToken)
    {
        var changes = tracker.TakeChanges();
        foreach (var update in changes.Tasks)
        {
            _unsaved[update.TaskId] = _unsaved.TryGetValue(update.TaskId, out var earlier) ? earlier.Then(update) : update;
        }

        await _rows.UpdateAsync(_unsaved.Values, cancellationToken);
        Execution.RecordProgress(changes.Counts);
        _recorder?.Record(changes.Results);
    }

    /// <summary>
    /// The end of the run in one commit: the last progress, the unfinished rows stopped, the transition made from the
    /// rows as they then stand, and the retry it schedules; then the retry is queued and the outcome published and told.
    /// </summary>
    private async Task EndAsync(Func<TaskTally, Task<Execution?>> transition, ExecutionProgressTracker? tracker = null)
    {
        Execution? retry = null;
        await SaveAsync(
            async () =>
            {
                if (tracker is not null)
                {
                    await ApplyProgressAsync(tracker, CancellationToken.None);
                }

                await _rows.StopUnfinishedAsync(CancellationToken.None);
                retry = await transition(await _rows.TallyAsync(CancellationToken.None));
                if (retry is not null)
                {
                    _db.Executions.Add(retry);
                }

                if (Execution.ParentExecutionId is { } parent && Execution.Status == ExecutionStatus.Stopped)
                {
                    // The parent no longer "retries at" anything.
                    await _db.Executions.Where(e => e.Id == parent).ExecuteUpdateAsync(s => s.SetProperty(e => e.RetryAt, (DateTimeOffset?)null));
                }
            },
            CancellationToken.None);

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
        var errors = Execution.Failed > 0 ? await _rows.FailureErrorsAsync(CancellationToken.None) : [];
        await ExecutionOutcomes.NotifyAsync(_lifecycle.OutcomeHandlers, ExecutionOutcome.Of(Execution, errors), log);
    }
}

/// <summary>A task row to run, with the engine task named by it.</summary>
public sealed record RunnableTask(ExecutionTask Row, ReplicationTask Task);

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
