using Hangfire;
using Replication.Admin.Executions;

namespace Replication.Admin.Jobs;

/// <summary>The recurring job <c>rule:{id}</c> of a scheduled rule: a full run, joined to one already waiting.</summary>
public sealed class ScheduledReplicationJob(ExecutionLauncher launcher, ExecutionJob executions, ILogger<ScheduledReplicationJob> logger)
{
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    [JobDisplayName("Scheduled run of rule {0}")]
    public async Task RunAsync(int ruleId, CancellationToken cancellationToken)
    {
        var launch = await launcher.StartAsync(ruleId, ExecutionTrigger.Scheduled, "schedule", requireEnabled: true, cancellationToken);
        if (!launch.Accepted)
        {
            logger.LogInformation("Scheduled run of rule {RuleId} skipped: {Message}", ruleId, launch.Message);
            return;
        }

        // Run it in this job rather than waiting for the queued copy (which then finds it finished).
        await executions.RunAsync(launch.Execution!.Id, cancellationToken);
    }
}
