using Replication.Engine;

namespace Replication.Admin.Rules;

/// <summary>
/// Told after a rule was created, changed or deleted (committed), e.g. to add, change or remove its schedule or start
/// its initial sync: the one path by which rule changes reach executions. Register any number; a handler that throws
/// is logged and does not undo the change.
/// </summary>
public interface IReplicationRuleChangeHandler
{
    Task RuleChangedAsync(RuleChange change, CancellationToken cancellationToken);
}

/// <summary>What happened to a rule, with what its triggers were before (for an update).</summary>
public sealed record RuleChange(int RuleId, RuleChangeKind Kind, bool WasEnabled, TriggerMode? PreviousTriggerMode, bool PreviouslyReplicatedExisting)
{
    public static RuleChange Created(int ruleId) => new(ruleId, RuleChangeKind.Created, false, null, false);

    public static RuleChange Updated(ReplicationRuleView before) =>
        new(before.Id, RuleChangeKind.Updated, before.Enabled, before.TriggerMode, before.ReplicateExisting);

    public static RuleChange Deleted(int ruleId) => new(ruleId, RuleChangeKind.Deleted, false, null, false);
}

public enum RuleChangeKind
{
    Created,
    Updated,
    Deleted,
}

/// <summary>The last execution of each rule, for the rules page; the executions feature answers it.</summary>
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
