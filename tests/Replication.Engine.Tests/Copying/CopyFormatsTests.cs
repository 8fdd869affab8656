using Replication.Engine.Copying;
using Replication.Engine.Progress;
using Replication.Engine.Tests.Infrastructure;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Engine.Tests.Copying;

/// <summary>Every manifest format is copied byte for byte: the destination digest equals the source digest.</summary>
[Collection(RegistryFixture.Collection)]
public sealed class CopyFormatsTests(RegistryFixture registries)
{
    public enum Kind
    {
        OciImage,
        DockerImage,
        OciIndex,
        DockerManifestList,
    }

    [Theory]
    [InlineData(Kind.OciImage)]
    [InlineData(Kind.DockerImage)]
    [InlineData(Kind.OciIndex)]
    [InlineData(Kind.DockerManifestList)]
    public async Task Each_format_arrives_with_the_source_digest_and_all_its_parts(Kind kind)
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        using var dst = new OciTestClient(destination);
        var project = TestEngine.NewProject();
        var repository = $"{project}/app";
        var spec = ImageSpec.WithLayers(seed: Random.Shared.Next(), 2048, 4096) with { Format = kind is Kind.DockerImage or Kind.DockerManifestList ? ManifestFormat.Docker : ManifestFormat.Oci };
        PushedManifest pushed = kind switch
        {
            Kind.OciImage or Kind.DockerImage => await src.PushImageAsync(repository, "v1", spec),
            Kind.OciIndex => await src.PushIndexAsync(repository, "v1", spec, ManifestFormat.Oci),
            _ => await src.PushIndexAsync(repository, "v1", spec, ManifestFormat.Docker),
        };

        using var engine = new TestEngine();
        var events = new EventLog();
        var result = await engine.Runner.ReplicateAsync(TestEngine.Scope(source, project, destination), events);

        Assert.Equal(RunOutcome.Succeeded, result.Outcome);
        var task = Assert.Single(result.Tasks);
        Assert.Equal(TaskOutcome.Copied, task.Outcome);
        Assert.Equal(pushed.Digest, task.Digest);
        Assert.Equal([new ReplicatedArtifact(repository, "v1", pushed.Digest)], task.Replicated);
        await DestinationAssert.SameAsSourceAsync(src, repository, dst, repository, "v1");
        var fetched = await dst.GetManifestAsync(repository, "v1");
        Assert.Equal(pushed.MediaType, fetched!.MediaType);
        Assert.Equal(pushed.Bytes.ToArray(), fetched.Bytes);

        // Progress adds up: every blob byte counted once, and the run ends with everything done.
        var started = Assert.Single(events.Of<RunStarted>());
        Assert.True(started.BytesTotalFinal, "a run within the sizing window starts with its final total");
        Assert.Empty(events.Of<RunSized>());
        Assert.Equal(pushed.TotalSize - pushed.Bytes.Length - (pushed is PushedIndex index ? index.Manifests.Sum(m => m.Bytes.Length) : 0), started.BytesTotal);
        var last = events.Of<BytesTransferred>()[^1];
        Assert.Equal(started.BytesTotal, last.RunBytesDone);
        Assert.Equal(started.BytesTotal, task.BytesTotal);
        Assert.Equal(pushed.BlobDigests.Order(), events.CopiedBlobs.Order());
        Assert.IsType<RunFinished>(events.All[^1]);
    }

    [Fact]
    public async Task A_second_run_finds_everything_up_to_date_and_transfers_nothing()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        var project = TestEngine.NewProject();
        await src.PushIndexAsync($"{project}/app", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        await src.PushImageAsync($"{project}/app", "v2", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        using var engine = new TestEngine();
        var scope = TestEngine.Scope(source, project, destination);
        Assert.Equal(RunOutcome.Succeeded, (await engine.Runner.ReplicateAsync(scope)).Outcome);

        var plan = await engine.Planner.PlanAsync(scope);
        var events = new EventLog();
        var second = await engine.Runner.RunAsync(scope, plan.ToTasks(), events);

        Assert.Empty(plan.Copy);
        Assert.Equal(["v1", "v2"], plan.UpToDate.Select(a => a.Tag));
        Assert.Empty(second.Tasks);
        Assert.Empty(events.Of<BlobFinished>());
        Assert.Equal(0, second.BytesTransferred);
    }

    [Fact]
    public async Task An_observer_that_throws_does_not_break_the_run()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        using var dst = new OciTestClient(destination);
        var project = TestEngine.NewProject();
        await src.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        using var engine = new TestEngine();

        var result = await engine.Runner.ReplicateAsync(TestEngine.Scope(source, project, destination), new EventLog { OnEvent = _ => throw new InvalidOperationException("display bug") });

        Assert.Equal(RunOutcome.Succeeded, result.Outcome);
        await DestinationAssert.SameAsSourceAsync(src, $"{project}/app", dst, $"{project}/app", "v1");
    }

    [Fact]
    public async Task Running_the_same_tasks_again_after_a_crash_pushes_nothing_and_still_reports_what_is_replicated()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        var project = TestEngine.NewProject();
        var image = await src.PushIndexAsync($"{project}/app", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 1024, 2048));
        using var engine = new TestEngine();
        var scope = TestEngine.Scope(source, project, destination);
        var tasks = (await engine.Planner.PlanAsync(scope)).ToTasks();
        await engine.Runner.RunAsync(scope, tasks);

        // The app died before saving the results: it runs the saved tasks again.
        var events = new EventLog();
        var again = await engine.Runner.RunAsync(scope, tasks, events);

        var task = Assert.Single(again.Tasks);
        Assert.Equal(TaskOutcome.UpToDate, task.Outcome);
        Assert.Equal([new ReplicatedArtifact($"{project}/app", "v1", image.Digest)], task.Replicated);
        Assert.Empty(events.Of<BlobFinished>());
        Assert.Empty(events.Of<ManifestPushed>());
        Assert.Equal(task.BytesTotal, task.BytesDone);
        Assert.Equal(0, again.BytesTransferred);
    }
}
