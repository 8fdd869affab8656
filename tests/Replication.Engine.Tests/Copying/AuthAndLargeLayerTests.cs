using Replication.Engine.Copying;
using Replication.Engine.Progress;
using Replication.Engine.Tests.Infrastructure;
using Replication.Testing.Faults;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Engine.Tests.Copying;

[Collection(RegistryFixture.Collection)]
public sealed class AuthAndLargeLayerTests(RegistryFixture registries)
{
    [Theory]
    [InlineData(RegistryAuthMode.Basic, RegistryAuthMode.Token)]
    [InlineData(RegistryAuthMode.Token, RegistryAuthMode.Basic)]
    [InlineData(RegistryAuthMode.Token, RegistryAuthMode.Token)]
    public async Task Basic_and_token_auth_work_on_either_side_including_cross_repository_mounts(RegistryAuthMode sourceMode, RegistryAuthMode destinationMode)
    {
        var source = await registries.GetAsync(sourceMode);
        var destination = sourceMode == destinationMode ? await RegistryFixture.StartDedicatedAsync(RegistryOptions.Token) : await registries.GetAsync(destinationMode);
        try
        {
            using var src = new OciTestClient(source);
            using var dst = new OciTestClient(destination);
            var project = TestEngine.NewProject();
            var seed = Random.Shared.Next();
            var shared = SeededBlob.Layer(seed, 32 * 1024);
            var first = await src.PushImageAsync($"{project}/one", "v1", new ImageSpec { Layers = [shared], Label = "one" });
            var second = await src.PushImageAsync($"{project}/two", "v1", new ImageSpec { Layers = [shared, SeededBlob.Layer(seed + 1, 1024)], Label = "two" });

            using var engine = new TestEngine(new ReplicationOptions { MaxParallelArtifacts = 1 });
            var events = new EventLog();
            var result = await engine.Runner.ReplicateAsync(TestEngine.Scope(source, project, destination), events);

            Assert.Equal(RunOutcome.Succeeded, result.Outcome);
            await DestinationAssert.SameAsSourceAsync(src, first.Repository, dst, first.Repository, "v1");
            await DestinationAssert.SameAsSourceAsync(src, second.Repository, dst, second.Repository, "v1");
            var mount = Assert.Single(events.Mounted);
            Assert.Equal((await shared.GetDigestAsync(), $"{project}/two", $"{project}/one"), (mount.Digest, mount.Repository, mount.MountedFrom));
        }
        finally
        {
            if (sourceMode == destinationMode)
            {
                await destination.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_300_MiB_layer_streams_through_the_chunked_upload_with_its_digest_verified()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        using var dst = new OciTestClient(destination);
        var project = TestEngine.NewProject();
        var layer = SeededBlob.Layer(Random.Shared.Next(), (300L * 1024 * 1024) + 123);
        var image = await src.PushImageAsync($"{project}/big", "v1", new ImageSpec { Layers = [layer], Label = "big" });
        await using var destinationProxy = await FaultProxy.StartAsync(destination);

        using var engine = new TestEngine();
        var events = new EventLog();
        var scope = TestEngine.Scope(source, project, destination) with { Destination = TestEngine.EndpointOf(destinationProxy.Url, destination) };
        var result = await engine.Runner.ReplicateAsync(scope, events);

        Assert.Equal(RunOutcome.Succeeded, result.Outcome);
        await DestinationAssert.SameAsSourceAsync(src, image.Repository, dst, image.Repository, "v1");
        Assert.Equal(await layer.GetDigestAsync(), await dst.ComputeBlobDigestAsync(image.Repository, await layer.GetDigestAsync()));

        // Chunked: several PATCH requests carried the layer, none of them the whole of it.
        var patches = destinationProxy.Matching(RequestMatch.UploadPatch);
        Assert.True(patches.Count >= 3, $"expected a chunked upload, saw {patches.Count} PATCH request(s)");
        Assert.All(patches, p => Assert.True(p.RequestBytes < layer.Size));
        Assert.Equal(layer.Size, patches.Sum(p => p.RequestBytes));

        // Progress came in throttled steps that only go up and end at the total.
        var progress = events.Of<BytesTransferred>();
        Assert.True(progress.Count > 10, $"expected progress while streaming, saw {progress.Count} event(s)");
        Assert.Equal(progress.Select(p => p.RunBytesDone).Order(), progress.Select(p => p.RunBytesDone));
        Assert.Equal(image.Config.Size + layer.Size, progress[^1].RunBytesDone);
        Assert.Equal(progress[^1].RunBytesTotal, progress[^1].RunBytesDone);
    }
}
