using Replication.Engine.Filters;
using Replication.Engine.Tests.Infrastructure;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Engine.Tests.Planning;

[Collection(RegistryFixture.Collection)]
public sealed class DestinationNamingPlanTests(RegistryFixture registries)
{
    [Fact]
    public async Task Flattened_repositories_land_under_the_prefix_and_are_deleted_by_their_new_names()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        using var dst = new OciTestClient(destination);
        var project = TestEngine.NewProject();
        var destinationProject = TestEngine.NewProject("d");
        var spec = ImageSpec.WithLayers(Random.Shared.Next(), 512);
        await src.PushTagsAsync($"{project}/base/os/app", ["v1", "v2"], spec);
        using var engine = new TestEngine();
        var scope = TestEngine.Scope(source, project, destination, destinationProject) with
        {
            Naming = new DestinationNaming { FlattenLevels = 1, Prefix = "mirror" },
            ReplicateDeletions = true,
        };

        var run = await engine.Runner.ReplicateAsync(scope);
        var record = run.Tasks.SelectMany(t => t.Replicated).ToList();
        await DestinationAssert.SameAsSourceAsync(src, $"{project}/base/os/app", dst, $"{destinationProject}/mirror/os/app", "v1");
        Assert.All(record, r => Assert.Equal($"{destinationProject}/mirror/os/app", r.Repository));

        // Deselecting v1 deletes it under its flattened name; v2 stays.
        var plan = await engine.Planner.PlanAsync(scope with { Filter = new ImageFilter { IncludeTags = ["v2"] }, Replicated = record });
        var deletion = Assert.Single(plan.Delete);
        Assert.Equal($"{destinationProject}/mirror/os/app:v1", deletion.DestinationReference);
        Assert.Contains("no longer selected", deletion.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_sources_that_flatten_onto_one_name_are_refused_naming_both()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        using var dst = new OciTestClient(destination);
        var project = TestEngine.NewProject();
        var spec = ImageSpec.WithLayers(Random.Shared.Next(), 512);
        await src.PushTagsAsync($"{project}/a/app", ["v1"], spec);
        await src.PushTagsAsync($"{project}/b/app", ["v1"], spec);
        await src.PushTagsAsync($"{project}/web", ["v1"], spec);
        using var engine = new TestEngine();
        var destinationProject = TestEngine.NewProject("d");
        var naming = new DestinationNaming { FlattenLevels = DestinationNaming.FlattenAll };
        var scope = TestEngine.Scope(source, project, destination, destinationProject) with { Naming = naming };

        var refused = await Assert.ThrowsAsync<ReplicationException>(() => engine.Planner.PlanAsync(scope));
        var preview = await engine.Planner.PreviewAsync(TestEngine.EndpointOf(source), project, ImageFilter.Everything, destinationProject, naming);

        Assert.Contains($"'{project}/a/app' and '{project}/b/app'", refused.Message, StringComparison.Ordinal);
        Assert.False(refused.IsTransient);
        Assert.DoesNotContain(await dst.ListRepositoriesAsync(1000), r => r.StartsWith(destinationProject, StringComparison.Ordinal));
        var collision = Assert.Single(preview.Collisions);
        Assert.Equal($"{destinationProject}/app", collision.DestinationRepository);
        Assert.Equal($"{destinationProject}/web", preview.Repositories.Single(r => r.Repository == $"{project}/web").DestinationRepository);
    }
}
