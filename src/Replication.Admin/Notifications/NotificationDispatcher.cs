using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Replication.Admin.Data;
using Replication.Admin.Executions;
using Replication.Admin.Operations;

namespace Replication.Admin.Notifications;

/// <summary>
/// Turns committed outcomes into alerts: failed, partially failed, recovered (a success whose rule's previous outcome was
/// a failure), and registries turning unhealthy. It only queues deliveries: a channel that is down never touches the
/// execution it reports on.
/// </summary>
public sealed class NotificationDispatcher(
    IDbContextFactory<ReplicationDbContext> contextFactory,
    NotificationService notifications,
    IOptionsMonitor<NotificationOptions> options,
    TimeProvider clock) : IExecutionOutcomeHandler, IRegistryHealthHandler
{
    public async Task OnOutcomeAsync(ExecutionOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var alertEvent = outcome.Status switch
        {
            ExecutionStatus.Failed => NotificationEvents.ExecutionFailed,
            ExecutionStatus.PartiallyFailed => NotificationEvents.ExecutionPartiallyFailed,
            ExecutionStatus.Succeeded when await FollowsFailureAsync(outcome, cancellationToken) => NotificationEvents.ExecutionRecovered,
            _ => null,
        };
        if (alertEvent is null)
        {
            return;
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var ruleName = await db.ReplicationRules.AsNoTracking().Where(r => r.Id == outcome.RuleId).Select(r => r.Name).FirstOrDefaultAsync(cancellationToken) ?? $"#{outcome.RuleId}";
        await notifications.QueueAsync(AlertComposer.Execution(alertEvent, outcome, ruleName, options.CurrentValue.PortalUrl, clock.GetUtcNow()), [outcome.RuleId], cancellationToken);
    }

    public async Task OnBecameUnhealthyAsync(int registryId, string registryName, string message, CancellationToken cancellationToken)
    {
        // A channel limited to some rules hears of the registries those rules use.
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rules = await db.ReplicationRules.AsNoTracking()
            .Where(r => r.SourceRegistryId == registryId || r.DestinationRegistryId == registryId)
            .Select(r => r.Id)
            .ToListAsync(cancellationToken);
        await notifications.QueueAsync(AlertComposer.RegistryUnhealthy(registryId, registryName, message, options.CurrentValue.PortalUrl, clock.GetUtcNow()), rules, cancellationToken);
    }

    private async Task<bool> FollowsFailureAsync(ExecutionOutcome outcome, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var previous = await db.Executions.AsNoTracking()
            .Where(e => e.RuleId == outcome.RuleId && e.Id < outcome.ExecutionId
                && (e.Status == ExecutionStatus.Succeeded || e.Status == ExecutionStatus.Failed || e.Status == ExecutionStatus.PartiallyFailed))
            .OrderByDescending(e => e.Id)
            .Select(e => (ExecutionStatus?)e.Status)
            .FirstOrDefaultAsync(cancellationToken);
        return previous is ExecutionStatus.Failed or ExecutionStatus.PartiallyFailed;
    }
}
