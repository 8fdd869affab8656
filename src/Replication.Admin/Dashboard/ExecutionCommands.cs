using Replication.Admin.Executions;

namespace Replication.Admin.Dashboard;

/// <summary>What a page asks of the execution machinery: run a rule now, stop an execution, retry what failed.</summary>
public interface IExecutionCommands
{
    /// <summary>Replicate: a manual run of the rule (or the one about to start, which it joins).</summary>
    Task<ExecutionCommandResult> ReplicateAsync(int ruleId, string user, CancellationToken cancellationToken = default);

    /// <summary>Stop a pending or running execution.</summary>
    Task<ExecutionCommandResult> StopAsync(long executionId, string user, CancellationToken cancellationToken = default);

    /// <summary>Retry failed: run the failed tasks of a finished execution now.</summary>
    Task<ExecutionCommandResult> RetryFailedAsync(long executionId, string user, CancellationToken cancellationToken = default);
}

/// <summary>How a command went: accepted or not, the execution it concerns (to link to), and a sentence for the admin.</summary>
public sealed record ExecutionCommandResult(bool Accepted, long? ExecutionId, string Message);

/// <summary>The commands, carried out by the <see cref="ExecutionLauncher"/> (audited there).</summary>
public sealed class LauncherExecutionCommands(ExecutionLauncher launcher) : IExecutionCommands
{
    public async Task<ExecutionCommandResult> ReplicateAsync(int ruleId, string user, CancellationToken cancellationToken = default) =>
        From(await launcher.StartManualAsync(ruleId, user, cancellationToken));

    public async Task<ExecutionCommandResult> StopAsync(long executionId, string user, CancellationToken cancellationToken = default) =>
        From(await launcher.StopAsync(executionId, user, cancellationToken));

    public async Task<ExecutionCommandResult> RetryFailedAsync(long executionId, string user, CancellationToken cancellationToken = default) =>
        From(await launcher.RetryNowAsync(executionId, user, cancellationToken));

    private static ExecutionCommandResult From(ExecutionLaunch launch) => new(launch.Accepted, launch.Execution?.Id, launch.Message);
}
