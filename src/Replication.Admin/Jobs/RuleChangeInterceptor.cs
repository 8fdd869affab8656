using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Replication.Admin.Rules;

namespace Replication.Admin.Jobs;

/// <summary>
/// Observes every saved change to a <see cref="ReplicationRule"/>, whoever saves it (rules page, API, import), and
/// hands it to <see cref="RuleTriggers"/> after the save committed, so schedules and initial runs can never drift
/// from the rules. A failure there is logged and never fails the save.
/// </summary>
public sealed class RuleChangeInterceptor(IServiceProvider services, ILogger<RuleChangeInterceptor> logger) : SaveChangesInterceptor
{
    private readonly ConditionalWeakTable<DbContext, List<(ReplicationRule Rule, RuleChange Change)>> _pending = [];

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Capture(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Capture(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Dispatch(eventData.Context).GetAwaiter().GetResult();
        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        await Dispatch(eventData.Context);
        return result;
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Forget(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private void Capture(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        var changes = new List<(ReplicationRule, RuleChange)>();
        foreach (var entry in context.ChangeTracker.Entries<ReplicationRule>())
        {
            switch (entry.State)
            {
                case EntityState.Added:
                    changes.Add((entry.Entity, new RuleChange(0, RuleChangeKind.Created, false, null, false)));
                    break;
                case EntityState.Modified:
                    changes.Add((entry.Entity, new RuleChange(
                        entry.Entity.Id,
                        RuleChangeKind.Updated,
                        entry.Property(r => r.Enabled).OriginalValue,
                        entry.Property(r => r.TriggerMode).OriginalValue,
                        entry.Property(r => r.ReplicateExisting).OriginalValue)));
                    break;
                case EntityState.Deleted:
                    changes.Add((entry.Entity, new RuleChange(entry.Entity.Id, RuleChangeKind.Deleted, entry.Entity.Enabled, entry.Entity.TriggerMode, entry.Entity.ReplicateExisting)));
                    break;
                default:
                    break;
            }
        }

        if (changes.Count > 0)
        {
            _pending.AddOrUpdate(context, changes);
        }
    }

    private async Task Dispatch(DbContext? context)
    {
        if (context is null || !_pending.TryGetValue(context, out var changes))
        {
            return;
        }

        _pending.Remove(context);
        var triggers = services.GetRequiredService<RuleTriggers>();
        foreach (var (rule, change) in changes)
        {
            try
            {
                // Ids of added rules exist only now.
                await triggers.RuleChangedAsync(change with { RuleId = rule.Id });
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                logger.LogError(exception, "The triggers of rule {RuleId} could not be updated", rule.Id);
            }
        }
    }

    private void Forget(DbContext? context)
    {
        if (context is not null)
        {
            _pending.Remove(context);
        }
    }
}
