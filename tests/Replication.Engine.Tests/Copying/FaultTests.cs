using Replication.Engine.Copying;
using Replication.Engine.Progress;
using Replication.Engine.Tests.Infrastructure;
using Replication.Registry;
using Replication.Testing.Faults;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Engine.Tests.Copying;

/// <summary>
/// Faults between the engine and real registries (a fault-injecting proxy on each side): the run still completes with
/// every digest right, and the destination never shows a tag whose parts are missing.
/// </summary>
[Collection(RegistryFixture.Collection)]
public sealed class FaultTests(RegistryFixture registries)
{
    // Small chunks so a few MiB take the chunked, resumable upload path.
    private static readonly RegistryClientOptions ChunkedClient = new()
    {
        MonolithicUploadLimitBytes = 1024 * 1024,
        ChunkSizeBytes = 1024 * 1024,
        RetryBaseDelay = TimeSpan.FromMilliseconds(50),
        MaxRetryDelay = TimeSpan.FromSeconds(2),
    };

    [Fact]
    public async Task Connections_cut_mid_blob_on_both_sides_are_resumed_and_every_digest_is_right()
    {
        var (src, dst, project, images) = await SetUpAsync(layerSizes: [3 * 1024 * 1024 + 17, 2 * 1024 * 1024]);
        await using var sourceProxy = await FaultProxy.StartAsync(await registries.AnonymousAsync());
        await using var destinationProxy = await FaultProxy.StartAsync(await registries.BasicAsync());
        sourceProxy.CutResponse(RequestMatch.BlobGet, afterBytes: 600 * 1024, times: 3);
        destinationProxy.CutRequest(RequestMatch.UploadPatch, afterBytes: 300 * 1024, times: 3);

        var result = await RunThroughAsync(sourceProxy, destinationProxy, project, dst);

        Assert.Equal(RunOutcome.Succeeded, result.Outcome);
        Assert.Equal(0, sourceProxy.PendingFaults + destinationProxy.PendingFaults);
        await AssertReplicatedAsync(src, dst, images);

        // The cut uploads were resumed: the registry's upload status was asked, and no chunk went out twice whole.
        Assert.Equal(3, destinationProxy.Matching(RequestMatch.UploadPatch).Count(e => e.InjectedFault is not null));
        Assert.True(destinationProxy.Count(RequestMatch.UploadStatus) >= 1, "a cut chunk is resumed from the registry's upload status");
    }

    [Fact]
    public async Task Bursts_of_503_on_both_sides_are_ridden_out()
    {
        var (src, dst, project, images) = await SetUpAsync(layerSizes: [64 * 1024, 32 * 1024]);
        await using var sourceProxy = await FaultProxy.StartAsync(await registries.AnonymousAsync());
        await using var destinationProxy = await FaultProxy.StartAsync(await registries.BasicAsync());
        sourceProxy.FailWith(RequestMatch.Any, times: 8);
        destinationProxy.FailWith(RequestMatch.Any, times: 8);

        var result = await RunThroughAsync(sourceProxy, destinationProxy, project, dst);

        Assert.Equal(RunOutcome.Succeeded, result.Outcome);
        Assert.Equal(0, sourceProxy.PendingFaults + destinationProxy.PendingFaults);
        Assert.Equal(8, destinationProxy.Exchanges.Count(e => e.StatusCode == 503));
        await AssertReplicatedAsync(src, dst, images);
    }

    [Fact]
    public async Task A_429_with_Retry_After_is_honoured_and_the_run_completes()
    {
        var (src, dst, project, images) = await SetUpAsync(layerSizes: [16 * 1024]);
        await using var sourceProxy = await FaultProxy.StartAsync(await registries.AnonymousAsync());
        await using var destinationProxy = await FaultProxy.StartAsync(await registries.BasicAsync());
        destinationProxy.Throttle(RequestMatch.ManifestPut, TimeSpan.FromSeconds(1), times: 2);
        sourceProxy.Throttle(RequestMatch.BlobGet, TimeSpan.FromSeconds(1), times: 1);

        var result = await RunThroughAsync(sourceProxy, destinationProxy, project, dst);

        Assert.Equal(RunOutcome.Succeeded, result.Outcome);
        Assert.Equal(0, sourceProxy.PendingFaults + destinationProxy.PendingFaults);
        var puts = destinationProxy.Matching(RequestMatch.ManifestPut);
        Assert.Equal(2, puts.Count(e => e.StatusCode == 429));
        Assert.Equal(images.Sum(i => i is PushedIndex index ? 1 + index.Manifests.Count : 1), puts.Count(e => e.StatusCode == 201));
        await AssertReplicatedAsync(src, dst, images);
    }

