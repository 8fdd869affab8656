using Replication.Engine.Copying;
using Replication.Engine.Filters;
using Replication.Engine.Progress;
using Replication.Engine.Tests.Infrastructure;
using Replication.Testing.Faults;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Engine.Tests.Copying;

/// <summary>Blobs shared by tags, platforms and repositories move once; the other repositories mount them.</summary>
[Collection(RegistryFixture.Collection)]
public sealed class BlobDedupeTests(RegistryFixture registries)
{
    [Fact]
    public async Task A_layer_shared_by_repositories_is_transferred_once_and_mounted_elsewhere()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.TokenAsync();
        using var src = new OciTestClient(source);
        using var dst = new OciTestClient(destination);
        var project = TestEngine.NewProject();
        var seed = Random.Shared.Next();
        var shared = SeededBlob.Layer(seed, 64 * 1024);
        List<string> repositories = [$"{project}/web", $"{project}/api", $"{project}/worker", $"{project}/team/sub/jobs"];
        var pushed = new List<PushedImage>();
        foreach (var (repository, i) in repositories.Select((r, i) => (r, i)))
        {
            // Same base layer everywhere, one own layer per repository, two tags per repository on different images.
            pushed.Add(await src.PushImageAsync(repository, "v1", new ImageSpec { Layers = [shared, SeededBlob.Layer(seed + 100 + i, 2048)], Label = $"{repository}-1" }));
            pushed.Add(await src.PushImageAsync(repository, "v2", new ImageSpec { Layers = [shared, SeededBlob.Layer(seed + 200 + i, 2048)], Label = $"{repository}-2" }));
        }

        // Slow uploads down so the other repositories are waiting on the shared layer's transfer when it ends: the
        // moment they wake is where a second transfer of the same digest would slip in.
        await using var destinationProxy = await FaultProxy.StartAsync(destination);
        destinationProxy.Delay(RequestMatch.UploadPut, TimeSpan.FromMilliseconds(200));
        using var engine = new TestEngine(new ReplicationOptions { MaxParallelArtifacts = 4, MaxParallelBlobs = 8 });
        var events = new EventLog();
        var scope = TestEngine.Scope(source, project, destination) with { Destination = TestEngine.EndpointOf(destinationProxy.Url, destination) };
        var result = await engine.Runner.ReplicateAsync(scope, events);

        Assert.Equal(RunOutcome.Succeeded, result.Outcome);
        Assert.Equal(8, result.Count(TaskOutcome.Copied));
        foreach (var image in pushed)
        {
            await DestinationAssert.SameAsSourceAsync(src, image.Repository, dst, image.Repository, image.Tag!);
        }

        // One transfer per digest over the whole run ...
        var sharedDigest = await shared.GetDigestAsync();
        var copied = events.CopiedBlobs;
        Assert.Equal(copied.Distinct().Count(), copied.Count);
        Assert.Single(copied, d => d == sharedDigest);

        // ... the shared layer reached the other three repositories by mount ...
        var mountedShared = events.Mounted.Where(m => m.Digest == sharedDigest).ToList();
        Assert.Equal(3, mountedShared.Count);
        Assert.All(mountedShared, m => Assert.Contains(m.MountedFrom, repositories));
        Assert.Equal(repositories.Count, mountedShared.Select(m => m.Repository).Append(events.Of<BlobFinished>().Single(b => b.Digest == sharedDigest && b.Outcome == BlobOutcome.Copied).Repository).Distinct().Count());

