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
    /// Starts (or resumes) the execution held by <paramref name="slot"/>. Null when there is nothing to run: it is
    /// finished, was stopped, is a retry not due yet, was interrupted too often, or its rule is gone (those end here).
    /// </summary>
    public async Task<ActiveExecution?> BeginAsync(long executionId, RunningExecutions.Slot slot, CancellationToken shutdown)
    {
        ArgumentNullException.ThrowIfNull(slot);
        var db = await contextFactory.CreateDbContextAsync(shutdown);
        try
        {
            var execution = await db.Executions.Include(e => e.Tasks).FirstOrDefaultAsync(e => e.Id == executionId, shutdown);
            if (execution is null || execution.IsFinished)
            {
                await db.DisposeAsync();
                return null;
            }

            var active = new ActiveExecution(this, db, execution);
            var now = clock.GetUtcNow();
            if (execution.StopRequested || slot.StopRequested)
            {
                await active.StopAsync();
                await active.DisposeAsync();
                return null;
            }

            if (execution.IsWaiting && execution.RetryAt is { } due && due > now + TimeSpan.FromSeconds(2))
            {
                // Delivered early (recovery); the scheduled job runs it when due.
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
            execution.Start(now);
            await db.SaveChangesAsync(shutdown);

            // A webhook may have folded more changes in until the line above was saved.
            await db.Entry(execution).ReloadAsync(shutdown);
            logger.LogInformation("Execution {ExecutionId} of rule {RuleId} {Action} ({Trigger})", execution.Id, rule.Id, resumed ? "resumed" : "started", execution.Trigger);
            await active.LoadRecordsAsync(rule, shutdown);
            await active.PublishAsync();
            return active;
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    /// <summary>Ends an execution nobody runs (stopped before it started, or its job gave up waiting).</summary>
    public async Task StopWaitingAsync(long executionId, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var execution = await db.Executions.Include(e => e.Tasks).FirstOrDefaultAsync(e => e.Id == executionId, cancellationToken);
        if (execution is null || execution.IsFinished)
        {
            return;
        }

        await using var active = new ActiveExecution(this, db, execution, ownsContext: false);
        await active.StopAsync();
    }

    /// <summary>Records an unexpected failure of the run; a database too broken for that leaves it to recovery.</summary>
    public async Task TryFailAsync(long executionId, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        try
        {
            await using var db = await contextFactory.CreateDbContextAsync();
            var execution = await db.Executions.Include(e => e.Tasks).FirstOrDefaultAsync(e => e.Id == executionId);
            if (execution is not null && !execution.IsFinished)
            {
                await using var active = new ActiveExecution(this, db, execution, ownsContext: false);
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
