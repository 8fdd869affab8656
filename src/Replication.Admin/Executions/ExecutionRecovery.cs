using Microsoft.EntityFrameworkCore;
using Replication.Admin.Data;

namespace Replication.Admin.Executions;

/// <summary>
/// Nothing stays "running" forever: at startup, every execution left Running (the process died or stopped mid-run)
/// or Pending is queued again and resumes where its saved tasks say (a node takes its own back at once, another
/// node's once their lease ran out); retries due later are scheduled again. Then, every half lease, executions no
/// live node holds are queued again. The job claims before it runs, so a second delivery does nothing.
/// </summary>
public sealed class ExecutionRecovery(
    IDbContextFactory<ReplicationDbContext> contextFactory,
    IExecutionQueue queue,
    RunningExecutions running,
    ExecutionNode node,
    TimeProvider clock,
    ILogger<ExecutionRecovery> logger) : BackgroundService
{
    // Pending executions no job took for this long are queued again (their queueing failed).
    private static readonly TimeSpan QueueGrace = TimeSpan.FromMinutes(1);

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
    /// Queues again the Running executions no live node holds (their heartbeat is older than the lease), and Pending
    /// ones due for a minute that no job took (their queueing failed); returns how many. The job claims an execution
    /// in the database first, so of several nodes queueing the same one, one runs it.
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
        // Half the lease: a dead node's executions are taken over within about one and a half leases.
        using var timer = new PeriodicTimer(node.LeaseTimeout / 2, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await RequeueOrphansAsync(stoppingToken);
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
        var deadNode = now - node.LeaseTimeout;
        var unqueued = now - QueueGrace;

        // Held by no live node: running with an old heartbeat (its node died), or waiting with no job for a while.
        var ids = await db.Executions.AsNoTracking()
            .Where(e => (e.Status == ExecutionStatus.Running && (e.HeartbeatAt == null || e.HeartbeatAt < deadNode))
                || (e.Status == ExecutionStatus.Pending && !e.StopRequested && e.CreatedAt < unqueued && (e.RetryAt == null || e.RetryAt < unqueued)
                    && (e.HeartbeatAt == null || e.HeartbeatAt < deadNode)))
            .Select(e => e.Id)
            .ToListAsync(cancellationToken);
        return ids.Where(id => !running.IsActive(id)).ToList();
    }
}
