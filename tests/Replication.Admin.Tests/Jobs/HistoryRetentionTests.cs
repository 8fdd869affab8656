using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Replication.Admin.Data;
using Replication.Admin.Executions;
using Replication.Admin.Jobs;
using static Replication.Admin.Tests.Jobs.JobsTestKit;

namespace Replication.Admin.Tests.Jobs;

/// <summary>Executions older than the retention (30 days by default) are pruned with their tasks; recent and unfinished ones stay.</summary>
public sealed class HistoryRetentionTests(JobsAppFactory app) : IClassFixture<JobsAppFactory>
{
    [Fact]
    public async Task Old_finished_executions_are_pruned_with_their_tasks()
    {
        using var admin = app.CreateBasicClient();
        var registry = await RegisterAsync(admin, "http://127.0.0.1:9");
        var ruleId = await CreateRuleAsync(app.Services, r => { r.Enabled = false; r.DestinationProject = "kept"; }, registry, registry, UniqueProject("ret"));
        var factory = app.Services.GetRequiredService<IDbContextFactory<ReplicationDbContext>>();
        var now = DateTimeOffset.UtcNow;
        Execution old, oldRetry, recent, unfinished;
        await using (var db = await factory.CreateDbContextAsync())
        {
            old = Make(ruleId, now.AddDays(-40), ExecutionStatus.Succeeded);
            old.Tasks.Add(new ExecutionTask { SourceRepository = "a/b", DestinationRepository = "kept/b", Tag = "v1", Status = ExecutionTaskStatus.Succeeded });
            recent = Make(ruleId, now.AddDays(-2), ExecutionStatus.Failed);
            unfinished = Make(ruleId, now.AddDays(-45), ExecutionStatus.Stopped);
            unfinished.Status = ExecutionStatus.Pending;
            db.Executions.AddRange(old, recent, unfinished);
            await db.SaveChangesAsync();
            oldRetry = Make(ruleId, now.AddDays(-1), ExecutionStatus.Succeeded);
            oldRetry.ParentExecutionId = old.Id;
            db.Executions.Add(oldRetry);
            await db.SaveChangesAsync();
        }

        var pruned = await app.Services.GetRequiredService<ExecutionHistoryPruner>().PruneAsync(CancellationToken.None);

        Assert.True(pruned >= 1);
        await using (var db = await factory.CreateDbContextAsync())
        {
            var left = await db.Executions.Where(e => e.RuleId == ruleId).Select(e => e.Id).ToListAsync();
            Assert.DoesNotContain(old.Id, left);
            Assert.Contains(recent.Id, left);
            Assert.Contains(unfinished.Id, left);
            Assert.Contains(oldRetry.Id, left);
            Assert.False(await db.ExecutionTasks.AnyAsync(t => t.ExecutionId == old.Id));
            Assert.Null((await db.Executions.SingleAsync(e => e.Id == oldRetry.Id)).ParentExecutionId);
        }
    }

    private static Execution Make(int ruleId, DateTimeOffset at, ExecutionStatus status) => new()
    {
        RuleId = ruleId,
        Trigger = ExecutionTrigger.Manual,
        Status = status,
        TriggeredBy = "test",
        CreatedAt = at,
        StartedAt = at,
        FinishedAt = at.AddMinutes(1),
        Planned = true,
        StopRequested = status == ExecutionStatus.Stopped,
    };
}

/// <summary>Nothing stays running forever: an execution left Running without a job is picked up and finished.</summary>
public sealed class OrphanWatchTests(JobsAppFactory app) : IClassFixture<JobsAppFactory>
{
    [Fact]
    public async Task A_running_execution_without_a_job_is_queued_again_and_finishes()
    {
        using var admin = app.CreateBasicClient();
        var registry = await RegisterAsync(admin, "http://127.0.0.1:9");
        var ruleId = await CreateRuleAsync(app.Services, r => r.DestinationProject = "orphan-copy", registry, registry, UniqueProject("orph"));
        var factory = app.Services.GetRequiredService<IDbContextFactory<ReplicationDbContext>>();
        var orphan = new Execution
        {
            RuleId = ruleId,
            Trigger = ExecutionTrigger.Manual,
            Status = ExecutionStatus.Running,
            TriggeredBy = "test",
            CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-5),
            StartedAt = DateTimeOffset.UtcNow.AddMinutes(-5),
        };
        await using (var db = await factory.CreateDbContextAsync())
        {
            db.Executions.Add(orphan);
            await db.SaveChangesAsync();
        }

        Assert.True(await app.Services.GetServices<IHostedService>().OfType<ExecutionRecovery>().Single().RequeueOrphansAsync() >= 1);

        var finished = await WaitFinishedAsync(admin, orphan.Id);
        Assert.Equal("failed", finished.GetProperty("status").GetString());
        Assert.Contains("127.0.0.1:9", finished.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, (await ExecutionAsync(app.Services, orphan.Id))!.Resumes);
    }
}
