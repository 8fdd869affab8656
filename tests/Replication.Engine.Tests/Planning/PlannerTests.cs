using Replication.Engine.Copying;
using Replication.Engine.Filters;
using Replication.Engine.Planning;
using Replication.Engine.Tests.Infrastructure;
using Replication.Registry;
using Replication.Testing.Faults;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Engine.Tests.Planning;

[Collection(RegistryFixture.Collection)]
public sealed class PlannerTests(RegistryFixture registries)
{
    [Fact]
    public async Task A_dry_run_reads_both_registries_and_changes_nothing()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        using var dst = new OciTestClient(destination);
        var project = TestEngine.NewProject();
        var v1 = await src.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        await src.PushIndexAsync($"{project}/app", "v2", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        await dst.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        await using var destinationProxy = await FaultProxy.StartAsync(destination);
        using var engine = new TestEngine();
        var scope = TestEngine.Scope(source, project, destination) with
        {
            Destination = TestEngine.EndpointOf(destinationProxy.Url, destination),
            ReplicateDeletions = true,
            Replicated = [new ReplicatedArtifact($"{project}/gone", "old", v1.Digest)],
        };
        var tagsBefore = await dst.ListTagsAsync($"{project}/app");

        var plan = await engine.Planner.PlanAsync(scope);

        Assert.Equal(["v1", "v2"], plan.Copy.Select(a => a.Tag));
        Assert.Equal("changed at the source", plan.Copy[0].Reason);
        Assert.Equal("new", plan.Copy[1].Reason);
        Assert.Equal(v1.Digest, plan.Copy[0].Digest);
        Assert.Equal("old", Assert.Single(plan.Delete).Tag);
        Assert.All(destinationProxy.Exchanges, e => Assert.True(e.Method is "GET" or "HEAD", $"the dry run sent {e.Method} {e.Path}"));
        Assert.NotEmpty(destinationProxy.Exchanges);
        Assert.Equal(tagsBefore, await dst.ListTagsAsync($"{project}/app"));
    }

    [Fact]
    public async Task With_override_off_a_changed_tag_is_left_alone_and_reported()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        using var dst = new OciTestClient(destination);
        var project = TestEngine.NewProject();
        await src.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        var theirs = await dst.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        using var engine = new TestEngine();
        var scope = TestEngine.Scope(source, project, destination) with { Override = false };

        var plan = await engine.Planner.PlanAsync(scope);
        // Run a copy task anyway (as a retry of an older plan would): the runner re-checks and leaves it alone too.
        var forced = await engine.Runner.RunAsync(scope, [ReplicationTask.Copy(plan.Skipped[0])]);

        var skipped = Assert.Single(plan.Skipped);
        Assert.Contains("override is off", skipped.Reason, StringComparison.Ordinal);
        Assert.Empty(plan.Copy);
        Assert.Equal(TaskOutcome.Skipped, Assert.Single(forced.Tasks).Outcome);
        Assert.Empty(forced.Tasks[0].Replicated);
        Assert.Equal(theirs.Digest, await dst.GetManifestDigestAsync($"{project}/app", "v1"));

