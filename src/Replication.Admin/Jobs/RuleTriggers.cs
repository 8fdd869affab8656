using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Replication.Admin.Data;
using Replication.Admin.Executions;
using Replication.Admin.Rules;

namespace Replication.Admin.Jobs;

/// <summary>
/// Keeps a rule's automatic triggers in step with the rule: one Hangfire recurring job <c>rule:{id}</c> per enabled
/// scheduled rule (cron in UTC), an initial full run when an immediate rule with "replicate existing images" is created
/// or enabled, and running executions stopped when their rule is deleted. Told of every committed rule change by the
/// rules service (<see cref="IReplicationRuleChangeHandler"/>), and synchronised once at startup for all rules.
/// </summary>
public sealed class RuleTriggers(
    IDbContextFactory<ReplicationDbContext> contextFactory,
    IRecurringJobManager recurringJobs,
    JobStorage storage,
    ExecutionLauncher launcher,
    RunningExecutions running,
    ILogger<RuleTriggers> logger) : IReplicationRuleChangeHandler
{
    public const string RecurringPrefix = "rule:";

    public static string RecurringJobId(int ruleId) => $"{RecurringPrefix}{ruleId}";

    /// <summary>Brings the triggers of one rule in step after it changed.</summary>
    public async Task RuleChangedAsync(RuleChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.Kind == RuleChangeKind.Deleted)
        {
            recurringJobs.RemoveIfExists(RecurringJobId(change.RuleId));
            running.StopRule(change.RuleId);
            return;
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rule = await db.ReplicationRules.AsNoTracking().FirstOrDefaultAsync(r => r.Id == change.RuleId, cancellationToken);
        if (rule is null)
        {
            recurringJobs.RemoveIfExists(RecurringJobId(change.RuleId));
            return;
        }

        Schedule(rule);
        var becameImmediateWithExisting = rule.Enabled && rule.TriggerMode == TriggerMode.Immediate && rule.ReplicateExisting
            && (change.Kind == RuleChangeKind.Created || !change.WasEnabled || change.PreviousTriggerMode != TriggerMode.Immediate || !change.PreviouslyReplicatedExisting);
        if (becameImmediateWithExisting)
        {
            var launch = await launcher.StartAsync(rule.Id, ExecutionTrigger.Initial, ExecutionActors.InitialSync, requireEnabled: true, cancellationToken);
            logger.LogInformation("Initial sync of rule {RuleId}: {Message}", rule.Id, launch.Message);
        }
    }

    /// <summary>Adds, updates or removes the rule's recurring job to match the saved rule.</summary>
    public async Task SynchronizeScheduleAsync(int ruleId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rule = await db.ReplicationRules.AsNoTracking().FirstOrDefaultAsync(r => r.Id == ruleId, cancellationToken);
        if (rule is null)
        {
            recurringJobs.RemoveIfExists(RecurringJobId(ruleId));
            return;
        }

        Schedule(rule);
    }

    /// <summary>Startup: a recurring job for every enabled scheduled rule, none for anything else.</summary>
    public async Task SynchronizeAllAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rules = await db.ReplicationRules.AsNoTracking().ToListAsync(cancellationToken);
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            if (Schedule(rule))
            {
                wanted.Add(RecurringJobId(rule.Id));
            }
        }

        using var connection = storage.GetConnection();
        foreach (var job in connection.GetRecurringJobs().Where(j => j.Id.StartsWith(RecurringPrefix, StringComparison.Ordinal) && !wanted.Contains(j.Id)))
        {
            recurringJobs.RemoveIfExists(job.Id);
        }
    }

    /// <summary>The cron of the rule's recurring job, or null when it has none (for tests and the rules page).</summary>
    public string? GetSchedule(int ruleId)
    {
        using var connection = storage.GetConnection();
        return connection.GetRecurringJobs([RecurringJobId(ruleId)]).FirstOrDefault(j => !j.Removed && j.Cron is not null)?.Cron;
    }

    /// <summary>When the rule's recurring job runs next, or null.</summary>
    public DateTime? GetNextRun(int ruleId)
    {
        using var connection = storage.GetConnection();
        return connection.GetRecurringJobs([RecurringJobId(ruleId)]).FirstOrDefault(j => !j.Removed)?.NextExecution;
    }

    private bool Schedule(ReplicationRule rule)
    {
        var id = RecurringJobId(rule.Id);
        if (!rule.Enabled || rule.TriggerMode != TriggerMode.Scheduled || string.IsNullOrWhiteSpace(rule.Cron))
        {
            recurringJobs.RemoveIfExists(id);
            return false;
        }

        try
        {
            recurringJobs.AddOrUpdate<ScheduledReplicationJob>(id, job => job.RunAsync(rule.Id, CancellationToken.None), rule.Cron, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
            return true;
        }
        catch (ArgumentException exception)
        {
            // The rules validator refuses bad crons; an old row with one must not stop the app.
            logger.LogWarning("Rule {RuleId} has a cron Hangfire refuses ({Cron}): {Message}", rule.Id, rule.Cron, exception.Message);
            recurringJobs.RemoveIfExists(id);
            return false;
        }
    }
}
