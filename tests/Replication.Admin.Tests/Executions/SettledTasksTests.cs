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
/// A running execution lets go of the rows of tasks whose success is saved: the rows stay in the database as they
/// were saved, the execution's counts and outcome still count them, and failed rows stay for the retry.
/// </summary>
public sealed class SettledTasksTests(AdminAppFactory app) : IClassFixture<AdminAppFactory>
{
    [Fact]
    public async Task Rows_whose_success_is_saved_leave_memory_and_still_count_and_stay_saved()
    {
        await using var db = await ContextAsync();
        var execution = Execution.Queue(Random.Shared.Next(100_000, int.MaxValue), ExecutionTrigger.Manual, "alice", DateTimeOffset.UtcNow);
        execution.Start(DateTimeOffset.UtcNow);
        db.Executions.Add(execution);
        await db.SaveChangesAsync();
        var lifecycle = app.Services.GetRequiredService<ExecutionLifecycle>();
        await using var active = new ActiveExecution(lifecycle, db, execution, ownsContext: false);
        await active.RecordPlanAsync(Plan(4, upToDate: 2));
        var rows = execution.Tasks.ToList();
        var tracker = new ExecutionProgressTracker(execution, rows, TimeProvider.System);

        // Two copied, one found up to date, one failed; the progress save settles the three that did their work.
        tracker.Report(new RunStarted(4, 4, 0, 4000));
        tracker.Report(new TaskFinished(Result(rows[0], TaskOutcome.Copied, 1000)));
        tracker.Report(new TaskFinished(Result(rows[1], TaskOutcome.UpToDate, 0)));
        tracker.Report(new TaskFinished(Result(rows[2], TaskOutcome.Failed, 300)));
        tracker.Report(new TaskFinished(Result(rows[3], TaskOutcome.Copied, 1000)));
        await active.SaveProgressAsync(tracker, CancellationToken.None);

        Assert.Equal([rows[2].Id], execution.Tasks.Select(t => t.Id));
        Assert.Single(db.ChangeTracker.Entries<ExecutionTask>());
        await using (var check = await ContextAsync())
        {
            var saved = await check.ExecutionTasks.AsNoTracking().Where(t => t.ExecutionId == execution.Id).OrderBy(t => t.Id).ToListAsync();
            Assert.Equal(
                [ExecutionTaskStatus.Succeeded, ExecutionTaskStatus.UpToDate, ExecutionTaskStatus.Failed, ExecutionTaskStatus.Succeeded],
                saved.Select(t => t.Status));
        }

        await active.CompleteAsync(tracker);

        await using (var check = await ContextAsync())
        {
            var ended = await check.Executions.AsNoTracking().Include(e => e.Tasks).SingleAsync(e => e.Id == execution.Id);
            Assert.Equal(ExecutionStatus.PartiallyFailed, ended.Status);
            Assert.Equal((6, 2, 1, 3), (ended.Total, ended.Succeeded, ended.Failed, ended.UpToDate));
            Assert.Equal(2300, ended.BytesTransferred);
            Assert.Equal(4, ended.Tasks.Count);
            Assert.StartsWith("1 of 6 artifact(s) failed; first: team/app2:v1", ended.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Only_rows_that_did_their_work_settle()
    {
        var execution = Execution.Queue(1, ExecutionTrigger.Manual, "alice", DateTimeOffset.UtcNow);
        execution.Start(DateTimeOffset.UtcNow);
        execution.RecordPlan(Plan(2, upToDate: 0).Copy.Select(Row), upToDate: 0);
        execution.Tasks[0].Status = ExecutionTaskStatus.Stopped;

        var refused = Assert.Throws<InvalidOperationException>(() => execution.Settle([execution.Tasks[0]]));

        Assert.Contains("stopped", refused.Message, StringComparison.Ordinal);
        Assert.Equal(2, execution.Tasks.Count);
    }

    private static ReplicationPlan Plan(int copies, int upToDate) => new()
    {
        Copy = [.. Enumerable.Range(0, copies).Select(i => new PlannedArtifact($"team/app{i}", "v1", "sha256:" + new string((char)('a' + i), 64), $"team/app{i}"))],
        UpToDate = [.. Enumerable.Range(0, upToDate).Select(i => new PlannedArtifact($"team/same{i}", "v1", "sha256:" + new string('f', 64), $"team/same{i}"))],
    };

    private static ExecutionTask Row(PlannedArtifact artifact) => new()
    {
        Operation = TaskOperation.Copy,
        SourceRepository = artifact.SourceRepository,
        DestinationRepository = artifact.DestinationRepository,
        Tag = artifact.Tag,
    };

    private static TaskResult Result(ExecutionTask row, TaskOutcome outcome, long transferred) => new()
    {
        Task = row.ToEngineTask(),
        Outcome = outcome,
        Message = outcome == TaskOutcome.Failed ? "The registry did not answer in time." : null,
        BytesTotal = 1000,
        BytesDone = outcome == TaskOutcome.Failed ? transferred : 1000,
        BytesTransferred = transferred,
        Attempts = 1,
    };

    private async Task<ReplicationDbContext> ContextAsync()
    {
        var db = await app.Services.GetRequiredService<IDbContextFactory<ReplicationDbContext>>().CreateDbContextAsync();

        // An execution of a rule that need not exist: this is about its rows, not the rule.
        await db.Database.OpenConnectionAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA foreign_keys = OFF");
        return db;
    }
}
