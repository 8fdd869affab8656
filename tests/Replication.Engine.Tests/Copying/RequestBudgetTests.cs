using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Replication.Engine.Copying;
using Replication.Engine.Filters;
using Replication.Engine.Tests.Infrastructure;
using Replication.Testing.Faults;
using Replication.Testing.Images;
using Replication.Testing.Registries;
using Xunit.Abstractions;

namespace Replication.Engine.Tests.Copying;

/// <summary>
/// What a cold copy asks the registries, counted by kind through a recording proxy in front of each: every question
/// asked once, none that the plan or the run already answered. The corpus: 5 repositories × 3 tags sharing a base
/// layer, one tag a two-platform index, one image with a cosign <c>.sig</c> tag; the rule copies tags <c>v*</c>.
/// </summary>
[Collection(RegistryFixture.Collection)]
public sealed class RequestBudgetTests(RegistryFixture registries, ITestOutputHelper output)
{
    private const int TagCount = 15;

    private static readonly string[] Tags = ["v1", "v2", "v3"];

    [Fact]
    public async Task A_cold_copy_asks_each_question_once()
    {
        var corpus = await Corpus.PushAsync(await registries.AnonymousAsync());
        var destination = await registries.BasicAsync();
        await using var sourceProxy = await FaultProxy.StartAsync(corpus.Registry);
        await using var destinationProxy = await FaultProxy.StartAsync(destination);
        using var engine = new TestEngine();
        var scope = corpus.Scope(sourceProxy, destination, destinationProxy);

        var plan = await engine.Planner.PlanAsync(scope);
        var result = await engine.Runner.RunAsync(scope, plan.ToTasks());

        var (src, dst) = Count(sourceProxy, destinationProxy, "cold copy of the plan's tasks");
        Assert.Equal(RunOutcome.Succeeded, result.Outcome);
        Assert.Equal(TagCount, result.Count(TaskOutcome.Copied));
        await corpus.AssertCopiedAsync(destination);

        // Planning: one tag listing per repository at each end. Every tag is missing at the destination, so the plan
        // reads each source manifest (its digest, for the plan) instead of a HEAD, and the copy uses what it read.
        Assert.Equal(5, src["GET tags/list"]);
        Assert.Equal(0, src["HEAD manifest :tag"]);

        // The rule has no record at the destination: one listing per repository says no tag is there, so no tag is
        // HEADed, and the plan's answer stands in for a HEAD before the copy. The signature tag, listed by the plan but
        // not HEADed, is checked once when it follows its image.
        Assert.Equal(5, dst["GET tags/list"]);
        Assert.Equal(0, dst["HEAD manifest :tag"]);
        Assert.Equal(1, dst["HEAD manifest :attachment-tag"]);
        Assert.All(HeadsOfManifests(dst), p => Assert.True(p.Value == 1, $"{p.Key} sent {p.Value} times"));

        // distribution 2.8 has no referrers API: asked once, then the plan's tag listing says what hangs off each image,
        // so neither the API nor a sha256-<hex> / .sig / .att / .sbom tag is asked about again.
        Assert.Equal(1, src["GET referrers"]);
        Assert.Equal(0, src["HEAD manifest :attachment-tag"]);

        AssertTransfersOnce(corpus, src, dst, planned: true);
    }

    [Fact]
    public async Task A_warm_run_heads_each_source_tag_and_checks_the_record_at_the_destination_on_a_sample()
    {
        var corpus = await Corpus.PushAsync(await registries.AnonymousAsync());
        var destination = await registries.BasicAsync();
        await using var sourceProxy = await FaultProxy.StartAsync(corpus.Registry);
        await using var destinationProxy = await FaultProxy.StartAsync(destination);
        using var engine = new TestEngine();
        var scope = corpus.Scope(sourceProxy, destination, destinationProxy);
        var cold = await engine.Runner.RunAsync(scope, (await engine.Planner.PlanAsync(scope)).ToTasks());
        Assert.Equal(TagCount, cold.Count(TaskOutcome.Copied));

        // The record of what the rule pushed, as the app keeps it, minus one repository (as if pushed by another rule).
        var unrecorded = corpus.Repositories[4];
        var record = cold.Tasks.SelectMany(t => t.Replicated).Where(r => r.Repository != unrecorded).ToList();
        sourceProxy.ClearExchanges();
        destinationProxy.ClearExchanges();

        var warm = await engine.Planner.PlanAsync(scope with { Replicated = record });

        var (src, dst) = Count(sourceProxy, destinationProxy, "warm plan");
        Assert.Empty(warm.Copy);
        Assert.Equal(TagCount, warm.UpToDate.Count(a => a.Kind == Replication.Engine.Planning.ArtifactKind.Image));
        Assert.Equal(TagCount, src["HEAD manifest :tag"]);

        // Each destination repository is listed once. Where the listing shows a tag the record says the rule pushed,
        // the record stands in for a HEAD, checked on one tag per repository (10 % of 3, at least one); the repository
        // without a record has each of its tags HEADed. The signature tag, recorded too, is its repository's only one.
        Assert.Equal(5, dst["GET tags/list"]);
        Assert.Equal(3 + 4, dst["HEAD manifest :tag"]);
        Assert.Equal(1, dst["HEAD manifest :attachment-tag"]);
        Assert.Equal(3, destinationProxy.Count(RequestMatch.ManifestHead.In(unrecorded)));
    }

