using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Replication.Admin.Data;
using Replication.Admin.Executions;
using Replication.Admin.Rules;
using Replication.Engine;
using Replication.Engine.Copying;
using Replication.Engine.Planning;
using EngineArtifact = Replication.Engine.ReplicatedArtifact;

namespace Replication.Admin.Jobs;

/// <summary>
/// The Hangfire job that runs one execution: loads the rule, builds the engine's scope, plans (once: the tasks are
/// saved), runs the unfinished tasks with progress saved about once a second and published live, records what the
/// rule replicated, and ends with the right status (scheduling an automatic retry after a network failure).
/// Idempotent: a duplicate delivery, a late one or one for a finished execution does nothing, so recovery may queue
/// freely. When the process shuts down mid-run the execution stays Running and is resumed at the next start.
/// </summary>
public sealed class ExecutionJob(
    IDbContextFactory<ReplicationDbContext> contextFactory,
    ReplicationRuleStore rules,
    ReplicationPlanner planner,
    ReplicationRunner runner,
    RunningExecutions running,
    ExecutionLauncher launcher,
    ExecutionNotifier notifier,
    IOptions<JobOptions> jobOptions,
    TimeProvider clock,
    ILogger<ExecutionJob> logger)
{
    /// <summary>Restarts after which an execution that keeps being interrupted is failed instead of resumed.</summary>
    public const int MaxResumes = 5;

    /// <summary>Runs the execution; <paramref name="cancellationToken"/> is Hangfire's shutdown token.</summary>
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    [JobDisplayName("Execution {0}")]
    public async Task RunAsync(long executionId, CancellationToken cancellationToken)
    {
        int ruleId;
        await using (var db = await contextFactory.CreateDbContextAsync(cancellationToken))
        {
            var head = await db.Executions.AsNoTracking().Where(e => e.Id == executionId).Select(e => new { e.RuleId, e.Status }).FirstOrDefaultAsync(cancellationToken);
            if (head is null || head.Status.IsFinished())
            {
                return;
            }

            ruleId = head.RuleId;
        }

        RunningExecutions.Slot? slot;
        try
        {
            slot = await running.AcquireAsync(ruleId, executionId, cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Stopped while waiting for the rule's previous execution.
            await using var db = await contextFactory.CreateDbContextAsync(CancellationToken.None);
            if (await db.Executions.FirstOrDefaultAsync(e => e.Id == executionId, CancellationToken.None) is { IsFinished: false } waiting)
            {
                await launcher.MarkStoppedAsync(db, waiting, CancellationToken.None);
            }

            return;
        }

        if (slot is null)
        {
            return;
        }

        using (slot)
        {
            try
            {
                await ExecuteAsync(executionId, slot, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Never leave it running: record the failure (a database error may prevent even that; recovery then resumes it).
                logger.LogError(exception, "Execution {ExecutionId} failed unexpectedly", executionId);
                await TryFailAsync(executionId, exception);
            }
        }
    }

    private async Task TryFailAsync(long executionId, Exception exception)
    {
        try
        {
            await using var db = await contextFactory.CreateDbContextAsync();
            var execution = await db.Executions.Include(e => e.Tasks).FirstOrDefaultAsync(e => e.Id == executionId);
            if (execution is not null && !execution.IsFinished)
            {
                await FinishAsync(db, execution, ExecutionStatus.Failed, $"Unexpected error: {exception.Message}", null, CancellationToken.None);
            }
        }
        catch (Exception inner) when (inner is DbUpdateException or InvalidOperationException)
        {
            logger.LogError(inner, "Execution {ExecutionId} could not be marked failed", executionId);
        }
    }

    private async Task ExecuteAsync(long executionId, RunningExecutions.Slot slot, CancellationToken shutdown)
    {
        await using var db = await contextFactory.CreateDbContextAsync(shutdown);
        var execution = await db.Executions.Include(e => e.Tasks).FirstOrDefaultAsync(e => e.Id == executionId, shutdown);
        if (execution is null || execution.IsFinished)
        {
            return;
        }

        if (execution.StopRequested || slot.StopRequested)
        {
            await launcher.MarkStoppedAsync(db, execution, shutdown);
            return;
        }

        var now = clock.GetUtcNow();
        if (execution.Status == ExecutionStatus.Pending && execution.RetryAt is { } due && due > now + TimeSpan.FromSeconds(2))
        {
            // Delivered early (recovery); the scheduled job runs it when due.
            return;
        }

        if (execution.Status == ExecutionStatus.Running && ++execution.Resumes > MaxResumes)
        {
            await FinishAsync(db, execution, ExecutionStatus.Failed, $"The execution was interrupted {MaxResumes} times by a restart of the application; it was given up.", null, shutdown);
            return;
        }

        var rule = await rules.LoadAsync(execution.RuleId, shutdown);
        if (rule is null)
        {
            await FinishAsync(db, execution, ExecutionStatus.Failed, "The replication rule no longer exists.", null, shutdown);
            return;
        }

        var resumed = execution.Status == ExecutionStatus.Running;
        execution.Status = ExecutionStatus.Running;
        execution.StartedAt ??= now;
        execution.RetryAt = null;
        execution.Error = null;
        await db.SaveChangesAsync(shutdown);

        // A webhook may have folded more changes in until the line above was saved.
        await db.Entry(execution).ReloadAsync(shutdown);
        logger.LogInformation("Execution {ExecutionId} of rule {RuleId} {Action} ({Trigger})", execution.Id, rule.Id, resumed ? "resumed" : "started", execution.Trigger);
        await PublishAsync(execution, null);

        var records = await db.ReplicatedArtifacts.Where(a => a.RuleId == rule.Id).ToListAsync(shutdown);
        var scope = rules.ToScope(rule, records.Select(r => r.ToEngine()).ToList());
        var problems = scope.Validate();
        if (problems.Count > 0)
        {
            await FinishAsync(db, execution, ExecutionStatus.Failed, "The rule cannot run: " + string.Join("; ", problems), null, shutdown);
            return;
        }

        // Rows planned in this invocation keep what the plan learnt (destination tag, referrer tags), which spares a
        // request per tag; rows read back after a crash or for a retry are rebuilt without it and ask again.
        IReadOnlyDictionary<ExecutionTask, ReplicationTask> planned = new Dictionary<ExecutionTask, ReplicationTask>();
        if (!execution.Planned)
        {
            try
            {
                planned = await PlanAsync(db, execution, scope, slot.Token);
            }
            catch (ReplicationException exception)
            {
                logger.LogWarning("Execution {ExecutionId} could not plan: {Message}", execution.Id, exception.Message);
                var retry = exception.IsTransient ? launcher.PrepareAutomaticRetry(execution, []) : null;
                await FinishAsync(db, execution, ExecutionStatus.Failed, RuleProblems.Describe(exception), retry, shutdown);
                return;
            }
            catch (OperationCanceledException) when (slot.StopRequested)
            {
                await FinishAsync(db, execution, ExecutionStatus.Stopped, null, null, shutdown);
                return;
            }

            await PublishAsync(execution, null);
        }

        var runnable = execution.Tasks.Where(t => !t.IsFinished).OrderBy(t => t.Id).ToList();
        foreach (var task in runnable.Where(t => t.Status == ExecutionTaskStatus.Running))
        {
            task.Status = ExecutionTaskStatus.Pending;
        }

        var tracker = new ExecutionProgressTracker(execution, runnable, clock);
        var recorder = new ReplicationRecorder(db, rule.Id, execution.Id, records, clock);
        if (runnable.Count > 0)
        {
            ReplicationRunResult result;
            using (var loopStop = new CancellationTokenSource())
            {
                var loop = ProgressLoopAsync(db, execution, tracker, recorder, loopStop.Token);
                try
                {
                    var tasks = runnable.Select(t => planned.TryGetValue(t, out var fresh) ? fresh with { Id = t.EngineId } : t.ToEngineTask()).ToList();
                    result = await runner.RunAsync(scope, tasks, tracker, slot.Token);
                }
                finally
                {
                    await loopStop.CancelAsync();
                    await loop;
                }
            }

            tracker.Complete(result.Tasks);

            // The last log lines and task states reach open pages before the final status does.
            await notifier.PublishAsync(tracker.Snapshot(ExecutionStatus.Running));
            if (slot.ShuttingDown)
            {
                // Leave it Running with the unfinished tasks pending: the next start resumes it.
                await SaveProgressAsync(db, execution, tracker, recorder, resetUnfinished: true, CancellationToken.None);
                logger.LogInformation("Execution {ExecutionId} interrupted by shutdown; it resumes at the next start", execution.Id);
                shutdown.ThrowIfCancellationRequested();
            }

            await SaveProgressAsync(db, execution, tracker, recorder, resetUnfinished: false, CancellationToken.None);
        }

        Recount(execution);
        var status = slot.StopRequested ? ExecutionStatus.Stopped
            : execution.Failed == 0 ? ExecutionStatus.Succeeded
            : execution.Succeeded + execution.UpToDate == 0 ? ExecutionStatus.Failed
            : ExecutionStatus.PartiallyFailed;
        string? error = null;
        Execution? automaticRetry = null;
        if (status is ExecutionStatus.Failed or ExecutionStatus.PartiallyFailed)
        {
            var failed = execution.Tasks.Where(t => t.Status == ExecutionTaskStatus.Failed).ToList();
            error = $"{failed.Count} of {execution.Total} artifact(s) failed; first: {failed[0].DestinationReference}: {failed[0].Error}";
            var transient = failed.Where(t => t.IsTransient).ToList();
            if (transient.Count > 0)
            {
                automaticRetry = launcher.PrepareAutomaticRetry(execution, transient);
            }
        }

        await FinishAsync(db, execution, status, error, automaticRetry, CancellationToken.None);
    }

    /// <summary>Counts from the task rows: the final word, whatever the last progress save saw.</summary>
    private static void Recount(Execution execution)
    {
        execution.Succeeded = execution.Tasks.Count(t => t.Status is ExecutionTaskStatus.Succeeded or ExecutionTaskStatus.Skipped);
        execution.Failed = execution.Tasks.Count(t => t.Status == ExecutionTaskStatus.Failed);
        execution.UpToDate = Math.Max(0, execution.Total - execution.Tasks.Count) + execution.Tasks.Count(t => t.Status == ExecutionTaskStatus.UpToDate);
        execution.BytesTotal = Math.Max(execution.BytesTotal, execution.Tasks.Sum(t => t.BytesTotal));
        execution.BytesDone = Math.Max(execution.BytesDone, execution.Tasks.Sum(t => t.BytesDone));
    }

    /// <summary>Plans the execution and saves its tasks; returns each new row with the engine task it came from.</summary>
    private async Task<IReadOnlyDictionary<ExecutionTask, ReplicationTask>> PlanAsync(ReplicationDbContext db, Execution execution, ReplicationScope scope, CancellationToken cancellationToken)
    {
        ReplicationPlan plan;
        var changes = ExecutionLauncher.ReadChanges(execution.Changes);
        if (changes.Count > 0)
        {
            var plans = new List<ReplicationPlan>();
            foreach (var change in changes)
            {
                plans.Add(await planner.PlanChangeAsync(scope, change, cancellationToken));
            }

            plan = new ReplicationPlan
            {
                Copy = plans.SelectMany(p => p.Copy).DistinctBy(a => a.DestinationReference).ToList(),
                UpToDate = plans.SelectMany(p => p.UpToDate).DistinctBy(a => a.DestinationReference).ToList(),
                Delete = plans.SelectMany(p => p.Delete).DistinctBy(a => a.DestinationReference).ToList(),
                Skipped = plans.SelectMany(p => p.Skipped).ToList(),
            };
        }
        else
        {
            plan = await planner.PlanAsync(scope, cancellationToken);
        }

        var planned = new Dictionary<ExecutionTask, ReplicationTask>(ReferenceEqualityComparer.Instance);
        foreach (var task in plan.ToTasks())
        {
            var row = new ExecutionTask
            {
                Operation = task.Operation,
                Kind = task.Kind,
                SourceRepository = task.SourceRepository,
                DestinationRepository = task.DestinationRepository,
                Tag = task.Tag,
                Digest = task.Digest,
            };
            execution.Tasks.Add(row);
            planned[row] = task;
        }

        execution.Total = execution.Tasks.Count + plan.UpToDate.Count;
        execution.UpToDate = plan.UpToDate.Count;
        execution.Planned = true;
        await db.SaveChangesAsync(CancellationToken.None);
        logger.LogInformation("Execution {ExecutionId} planned: {Plan}", execution.Id, plan);
        return planned;
    }

    private async Task ProgressLoopAsync(ReplicationDbContext db, Execution execution, ExecutionProgressTracker tracker, ReplicationRecorder recorder, CancellationToken stop)
    {
        var options = jobOptions.Value;
        var lastSave = clock.GetTimestamp();
        using var timer = new PeriodicTimer(options.ProgressPublishInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                if (tracker.HasChanged)
                {
                    await notifier.PublishAsync(tracker.Snapshot(ExecutionStatus.Running));
                }

                if (clock.GetElapsedTime(lastSave) >= options.ProgressSaveInterval)
                {
                    lastSave = clock.GetTimestamp();
                    try
                    {
                        await SaveProgressAsync(db, execution, tracker, recorder, resetUnfinished: false, stop);
                    }
                    catch (Exception exception) when (exception is DbUpdateException or InvalidOperationException)
                    {
                        // A busy database delays the saved picture, never the run; the next tick tries again.
                        logger.LogWarning(exception, "Saving the progress of execution {ExecutionId} failed", execution.Id);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run ended.
        }
    }

    private static async Task SaveProgressAsync(
        ReplicationDbContext db,
        Execution execution,
        ExecutionProgressTracker tracker,
        ReplicationRecorder recorder,
        bool resetUnfinished,
        CancellationToken cancellationToken)
    {
        var changes = tracker.TakeChanges();
        var rows = execution.Tasks.ToDictionary(t => t.Id);
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

        execution.Succeeded = changes.Counts.Succeeded;
        execution.Failed = changes.Counts.Failed;
        execution.UpToDate = changes.Counts.UpToDate;
        execution.BytesDone = changes.Counts.BytesDone;
        execution.BytesTotal = changes.Counts.BytesTotal;
        recorder.Record(changes.Results);
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task FinishAsync(ReplicationDbContext db, Execution execution, ExecutionStatus status, string? error, Execution? retry, CancellationToken cancellationToken)
    {
        execution.Status = status;
        execution.Error = error is { Length: > 2000 } ? error[..2000] : error;
        execution.FinishedAt = clock.GetUtcNow();
        execution.StartedAt ??= execution.FinishedAt;
        foreach (var task in execution.Tasks.Where(t => !t.IsFinished))
        {
            task.Status = ExecutionTaskStatus.Stopped;
        }

        if (retry is not null)
        {
            db.Executions.Add(retry);
        }

        await db.SaveChangesAsync(cancellationToken);
        if (retry is not null)
        {
            launcher.Schedule(retry.Id, retry.RetryAt ?? clock.GetUtcNow());
            logger.LogInformation("Execution {ExecutionId} retries at {RetryAt:u} as execution {RetryId}", execution.Id, retry.RetryAt, retry.Id);
            await PublishAsync(retry, null);
        }

        logger.LogInformation("Execution {ExecutionId} {Status}: {Succeeded} succeeded, {UpToDate} up to date, {Failed} failed", execution.Id, status, execution.Succeeded, execution.UpToDate, execution.Failed);
        await PublishAsync(execution, null);
    }

    private Task PublishAsync(Execution execution, ExecutionProgressTracker? tracker) => notifier.PublishAsync(tracker?.Snapshot(execution.Status) ?? ExecutionProgress.Of(execution));
}

/// <summary>Keeps the rule's record of what it replicated in step with the results (<see cref="TaskResult.Replicated"/>, <see cref="TaskResult.Forgotten"/>).</summary>
internal sealed class ReplicationRecorder(ReplicationDbContext db, int ruleId, long executionId, List<Executions.ReplicatedArtifact> tracked, TimeProvider clock)
{
    private readonly Dictionary<(string Repository, string Tag), Executions.ReplicatedArtifact> _records =
        tracked.ToDictionary(r => (r.Repository, r.Tag));

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

    private void Remember(EngineArtifact pushed)
    {
        if (_records.TryGetValue((pushed.Repository, pushed.Tag), out var record))
        {
            record.Digest = pushed.Digest;
            record.ReplicatedAt = clock.GetUtcNow();
            record.ExecutionId = executionId;
            return;
        }

        record = new Executions.ReplicatedArtifact
        {
            RuleId = ruleId,
            Repository = pushed.Repository,
            Tag = pushed.Tag,
            Digest = pushed.Digest,
            ReplicatedAt = clock.GetUtcNow(),
            ExecutionId = executionId,
        };
        _records[(pushed.Repository, pushed.Tag)] = record;
        db.ReplicatedArtifacts.Add(record);
    }

    private void Forget(EngineArtifact forgotten)
    {
        if (_records.TryGetValue((forgotten.Repository, forgotten.Tag), out var record) && record.Digest == forgotten.Digest)
        {
            _records.Remove((forgotten.Repository, forgotten.Tag));
            db.ReplicatedArtifacts.Remove(record);
        }
    }
}
