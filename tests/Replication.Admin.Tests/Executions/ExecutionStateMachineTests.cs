using Replication.Admin.Executions;
using Replication.Engine.Copying;
using Replication.Engine.Planning;

namespace Replication.Admin.Tests.Executions;

/// <summary>The execution's transitions: the outcomes its tasks earn, the actors, and the transitions it refuses.</summary>
public sealed class ExecutionStateMachineTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Every_task_done_is_succeeded_even_when_stop_arrived_as_the_copies_finished()
    {
        var execution = Running(2);
        execution.StopRequested = true;
        Finish(execution.Tasks[0], ExecutionTaskStatus.Succeeded);
        Finish(execution.Tasks[1], ExecutionTaskStatus.Succeeded);

        execution.Complete(TaskTally.Of(execution.Tasks), Now);

        Assert.Equal(ExecutionStatus.Succeeded, execution.Status);
        Assert.Equal(2, execution.Succeeded);
        Assert.False(execution.HasRetryableWork);
    }

    [Fact]
    public void Work_left_undone_by_a_stop_is_stopped_and_retryable()
    {
        var execution = Running(3);
        Finish(execution.Tasks[0], ExecutionTaskStatus.Succeeded);
        Finish(execution.Tasks[1], ExecutionTaskStatus.Stopped);

        execution.Complete(TaskTally.Of(execution.Tasks), Now);

        Assert.Equal(ExecutionStatus.Stopped, execution.Status);
        Assert.True(execution.HasRetryableWork);
        Assert.Equal(2, execution.RetryableTasks.Count());
    }

    [Theory]
    [InlineData(new[] { ExecutionTaskStatus.Succeeded, ExecutionTaskStatus.Failed }, ExecutionStatus.PartiallyFailed)]
    [InlineData(new[] { ExecutionTaskStatus.UpToDate, ExecutionTaskStatus.Failed }, ExecutionStatus.PartiallyFailed)]
    [InlineData(new[] { ExecutionTaskStatus.Failed, ExecutionTaskStatus.Failed }, ExecutionStatus.Failed)]
    [InlineData(new[] { ExecutionTaskStatus.UpToDate, ExecutionTaskStatus.Skipped }, ExecutionStatus.Succeeded)]
    public void Outcomes_follow_the_tasks(ExecutionTaskStatus[] tasks, ExecutionStatus expected)
    {
        var execution = Running(tasks.Length);
        for (var i = 0; i < tasks.Length; i++)
        {
            Finish(execution.Tasks[i], tasks[i]);
        }

        execution.Complete(TaskTally.Of(execution.Tasks), Now);

        Assert.Equal(expected, execution.Status);
        Assert.Equal(expected is ExecutionStatus.Failed or ExecutionStatus.PartiallyFailed, execution.Error is not null);
    }

    [Fact]
    public void Illegal_transitions_are_refused_with_the_state_and_the_transition()
    {
        var execution = Running(1);
        Finish(execution.Tasks[0], ExecutionTaskStatus.Succeeded);
        execution.Complete(TaskTally.Of(execution.Tasks), Now);

        var start = Assert.Throws<ExecutionTransitionException>(() => execution.Start(Now));
        Assert.Equal("Execution 7 is succeeded and cannot start.", start.Message);
        Assert.Throws<ExecutionTransitionException>(() => execution.Stop(TaskTally.None, Now));
        Assert.Throws<ExecutionTransitionException>(() => execution.ScheduleRetry(Now));
        Assert.Throws<ExecutionTransitionException>(() => execution.RecordProgress(new ExecutionCounts(1, 0, 0, 0, 0, 0)));
        Assert.Throws<ExecutionTransitionException>(() => Execution.Queue(1, ExecutionTrigger.Manual, "alice", Now).Complete(TaskTally.None, Now));
    }

    [Fact]
    public void A_resumed_execution_counts_its_resumes()
    {
        var execution = Running(1);
        execution.Start(Now.AddMinutes(1));

        Assert.Equal(1, execution.Resumes);
        Assert.Equal(Now, execution.StartedAt);
    }

    [Fact]
    public void A_retry_brought_forward_is_started_by_who_brought_it()
    {
        var failed = Running(1);
        Finish(failed.Tasks[0], ExecutionTaskStatus.Failed);
        failed.Complete(TaskTally.Of(failed.Tasks), Now);
        failed.ScheduleRetry(Now.AddMinutes(5));
        var retry = failed.QueueRetry(failed.RetryableTasks.ToList(), 1, Now.AddMinutes(5), ExecutionActors.AutomaticRetry, Now);
        Assert.Equal(ExecutionActors.AutomaticRetry, retry.TriggeredBy);

        retry.BringForward("alice");

        Assert.Equal("alice", retry.TriggeredBy);
        Assert.Null(retry.RetryAt);
        Assert.Equal(failed.Id, retry.ParentExecutionId);
        Assert.Equal(ExecutionTaskStatus.Pending, Assert.Single(retry.Tasks).Status);
    }

    [Fact]
    public void Progress_keeps_transferred_bytes_apart_from_bytes_in_place()
    {
        var execution = Running(1);

        execution.RecordProgress(new ExecutionCounts(0, 0, 1, BytesDone: 650, BytesTotal: 650, BytesTransferred: 0));

        Assert.Equal(650, execution.BytesDone);
        Assert.Equal(0, execution.BytesTransferred);
    }

    private static Execution Running(int tasks)
    {
        var execution = Execution.Queue(1, ExecutionTrigger.Manual, "alice", Now);
        execution.Id = 7;
        execution.Start(Now);
        execution.Tasks.AddRange(Enumerable.Range(0, tasks).Select(i => new ExecutionTask
        {
            Id = i + 1,
            Operation = TaskOperation.Copy,
            Kind = ArtifactKind.Image,
            SourceRepository = $"team/app{i}",
            DestinationRepository = $"team/app{i}",
            Tag = "v1",
        }));
        execution.RecordPlan(tasks, upToDate: 0);
        return execution;
    }

    private static void Finish(ExecutionTask task, ExecutionTaskStatus status) => task.Status = status;
}