    [Fact]
    public async Task Tasks_rebuilt_from_storage_list_each_repository_once_instead_of_probing_referrer_tags()
    {
        var corpus = await Corpus.PushAsync(await registries.AnonymousAsync());
        var destination = await registries.BasicAsync();
        await using var sourceProxy = await FaultProxy.StartAsync(corpus.Registry);
        await using var destinationProxy = await FaultProxy.StartAsync(destination);
        using var engine = new TestEngine();
        var scope = corpus.Scope(sourceProxy, destination, destinationProxy);
        var plan = await engine.Planner.PlanAsync(scope);

        // What the app keeps of a task between planning and running (ExecutionTask.ToEngineTask): no referrer tags,
        // no planned destination.
        var stored = plan.ToTasks().Select(t => new ReplicationTask
        {
            Id = t.Id,
            Operation = t.Operation,
            SourceRepository = t.SourceRepository,
            DestinationRepository = t.DestinationRepository,
            Tag = t.Tag,
            Digest = t.Digest,
            Kind = t.Kind,
        }).ToList();
        var result = await engine.Runner.RunAsync(scope, stored);

        var (src, dst) = Count(sourceProxy, destinationProxy, "cold copy of tasks rebuilt from storage");
        Assert.Equal(RunOutcome.Succeeded, result.Outcome);
        Assert.Equal(TagCount, result.Count(TaskOutcome.Copied));
        await corpus.AssertCopiedAsync(destination);

        // Referrer tags come from one more tag listing per repository, not from four HEADs per image.
        Assert.Equal(5 + 5, src["GET tags/list"]);
        Assert.Equal(0, src["HEAD manifest :attachment-tag"]);
        Assert.Equal(1, src["GET referrers"]);

        // Without the plan's answer the copier HEADs each destination tag itself before copying (the plan listed them).
        Assert.Equal(TagCount, dst["HEAD manifest :tag"]);
        Assert.Equal(1, dst["HEAD manifest :attachment-tag"]);
        AssertTransfersOnce(corpus, src, dst, planned: false);
    }

