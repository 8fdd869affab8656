using Microsoft.EntityFrameworkCore;
using Replication.Admin.Audit;
using Replication.Admin.Data;
using Replication.Admin.Rules;
using Replication.Engine.Planning;

namespace Replication.Admin.Executions;

/// <summary>How a request to run, stop or retry went.</summary>
public enum LaunchOutcome
{
    /// <summary>A new execution was created and queued.</summary>
    Started,

    /// <summary>An execution of the rule was already waiting to start; the request joined it.</summary>
    Folded,

    /// <summary>Stop: the execution is stopping (running) or stopped (it had not started).</summary>
    Stopping,
    NotFound,

    /// <summary>The rule is disabled (manual runs need an enabled rule).</summary>
    Disabled,

    /// <summary>Nothing to do in the execution's state (finished already, still running, nothing failed…).</summary>
    Conflict,
}

/// <summary>The answer of <see cref="ExecutionLauncher"/>: the execution concerned, when there is one, and a message.</summary>
public sealed record ExecutionLaunch(LaunchOutcome Outcome, Execution? Execution, string Message)
{
    public bool Accepted => Outcome is LaunchOutcome.Started or LaunchOutcome.Folded or LaunchOutcome.Stopping;
}

/// <summary>
/// Starts, stops and retries executions for the API and the pages: writes the Execution row first (Pending), then
/// queues the Hangfire job that runs it, so nothing asked for is lost if the process dies in between (recovery picks
/// up pending rows at the next start). A second trigger for a rule whose execution has not started yet joins it.
/// </summary>
public sealed class ExecutionLauncher(
    IDbContextFactory<ReplicationDbContext> contextFactory,
    IExecutionQueue queue,
    ExecutionLifecycle lifecycle,
    RunningExecutions running,
    ExecutionNode node,
    LiveExecutions live,
    AuditLog audit,
    TimeProvider clock,
    ILogger<ExecutionLauncher> logger) : IDisposable
{
    // Folding events into a pending execution is read-modify-write; webhook calls take turns.
    private readonly SemaphoreSlim _eventGate = new(1, 1);

    public void Dispose() => _eventGate.Dispose();

    /// <summary>Replicate: a full run of the rule now (or joined to one that is about to start).</summary>
    public async Task<ExecutionLaunch> StartManualAsync(int ruleId, string user, CancellationToken cancellationToken = default)
    {
        var launch = await StartAsync(ruleId, ExecutionTrigger.Manual, user, requireEnabled: true, cancellationToken);
        if (launch.Accepted)
        {
            await audit.RecordAsync(user, "execution.start", $"rule {ruleId}", $"execution {launch.Execution!.Id} ({launch.Outcome.ToString().ToLowerInvariant()})", cancellationToken);
        }

        return launch;
    }

    /// <summary>A full run with the given trigger (schedule, initial sync).</summary>
    public async Task<ExecutionLaunch> StartAsync(int ruleId, ExecutionTrigger trigger, string triggeredBy, bool requireEnabled, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rule = await db.ReplicationRules.AsNoTracking().Where(r => r.Id == ruleId).Select(r => new { r.Name, r.Enabled }).FirstOrDefaultAsync(cancellationToken);
        if (rule is null)
        {
            return new ExecutionLaunch(LaunchOutcome.NotFound, null, $"There is no replication rule with id {ruleId}.");
        }

        if (requireEnabled && !rule.Enabled)
        {
            return new ExecutionLaunch(LaunchOutcome.Disabled, null, $"Rule '{rule.Name}' is disabled. Enable it to replicate.");
        }

        var waiting = await db.Executions
            .Where(e => e.RuleId == ruleId && e.Status == ExecutionStatus.Pending && e.StartedAt == null && !e.StopRequested && e.RetryAt == null
                && (e.Trigger == ExecutionTrigger.Manual || e.Trigger == ExecutionTrigger.Scheduled || e.Trigger == ExecutionTrigger.Initial))
            .OrderBy(e => e.Id)
            .FirstOrDefaultAsync(cancellationToken);
        if (waiting is not null)
        {
            return new ExecutionLaunch(LaunchOutcome.Folded, waiting, $"Execution {waiting.Id} of rule '{rule.Name}' is about to start and covers this request.");
        }

        var execution = Execution.Queue(ruleId, trigger, triggeredBy, clock.GetUtcNow());
        db.Executions.Add(execution);
        await db.SaveChangesAsync(cancellationToken);
        queue.Enqueue(execution.Id);
        await PublishAsync(execution);
        logger.LogInformation("Execution {ExecutionId} of rule {RuleId} queued ({Trigger}, by {User})", execution.Id, ruleId, trigger, triggeredBy);
        return new ExecutionLaunch(LaunchOutcome.Started, execution, $"Execution {execution.Id} of rule '{rule.Name}' started.");
    }

    /// <summary>
    /// Source registry events: for every enabled immediate rule reading from <paramref name="registryId"/> that the
    /// change concerns, one pending event execution (a burst joins the one not started yet). Returns the executions.
    /// </summary>
    public async Task<IReadOnlyList<Execution>> StartForEventsAsync(int registryId, IReadOnlyList<SourceChange> changes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0)
        {
            return [];
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rules = await db.ReplicationRules.AsNoTracking()
            .Where(r => r.SourceRegistryId == registryId && r.Enabled && r.TriggerMode == TriggerMode.Immediate)
            .ToListAsync(cancellationToken);
        var touched = new List<Execution>();
        foreach (var rule in rules)
        {
            var relevant = new List<SourceChange>();
            foreach (var change in changes)
            {
                if (await ConcernsAsync(db, rule, change, cancellationToken))
                {
                    relevant.Add(change);
                }
            }

            if (relevant.Count > 0)
            {
                touched.Add(await QueueEventsAsync(db, rule.Id, relevant, cancellationToken));
            }
        }

        return touched;
    }

    /// <summary>Stop: cancels a running execution (it ends within seconds) or stops one that has not started.</summary>
    public async Task<ExecutionLaunch> StopAsync(long executionId, string user, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var execution = await db.Executions.FirstOrDefaultAsync(e => e.Id == executionId, cancellationToken);
        if (execution is null)
        {
            return new ExecutionLaunch(LaunchOutcome.NotFound, null, $"There is no execution with id {executionId}.");
        }

        if (execution.IsFinished)
        {
            return new ExecutionLaunch(LaunchOutcome.Conflict, execution, $"Execution {executionId} has already finished ({execution.Status.ToApi()}).");
        }

        // Flag first: a job that picks the execution up from now on sees it and does not start it.
        execution.StopRequested = true;
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(user, "execution.stop", $"execution {executionId}", $"rule {execution.RuleId}", cancellationToken);
        if (running.TryStop(executionId))
        {
            return new ExecutionLaunch(LaunchOutcome.Stopping, execution, $"Execution {executionId} is stopping.");
        }

        if (execution.Node is { } holder && holder != node.Name && execution.HeartbeatAt > clock.GetUtcNow() - node.LeaseTimeout)
        {
            // Another node holds it: its heartbeat reads the flag and stops it there.
            return new ExecutionLaunch(LaunchOutcome.Stopping, execution, $"Execution {executionId} is stopping (on node {holder}).");
        }

        await lifecycle.StopWaitingAsync(executionId, cancellationToken);
        return new ExecutionLaunch(LaunchOutcome.Stopping, execution, $"Execution {executionId} was stopped before it started.");
    }

    /// <summary>
    /// Retry failed: runs the failed (or, for a stopped execution, unfinished) tasks of a finished execution now, in a
    /// retry execution started by <paramref name="user"/>; an automatic retry waiting for its time is brought forward
    /// instead. Refused while the execution runs, when nothing is left to retry, or when a later execution already
    /// retried it (retry that one).
    /// </summary>
    public async Task<ExecutionLaunch> RetryNowAsync(long executionId, string user, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var execution = await db.Executions.Include(e => e.Tasks).FirstOrDefaultAsync(e => e.Id == executionId, cancellationToken);
        if (execution is null)
        {
            return new ExecutionLaunch(LaunchOutcome.NotFound, null, $"There is no execution with id {executionId}.");
        }

        if (!execution.IsFinished)
        {
            return new ExecutionLaunch(LaunchOutcome.Conflict, execution, $"Execution {executionId} is still {execution.Status.ToApi()}; stop it or wait for it to finish.");
        }

        var retries = await db.Executions.Where(e => e.ParentExecutionId == executionId).OrderBy(e => e.Id).ToListAsync(cancellationToken);
        if (retries.FirstOrDefault(e => e.IsWaiting && !e.StopRequested) is { } scheduled)
        {
            scheduled.BringForward(user);
            execution.RetryAt = null;
            await db.SaveChangesAsync(cancellationToken);
            queue.Enqueue(scheduled.Id);
            await audit.RecordAsync(user, "execution.retry", $"execution {executionId}", $"retry execution {scheduled.Id} brought forward", cancellationToken);
            await PublishAsync(scheduled);
            return new ExecutionLaunch(LaunchOutcome.Folded, scheduled, $"The scheduled retry {scheduled.Id} runs now.");
        }

        if (retries.LastOrDefault() is { } later)
        {
            return new ExecutionLaunch(LaunchOutcome.Conflict, execution, $"Execution {executionId} was already retried by execution {later.Id} ({later.Status.ToApi()}); retry that one if work is left.");
        }

        if (!execution.HasRetryableWork)
        {
            return new ExecutionLaunch(LaunchOutcome.Conflict, execution, $"Execution {executionId} has no failed tasks to retry.");
        }

        var retry = execution.QueueRetry(execution.RetryableTasks.ToList(), retryNumber: 0, dueAt: null, user, clock.GetUtcNow());
        db.Executions.Add(retry);
        await db.SaveChangesAsync(cancellationToken);
        queue.Enqueue(retry.Id);
        await audit.RecordAsync(user, "execution.retry", $"execution {executionId}", $"retry execution {retry.Id} with {retry.Tasks.Count} task(s)", cancellationToken);
        await PublishAsync(retry);
        return new ExecutionLaunch(LaunchOutcome.Started, retry, $"Retry execution {retry.Id} started with {retry.Tasks.Count} task(s).");
    }

    private void EnqueueInBackground(long executionId) => _ = Task.Run(() =>
    {
        try
        {
            queue.Enqueue(executionId);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            logger.LogError(exception, "Execution {ExecutionId} could not be queued; the recovery watch queues it again", executionId);
        }
    });

    private async Task<Execution> QueueEventsAsync(ReplicationDbContext db, int ruleId, List<SourceChange> changes, CancellationToken cancellationToken)
    {
        await _eventGate.WaitAsync(cancellationToken);
        try
        {
            // A full run that has not started covers every change.
            var full = await db.Executions.AsNoTracking()
                .Where(e => e.RuleId == ruleId && e.Status == ExecutionStatus.Pending && e.StartedAt == null && !e.StopRequested && e.RetryAt == null
                    && (e.Trigger == ExecutionTrigger.Manual || e.Trigger == ExecutionTrigger.Scheduled || e.Trigger == ExecutionTrigger.Initial))
                .FirstOrDefaultAsync(cancellationToken);
            if (full is not null)
            {
                return full;
            }

            var pending = await db.Executions.AsNoTracking()
                .Where(e => e.RuleId == ruleId && e.Trigger == ExecutionTrigger.Event && e.Status == ExecutionStatus.Pending && e.StartedAt == null && !e.StopRequested)
                .OrderBy(e => e.Id)
                .FirstOrDefaultAsync(cancellationToken);
            if (pending is not null)
            {
                var merged = Merge(pending.Changes, changes);

                // Only while it has not started: the job marks it running before it reads the changes.
                var updated = await db.Executions
                    .Where(e => e.Id == pending.Id && e.Status == ExecutionStatus.Pending && e.StartedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(e => e.Changes, merged), cancellationToken);
                if (updated == 1)
                {
                    pending.Changes = merged;
                    return pending;
                }
            }

            var execution = Execution.Queue(ruleId, ExecutionTrigger.Event, ExecutionActors.RegistryEvent, clock.GetUtcNow());
            execution.Changes = Merge([], changes);
            db.Executions.Add(execution);
            await db.SaveChangesAsync(cancellationToken);
            db.Entry(execution).State = EntityState.Detached;

            // The row is the saved work; queueing the job (tens of milliseconds in SQLite) happens after the answer.
            // Should the process die first, recovery queues every pending execution.
            EnqueueInBackground(execution.Id);
            await PublishAsync(execution);
            return execution;
        }
        finally
        {
            _eventGate.Release();
        }
    }

    /// <summary>Later events for the same tag (or digest) replace earlier ones: a burst becomes one change.</summary>
    private static List<SourceChange> Merge(IReadOnlyList<SourceChange> existing, IReadOnlyList<SourceChange> added)
    {
        var merged = new List<SourceChange>(existing);
        foreach (var change in added)
        {
            merged.RemoveAll(c => c.Repository == change.Repository && (change.Tag is not null ? c.Tag == change.Tag : c.Tag is null && c.Digest == change.Digest));
            merged.Add(change);
        }

        return merged;
    }

    /// <summary>Whether the change concerns the rule, as the engine answers it; a deletion counts only for what the rule recorded.</summary>
    private static async Task<bool> ConcernsAsync(ReplicationDbContext db, ReplicationRule rule, SourceChange change, CancellationToken cancellationToken)
    {
        var concern = ReplicationPlanner.Concerns(ReplicationRuleStore.ToEventScope(rule), change);
        if (concern.Effect != ChangeEffect.Delete)
        {
            return concern.IsConcerned;
        }

        // Only what the deletion names is looked up; the rule's whole record is not loaded for each event.
        var recorded = db.ReplicatedArtifacts.Where(a => a.RuleId == rule.Id && a.Repository == concern.DestinationRepository);
        return concern.Tag is { } tag
            ? await recorded.AnyAsync(a => a.Tag == tag, cancellationToken)
            : await recorded.AnyAsync(a => a.Digest == concern.Digest || a.SourceDigest == concern.Digest, cancellationToken);
    }

    private Task PublishAsync(Execution execution) => live.PublishAsync(ExecutionProgress.Of(execution));
}
