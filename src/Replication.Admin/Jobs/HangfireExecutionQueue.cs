using Hangfire;
using Replication.Admin.Executions;

namespace Replication.Admin.Jobs;

/// <summary>Executions run as Hangfire jobs (<see cref="ExecutionJob"/>), now or at a time.</summary>
public sealed class HangfireExecutionQueue(IBackgroundJobClient jobs) : IExecutionQueue
{
    public void Enqueue(long executionId) => jobs.Enqueue<ExecutionJob>(job => job.RunAsync(executionId, CancellationToken.None));

    public void Schedule(long executionId, DateTimeOffset at) => jobs.Schedule<ExecutionJob>(job => job.RunAsync(executionId, CancellationToken.None), at);
}