    [Fact]
    public async Task With_override_off_a_tag_pushed_at_the_destination_since_planning_is_left_alone()
    {
        var corpus = await Corpus.PushAsync(await registries.AnonymousAsync());
        var destination = await registries.BasicAsync();
        await using var sourceProxy = await FaultProxy.StartAsync(corpus.Registry);
        await using var destinationProxy = await FaultProxy.StartAsync(destination);
        using var engine = new TestEngine();
        var scope = corpus.Scope(sourceProxy, destination, destinationProxy) with { Override = false };
        var plan = await engine.Planner.PlanAsync(scope);
        Assert.Equal(TagCount, plan.Copy.Count);

        // Someone pushes their own image under a planned tag after the plan saw it absent.
        using var dst = new OciTestClient(destination);
        var repository = corpus.Repositories[2];
        var theirs = await dst.PushImageAsync(repository, "v1", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        destinationProxy.ClearExchanges();

        var result = await engine.Runner.RunAsync(scope, plan.ToTasks());

        Assert.Equal(RunOutcome.Succeeded, result.Outcome);
        var skipped = Assert.Single(result.Tasks, t => t.Outcome == TaskOutcome.Skipped);
        Assert.Equal($"{repository}:v1", skipped.Task.DestinationReference);
        Assert.Equal(theirs.Digest, await dst.GetManifestDigestAsync(repository, "v1"));
        Assert.Equal(TagCount - 1, result.Count(TaskOutcome.Copied));

        // The price of that safety: with override off, each tag is HEADed again just before its copy.
        Assert.Equal(TagCount, new RequestBreakdown(destinationProxy.Exchanges)["HEAD manifest :tag"]);
    }

    [Fact]
    public async Task A_retried_task_asks_the_destination_again_and_does_not_push_its_tag_twice()
    {
        var registry = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(registry);
        using var dst = new OciTestClient(destination);
        var project = TestEngine.NewProject();
        var repository = $"{project}/app";
        var image = await src.PushImageAsync(repository, "v1", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        var signature = await src.PushCosignTagAsync(image, "sig");
        await using var sourceProxy = await FaultProxy.StartAsync(registry);
        await using var destinationProxy = await FaultProxy.StartAsync(destination);

        // The signature cannot be read during the first attempt, after the image's own tag was pushed.
        sourceProxy.FailWith(RequestMatch.Of("GET", $"^/v2/{repository}/manifests/{signature.Tag}$"), times: 2);
        using var engine = new TestEngine(clientOptions: new() { MaxAttempts = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(10) });
        var scope = TestEngine.Scope(registry, project, destination, filter: new ImageFilter { IncludeTags = ["v*"] }) with
        {
            Source = TestEngine.EndpointOf(sourceProxy.Url, registry),
            Destination = TestEngine.EndpointOf(destinationProxy.Url, destination),
        };

        var result = await engine.Runner.ReplicateAsync(scope);

        Assert.Equal(0, sourceProxy.PendingFaults);
        var task = Assert.Single(result.Tasks);
        Assert.Equal((TaskOutcome.UpToDate, 2), (task.Outcome, task.Attempts));
        Assert.Equal(new[] { "v1", signature.Tag! }.Order(StringComparer.Ordinal), task.Replicated.Select(r => r.Tag).Order(StringComparer.Ordinal));
        await DestinationAssert.SameAsSourceAsync(src, repository, dst, repository, signature.Tag!);

        // The plan's listing (no tag there yet), then the retry's own HEAD: the first attempt had pushed the tag, so the
        // retry does not push it again.
        var tagPath = $"/v2/{repository}/manifests/v1";
        var requests = new RequestBreakdown(destinationProxy.Exchanges);
        Assert.Equal(1, requests["GET tags/list"]);
        Assert.Equal(1, requests.ByPath.GetValueOrDefault($"HEAD {tagPath}"));
        Assert.Equal(1, requests.ByPath.GetValueOrDefault($"PUT {tagPath}"));
    }

    [Fact]
    public async Task A_new_tag_whose_manifest_the_plan_cannot_read_is_planned_by_a_head_and_copied()
    {
        var registry = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(registry);
        var project = TestEngine.NewProject();
        var repository = $"{project}/app";
        await src.PushImageAsync(repository, "v1", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        await src.PushImageAsync(repository, "v2", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        await using var sourceProxy = await FaultProxy.StartAsync(registry);
        var v2 = RequestMatch.Of("GET", $"^/v2/{repository}/manifests/v2$");
        sourceProxy.FailWith(v2, times: 1, status: System.Net.HttpStatusCode.Forbidden);
        using var engine = new TestEngine();
        var scope = TestEngine.Scope(registry, sourceProxy, project, destination);

        var plan = await engine.Planner.PlanAsync(scope);
        var result = await engine.Runner.RunAsync(scope, plan.ToTasks());

        // The refused read fell back to a HEAD; the copy read the tag itself.
        Assert.Equal(["v1", "v2"], plan.Copy.Select(a => a.Tag));
        Assert.Equal(RunOutcome.Succeeded, result.Outcome);
        Assert.Equal(2, result.Count(TaskOutcome.Copied));
        Assert.Equal([403, 200], sourceProxy.Matching(v2).Select(e => e.StatusCode));
        Assert.Single(sourceProxy.Matching(RequestMatch.Of("HEAD", $"^/v2/{repository}/manifests/v2$")));
        using var dst = new OciTestClient(destination);
        await DestinationAssert.SameAsSourceAsync(src, repository, dst, repository, "v2");
    }

    [Fact]
    public async Task A_source_failing_to_answer_a_read_is_not_asked_again_by_a_head()
    {
        var registry = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(registry);
        var project = TestEngine.NewProject();
        var repository = $"{project}/app";
        await src.PushImageAsync(repository, "v1", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        await using var sourceProxy = await FaultProxy.StartAsync(registry);
        var v1 = RequestMatch.Of("GET", $"^/v2/{repository}/manifests/v1$");
        sourceProxy.FailWith(v1, times: int.MaxValue);
        using var engine = new TestEngine(
            new ReplicationOptions { MaxTaskAttempts = 1 },
            new() { MaxAttempts = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(10) });
        var scope = TestEngine.Scope(registry, sourceProxy, project, destination);

        var failure = await Assert.ThrowsAsync<ReplicationException>(() => engine.Planner.PlanAsync(scope));

        // The client's own retries of the 503, then the plan fails as a HEAD would have: no second round through a HEAD.
        Assert.True(failure.IsTransient);
        Assert.Equal(2, sourceProxy.Matching(v1).Count);
        Assert.Empty(sourceProxy.Matching(RequestMatch.Of("HEAD", $"^/v2/{repository}/manifests/v1$")));
    }

    [Fact]
    public async Task A_source_with_the_referrers_API_is_asked_about_every_image_and_referrer()
    {
        var registry = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(registry);
        using var dst = new OciTestClient(destination);
        var project = TestEngine.NewProject();
        var repository = $"{project}/app";
        var image = await src.PushImageAsync(repository, "v1", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        await src.PushImageAsync(repository, "v2", ImageSpec.WithLayers(Random.Shared.Next(), 1024));

        // Referrers pushed by digest only, as against a registry with the API: no sha256-<hex> tag lists them.
        await using var front = await ReferrersApiFront.StartAsync(registry.Url);
        var sbom = await PushApiReferrerAsync(src, front, repository, image.Descriptor, "application/vnd.example.sbom.v1+json");
        var sbomSignature = await PushApiReferrerAsync(src, front, repository, sbom, "application/vnd.example.signature.v1+json");
        await using var sourceProxy = await FaultProxy.StartAsync(front.Url);
        using var engine = new TestEngine();
        var scope = TestEngine.Scope(registry, project, destination, filter: new ImageFilter { IncludeTags = ["v*"] }) with
        {
            Source = TestEngine.EndpointOf(sourceProxy.Url, registry),
        };

        var result = await engine.Runner.ReplicateAsync(scope);

        Assert.Equal(RunOutcome.Succeeded, result.Outcome);
        await DestinationAssert.SameAsSourceAsync(src, repository, dst, repository, "v1");
        await DestinationAssert.CompleteAsync(dst, repository, sbom.Digest);
        await DestinationAssert.CompleteAsync(dst, repository, sbomSignature.Digest);

        // The API was asked about both images and about the SBOM (whose signature it found), and answered each time.
        var referrers = sourceProxy.Matching(RequestMatch.Of("GET", "/referrers/"));
        output.WriteLine(string.Join("\n", referrers.Select(e => $"{e.StatusCode} {e.Path}")));
        Assert.Equal(3, referrers.Count);
        Assert.All(referrers, e => Assert.Equal(200, e.StatusCode));
        Assert.Contains(referrers, e => e.Path.EndsWith(sbom.Digest, StringComparison.Ordinal));
        Assert.Equal(0, new RequestBreakdown(sourceProxy.Exchanges)["GET manifest :attachment-tag"]);
    }

    private static IEnumerable<KeyValuePair<string, int>> HeadsOfManifests(RequestBreakdown breakdown) =>
        breakdown.ByPath.Where(p => p.Key.StartsWith("HEAD ", StringComparison.Ordinal) && p.Key.Contains("/manifests/", StringComparison.Ordinal));

    /// <summary>
    /// Manifests pushed once each, and read once each by the plan's tasks (the plan's read, again by the runner for
    /// tasks rebuilt from storage); blobs read once, uploaded once, mounted elsewhere, and HEADed once where they first
    /// land only for stored tasks: the plan's tasks know that no repository existed, and the corpus's blobs are small.
    /// </summary>
    private static void AssertTransfersOnce(Corpus corpus, RequestBreakdown src, RequestBreakdown dst, bool planned)
    {
        Assert.Equal(planned ? TagCount : 2 * TagCount, src["GET manifest :tag"]);
        Assert.Equal(1, src["GET manifest :attachment-tag"]);
        Assert.Equal(2, src["GET manifest @digest"]);
        Assert.Equal(2, dst["HEAD manifest @digest"]);
        Assert.Equal(TagCount + 1, dst["PUT manifest :tag"] + dst["PUT manifest :attachment-tag"]);
        Assert.Equal(2, dst["PUT manifest @digest"]);

        Assert.Equal(corpus.BlobCount, src["GET blob"]);
        Assert.All(src.ByPath.Where(p => p.Key.StartsWith("GET ", StringComparison.Ordinal) && p.Key.Contains("/blobs/", StringComparison.Ordinal)), p => Assert.Equal(1, p.Value));
        Assert.Equal(planned ? 0 : corpus.BlobCount, dst["HEAD blob"]);
        Assert.Equal(corpus.BlobCount, dst["POST upload"]);
        Assert.Equal(corpus.BlobCount, dst["PUT upload"]);
        Assert.Equal(corpus.Repositories.Count - 1, dst["POST mount"]);
    }

    private static async Task<Descriptor> PushApiReferrerAsync(OciTestClient client, ReferrersApiFront front, string repository, Descriptor subject, string artifactType)
    {
        var config = await client.PushBlobAsync(repository, "{}"u8.ToArray(), MediaTypes.OciEmpty);
        var layer = await client.PushBlobAsync(repository, Encoding.UTF8.GetBytes($"{artifactType} of {subject.Digest}"), artifactType);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            mediaType = MediaTypes.OciManifest,
            artifactType,
            config = new { mediaType = config.MediaType, digest = config.Digest, size = config.Size },
            layers = new[] { new { mediaType = layer.MediaType, digest = layer.Digest, size = layer.Size } },
            subject = new { mediaType = subject.MediaType, digest = subject.Digest, size = subject.Size },
        });
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        await client.PushManifestAsync(repository, digest, bytes, MediaTypes.OciManifest);
        front.AddReferrer(repository, subject.Digest, digest, bytes.Length, artifactType);
        return new Descriptor(MediaTypes.OciManifest, digest, bytes.Length);
    }

    private (RequestBreakdown Source, RequestBreakdown Destination) Count(FaultProxy sourceProxy, FaultProxy destinationProxy, string what)
    {
        var source = new RequestBreakdown(sourceProxy.Exchanges);
        var destination = new RequestBreakdown(destinationProxy.Exchanges);
        output.WriteLine($"Requests of a {what}:");
        output.WriteLine(RequestBreakdown.Table(source, destination));
        return (source, destination);
    }

    /// <summary>The pushed corpus: 5 repositories × v1..v3 with a shared base layer, app-0:v3 an index, app-1:v1 signed.</summary>
    private sealed record Corpus(RegistryProcess Registry, string Project, IReadOnlyList<string> Repositories, IReadOnlyList<PushedManifest> Tagged, PushedImage Signature)
    {
        public int BlobCount => Tagged.Append(Signature).SelectMany(m => m.BlobDigests).Distinct().Count();

        public static async Task<Corpus> PushAsync(RegistryProcess registry)
        {
            using var src = new OciTestClient(registry);
            var project = TestEngine.NewProject();
            var seed = Random.Shared.Next(1, 1 << 20) * 1000L;
            var baseLayer = SeededBlob.Layer(seed, 4096);
            var repositories = Enumerable.Range(0, 5).Select(i => $"{project}/app-{i}").ToList();
            var tagged = new List<PushedManifest>();
            foreach (var (repository, r) in repositories.Select((name, r) => (name, r)))
            {
                foreach (var (tag, t) in Tags.Select((tag, t) => (tag, t)))
                {
                    var spec = new ImageSpec { Layers = [baseLayer, SeededBlob.Layer(seed + 1 + (10 * r) + t, 1024)], Label = $"{repository}-{tag}" };
                    tagged.Add(r == 0 && tag == "v3"
                        ? await src.PushIndexAsync(repository, tag, spec)
                        : await src.PushImageAsync(repository, tag, spec));
                }
            }

            var signature = await src.PushCosignTagAsync(tagged.Single(m => m.Repository == repositories[1] && m.Tag == "v1"), "sig");
            return new Corpus(registry, project, repositories, tagged, signature);
        }

        public ReplicationScope Scope(FaultProxy sourceProxy, RegistryProcess destination, FaultProxy destinationProxy) =>
            TestEngine.Scope(Registry, Project, destination, filter: new ImageFilter { IncludeTags = ["v*"] }) with
            {
                Source = TestEngine.EndpointOf(sourceProxy.Url, Registry),
                Destination = TestEngine.EndpointOf(destinationProxy.Url, destination),
            };

        public async Task AssertCopiedAsync(RegistryProcess destination)
        {
            using var src = new OciTestClient(Registry);
            using var dst = new OciTestClient(destination);
            foreach (var manifest in Tagged.Append(Signature))
            {
                await DestinationAssert.SameAsSourceAsync(src, manifest.Repository, dst, manifest.Repository, manifest.Tag!);
            }
        }
    }
}