        // ... and the bytes moved are the unique bytes, not the per-tag sum.
        var unique = pushed.SelectMany(p => new[] { p.Config }.Concat(p.Layers)).DistinctBy(d => d.Digest).Sum(d => d.Size);
        Assert.Equal(unique, result.BytesTransferred);
    }

    [Fact]
    public async Task Into_a_repository_the_plan_found_without_tags_small_blobs_go_up_unasked_and_a_large_one_left_there_is_found()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        using var dst = new OciTestClient(destination);
        var project = TestEngine.NewProject();
        var repository = $"{project}/app";
        var seed = Random.Shared.Next();
        var small = SeededBlob.Layer(seed, 2048);
        var large = SeededBlob.Layer(seed + 1, BlobCopier.UnaskedBlobBytes + 4096);
        var image = await src.PushImageAsync(repository, "v1", new ImageSpec { Layers = [small, large], Label = repository });

        // What an interrupted run leaves: both layers uploaded, no manifest, so the repository lists no tag.
        await dst.PushBlobAsync(repository, small);
        await dst.PushBlobAsync(repository, large);
        await using var destinationProxy = await FaultProxy.StartAsync(destination);
        using var engine = new TestEngine();
        var events = new EventLog();
        var scope = TestEngine.Scope(source, project, destination) with { Destination = TestEngine.EndpointOf(destinationProxy.Url, destination) };
        var result = await engine.Runner.ReplicateAsync(scope, events);

        Assert.Equal(RunOutcome.Succeeded, result.Outcome);
        await DestinationAssert.SameAsSourceAsync(src, repository, dst, repository, "v1");

        // The large layer is asked about and found; the config and the small layer are sent without asking (the small
        // one a second time: cheaper than a HEAD before every config of a first run).
        var requests = new RequestBreakdown(destinationProxy.Exchanges);
        Assert.Equal(1, requests["HEAD blob"]);
        Assert.Equal(2, requests["PUT upload"]);
        Assert.Equal(BlobOutcome.Present, Assert.Single(events.Of<BlobFinished>(), b => b.Digest == image.Layers[1].Digest).Outcome);
        Assert.Equal(image.Config.Size + small.Size, result.BytesTransferred);
    }

    [Fact]
    public async Task Nested_repositories_go_to_the_destination_project_under_the_same_path()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.AnonymousAsync();
        using var src = new OciTestClient(source);
        var project = TestEngine.NewProject("src");
        var mirror = TestEngine.NewProject("dst");
        await src.PushImageAsync($"{project}/team/sub/app", "1.0", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        await src.PushImageAsync($"{project}/team/sub/app", "1.0-debug", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        await src.PushImageAsync($"{project}/team/tools", "1.0", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        await src.PushImageAsync($"{project}/other", "1.0", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        var filter = new ImageFilter { IncludeRepositories = ["team/**"], ExcludeRepositories = ["team/tools"], ExcludeTags = ["*-debug"] };

        using var engine = new TestEngine();
        var scope = TestEngine.Scope(source, project, destination, mirror, filter);
        var plan = await engine.Planner.PlanAsync(scope);
        var result = await engine.Runner.RunAsync(scope, plan.ToTasks());

        var artifact = Assert.Single(plan.Copy);
        Assert.Equal(($"{project}/team/sub/app", "1.0", $"{mirror}/team/sub/app"), (artifact.SourceRepository, artifact.Tag, artifact.DestinationRepository));
        Assert.Equal(RunOutcome.Succeeded, result.Outcome);
        await DestinationAssert.SameAsSourceAsync(src, $"{project}/team/sub/app", src, $"{mirror}/team/sub/app", "1.0");
        Assert.Equal([$"{mirror}/team/sub/app"], (await src.ListRepositoriesAsync()).Where(r => r.StartsWith(mirror, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Many_tags_and_repositories_are_listed_across_pages()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        using var dst = new OciTestClient(destination);
        var project = TestEngine.NewProject();
        var spec = ImageSpec.WithLayers(Random.Shared.Next(), 512);
        var tags = Enumerable.Range(0, 45).Select(i => $"t{i:000}").ToList();
        await src.PushTagsAsync($"{project}/many", tags, spec);
        var repositories = Enumerable.Range(0, 104).Select(i => $"{project}/r{i:000}").ToList();
        await Parallel.ForEachAsync(repositories, async (repository, token) => await src.PushImageAsync(repository, "v1", spec, token));

        // distribution 2.8 does not page tag lists; the proxy does it the way other registries do (10 a page, Link).
        await using var sourceProxy = await FaultProxy.StartAsync(source);
        sourceProxy.PageTagLists(maxPageSize: 10);
        using var engine = new TestEngine();
        var scope = TestEngine.Scope(source, sourceProxy, project, destination);
        var plan = await engine.Planner.PlanAsync(scope);
        var result = await engine.Runner.RunAsync(scope, plan.ToTasks());

        Assert.Equal(tags, plan.Copy.Where(a => a.SourceRepository == $"{project}/many").Select(a => a.Tag));
        Assert.Equal(repositories, plan.Copy.Where(a => a.Tag == "v1").Select(a => a.SourceRepository));
        Assert.Equal(5, sourceProxy.Count(RequestMatch.TagList.In($"{project}/many")));
        Assert.True(sourceProxy.Count(RequestMatch.Catalog) >= 2, "the catalog was read in more than one page");
        Assert.Equal(RunOutcome.Succeeded, result.Outcome);
        Assert.Equal(tags, (await dst.ListTagsAsync($"{project}/many")).Order(StringComparer.Ordinal));
        Assert.All(result.Tasks, t => Assert.Equal(plan.Copy[0].Digest, t.Digest));
        await DestinationAssert.SameAsSourceAsync(src, $"{project}/many", dst, $"{project}/many", "t044");
        await DestinationAssert.SameAsSourceAsync(src, repositories[^1], dst, repositories[^1], "v1");
    }
}
