using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Replication.Admin.Data;
using Replication.Admin.Executions;

namespace Replication.Admin.Jobs;

/// <summary>The recurring job that removes finished executions (and their tasks) older than <c>Replication:HistoryRetentionDays</c>.</summary>
public sealed class ExecutionHistoryPruner(
    IDbContextFactory<ReplicationDbContext> contextFactory,
    IOptions<ExecutionOptions> options,
    TimeProvider clock,
    ILogger<ExecutionHistoryPruner> logger)
{
    private const int BatchSize = 100;

    // A 20,000-task execution is deleted a slice of tasks at a time, so no single statement holds the write lock for long.
    private const int TaskBatchSize = 2_000;

    // Between two deletes the pages and running jobs get the database and the CPU: a first prune of a long history is
    // background work, and may take a minute longer rather than slow an answer. Real time, not the clock: a courtesy.
    private static readonly TimeSpan PauseBetweenDeletes = TimeSpan.FromMilliseconds(20);

    [AutomaticRetry(Attempts = 1)]
    [JobDisplayName("Prune execution history")]
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var days = options.Value.HistoryRetentionDays;
        if (days <= 0)
        {
            return 0;
        }

        var cutoff = clock.GetUtcNow() - TimeSpan.FromDays(days);
        var pruned = 0;
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        while (true)
        {
            // In batches, so a first prune of a large history never holds the database for long: tasks first, then their executions.
            var ids = await db.Executions
                .Where(e => e.CreatedAt < cutoff && e.Status != ExecutionStatus.Pending && e.Status != ExecutionStatus.Running)
                .OrderBy(e => e.Id)
                .Select(e => e.Id)
                .Take(BatchSize)
                .ToListAsync(cancellationToken);
            if (ids.Count == 0)
            {
                break;
            }

            var slice = db.ExecutionTasks.Where(t => ids.Contains(t.ExecutionId)).OrderBy(t => t.Id).Select(t => t.Id).Take(TaskBatchSize);
            while (await db.ExecutionTasks.Where(t => slice.Contains(t.Id)).ExecuteDeleteAsync(cancellationToken) > 0)
            {
                await Task.Delay(PauseBetweenDeletes, cancellationToken);
            }

            pruned += await db.Executions.Where(e => ids.Contains(e.Id)).ExecuteDeleteAsync(cancellationToken);
            await Task.Delay(PauseBetweenDeletes, cancellationToken);
        }

        if (pruned > 0)
        {
            logger.LogInformation("Pruned {Count} execution(s) older than {Days} days", pruned, days);
        }

        return pruned;
    }
}
