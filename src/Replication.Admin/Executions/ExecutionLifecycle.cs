using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Replication.Admin.Data;
using Replication.Admin.Rules;
using Replication.Engine.Copying;

namespace Replication.Admin.Executions;

/// <summary>
/// The persistence side of an execution's state machine for the job that runs it: <see cref="BeginAsync"/> moves it to
/// Running (or ends it when it must not run), and the <see cref="ActiveExecution"/> it returns commits every later
/// transition (plan, progress, outcome, automatic retry) as one save of status and progress together, then publishes it.
/// </summary>
public sealed class ExecutionLifecycle(
    IDbContextFactory<ReplicationDbContext> contextFactory,
    ReplicationRuleStore rules,
    LiveExecutions live,
    IExecutionQueue queue,
    ExecutionNode node,
    IOptions<ExecutionOptions> options,
    TimeProvider clock,
    ILogger<ExecutionLifecycle> logger,
    IEnumerable<IExecutionOutcomeHandler> outcomeHandlers)
{
    /// <summary>Restarts after which an execution that keeps being interrupted is failed instead of resumed.</summary>
    public const int MaxResumes = 5;

    internal LiveExecutions Live => live;

    internal TimeProvider Clock => clock;

    internal ILogger Logger => logger;

    internal IEnumerable<IExecutionOutcomeHandler> OutcomeHandlers => outcomeHandlers;

    /// <summary>
    /// Claims the execution for this node, waits for its rule's turn in the whole cluster, then starts (or resumes)
    /// it. Null when there is nothing to run here: another node holds it, it is finished or was stopped, it is a retry
    /// not due yet, it was interrupted too often, or its rule is gone (those end here).
    /// </summary>
    public async Task<ActiveExecution?> BeginAsync(long executionId, RunningExecutions.Slot slot, CancellationToken shutdown)
    {
        ArgumentNullException.ThrowIfNull(slot);
        if (!await ClaimAsync(executionId, shutdown))
        {
            logger.LogInformation("Execution {ExecutionId} is held by another node", executionId);
            return null;
        }

        var active = await OpenAsync(executionId, shutdown);
        if (active is null)
        {
            return null;
        }

        try
        {
            var execution = active.Execution;
            var db = active.Context;
            var now = clock.GetUtcNow();
            if (execution.IsWaiting && execution.RetryAt is { } due && due > now + TimeSpan.FromSeconds(2))
            {
                // Delivered early (recovery); the scheduled job runs it when due.
                await ReleaseAsync(executionId);
                await active.DisposeAsync();
                return null;
            }

            if (execution.Status == ExecutionStatus.Running && execution.Resumes >= MaxResumes)
            {
                await active.FailAsync($"The execution was interrupted {MaxResumes} times by a restart of the application; it was given up.", transient: false);
                await active.DisposeAsync();
                return null;
            }

            var rule = await rules.LoadAsync(execution.RuleId, shutdown);
            if (rule is null)
            {
                await active.FailAsync("The replication rule no longer exists.", transient: false);
                await active.DisposeAsync();
                return null;
            }

            var resumed = execution.Status == ExecutionStatus.Running;
            if (!await StartWhenTheRuleIsFreeAsync(db, execution, slot))
            {
                await active.StopAsync();
                await active.DisposeAsync();
                return null;
            }

            // A webhook may have folded more changes in until the start was saved.
            await db.Entry(execution).ReloadAsync(shutdown);
            logger.LogInformation("Execution {ExecutionId} of rule {RuleId} {Action} on {Node} ({Trigger})", execution.Id, rule.Id, resumed ? "resumed" : "started", node.Name, execution.Trigger);
            await active.LoadRecordsAsync(rule, shutdown);
            await active.PublishAsync();
            return active;
        }
        catch
        {
            await active.DisposeAsync();
            throw;
        }
    }

    /// <summary>The execution, unless it is gone or finished, ready for its transitions (its task rows stay in the database).</summary>
    private async Task<ActiveExecution?> OpenAsync(long executionId, CancellationToken cancellationToken)
    {
        var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        try
        {
            var execution = await db.Executions.FirstOrDefaultAsync(e => e.Id == executionId, cancellationToken);
            if (execution is null || execution.IsFinished)
            {
                await db.DisposeAsync();
                return null;
            }

            return new ActiveExecution(this, db, await contextFactory.CreateDbContextAsync(cancellationToken), execution);
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Keeps this node's claim on a held execution alive until disposed, and passes on a Stop asked on any node.
    /// Should the claim be lost (another node took the execution over), the run here stops.
    /// </summary>
    public IAsyncDisposable KeepAlive(long executionId, RunningExecutions.Slot slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        var stop = new CancellationTokenSource();
        var loop = HeartbeatLoopAsync(executionId, slot, stop.Token);
        return new Heartbeat(stop, loop);
    }

    /// <summary>Lets go of an execution this node claimed but did not start (another node's job may take it).</summary>
    public async Task ReleaseAsync(long executionId)
    {
        await using var db = await contextFactory.CreateDbContextAsync();
        await db.Executions.Where(e => e.Id == executionId && e.Node == node.Name && e.Status == ExecutionStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Node, (string?)null).SetProperty(e => e.HeartbeatAt, (DateTimeOffset?)null));
    }

    // Atomic in the database: unheld, held here already, or held by a node whose heartbeat is older than the lease.
    private async Task<bool> ClaimAsync(long executionId, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var stale = now - node.LeaseTimeout;
        var claimed = await db.Executions
            .Where(e => e.Id == executionId && e.Status != ExecutionStatus.Succeeded && e.Status != ExecutionStatus.Failed
                && e.Status != ExecutionStatus.PartiallyFailed && e.Status != ExecutionStatus.Stopped
                && (e.Node == null || e.Node == node.Name || e.HeartbeatAt == null || e.HeartbeatAt < stale))
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Node, node.Name).SetProperty(e => e.HeartbeatAt, now), cancellationToken);
        return claimed == 1;
    }

    // The database allows one running execution per rule; until this one may run, wait (holding the claim). False: stopped while waiting.
    private async Task<bool> StartWhenTheRuleIsFreeAsync(ReplicationDbContext db, Execution execution, RunningExecutions.Slot slot)
    {
        while (true)
        {
            if (execution.StopRequested || slot.StopRequested)
            {
                return false;
            }

            execution.Start(clock.GetUtcNow());
            execution.Node = node.Name;
            execution.HeartbeatAt = clock.GetUtcNow();
            try
            {
                await db.SaveChangesAsync(slot.Token);
                return true;
            }
            catch (DbUpdateException)
            {
                if (!await RuleBusyAsync(execution))
                {
                    throw;
                }

                await db.Entry(execution).ReloadAsync(CancellationToken.None);
                logger.LogInformation("Execution {ExecutionId} waits: another execution of rule {RuleId} runs", execution.Id, execution.RuleId);
                try
                {
                    await Task.Delay(node.HeartbeatInterval / 5, clock, slot.Token);
                }
                catch (OperationCanceledException) when (slot.StopRequested)
                {
                    return false;
                }

                await ClaimAsync(execution.Id, slot.Token);
                await db.Entry(execution).ReloadAsync(slot.Token);
            }
        }
    }

    private async Task<bool> RuleBusyAsync(Execution execution)
    {
        await using var db = await contextFactory.CreateDbContextAsync();
        return await db.Executions.AnyAsync(e => e.RuleId == execution.RuleId && e.Status == ExecutionStatus.Running && e.Id != execution.Id);
    }

    private async Task HeartbeatLoopAsync(long executionId, RunningExecutions.Slot slot, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(node.HeartbeatInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    await using var db = await contextFactory.CreateDbContextAsync(stop);
                    var now = clock.GetUtcNow();
                    var held = await db.Executions.Where(e => e.Id == executionId && e.Node == node.Name)
                        .ExecuteUpdateAsync(s => s.SetProperty(e => e.HeartbeatAt, now), stop);
                    var stopAsked = await db.Executions.Where(e => e.Id == executionId).Select(e => e.StopRequested).FirstOrDefaultAsync(stop);
                    if (held == 0 || stopAsked)
                    {
                        if (held == 0)
                        {
                            logger.LogWarning("Execution {ExecutionId} was taken over by another node; stopping it here", executionId);
                        }

                        slot.RequestStop();
                        return;
                    }
                }
                catch (Exception exception) when (exception is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
                {
                    // A busy database delays a heartbeat; the lease is several beats long.
                    logger.LogWarning(exception, "The heartbeat of execution {ExecutionId} failed", executionId);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private sealed class Heartbeat(CancellationTokenSource stop, Task loop) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await loop;
            stop.Dispose();
        }
    }

    /// <summary>Ends an execution nobody runs (stopped before it started, or its job gave up waiting).</summary>
    public async Task StopWaitingAsync(long executionId, CancellationToken cancellationToken)
    {
        await using var active = await OpenAsync(executionId, cancellationToken);
        if (active is not null)
        {
            await active.StopAsync();
        }
    }

    /// <summary>Records an unexpected failure of the run; a database too broken for that leaves it to recovery.</summary>
    public async Task TryFailAsync(long executionId, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        try
        {
            await using var active = await OpenAsync(executionId, CancellationToken.None);
            if (active is not null)
            {
                await active.FailAsync($"Unexpected error: {exception.Message}", transient: false);
            }
        }
        catch (Exception inner) when (inner is DbUpdateException or InvalidOperationException)
        {
            logger.LogError(inner, "Execution {ExecutionId} could not be marked failed", executionId);
        }
    }

    /// <summary>After a transient failure: the retry of <paramref name="failed"/> due after the next configured delay, or null when retries are used up.</summary>
    internal Execution? PrepareAutomaticRetry(Execution execution, IReadOnlyList<ExecutionTask> failed)
    {
        var delays = options.Value.EffectiveRetryDelays;
        if (execution.RetryNumber >= delays.Count)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        var due = now + delays[execution.RetryNumber];
        execution.ScheduleRetry(due);
        return execution.QueueRetry(failed, execution.RetryNumber + 1, due, ExecutionActors.AutomaticRetry, now);
    }

    internal void ScheduleRun(Execution retry) => queue.Schedule(retry.Id, retry.RetryAt ?? clock.GetUtcNow());
}

/// <summary>Who or what starts executions that no account started.</summary>
public static class ExecutionActors
{
    public const string Schedule = "schedule";
    public const string RegistryEvent = "registry event";
    public const string AutomaticRetry = "automatic retry";
    public const string InitialSync = "initial sync";
}
