using Hangfire;
using Microsoft.Extensions.Options;

namespace Replication.Admin.Jobs;

/// <summary>At startup, before requests: one recurring job per scheduled rule (none for others) and the history pruning job.</summary>
public sealed class RecurringJobsStartup(RuleTriggers triggers, IRecurringJobManager recurringJobs, IOptions<JobOptions> options) : IHostedService
{
    public const string RetentionJobId = "executions:prune";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await triggers.SynchronizeAllAsync(cancellationToken);
        recurringJobs.AddOrUpdate<ExecutionHistoryPruner>(RetentionJobId, job => job.PruneAsync(CancellationToken.None), options.Value.RetentionCron, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
