using Replication.Engine.Copying;
using Replication.Engine.Progress;
using Replication.Engine.Tests.Infrastructure;
using Replication.Testing.Faults;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Engine.Tests.Copying;

/// <summary>Stopping a run leaves nothing partial, and the next run finishes without copying anything twice.</summary>
[Collection(RegistryFixture.Collection)]
public sealed class CancellationTests(RegistryFixture registries)
{
    [Fact]
    public async Task A_run_stopped_mid_way_shows_no_partial_image_and_the_next_run_copies_only_the_rest()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.TokenAsync();
        using var src = new OciTestClient(source);
        using var dst = new OciTestClient(destination);
        var project = TestEngine.NewProject();
        var seed = Random.Shared.Next();
        var images = new List<PushedManifest>();
        for (var i = 0; i < 6; i++)
        {
            images.Add(await src.PushImageAsync($"{project}/app{i}", "v1", ImageSpec.WithLayers(seed + (i * 10), 256 * 1024, 192 * 1024, 128 * 1024)));
        }

        images.Add(await src.PushIndexAsync($"{project}/multi", "v1", ImageSpec.WithLayers(seed + 500, 256 * 1024, 64 * 1024)));
        await using var destinationProxy = await FaultProxy.StartAsync(destination);

        // Slow blob uploads down so the stop lands while several transfers are in flight, and hold back the answers
        // to manifest pushes so it also lands on pushes the registry has already stored.
        destinationProxy.Delay(RequestMatch.UploadPut, TimeSpan.FromMilliseconds(150));
        destinationProxy.DelayResponse(RequestMatch.ManifestPut, TimeSpan.FromMilliseconds(300));
        using var engine = new TestEngine(new ReplicationOptions { MaxParallelArtifacts = 3, MaxParallelBlobs = 4 });
        var scope = new ReplicationScope
        {
            Source = TestEngine.EndpointOf(source),
            SourceProject = project,
            Destination = TestEngine.EndpointOf(destinationProxy.Url, destination),
        };
        using var stop = new CancellationTokenSource();
        var first = new EventLog
        {
            // Stop as soon as the first blob has been copied and the first manifest pushed: work is in flight.
            OnEvent = e =>
            {
                if (e is ManifestPushed)
                {
                    stop.Cancel();
                }
            },
        };

        ReplicationRunResult stopped;
        await using (var watcher = new PartialImageWatcher(dst, project))
        {
            stopped = await engine.Runner.ReplicateAsync(scope, first, stop.Token);
            Assert.Empty(watcher.Violations);
        }

        Assert.Equal(RunOutcome.Stopped, stopped.Outcome);
        Assert.Contains(stopped.Tasks, t => t.Outcome == TaskOutcome.Cancelled);
        Assert.DoesNotContain(stopped.Tasks, t => t.Outcome == TaskOutcome.Failed);
        Assert.Equal(stopped.Tasks.Count, first.Of<TaskFinished>().Count);
        await DestinationAssert.NothingPartialAsync(dst, project);

        // What the results say was pushed is exactly what is at the destination: the caller's record stays true.
        var reported = stopped.Tasks.SelectMany(t => t.Replicated).Select(r => $"{r.Repository}:{r.Tag}").Order().ToList();
        var present = new List<string>();
        foreach (var image in images)
        {
            if (await dst.GetManifestDigestAsync(image.Repository, "v1") is not null)
            {
                present.Add($"{image.Repository}:v1");
            }
        }

        Assert.NotEmpty(reported);
        Assert.Equal(present.Order(), reported);

        // The second run copies what is left and no blob completed by the first run is streamed again.
        destinationProxy.ClearFaults();
        var second = new EventLog();
        var finished = await engine.Runner.ReplicateAsync(scope, second);

        Assert.Equal(RunOutcome.Succeeded, finished.Outcome);
        Assert.Equal(images.Count - reported.Count, finished.Count(TaskOutcome.Copied));

        // No layer the first run completed is streamed again. The configs may be: a repository the stop left without a
        // tag looks new to the next plan, and blobs that small go into a new repository without a HEAD.
        var small = first.Of<BlobFinished>().Concat(second.Of<BlobFinished>())
            .Where(b => b.Size <= BlobCopier.UnaskedBlobBytes).Select(b => b.Digest).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(first.CopiedBlobs.Intersect(second.CopiedBlobs).Except(small));
        foreach (var image in images)
        {
            await DestinationAssert.SameAsSourceAsync(src, image.Repository, dst, image.Repository, "v1");
        }

        // Counted at the registry: every layer was completed by exactly one upload over both runs.
        var completedUploads = destinationProxy.Matching(RequestMatch.UploadPut)
            .Where(e => e.StatusCode == 201 && !small.Any(d => e.Query.Contains(d["sha256:".Length..], StringComparison.Ordinal)))
            .Select(e => e.Query)
            .ToList();
        Assert.Equal(completedUploads.Distinct().Count(), completedUploads.Count);
    }

    [Fact]
    public async Task Cancelling_before_the_run_starts_copies_nothing()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        using var dst = new OciTestClient(destination);
        var project = TestEngine.NewProject();
        await src.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        using var engine = new TestEngine();
        var scope = TestEngine.Scope(source, project, destination);
        var plan = await engine.Planner.PlanAsync(scope);

        var result = await engine.Runner.RunAsync(scope, plan.ToTasks(), cancellationToken: new CancellationToken(canceled: true));

        Assert.Equal(RunOutcome.Stopped, result.Outcome);
        Assert.Equal(TaskOutcome.Cancelled, Assert.Single(result.Tasks).Outcome);
        Assert.Empty(await dst.ListTagsAsync($"{project}/app"));
    }
}