    [Fact]
    public async Task A_destination_that_keeps_failing_fails_the_tasks_as_transient_after_the_engines_own_retries()
    {
        var (_, dst, project, images) = await SetUpAsync(layerSizes: [4 * 1024]);
        await using var sourceProxy = await FaultProxy.StartAsync(await registries.AnonymousAsync());
        await using var destinationProxy = await FaultProxy.StartAsync(await registries.BasicAsync());
        destinationProxy.FailWith(RequestMatch.ManifestPut, times: 1000);

        var events = new EventLog();
        var result = await RunThroughAsync(sourceProxy, destinationProxy, project, dst, events, new RegistryClientOptions { MaxAttempts = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(10) });

        Assert.Equal(RunOutcome.Failed, result.Outcome);
        Assert.All(result.Tasks, t =>
        {
            Assert.Equal(TaskOutcome.Failed, t.Outcome);
            Assert.True(t.IsTransient);
            Assert.Equal(3, t.Attempts);
            Assert.Contains("503", t.Message, StringComparison.Ordinal);
        });
        Assert.Equal(images.Count * 2, events.Of<TaskRetrying>().Count);
        Assert.Empty(await dst.ListTagsAsync(images[0].Repository));
    }

    private async Task<(OciTestClient Source, OciTestClient Destination, string Project, IReadOnlyList<PushedManifest> Images)> SetUpAsync(long[] layerSizes)
    {
        var src = new OciTestClient(await registries.AnonymousAsync());
        var dst = new OciTestClient(await registries.BasicAsync());
        var project = TestEngine.NewProject();
        var seed = Random.Shared.Next();
        List<PushedManifest> images =
        [
            await src.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(seed, layerSizes)),
            await src.PushIndexAsync($"{project}/app", "multi", ImageSpec.WithLayers(seed + 50, layerSizes)),
            await src.PushImageAsync($"{project}/other", "v1", ImageSpec.WithLayers(seed, layerSizes) with { Format = ManifestFormat.Docker, Label = "docker" }),
        ];
        return (src, dst, project, images);
    }

    private async Task<ReplicationRunResult> RunThroughAsync(
        FaultProxy sourceProxy,
        FaultProxy destinationProxy,
        string project,
        OciTestClient destination,
        EventLog? events = null,
        RegistryClientOptions? clientOptions = null)
    {
        using var engine = new TestEngine(clientOptions: clientOptions ?? ChunkedClient);
        var scope = new ReplicationScope
        {
            Source = TestEngine.EndpointOf(sourceProxy.Url, await registries.AnonymousAsync()),
            SourceProject = project,
            Destination = TestEngine.EndpointOf(destinationProxy.Url, await registries.BasicAsync()),
        };
        ReplicationRunResult result;
        await using (var watcher = new PartialImageWatcher(destination, project))
        {
            result = await engine.Runner.ReplicateAsync(scope, events);
            Assert.Empty(watcher.Violations);
        }

        return result;
    }

    private static async Task AssertReplicatedAsync(OciTestClient src, OciTestClient dst, IReadOnlyList<PushedManifest> images)
    {
        foreach (var image in images)
        {
            await DestinationAssert.SameAsSourceAsync(src, image.Repository, dst, image.Repository, image.Tag!);
            foreach (var blob in image.BlobDigests)
            {
                Assert.Equal(blob, await dst.ComputeBlobDigestAsync(image.Repository, blob));
            }
        }
    }
}
