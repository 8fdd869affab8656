using Replication.Engine.Copying;
using Replication.Engine.Planning;
using Replication.Engine.Tests.Infrastructure;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Engine.Tests.Copying;

/// <summary>Deletions remove at the destination only what the rule replicated and the source no longer has.</summary>
[Collection(RegistryFixture.Collection)]
public sealed class DeletionTests(RegistryFixture registries)
{
    [Fact]
    public async Task Only_tags_the_rule_replicated_and_the_source_deleted_are_removed()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        using var dst = new OciTestClient(destination);
        var project = TestEngine.NewProject();
        var repository = $"{project}/app";
        var seed = Random.Shared.Next();
        var a = await src.PushImageAsync(repository, "a", ImageSpec.WithLayers(seed, 1024) with { Label = "a" });
        var b = await src.PushImageAsync(repository, "b", ImageSpec.WithLayers(seed, 1024) with { Label = "b" });
        var c = await src.PushImageAsync(repository, "c", ImageSpec.WithLayers(seed, 1024) with { Label = "c" });
        using var engine = new TestEngine();
        var scope = TestEngine.Scope(source, project, destination) with { ReplicateDeletions = true };
        var first = await engine.Runner.ReplicateAsync(scope);
        var record = first.Tasks.SelectMany(t => t.Replicated).ToList();
        Assert.Equal(3, record.Count);

        // Someone else pushes "x" at the destination; someone moves "c" there; the source deletes "b" and "c".
        var foreign = await dst.PushImageAsync(repository, "x", ImageSpec.WithLayers(seed + 9, 1024));
        var moved = await dst.PushImageAsync(repository, "c", ImageSpec.WithLayers(seed + 8, 1024));
        await src.DeleteManifestAsync(repository, b.Digest);
        await src.DeleteManifestAsync(repository, c.Digest);

        var plan = await engine.Planner.PlanAsync(scope with { Replicated = record });
        var result = await engine.Runner.RunAsync(scope with { Replicated = record }, plan.ToTasks());

        var deletion = Assert.Single(plan.Delete);
        Assert.Equal(("b", b.Digest), (deletion.Tag, deletion.Digest));
        var kept = Assert.Single(plan.Skipped);
        Assert.Equal(("c", moved.Digest), (kept.Tag, kept.DestinationDigest));
        Assert.Equal(RunOutcome.Succeeded, result.Outcome);
        var task = Assert.Single(result.Tasks);
        Assert.Equal(TaskOutcome.Deleted, task.Outcome);
        Assert.Equal([new ReplicatedArtifact(repository, "b", b.Digest)], task.Forgotten);
        Assert.Null(await dst.GetManifestDigestAsync(repository, "b"));
        Assert.Equal(a.Digest, await dst.GetManifestDigestAsync(repository, "a"));
        Assert.Equal(moved.Digest, await dst.GetManifestDigestAsync(repository, "c"));
        Assert.Equal(foreign.Digest, await dst.GetManifestDigestAsync(repository, "x"));
    }

    [Fact]
    public async Task A_tag_sharing_its_image_with_a_tag_the_rule_keeps_is_untagged_without_touching_the_image()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        using var dst = new OciTestClient(destination);
        var project = TestEngine.NewProject();
        var repository = $"{project}/app";
        var image = await dst.PushImageAsync(repository, "old", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        await dst.TagAsync(image, "latest");
        await src.PushImageAsync(repository, "latest", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        using var engine = new TestEngine();
        var scope = TestEngine.Scope(source, project, destination) with
        {
            ReplicateDeletions = true,
            Override = false,
            Replicated = [new ReplicatedArtifact(repository, "old", image.Digest)],
        };

        var plan = await engine.Planner.PlanAsync(scope);
        var result = await engine.Runner.RunAsync(scope, plan.ToTasks());

        Assert.Equal("old", Assert.Single(plan.Delete).Tag);
        var deletion = Assert.Single(result.Tasks, t => t.Task.Operation == TaskOperation.Delete);
        Assert.Equal(TaskOutcome.Deleted, deletion.Outcome);
        Assert.Contains("latest", deletion.Message, StringComparison.Ordinal);
        Assert.Null(await dst.GetManifestDigestAsync(repository, "old"));
        Assert.Equal(image.Digest, await dst.GetManifestDigestAsync(repository, "latest"));
        await DestinationAssert.CompleteAsync(dst, repository, "latest");
        Assert.Equal(["latest"], await dst.ListTagsAsync(repository));
    }

    [Fact]
    public async Task Tags_sharing_an_image_that_are_all_deleted_remove_the_image()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        using var dst = new OciTestClient(destination);
        var project = TestEngine.NewProject();
        var repository = $"{project}/app";
        var image = await src.PushImageAsync(repository, "v1", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        await src.TagAsync(image, "stable");
        using var engine = new TestEngine();
        var scope = TestEngine.Scope(source, project, destination) with { ReplicateDeletions = true };
        var record = (await engine.Runner.ReplicateAsync(scope)).Tasks.SelectMany(t => t.Replicated).ToList();
        await src.DeleteManifestAsync(repository, image.Digest);

        var plan = await engine.Planner.PlanAsync(scope with { Replicated = record });
        var result = await engine.Runner.RunAsync(scope with { Replicated = record }, plan.ToTasks());

        Assert.Equal(["stable", "v1"], plan.Delete.Select(d => d.Tag));
        Assert.All(result.Tasks, t => Assert.Equal(TaskOutcome.Deleted, t.Outcome));
        Assert.Empty(await dst.ListTagsAsync(repository));
        Assert.Null(await dst.GetManifestDigestAsync(repository, image.Digest));
    }

    [Fact]
    public async Task Without_replicate_deletions_nothing_is_planned_for_deletion()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        var project = TestEngine.NewProject();
        var image = await src.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        using var engine = new TestEngine();
        var scope = TestEngine.Scope(source, project, destination);
        var record = (await engine.Runner.ReplicateAsync(scope)).Tasks.SelectMany(t => t.Replicated).ToList();
        await src.DeleteManifestAsync($"{project}/app", image.Digest);

        var plan = await engine.Planner.PlanAsync(scope with { Replicated = record });

        Assert.Equal(ReplicationPlan.Empty.ToString(), plan.ToString());
    }

    [Fact]
    public async Task A_destination_with_deletion_disabled_fails_the_task_with_a_clear_error()
    {
        var source = await registries.AnonymousAsync();
        await using var destination = await RegistryFixture.StartDedicatedAsync(new RegistryOptions { DeleteEnabled = false });
        using var src = new OciTestClient(source);
        using var dst = new OciTestClient(destination);
        var project = TestEngine.NewProject();
        var image = await src.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        using var engine = new TestEngine();
        var scope = TestEngine.Scope(source, project, destination) with { ReplicateDeletions = true };
        var record = (await engine.Runner.ReplicateAsync(scope)).Tasks.SelectMany(t => t.Replicated).ToList();
        await src.DeleteManifestAsync($"{project}/app", image.Digest);

        var result = await engine.Runner.ReplicateAsync(scope with { Replicated = record });

        var task = Assert.Single(result.Tasks);
        Assert.Equal(TaskOutcome.Failed, task.Outcome);
        Assert.False(task.IsTransient);
        Assert.Contains("Deletion is disabled on the destination registry", task.Message, StringComparison.Ordinal);
        Assert.Equal(image.Digest, await dst.GetManifestDigestAsync($"{project}/app", "v1"));
    }
}
