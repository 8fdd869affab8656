namespace Replication.Admin.Executions;

/// <summary>
/// Where executions go to be run: the jobs feature implements it (Hangfire), so executions never depend on jobs.
/// Queueing is idempotent at the other end: a job handed a finished or already-held execution does nothing.
/// </summary>
public interface IExecutionQueue
{
    /// <summary>Runs the execution as soon as a worker is free.</summary>
    void Enqueue(long executionId);

    /// <summary>Runs the execution at <paramref name="at"/>.</summary>
    void Schedule(long executionId, DateTimeOffset at);
}
