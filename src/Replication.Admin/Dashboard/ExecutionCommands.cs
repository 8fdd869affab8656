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

/// <summary>Stands in while the app runs without the job machinery: every command is refused with a clear message.</summary>
public sealed class UnavailableExecutionCommands : IExecutionCommands
{
    private const string Message = "Replication jobs are not available in this build of Replication Admin.";

    public Task<ExecutionCommandResult> ReplicateAsync(int ruleId, string user, CancellationToken cancellationToken = default) =>
        Task.FromResult(new ExecutionCommandResult(false, null, Message));

    public Task<ExecutionCommandResult> StopAsync(long executionId, string user, CancellationToken cancellationToken = default) =>
        Task.FromResult(new ExecutionCommandResult(false, executionId, Message));

    public Task<ExecutionCommandResult> RetryFailedAsync(long executionId, string user, CancellationToken cancellationToken = default) =>
        Task.FromResult(new ExecutionCommandResult(false, executionId, Message));
}
