using Microsoft.Extensions.Time.Testing;
using Replication.Admin.Executions;
using Replication.Engine.Copying;
using Replication.Engine.Planning;
using Replication.Engine.Progress;

namespace Replication.Admin.Tests.Executions;

/// <summary>What the tracker makes of the engine's events: a total fixed at sizing, transferred bytes apart, speed that decays.</summary>
public sealed class ExecutionProgressTrackerTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void The_total_is_fixed_when_the_run_is_sized_however_much_tasks_share()
    {
        var (execution, tracker) = Track(2);
        tracker.Report(Event(new RunStarted(2, 2, 0, 600)));

        // Two tags sharing a 400-byte layer: each task counts it, the run once.
        tracker.Report(Event(new BytesTransferred("1", 500, 500, 500, 600, 500)));
        tracker.Report(Event(new BytesTransferred("2", 500, 500, 600, 600, 600)));
        tracker.Complete([Result(execution.Tasks[0], TaskOutcome.Copied, 500, 500), Result(execution.Tasks[1], TaskOutcome.Copied, 500, 100)]);

        var counts = tracker.TakeChanges().Counts;
        Assert.Equal(600, counts.BytesTotal);
        Assert.Equal(600, counts.BytesDone);
        Assert.Equal(600, counts.BytesTransferred);
    }

    [Fact]
    public void A_run_larger_than_the_sizing_window_shows_a_growing_total_and_time_left_by_tasks_until_it_is_sized()
    {
        var (execution, tracker) = Track(3);
        tracker.Report(Event(new RunStarted(3, 3, 0, 1000) { BytesTotalFinal = false }));
        _clock.Advance(TimeSpan.FromSeconds(1));
        tracker.Report(Event(new BytesTransferred("1", 1000, 1000, 1000, 2500, 1000)));
        var firstMoving = tracker.Snapshot(ExecutionStatus.Running);
        _clock.Advance(TimeSpan.FromSeconds(1));
        tracker.Report(Event(new TaskFinished(Result(execution.Tasks[0], TaskOutcome.Copied, 1000, 1000))));
        tracker.Report(Event(new BytesTransferred("2", 500, 1000, 1500, 2500, 1500)));

        // Later copies sized meanwhile: the total follows the engine's. Bytes left over it would promise too early an
        // end, so time left is the pace of tasks: one in two seconds, two left.
        var sizing = tracker.Snapshot(ExecutionStatus.Running);
        Assert.False(sizing.BytesTotalFinal);
        Assert.Equal(2500, sizing.BytesTotal);
        Assert.True(sizing.BytesPerSecond > 0);
        Assert.Null(firstMoving.Eta); // no task finished yet: no pace to go by
        Assert.Equal(TimeSpan.FromSeconds(4), sizing.Eta);

        tracker.Report(Event(new RunSized(3000)));
        _clock.Advance(TimeSpan.FromSeconds(1));
        tracker.Report(Event(new BytesTransferred("2", 1000, 1000, 2000, 3000, 2000)));
        var sized = tracker.Snapshot(ExecutionStatus.Running);
        Assert.True(sized.BytesTotalFinal);
        Assert.Equal(3000, sized.BytesTotal);
        Assert.Equal(TimeSpan.FromSeconds(1000 / sized.BytesPerSecond), sized.Eta);

        tracker.Complete([.. execution.Tasks.Select(t => Result(t, TaskOutcome.Copied, 1000, 1000))]);
        Assert.Equal(3000, tracker.TakeChanges().Counts.BytesTotal);
    }

    [Fact]
    public void Tags_found_up_to_date_are_in_place_but_not_transferred()
    {
        var (execution, tracker) = Track(1);
        tracker.Report(Event(new RunStarted(1, 1, 0, 650)));
        tracker.Report(Event(new BytesTransferred("1", 650, 650, 650, 650, 0)));
        tracker.Complete([Result(execution.Tasks[0], TaskOutcome.UpToDate, 650, 0)]);

        var changes = tracker.TakeChanges();
        Assert.Equal(650, changes.Counts.BytesDone);
        Assert.Equal(0, changes.Counts.BytesTransferred);
        Assert.Equal(0, Assert.Single(changes.Tasks).BytesTransferred);
    }

    [Fact]
    public void A_stopped_task_keeps_the_bytes_it_moved()
    {
        var (execution, tracker) = Track(1);
        tracker.Report(Event(new RunStarted(1, 1, 0, 1000)));
        tracker.Complete([Result(execution.Tasks[0], TaskOutcome.Cancelled, 1000, 300)]);

        var update = Assert.Single(tracker.TakeChanges().Tasks);
        Assert.Equal(ExecutionTaskStatus.Stopped, update.Status);
        Assert.Equal(300, update.BytesTransferred);
    }

    [Fact]
    public void Changes_whose_save_failed_are_saved_with_the_next_ones_losing_no_log_line()
    {
        var (execution, tracker) = Track(1);
        tracker.Report(Event(new TaskStarted(execution.Tasks[0].ToEngineTask(), 1, 1000)));
        var unsaved = Assert.Single(tracker.TakeChanges().Tasks);
        tracker.Complete([Result(execution.Tasks[0], TaskOutcome.Copied, 1000, 1000)]);

        var both = unsaved.Then(Assert.Single(tracker.TakeChanges().Tasks));
        var row = execution.Tasks[0];
        both.ApplyTo(row);

        Assert.Equal(ExecutionTaskStatus.Succeeded, row.Status);
        Assert.NotNull(row.StartedAt);
        Assert.Equal(2, row.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("Copying team/app1:v1", row.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void Speed_and_time_left_decay_when_no_bytes_move()
    {
        var (_, tracker) = Track(1);
        tracker.Report(Event(new RunStarted(1, 1, 0, 100 << 20)));
        for (var second = 1; second <= 3; second++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            tracker.Report(Event(new BytesTransferred("1", second * (10 << 20), 100 << 20, second * (10 << 20), 100 << 20, second * (10 << 20))));
        }

        var moving = tracker.Snapshot(ExecutionStatus.Running);
        Assert.InRange(moving.BytesPerSecond, 9 << 20, 11 << 20);

        // The destination goes down: nothing moves for two seconds, then for six.
        _clock.Advance(TimeSpan.FromSeconds(2));
        var slowing = tracker.Snapshot(ExecutionStatus.Running);
        Assert.True(slowing.BytesPerSecond < moving.BytesPerSecond * 0.7, $"{slowing.BytesPerSecond} after 2 idle seconds, {moving.BytesPerSecond} before");
        Assert.True(slowing.Eta > moving.Eta);

        _clock.Advance(TimeSpan.FromSeconds(6));
        var stalled = tracker.Snapshot(ExecutionStatus.Running);
        Assert.Equal(0, stalled.BytesPerSecond);
        Assert.Null(stalled.Eta);
    }

    [Fact]
    public void A_live_picture_of_20000_tasks_carries_only_the_tasks_in_flight_or_just_changed()
    {
        var (execution, tracker) = Track(20_000);
        tracker.Report(Event(new RunStarted(20_000, 20_000, 0, 20_000L << 20)));
        foreach (var task in execution.Tasks.Take(16))
        {
            tracker.Report(Event(new TaskStarted(task.ToEngineTask(), 1, 1 << 20)));
        }

        var first = tracker.Snapshot(ExecutionStatus.Running);
        Assert.Equal(16, first.Tasks.Count);

        // Five finish: the next picture names them once (with their outcome) beside the eleven still running.
        foreach (var task in execution.Tasks.Take(5))
        {
            tracker.Report(Event(new TaskFinished(Result(task, TaskOutcome.Copied, 1 << 20, 1 << 20))));
        }

        var second = tracker.Snapshot(ExecutionStatus.Running);
        Assert.Equal(16, second.Tasks.Count);
        Assert.Equal(5, second.Tasks.Count(t => t.Status == ExecutionTaskStatus.Succeeded));
        Assert.Equal(5, second.Succeeded);

        var third = tracker.Snapshot(ExecutionStatus.Running);
        Assert.Equal(11, third.Tasks.Count);
        Assert.All(third.Tasks, t => Assert.Equal(ExecutionTaskStatus.Running, t.Status));
    }

    private (Execution Execution, ExecutionProgressTracker Tracker) Track(int tasks)
    {
        var execution = Execution.Queue(1, ExecutionTrigger.Manual, "alice", _clock.GetUtcNow());
        execution.Id = 3;
        execution.Start(_clock.GetUtcNow());
        execution.Tasks.AddRange(Enumerable.Range(1, tasks).Select(i => new ExecutionTask
        {
            Id = i,
            Operation = TaskOperation.Copy,
            Kind = ArtifactKind.Image,
            SourceRepository = $"team/app{i}",
            DestinationRepository = $"team/app{i}",
            Tag = "v1",
        }));
        execution.RecordPlan(tasks, upToDate: 0);
        return (execution, new ExecutionProgressTracker(execution, execution.Tasks, TaskTally.Of(execution.Tasks), _clock));
    }

    private ReplicationEvent Event(ReplicationEvent value) => value with { Timestamp = _clock.GetUtcNow() };

    private static TaskResult Result(ExecutionTask task, TaskOutcome outcome, long total, long transferred) => new()
    {
        Task = task.ToEngineTask(),
        Outcome = outcome,
        BytesTotal = total,
        BytesDone = outcome == TaskOutcome.Cancelled ? transferred : total,
        BytesTransferred = transferred,
        Attempts = 1,
    };
}
