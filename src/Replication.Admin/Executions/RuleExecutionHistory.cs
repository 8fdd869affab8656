using Microsoft.EntityFrameworkCore;
using Replication.Admin.Data;
using Replication.Admin.Rules;
using EngineArtifact = Replication.Engine.ReplicatedArtifact;

namespace Replication.Admin.Executions;

/// <summary>The rules feature's view of executions: the last execution of each rule and what a rule replicated (for the rules page and dry runs).</summary>
public sealed class RuleExecutionHistory(IDbContextFactory<ReplicationDbContext> contextFactory) : IRuleExecutionHistory
{
    public async Task<IReadOnlyDictionary<int, RuleExecutionSummary>> GetLastExecutionsAsync(IReadOnlyCollection<int> ruleIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ruleIds);
        if (ruleIds.Count == 0)
        {
            return new Dictionary<int, RuleExecutionSummary>();
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var ids = ruleIds.ToList();
        var latest = db.Executions.Where(e => ids.Contains(e.RuleId)).GroupBy(e => e.RuleId).Select(g => g.Max(e => e.Id));
        var rows = await db.Executions.AsNoTracking().Where(e => latest.Contains(e.Id))
            .Select(e => new { e.Id, e.RuleId, e.Status, e.StartedAt, e.FinishedAt, e.CreatedAt })
            .ToListAsync(cancellationToken);
        return rows.ToDictionary(e => e.RuleId, e => new RuleExecutionSummary(e.Id, e.Status.ToApi(), e.FinishedAt ?? e.StartedAt ?? e.CreatedAt));
    }

    public async Task<IReadOnlyCollection<EngineArtifact>> GetReplicatedAsync(int ruleId, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var records = await db.ReplicatedArtifacts.AsNoTracking().Where(a => a.RuleId == ruleId).ToListAsync(cancellationToken);
        return records.Select(r => r.ToEngine()).ToList();
    }
}
