using System.Runtime;
using Hangfire;
using Microsoft.Extensions.Options;
using Replication.Admin.Executions;
using Replication.Admin.Rules;
using Replication.Engine;
using Replication.Engine.Copying;
using Replication.Engine.Planning;

namespace Replication.Admin.Jobs;

/// <summary>
/// The Hangfire job that runs one execution: it takes the rule's turn, calls the engine (plan once, then run the
/// unfinished tasks) and reports every step to the executions module, which commits each transition. Idempotent: a
/// duplicate delivery, a late one or one for a finished execution does nothing, so recovery may queue freely. When
/// the process shuts down mid-run the execution stays Running and is resumed at the next start.
/// </summary>
public sealed class ExecutionJob(
    ExecutionLifecycle lifecycle,
    ReplicationRuleStore rules,
    ReplicationPlanner planner,
    ReplicationRunner runner,
    RunningExecutions running,
    ExecutionQueries queries,
    IOptions<JobOptions> jobOptions,
    TimeProvider clock,
    ILogger<ExecutionJob> logger)
{
    // A picture goes out at least this often while running, so speed and time left decay when nothing moves.
    private static readonly TimeSpan QuietPublishInterval = TimeSpan.FromSeconds(1);

    // Executions with this many task rows give their memory back when they end.
    private const int LargeExecution = 5_000;

    /// <summary>Runs the execution; <paramref name="cancellationToken"/> is Hangfire's shutdown token.</summary>
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    [JobDisplayName("Execution {0}")]
    public async Task RunAsync(long executionId, CancellationToken cancellationToken)
    {
        var head = await queries.GetAsync(executionId, cancellationToken);
        if (head is null || head.IsFinished)
        {
            return;
        }

        RunningExecutions.Slot? slot;
        try
        {
            slot = await running.AcquireAsync(head.RuleId, executionId, cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Stopped while waiting for the rule's previous execution.
            await lifecycle.StopWaitingAsync(executionId, CancellationToken.None);
            return;
        }

        if (slot is null)
        {
            return;
        }

        var tasks = 0;
        using (slot)
        {
            try
            {
                await using var active = await lifecycle.BeginAsync(executionId, slot, cancellationToken);
                if (active is not null)
                {
                    await using var heartbeat = lifecycle.KeepAlive(executionId, slot);
                    await RunAsync(active, slot, cancellationToken);
                    tasks = active.Execution.Total;
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Never leave it running: record the failure (a database error may prevent even that; recovery then resumes it).
                logger.LogError(exception, "Execution {ExecutionId} failed unexpectedly", executionId);
                await lifecycle.TryFailAsync(executionId, exception);
            }
        }

        if (tasks >= LargeExecution)
        {
            // A run of tens of thousands of tasks leaves its rows, records and manifests in the oldest generation, where
            // they would wait for the next full collection while the next large run piles up on top (measured: 20,000
            // tasks then a warm run of the same rule peaked 140 MiB higher). One compacting collection hands them back now.
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
    }

    private async Task RunAsync(ActiveExecution active, RunningExecutions.Slot slot, CancellationToken shutdown)
    {
        var scope = rules.ToScope(active.Rule, active.Records.Select(r => r.ToEngine()).ToList());
        var problems = scope.Validate();
        if (problems.Count > 0)
        {
            await active.FailAsync("The rule cannot run: " + string.Join("; ", problems), transient: false);
            return;
        }

        // Rows planned in this invocation keep what the plan learnt (destination tag, referrer tags), which spares a
        // request per tag; rows read back after a crash or for a retry are rebuilt without it and ask again.
        IReadOnlyList<RunnableTask> runnable;
        if (!active.Execution.Planned)
        {
            try
            {
                runnable = await active.RecordPlanAsync(await PlanAsync(scope, active.Changes, slot.Token));
            }
            catch (ReplicationException exception)
            {
                logger.LogWarning("Execution {ExecutionId} could not plan: {Message}", active.Execution.Id, exception.Message);
                await active.FailAsync(RuleProblems.Describe(exception), exception.IsTransient);
                return;
            }
            catch (OperationCanceledException) when (slot.StopRequested)
            {
                await active.StopAsync();
                return;
            }
        }
        else
        {
            runnable = await active.LoadUnfinishedAsync(shutdown);
        }

        if (runnable.Count == 0)
        {
            await active.CompleteAsync(null);
            return;
        }

        var tracker = new ExecutionProgressTracker(active.Execution, runnable.Select(r => r.Row), await active.TallyAsync(shutdown), clock);
        var tasks = runnable.Select(r => r.Task).ToList();
        runnable = []; // the rows are saved; the run holds only its engine tasks
        ReplicationRunResult result;
        using (var loopStop = new CancellationTokenSource())
        {
            var loop = ProgressLoopAsync(active, tracker, loopStop.Token);
            try
            {
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
        await active.PublishAsync(tracker);
        if (slot.ShuttingDown)
        {
            await active.InterruptAsync(tracker);
            shutdown.ThrowIfCancellationRequested();
        }

        await active.CompleteAsync(tracker);
    }

    /// <summary>The plan: of the event's changes, or of the whole rule.</summary>
    private async Task<ReplicationPlan> PlanAsync(ReplicationScope scope, IReadOnlyList<SourceChange> changes, CancellationToken cancellationToken)
    {
        if (changes.Count == 0)
        {
            return await planner.PlanAsync(scope, cancellationToken);
        }

        var plans = new List<ReplicationPlan>();
        foreach (var change in changes)
        {
            plans.Add(await planner.PlanChangeAsync(scope, change, cancellationToken));
        }

        return new ReplicationPlan
        {
            Copy = plans.SelectMany(p => p.Copy).DistinctBy(a => a.DestinationReference).ToList(),
            UpToDate = plans.SelectMany(p => p.UpToDate).DistinctBy(a => a.DestinationReference).ToList(),
            Delete = plans.SelectMany(p => p.Delete).DistinctBy(a => a.DestinationReference).ToList(),
            Skipped = plans.SelectMany(p => p.Skipped).ToList(),
        };
    }

    private async Task ProgressLoopAsync(ActiveExecution active, ExecutionProgressTracker tracker, CancellationToken stop)
    {
        var options = jobOptions.Value;
        var lastSave = clock.GetTimestamp();
        var lastPublish = clock.GetTimestamp();
        using var timer = new PeriodicTimer(options.ProgressPublishInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                if (tracker.HasChanged || clock.GetElapsedTime(lastPublish) >= QuietPublishInterval)
                {
                    lastPublish = clock.GetTimestamp();
                    await active.PublishAsync(tracker);
                }

                // Once every task has ended, the next save is the outcome itself, with these counts in the same commit.
                if (clock.GetElapsedTime(lastSave) >= options.ProgressSaveInterval && !tracker.AllFinished)
                {
                    lastSave = clock.GetTimestamp();
                    try
                    {
                        await active.SaveProgressAsync(tracker, stop);
                    }
                    catch (Exception exception) when (exception is Microsoft.EntityFrameworkCore.DbUpdateException or InvalidOperationException)
                    {
                        // A busy database delays the saved picture, never the run; the next tick tries again.
                        logger.LogWarning(exception, "Saving the progress of execution {ExecutionId} failed", active.Execution.Id);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run ended.
        }
    }
}
