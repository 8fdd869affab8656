using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Data;
using Replication.Admin.Executions;
using Replication.Admin.Tests.Host;
using Replication.Engine.Copying;
using EngineArtifact = Replication.Engine.ReplicatedArtifact;

namespace Replication.Admin.Tests.Executions;

/// <summary>
/// The rule's record through a run: the context lets go of each record once it is saved (a cold run of 20,000 tags
/// does not keep 20,000 tracked records), and a later change to one in the same run is still saved.
/// </summary>
public sealed class ReplicationRecorderTests(AdminAppFactory app) : IClassFixture<AdminAppFactory>
{
    private static readonly TimeProvider Clock = TimeProvider.System;

    [Fact]
    public async Task Saved_records_leave_the_context_and_later_changes_to_them_are_still_saved()
    {
        await using var db = await ContextAsync();
        var ruleId = Random.Shared.Next(100_000, int.MaxValue);
        var recorder = new ReplicationRecorder(db, ruleId, executionId: 1, [], Clock);

        recorder.Record([Pushed("team/app", "v1", "sha256:" + new string('1', 64)), Pushed("team/app", "v2", "sha256:" + new string('2', 64))]);
        await db.SaveChangesAsync();
        recorder.Saved();
        Assert.Empty(db.ChangeTracker.Entries<ReplicatedArtifact>());

        // The same run pushes v1 again with another digest, and a deletion makes v2's record obsolete.
        recorder.Record([Pushed("team/app", "v1", "sha256:" + new string('3', 64))]);
        recorder.Record([new TaskResult { Task = Task("v2"), Outcome = TaskOutcome.Deleted, Forgotten = [new EngineArtifact("team/app", "v2", "sha256:" + new string('2', 64))] }]);
        await db.SaveChangesAsync();
        recorder.Saved();
        Assert.Empty(db.ChangeTracker.Entries<ReplicatedArtifact>());

        await using var check = await ContextAsync();
        var saved = await check.ReplicatedArtifacts.AsNoTracking().Where(a => a.RuleId == ruleId).ToListAsync();
        var record = Assert.Single(saved);
        Assert.Equal(("v1", "sha256:" + new string('3', 64)), (record.Tag, record.Digest));
    }

    private async Task<ReplicationDbContext> ContextAsync()
    {
        var db = await app.Services.GetRequiredService<IDbContextFactory<ReplicationDbContext>>().CreateDbContextAsync();

        // Records of a rule and execution that need not exist: this is about the record, not the rule.
        await db.Database.OpenConnectionAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA foreign_keys = OFF");
        return db;
    }

    private static TaskResult Pushed(string repository, string tag, string digest) => new()
    {
        Task = Task(tag),
        Outcome = TaskOutcome.Copied,
        Replicated = [new EngineArtifact(repository, tag, digest)],
    };

    private static ReplicationTask Task(string tag) => new()
    {
        Id = tag,
        Operation = TaskOperation.Copy,
        SourceRepository = "team/app",
        DestinationRepository = "team/app",
        Tag = tag,
    };
}
