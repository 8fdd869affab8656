using Replication.Engine;

namespace Replication.Admin.Rules;

/// <summary>
/// Told after a rule is saved or deleted, e.g. to add, change or remove its schedule. Register any number;
/// a handler that throws is logged and does not undo the change.
/// </summary>
public interface IReplicationRuleChangeHandler
{
    Task RuleSavedAsync(ReplicationRuleView rule, CancellationToken cancellationToken);

    Task RuleDeletedAsync(int ruleId, string ruleName, CancellationToken cancellationToken);
}

/// <summary>The last execution of each rule, for the rules page. Executions replace <see cref="NoExecutionHistory"/>.</summary>
public interface IRuleExecutionHistory
{
    /// <summary>The last execution per rule id; rules that never ran are absent.</summary>
    Task<IReadOnlyDictionary<int, RuleExecutionSummary>> GetLastExecutionsAsync(IReadOnlyCollection<int> ruleIds, CancellationToken cancellationToken);

    /// <summary>What the rule pushed earlier: the only destination tags a dry run may plan to delete.</summary>
    Task<IReadOnlyCollection<ReplicatedArtifact>> GetReplicatedAsync(int ruleId, CancellationToken cancellationToken);
}

/// <summary>One rule's last execution, as the rules page shows it.</summary>
/// <param name="ExecutionId">Links to <c>/executions/{id}</c>.</param>
/// <param name="Status">The API's status word: pending, running, succeeded, failed, partiallyFailed, stopped.</param>
/// <param name="At">When it finished, or started while running.</param>
public sealed record RuleExecutionSummary(long ExecutionId, string Status, DateTimeOffset? At);

/// <summary>Until executions exist: no rule has run and nothing was replicated.</summary>
public sealed class NoExecutionHistory : IRuleExecutionHistory
{
    public Task<IReadOnlyDictionary<int, RuleExecutionSummary>> GetLastExecutionsAsync(IReadOnlyCollection<int> ruleIds, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<int, RuleExecutionSummary>>(new Dictionary<int, RuleExecutionSummary>());

    public Task<IReadOnlyCollection<ReplicatedArtifact>> GetReplicatedAsync(int ruleId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyCollection<ReplicatedArtifact>>([]);
}