        var overriding = await engine.Runner.ReplicateAsync(scope with { Override = true });
        Assert.Equal(TaskOutcome.Copied, Assert.Single(overriding.Tasks).Outcome);
        await DestinationAssert.SameAsSourceAsync(src, $"{project}/app", dst, $"{project}/app", "v1");
    }

    [Fact]
    public async Task The_preview_counts_what_the_filters_select_and_names_the_first_ones()
    {
        var source = await registries.AnonymousAsync();
        using var src = new OciTestClient(source);
        var project = TestEngine.NewProject();
        var spec = ImageSpec.WithLayers(Random.Shared.Next(), 512);
        await src.PushTagsAsync($"{project}/web", ["v1", "v2", "v3", "dev"], spec);
        await src.PushTagsAsync($"{project}/api", ["v1", "latest"], spec);
        await src.PushTagsAsync($"{project}/sub/db", ["v9"], spec);
        await src.PushTagsAsync($"{project}/legacy", ["v1"], spec);
        await src.PushTagsAsync($"{project}/docs", ["latest"], spec);
        using var engine = new TestEngine();
        var filter = new ImageFilter { ExcludeRepositories = ["legacy"], IncludeTags = ["v*"] };

        var preview = await engine.Planner.PreviewAsync(TestEngine.EndpointOf(source), project, filter, sampleSize: 2);

        Assert.Equal(3, preview.RepositoryCount);
        Assert.Equal(5, preview.TagCount);
        Assert.Collection(
            preview.Repositories,
            r => Assert.Equal(($"{project}/api", 1, "v1"), (r.Repository, r.TagCount, string.Join(",", r.Tags))),
            r => Assert.Equal(($"{project}/sub/db", 1, "v9"), (r.Repository, r.TagCount, string.Join(",", r.Tags))));
    }

    [Fact]
    public async Task Explicit_repositories_replace_a_refused_catalog()
    {
        await using var source = await RegistryFixture.StartDedicatedAsync(new RegistryOptions
        {
            Auth = RegistryAuthMode.Token,
            Users = [new RegistryUser("pusher", "pusher-password"), RegistryUser.PullOnly("reader")],
        });
        var destination = await registries.AnonymousAsync();
        using var src = new OciTestClient(source);
        var project = TestEngine.NewProject();
        await src.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 512));
        var reader = source.Users[1];
        using var engine = new TestEngine();
        var scope = new ReplicationScope
        {
            Source = new RegistryEndpoint { BaseUrl = new Uri(source.Url), Credential = RegistryCredential.Basic(reader.Name, reader.Password) },
            SourceProject = project,
            Destination = TestEngine.EndpointOf(destination),
        };

        var refused = await Assert.ThrowsAsync<ReplicationException>(() => engine.Planner.PlanAsync(scope));
        var plan = await engine.Planner.PlanAsync(scope with { Filter = new ImageFilter { ExplicitRepositories = ["app", "missing"] } });

        Assert.Contains("Name the repositories explicitly", refused.Message, StringComparison.Ordinal);
        Assert.False(refused.IsTransient);
        Assert.Equal($"{project}/app:v1", Assert.Single(plan.Copy).SourceReference);
    }

    [Fact]
    public async Task Source_events_plan_just_the_artifact_they_name()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        var project = TestEngine.NewProject();
        var repository = $"{project}/app";
        var v1 = await src.PushImageAsync(repository, "v1", ImageSpec.WithLayers(Random.Shared.Next(), 512));
        await src.PushImageAsync(repository, "v2", ImageSpec.WithLayers(Random.Shared.Next(), 512));
        await src.PushImageAsync(repository, "dev", ImageSpec.WithLayers(Random.Shared.Next(), 512));
        using var engine = new TestEngine();
        var scope = TestEngine.Scope(source, project, destination, filter: new ImageFilter { IncludeTags = ["v*"] }) with { ReplicateDeletions = true };

        var pushed = await engine.Planner.PlanChangeAsync(scope, new SourceChange(SourceChangeKind.Pushed, repository, "v1", v1.Digest));
        var filteredOut = await engine.Planner.PlanChangeAsync(scope, new SourceChange(SourceChangeKind.Pushed, repository, "dev", null));
        var otherProject = await engine.Planner.PlanChangeAsync(scope, new SourceChange(SourceChangeKind.Pushed, "elsewhere/app", "v1", null));
        var byDigest = await engine.Planner.PlanChangeAsync(scope, new SourceChange(SourceChangeKind.Pushed, repository, null, v1.Digest));

        var copy = Assert.Single(pushed.Copy);
        Assert.Equal(($"{repository}:v1", v1.Digest, (IReadOnlyList<string>?)null), (copy.SourceReference, copy.Digest, copy.ReferrerTags));
        Assert.Empty(filteredOut.Copy);
        Assert.Empty(otherProject.Copy);
        Assert.Empty(byDigest.Copy);

        // Replicate it, sign it, delete it: the signature follows, the deletion takes only what was recorded.
        var run = await engine.Runner.RunAsync(scope, pushed.ToTasks());
        var record = run.Tasks.SelectMany(t => t.Replicated).ToList();
        var signature = await src.PushCosignTagAsync(v1, "sig");
        var signed = await engine.Planner.PlanChangeAsync(scope, new SourceChange(SourceChangeKind.Pushed, repository, signature.Tag, signature.Digest));
        Assert.Equal((signature.Tag, ArtifactKind.Referrer), (Assert.Single(signed.Copy).Tag, signed.Copy[0].Kind));

        await src.DeleteManifestAsync(repository, v1.Digest);
        var deleted = await engine.Planner.PlanChangeAsync(scope with { Replicated = record }, new SourceChange(SourceChangeKind.Deleted, repository, null, v1.Digest));
        var notOurs = await engine.Planner.PlanChangeAsync(scope with { Replicated = record }, new SourceChange(SourceChangeKind.Deleted, repository, "v2", null));
        Assert.Equal($"{repository}:v1", Assert.Single(deleted.Delete).DestinationReference);
        Assert.Empty(notOurs.Delete);
    }

    [Fact]
    public async Task An_invalid_scope_is_refused_before_any_request()
    {
        using var engine = new TestEngine();
        var endpoint = new RegistryEndpoint { BaseUrl = new Uri("http://127.0.0.1:1") };
        var scope = new ReplicationScope
        {
            Source = endpoint,
            SourceProject = "team",
            Destination = endpoint,
            Filter = new ImageFilter { IncludeTags = ["v1/x"] },
        };

        var problems = scope.Validate();

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Contains("tags cannot contain '/'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("onto themselves", StringComparison.Ordinal));
        await Assert.ThrowsAsync<ArgumentException>(() => engine.Planner.PlanAsync(scope));
        await Assert.ThrowsAsync<ArgumentException>(() => engine.Runner.RunAsync(scope, []));
    }
}
