using Microsoft.EntityFrameworkCore;
using Replication.Admin.Data;
using Replication.Admin.Executions;
using Replication.Admin.Rules;

namespace Replication.Admin.Dashboard;

/// <summary>What the rules side asks of executions: each rule's last run, and what a rule replicated (for dry runs).</summary>
public sealed class RuleExecutionHistory(ExecutionQueries executions, IDbContextFactory<ReplicationDbContext> contextFactory) : IRuleExecutionHistory
{
    public async Task<IReadOnlyDictionary<int, RuleExecutionSummary>> GetLastExecutionsAsync(IReadOnlyCollection<int> ruleIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ruleIds);
        var latest = await executions.GetLatestByRuleAsync(cancellationToken);
        return latest.Values
            .Where(e => ruleIds.Contains(e.RuleId))
            .ToDictionary(e => e.RuleId, e => new RuleExecutionSummary(e.Id, e.Status.ToApi(), e.FinishedAt ?? e.StartedAt ?? e.CreatedAt));
    }

    public async Task<IReadOnlyCollection<Replication.Engine.ReplicatedArtifact>> GetReplicatedAsync(int ruleId, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var records = await db.ReplicatedArtifacts.AsNoTracking().Where(a => a.RuleId == ruleId).ToListAsync(cancellationToken);
        return records.Select(a => a.ToEngine()).ToList();
    }
}
