using Replication.Engine.Copying;
using Replication.Engine.Progress;
using Replication.Engine.Tests.Infrastructure;
using Replication.Testing.Faults;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Engine.Tests.Copying;

/// <summary>
/// A run with more copies than <see cref="ReplicationOptions.MaxSizedAhead"/> reads their source manifests a window
/// ahead of the copying instead of all before it starts: each manifest still read once, the byte total growing to the
/// full one, which <see cref="RunSized"/> announces.
/// </summary>
[Collection(RegistryFixture.Collection)]
public sealed class SizingWindowTests(RegistryFixture registries)
{
    private const int Window = 2;

    [Fact]
    public async Task A_run_larger_than_the_window_sizes_ahead_of_the_copying_reads_each_manifest_once_and_ends_with_the_full_total()
    {
        await using var corpus = await Corpus.PushAsync(registries, 6);
        var (scope, proxy, images) = (corpus.Scope, corpus.Proxy, corpus.Images);
        using var engine = new TestEngine(new ReplicationOptions { MaxSizedAhead = Window, MaxParallelArtifacts = 1 });

        // Each copy start, with the source manifests read by then: the reads may lead the copies by the window, no more.
        var readsAtStart = new List<(ReplicationEvent Event, int Reads)>();
        var events = new EventLog
        {
            OnEvent = e =>
            {
                if (e is RunStarted or TaskStarted)
                {
                    lock (readsAtStart)
                    {
                        readsAtStart.Add((e, proxy.Count(RequestMatch.ManifestGet)));
                    }
                }
            },
        };
        var result = await engine.Runner.RunAsync(scope, RebuiltTasks(images), events);

        Assert.Equal(RunOutcome.Succeeded, result.Outcome);
        Assert.All(result.Tasks, t => Assert.Equal(TaskOutcome.Copied, t.Outcome));
        using (var src = new OciTestClient(corpus.Source))
        using (var dst = new OciTestClient(corpus.Destination))
        {
            foreach (var image in images)
            {
                await DestinationAssert.SameAsSourceAsync(src, image.Repository, dst, image.Repository, image.Tag!);
            }
        }

        // Started once the first window was sized, with the total of that window only.
        var started = Assert.Single(events.Of<RunStarted>());
        Assert.False(started.BytesTotalFinal);
        Assert.Equal(images.Take(Window).Sum(BlobBytes), started.BytesTotal);

        // Copy k (0-based) starts after k + 1 copies were taken, so at most k + 1 + window manifests can have been read.
        var copyStarts = readsAtStart.Skip(1).ToList();
        Assert.Equal(images.Count, copyStarts.Count);
        for (var k = 0; k < copyStarts.Count; k++)
        {
            Assert.True(copyStarts[k].Reads <= k + 1 + Window, $"copy {k} started with {copyStarts[k].Reads} manifests read");
        }

        // Every manifest read once, by the sizing or by its copy; the final total announced and reached.
        Assert.Equal(images.Count, proxy.Count(RequestMatch.ManifestGet));
        var sized = Assert.Single(events.Of<RunSized>());
        Assert.Equal(images.Sum(BlobBytes), sized.BytesTotal);
        Assert.Equal(sized.BytesTotal, result.Tasks.Sum(t => t.BytesTotal));
        Assert.Equal(sized.BytesTotal, events.Of<BytesTransferred>()[^1].RunBytesDone);
    }

    [Fact]
    public async Task A_tag_the_sizing_cannot_read_fails_on_its_own_and_the_run_goes_on()
    {
        await using var corpus = await Corpus.PushAsync(registries, 4);
        var (scope, images) = (corpus.Scope, corpus.Images);
        using var engine = new TestEngine(new ReplicationOptions { MaxSizedAhead = 1, MaxParallelArtifacts = 2, MaxTaskAttempts = 1 });
        var tasks = RebuiltTasks(images).ToList();
        tasks.Insert(2, tasks[0] with { Id = "gone", Tag = "gone" });

        var result = await engine.Runner.RunAsync(scope, tasks, new EventLog());

        Assert.Equal(RunOutcome.PartiallyFailed, result.Outcome);
        Assert.Equal(TaskOutcome.Failed, result.Tasks.Single(t => t.TaskId == "gone").Outcome);
        Assert.Equal(images.Count, result.Count(TaskOutcome.Copied));
    }

    [Fact]
    public async Task A_stop_while_later_copies_wait_to_be_sized_ends_the_run_as_stopped()
    {
        await using var corpus = await Corpus.PushAsync(registries, 5);
        var (scope, images) = (corpus.Scope, corpus.Images);
        using var engine = new TestEngine(new ReplicationOptions { MaxSizedAhead = 1, MaxParallelArtifacts = 1 });
        using var stop = new CancellationTokenSource();
        var events = new EventLog
        {
            OnEvent = e =>
            {
                if (e is TaskFinished)
                {
                    stop.Cancel();
                }
            },
        };

        var result = await engine.Runner.RunAsync(scope, RebuiltTasks(images), events, stop.Token).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(RunOutcome.Stopped, result.Outcome);
        Assert.Equal(1, result.Count(TaskOutcome.Copied));
        Assert.Equal(images.Count - 1, result.Count(TaskOutcome.Cancelled));
        Assert.Empty(events.Of<RunSized>());
    }

    /// <summary>Images of distinct blobs in one repository, and a scope that reads the source through a counting proxy.</summary>
    private sealed record Corpus(RegistryProcess Source, RegistryProcess Destination, FaultProxy Proxy, ReplicationScope Scope, List<PushedImage> Images) : IAsyncDisposable
    {
        public static async Task<Corpus> PushAsync(RegistryFixture registries, int count)
        {
            var source = await registries.AnonymousAsync();
            var destination = await registries.BasicAsync();
            using var src = new OciTestClient(source);
            var project = TestEngine.NewProject();
            var images = new List<PushedImage>();
            for (var i = 0; i < count; i++)
            {
                images.Add(await src.PushImageAsync($"{project}/app", $"v{i}", ImageSpec.WithLayers(Random.Shared.Next(), 1024 + i, 512)));
            }

            var proxy = await FaultProxy.StartAsync(source);
            var scope = TestEngine.Scope(source, proxy, project, destination);
            return new Corpus(source, destination, proxy, scope, images);
        }

        public ValueTask DisposeAsync() => Proxy.DisposeAsync();
    }

    /// <summary>Copies as the app rebuilds them from storage: no manifest read by a plan, so the run reads each itself.</summary>
    private static IReadOnlyList<ReplicationTask> RebuiltTasks(IEnumerable<PushedImage> images) =>
        [.. images.Select(image => new ReplicationTask
        {
            Id = image.Tag!,
            Operation = TaskOperation.Copy,
            SourceRepository = image.Repository,
            DestinationRepository = image.Repository,
            Tag = image.Tag!,
        })];

    private static long BlobBytes(PushedImage image) => image.TotalSize - image.Bytes.Length;
}
