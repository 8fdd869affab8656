namespace Replication.Admin.Executions;

/// <summary>An execution's outcome as it was committed: what alerts and metrics are made from.</summary>
public sealed record ExecutionOutcome(
    long ExecutionId,
    int RuleId,
    ExecutionStatus Status,
    ExecutionTrigger Trigger,
    string TriggeredBy,
    int Succeeded,
    int Failed,
    int UpToDate,
    long BytesTransferred,
    TimeSpan? Duration,
    string? Error,
    IReadOnlyList<string> TaskErrors)
{
    /// <param name="taskErrors">The error of every failed task (the rows stay in the database; the caller reads them).</param>
    public static ExecutionOutcome Of(Execution execution, IReadOnlyList<string> taskErrors)
    {
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(taskErrors);
        return new ExecutionOutcome(
            execution.Id,
            execution.RuleId,
            execution.Status,
            execution.Trigger,
            execution.TriggeredBy,
            execution.Succeeded,
            execution.Failed,
            execution.UpToDate,
            execution.BytesTransferred,
            execution is { StartedAt: { } started, FinishedAt: { } finished } ? finished - started : null,
            execution.Error,
            taskErrors);
    }
}

/// <summary>
/// Told of every execution outcome after it was committed (alerts, metrics). A handler's failure is logged and never
/// changes the execution it reports on.
/// </summary>
public interface IExecutionOutcomeHandler
{
    Task OnOutcomeAsync(ExecutionOutcome outcome, CancellationToken cancellationToken);
}

internal static class ExecutionOutcomes
{
    public static async Task NotifyAsync(IEnumerable<IExecutionOutcomeHandler> handlers, ExecutionOutcome outcome, ILogger logger)
    {
        foreach (var handler in handlers)
        {
            try
            {
                await handler.OnOutcomeAsync(outcome, CancellationToken.None);
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "{Handler} failed on the outcome of execution {ExecutionId}; the execution is unaffected", handler.GetType().Name, outcome.ExecutionId);
            }
        }
    }
}
