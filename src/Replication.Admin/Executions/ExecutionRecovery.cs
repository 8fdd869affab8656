using Microsoft.EntityFrameworkCore;
using Replication.Admin.Data;

namespace Replication.Admin.Executions;

/// <summary>
/// Nothing stays "running" forever: at startup, every execution left Running (the process died or stopped mid-run)
/// or Pending is queued again and resumes where its saved tasks say; retries due later are scheduled again. Then,
/// every minute, a Running execution this process does not hold (its job died) is queued again. The job is
/// idempotent, so a second delivery does nothing.
/// </summary>
public sealed class ExecutionRecovery(
    IDbContextFactory<ReplicationDbContext> contextFactory,
    IExecutionQueue queue,
    RunningExecutions running,
    TimeProvider clock,
    ILogger<ExecutionRecovery> logger) : BackgroundService
{
    private static readonly TimeSpan WatchInterval = TimeSpan.FromMinutes(1);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the server accepts requests (hosted services start in order, after the database migrator).
        await RecoverAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    /// <summary>Queues every unfinished execution again; returns how many.</summary>
    public async Task<int> RecoverAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var unfinished = await db.Executions.AsNoTracking()
            .Where(e => e.Status == ExecutionStatus.Running || e.Status == ExecutionStatus.Pending)
            .Select(e => new { e.Id, e.Status, e.RetryAt })
            .ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        foreach (var execution in unfinished)
        {
            if (execution.Status == ExecutionStatus.Pending && execution.RetryAt is { } due && due > now)
            {
                queue.Schedule(execution.Id, due);
            }
            else
            {
                queue.Enqueue(execution.Id);
            }
        }

        if (unfinished.Count > 0)
        {
            logger.LogInformation("Queued {Count} unfinished execution(s) again: {Ids}", unfinished.Count, string.Join(", ", unfinished.Select(e => e.Id)));
        }

        return unfinished.Count;
    }

    /// <summary>
    /// Queues again the Running executions no job of this process holds, and Pending ones due for a minute that no job
    /// took (their queueing failed); returns how many. A second delivery of a queued one does nothing.
    /// </summary>
    public async Task<int> RequeueOrphansAsync(CancellationToken cancellationToken = default)
    {
        var orphans = await OrphanCandidatesAsync(cancellationToken);
        foreach (var id in orphans)
        {
            queue.Enqueue(id);
        }

        if (orphans.Count > 0)
        {
            logger.LogWarning("Execution(s) {Ids} were running without a job; queued again", string.Join(", ", orphans));
        }

        return orphans.Count;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(WatchInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    // Seen twice in a row without a job: a run that is only between its row update and its slot is seen once at most.
                    var first = await OrphanCandidatesAsync(stoppingToken);
                    await Task.Delay(TimeSpan.FromSeconds(5), clock, stoppingToken);
                    if (first.Count > 0 && (await OrphanCandidatesAsync(stoppingToken)).Intersect(first).Any())
                    {
                        await RequeueOrphansAsync(stoppingToken);
                    }
                }
                catch (Exception exception) when (exception is DbUpdateException or InvalidOperationException)
                {
                    logger.LogWarning(exception, "Looking for interrupted executions failed");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<List<long>> OrphanCandidatesAsync(CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var stale = now - WatchInterval;
        var ids = await db.Executions.AsNoTracking()
            .Where(e => e.Status == ExecutionStatus.Running
                || (e.Status == ExecutionStatus.Pending && !e.StopRequested && e.CreatedAt < stale && (e.RetryAt == null || e.RetryAt < stale)))
            .Select(e => e.Id)
            .ToListAsync(cancellationToken);
        return ids.Where(id => !running.IsActive(id)).ToList();
    }
}
