using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Data;
using Replication.Admin.Executions;
using Replication.Admin.Tests.Host;
using Replication.Engine.Copying;
using Replication.Engine.Planning;
using Replication.Engine.Progress;

namespace Replication.Admin.Tests.Executions;

/// <summary>
/// A running execution holds none of its task rows: the plan's rows, each progress save and the outcome go through
/// the database, and what the run leaves in memory is the execution and its counts.
/// </summary>
public sealed class ExecutionTaskRowsTests(AdminAppFactory app) : IClassFixture<AdminAppFactory>
{
    private static readonly TimeProvider Clock = TimeProvider.System;

    [Fact]
    public async Task Plan_progress_and_outcome_are_saved_while_no_task_row_stays_in_memory()
    {
        var factory = Factory;
        var db = await ContextAsync();
        var execution = Execution.Queue(Random.Shared.Next(100_000, int.MaxValue), ExecutionTrigger.Manual, "alice", Clock.GetUtcNow());
        db.Executions.Add(execution);
        await db.SaveChangesAsync();
        execution.Start(Clock.GetUtcNow());
        await db.SaveChangesAsync();

        var lifecycle = app.Services.GetRequiredService<ExecutionLifecycle>();
        await using var active = new ActiveExecution(lifecycle, db, await factory.CreateDbContextAsync(), execution);
        var runnable = await active.RecordPlanAsync(new ReplicationPlan
        {
            Copy = [Artifact("v1"), Artifact("v2"), Artifact("v3")],
            UpToDate = [Artifact("v0")],
        });

        Assert.Equal(["v1", "v2", "v3"], runnable.Select(r => r.Row.Tag));
        Assert.All(runnable, r => Assert.Equal(r.Row.EngineId, r.Task.Id));
        Assert.Equal(4, execution.Total);
        AssertHoldsNoRows(db, execution);

        var tracker = new ExecutionProgressTracker(execution, runnable.Select(r => r.Row), await active.TallyAsync(CancellationToken.None), Clock);
        tracker.Report(new TaskStarted(runnable[0].Task, 1, 100) { Timestamp = Clock.GetUtcNow() });
        tracker.Report(new TaskFinished(Result(runnable[0].Task, TaskOutcome.Copied, null)) { Timestamp = Clock.GetUtcNow() });
        await active.SaveProgressAsync(tracker, CancellationToken.None);
        tracker.Report(new TaskStarted(runnable[1].Task, 1, 100) { Timestamp = Clock.GetUtcNow() });
        tracker.Report(new TaskFinished(Result(runnable[1].Task, TaskOutcome.Failed, "manifest unknown")) { Timestamp = Clock.GetUtcNow() });
        await active.SaveProgressAsync(tracker, CancellationToken.None);

        Assert.Equal((1, 1, 1), (execution.Succeeded, execution.Failed, execution.UpToDate));
        AssertHoldsNoRows(db, execution);
        var saved = await RowsAsync(factory, execution.Id);
        Assert.Equal([ExecutionTaskStatus.Succeeded, ExecutionTaskStatus.Failed, ExecutionTaskStatus.Pending], saved.Select(r => r.Status));
        Assert.Contains("Copying team/app:v1", saved[0].Log, StringComparison.Ordinal);
        Assert.Contains("Copied in", saved[0].Log, StringComparison.Ordinal);
        Assert.Equal("manifest unknown", saved[1].Error);

        // v3 never ran (a stop): the outcome counts it as work left undone and its row says stopped.
        await active.CompleteAsync(tracker);

        Assert.Equal(ExecutionStatus.Stopped, execution.Status);
        Assert.Equal((1, 1, 1), (execution.Succeeded, execution.Failed, execution.UpToDate));
        AssertHoldsNoRows(db, execution);
        saved = await RowsAsync(factory, execution.Id);
        Assert.Equal([ExecutionTaskStatus.Succeeded, ExecutionTaskStatus.Failed, ExecutionTaskStatus.Stopped], saved.Select(r => r.Status));
        await using var check = await factory.CreateDbContextAsync();
        var outcome = await check.Executions.AsNoTracking().SingleAsync(e => e.Id == execution.Id);
        Assert.Equal((ExecutionStatus.Stopped, 1, 1, 1), (outcome.Status, outcome.Succeeded, outcome.Failed, outcome.UpToDate));
    }

    [Fact]
    public async Task A_failure_tallied_in_the_database_names_the_first_failed_task()
    {
        var factory = Factory;
        var db = await ContextAsync();
        var execution = Execution.Queue(Random.Shared.Next(100_000, int.MaxValue), ExecutionTrigger.Manual, "alice", Clock.GetUtcNow());
        execution.Start(Clock.GetUtcNow());
        execution.Tasks.AddRange([Row("v1", ExecutionTaskStatus.Succeeded, null), Row("v2", ExecutionTaskStatus.Failed, "blob unknown"), Row("v3", ExecutionTaskStatus.Failed, "denied")]);
        execution.RecordPlan(3, upToDate: 0);
        db.Executions.Add(execution);
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();
        execution = await db.Executions.SingleAsync(e => e.Id == execution.Id);

        await using var active = new ActiveExecution(app.Services.GetRequiredService<ExecutionLifecycle>(), db, await factory.CreateDbContextAsync(), execution);
        await active.CompleteAsync(null);

        Assert.Equal(ExecutionStatus.PartiallyFailed, execution.Status);
        Assert.Equal("2 of 3 artifact(s) failed; first: team/app:v2: blob unknown", execution.Error);
        Assert.Empty(execution.Tasks);
    }

    private IDbContextFactory<ReplicationDbContext> Factory => app.Services.GetRequiredService<IDbContextFactory<ReplicationDbContext>>();

    private async Task<ReplicationDbContext> ContextAsync()
    {
        var db = await Factory.CreateDbContextAsync();

        // Executions of rules that need not exist: this is about their rows, not the rules.
        await db.Database.OpenConnectionAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA foreign_keys = OFF");
        return db;
    }

    private static void AssertHoldsNoRows(ReplicationDbContext db, Execution execution)
    {
        Assert.Empty(execution.Tasks);
        Assert.Empty(db.ChangeTracker.Entries<ExecutionTask>());
    }

    private static async Task<List<ExecutionTask>> RowsAsync(IDbContextFactory<ReplicationDbContext> factory, long executionId)
    {
        await using var db = await factory.CreateDbContextAsync();
        return await db.ExecutionTasks.AsNoTracking().Where(t => t.ExecutionId == executionId).OrderBy(t => t.Id).ToListAsync();
    }

    private static PlannedArtifact Artifact(string tag) => new("team/app", tag, "sha256:" + new string('a', 64), "team/app");

    private static ExecutionTask Row(string tag, ExecutionTaskStatus status, string? error) => new()
    {
        Operation = TaskOperation.Copy,
        SourceRepository = "team/app",
        DestinationRepository = "team/app",
        Tag = tag,
        Status = status,
        Error = error,
    };

    private static TaskResult Result(ReplicationTask task, TaskOutcome outcome, string? message) => new()
    {
        Task = task,
        Outcome = outcome,
        Message = message,
        BytesTotal = 100,
        BytesDone = outcome == TaskOutcome.Copied ? 100 : 0,
        BytesTransferred = outcome == TaskOutcome.Copied ? 100 : 0,
        Attempts = 1,
    };
}
