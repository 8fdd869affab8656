using Microsoft.EntityFrameworkCore;
using Replication.Admin.Data;
using Replication.Admin.Executions;

namespace Replication.Admin.RuleHistory;

/// <summary>A rule's record over a window: how many finished runs succeeded, how long runs took, what they moved.</summary>
/// <param name="Finished">Executions created in the window that have finished (any outcome).</param>
/// <param name="Succeeded">Of those, the ones that succeeded.</param>
/// <param name="BytesTransferred">Bytes the window's executions streamed.</param>
/// <param name="Durations">The most recent finished runs, oldest first, for the sparkline.</param>
public sealed record RuleRecord(int Finished, int Succeeded, long BytesTransferred, IReadOnlyList<RunDuration> Durations)
{
    /// <summary>Succeeded out of finished, 0–1; null when nothing finished in the window.</summary>
    public double? SuccessRate => Finished == 0 ? null : (double)Succeeded / Finished;
}

/// <summary>One finished run on the sparkline.</summary>
public sealed record RunDuration(long ExecutionId, ExecutionStatus Status, DateTimeOffset StartedAt, TimeSpan Duration);

/// <summary>Read side of a rule's history page beyond the paged list (<see cref="ExecutionQueries.ListAsync"/>).</summary>
public sealed class RuleHistoryQueries(IDbContextFactory<ReplicationDbContext> contextFactory, TimeProvider clock)
{
    public static readonly TimeSpan Window = TimeSpan.FromDays(30);

    /// <summary>Runs drawn on the sparkline.</summary>
    public const int SparklineRuns = 40;

    public async Task<RuleRecord> GetRecordAsync(int ruleId, CancellationToken cancellationToken = default)
    {
        var since = clock.GetUtcNow() - Window;
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var window = db.Executions.AsNoTracking().Where(e => e.RuleId == ruleId && e.CreatedAt >= since);
        var counts = await window
            .GroupBy(e => e.Status)
            .Select(g => new { Status = g.Key, Count = g.Count(), Bytes = g.Sum(e => e.BytesTransferred) })
            .ToListAsync(cancellationToken);
        var recent = await db.Executions.AsNoTracking()
            .Where(e => e.RuleId == ruleId && e.StartedAt != null && e.FinishedAt != null)
            .OrderByDescending(e => e.Id)
            .Take(SparklineRuns)
            .Select(e => new { e.Id, e.Status, e.StartedAt, e.FinishedAt })
            .ToListAsync(cancellationToken);
        return new RuleRecord(
            counts.Where(c => c.Status.IsFinished()).Sum(c => c.Count),
            counts.Where(c => c.Status == ExecutionStatus.Succeeded).Sum(c => c.Count),
            counts.Sum(c => c.Bytes),
            recent.OrderBy(e => e.Id)
                .Select(e => new RunDuration(e.Id, e.Status, e.StartedAt!.Value, e.FinishedAt!.Value - e.StartedAt!.Value))
                .ToList());
    }
}
