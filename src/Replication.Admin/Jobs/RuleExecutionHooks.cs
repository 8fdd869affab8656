using Microsoft.EntityFrameworkCore;
using Replication.Admin.Data;
using Replication.Admin.Executions;
using Replication.Admin.Rules;
using EngineArtifact = Replication.Engine.ReplicatedArtifact;

namespace Replication.Admin.Jobs;

/// <summary>
/// The rules feature's extension points, filled by executions: the last execution of each rule and what a rule
/// replicated (for the rules page and dry runs), and rule deletions (which bypass the change tracker, so
/// <see cref="RuleChangeInterceptor"/> cannot see them) stopping the rule's runs and removing its schedule.
/// </summary>
public sealed class RuleExecutionHooks(IDbContextFactory<ReplicationDbContext> contextFactory, RuleTriggers triggers)
    : IRuleExecutionHistory, IReplicationRuleChangeHandler
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

    /// <summary>Saves are seen with their previous state by <see cref="RuleChangeInterceptor"/>; this only re-checks the schedule (idempotent).</summary>
    public Task RuleSavedAsync(ReplicationRuleView rule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return triggers.SynchronizeScheduleAsync(rule.Id, cancellationToken);
    }

    public Task RuleDeletedAsync(int ruleId, string ruleName, CancellationToken cancellationToken) =>
        triggers.RuleChangedAsync(new RuleChange(ruleId, RuleChangeKind.Deleted, false, null, false), cancellationToken);
}
