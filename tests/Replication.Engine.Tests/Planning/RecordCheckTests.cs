using Replication.Engine.Copying;
using Replication.Engine.Tests.Infrastructure;
using Replication.Testing.Faults;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Engine.Tests.Planning;

/// <summary>
/// A warm plan takes a destination tag's digest from the rule's record where the destination listing shows the tag,
/// and checks the record on a sample: what changed at the destination behind the rule's back is still found.
/// </summary>
[Collection(RegistryFixture.Collection)]
public sealed class RecordCheckTests(RegistryFixture registries)
{
    private static readonly string[] Tags = ["v1", "v2", "v3", "v4"];

    [Fact]
    public async Task Tags_pushed_over_at_the_destination_are_found_by_the_sample_and_copied_again()
    {
        await using var replicated = await ReplicatedAsync();
        var (engine, scope, record, dst, destinationProxy, project) = replicated;
        foreach (var tag in Tags)
        {
            await dst.PushImageAsync($"{project}/app", tag, ImageSpec.WithLayers(Random.Shared.Next(), 512));
        }

        destinationProxy.ClearExchanges();
        var plan = await engine.Planner.PlanAsync(scope with { Replicated = record });

        // The sample in app holds another digest, so every tag of app is HEADed; other keeps to its sample of one.
        Assert.Equal(Tags.Select(t => $"{project}/app:{t}"), plan.Copy.Select(a => a.DestinationReference));
        Assert.All(plan.Copy, a => Assert.StartsWith("pushed over at the destination", a.Reason, StringComparison.Ordinal));
        Assert.Equal(Tags.Length, plan.UpToDate.Count);
        Assert.Equal(Tags.Length, destinationProxy.Count(RequestMatch.ManifestHead.In($"{project}/app")));
        Assert.Equal(1, destinationProxy.Count(RequestMatch.ManifestHead.In($"{project}/other")));

        var run = await engine.Runner.RunAsync(scope, plan.ToTasks());
        Assert.Equal(Tags.Length, run.Count(TaskOutcome.Copied));
        using var src = new OciTestClient(await registries.AnonymousAsync());
        foreach (var tag in Tags)
        {
            await DestinationAssert.SameAsSourceAsync(src, $"{project}/app", dst, $"{project}/app", tag);
        }
    }

    [Fact]
    public async Task With_every_recorded_tag_sampled_one_tag_pushed_over_is_always_found()
    {
        await using var replicated = await ReplicatedAsync(new ReplicationOptions { RecordedTagSample = 1 });
        var (engine, scope, record, dst, destinationProxy, project) = replicated;
        await dst.PushImageAsync($"{project}/other", "v3", ImageSpec.WithLayers(Random.Shared.Next(), 512));

        destinationProxy.ClearExchanges();
        var plan = await engine.Planner.PlanAsync(scope with { Replicated = record });

        Assert.Equal($"{project}/other:v3", Assert.Single(plan.Copy).DestinationReference);
        Assert.Equal(2 * Tags.Length, destinationProxy.Count(RequestMatch.ManifestHead));
    }

    [Fact]
    public async Task A_recorded_tag_missing_from_the_destination_listing_is_copied_again_without_a_head()
    {
        await using var replicated = await ReplicatedAsync();
        var (engine, scope, record, dst, destinationProxy, project) = replicated;
        var gone = await dst.GetManifestDigestAsync($"{project}/app", "v2");
        await dst.DeleteManifestAsync($"{project}/app", gone!);

        destinationProxy.ClearExchanges();
        var plan = await engine.Planner.PlanAsync(scope with { Replicated = record });

        var copy = Assert.Single(plan.Copy);
        Assert.Equal(($"{project}/app:v2", "new"), (copy.DestinationReference, copy.Reason));
        Assert.Equal(0, destinationProxy.Count(RequestMatch.Of("HEAD", $"^/v2/{project}/app/manifests/v2$")));
        Assert.Equal(2, destinationProxy.Count(RequestMatch.ManifestHead));
    }

    /// <summary>Two repositories of four tags replicated through a proxy in front of the destination, and the record.</summary>
    private async Task<Replicated> ReplicatedAsync(ReplicationOptions? options = null)
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        var project = TestEngine.NewProject();
        foreach (var repository in new[] { "app", "other" })
        {
            foreach (var tag in Tags)
            {
                await src.PushImageAsync($"{project}/{repository}", tag, ImageSpec.WithLayers(Random.Shared.Next(), 512));
            }
        }

        var proxy = await FaultProxy.StartAsync(destination);
        var engine = new TestEngine(options);
        var scope = TestEngine.Scope(source, project, destination) with { Destination = TestEngine.EndpointOf(proxy.Url, destination) };
        var cold = await engine.Runner.ReplicateAsync(scope);
        Assert.Equal(2 * Tags.Length, cold.Count(TaskOutcome.Copied));
        return new Replicated(engine, scope, [.. cold.Tasks.SelectMany(t => t.Replicated)], new OciTestClient(destination), proxy, project);
    }

    private sealed record Replicated(
        TestEngine Engine, ReplicationScope Scope, List<ReplicatedArtifact> Record, OciTestClient Destination, FaultProxy DestinationProxy, string Project) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Engine.Dispose();
            Destination.Dispose();
            await DestinationProxy.DisposeAsync();
        }
    }
}
