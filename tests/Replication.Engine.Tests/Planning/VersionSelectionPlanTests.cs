using Replication.Engine.Filters;
using Replication.Engine.Planning;
using Replication.Engine.Tests.Infrastructure;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Engine.Tests.Planning;

[Collection(RegistryFixture.Collection)]
public sealed class VersionSelectionPlanTests(RegistryFixture registries)
{
    [Fact]
    public async Task A_range_and_newest_N_select_the_newest_versions_inside_the_range()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        var project = TestEngine.NewProject();
        await src.PushTagsAsync($"{project}/app", ["1.1.0", "1.2.0", "1.9.0", "1.10.0", "2.0.0", "latest"], ImageSpec.WithLayers(Random.Shared.Next(), 256));
        using var engine = new TestEngine();
        var filter = new ImageFilter { SemverRange = ">=1.2 <2", Newest = 2 };

        var plan = await engine.Planner.PlanAsync(TestEngine.Scope(source, project, destination, filter: filter));
        var preview = await engine.Planner.PreviewAsync(TestEngine.EndpointOf(source), project, filter);

        Assert.Equal(["1.10.0", "1.9.0"], plan.Copy.Select(a => a.Tag));
        Assert.Equal(2, preview.TagCount);
    }

    [Fact]
    public async Task Newest_N_of_tags_without_versions_goes_by_the_images_creation_time_and_events_follow_it()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        var project = TestEngine.NewProject();
        var repository = $"{project}/app";
        var seed = Random.Shared.Next();
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await src.PushImageAsync(repository, "zeta", ImageSpec.WithLayers(seed, 256) with { Created = start });
        await src.PushImageAsync(repository, "alpha", ImageSpec.WithLayers(seed, 256) with { Created = start.AddDays(2), Label = "b" });
        var middle = await src.PushIndexAsync(repository, "main", [ImageSpec.WithLayers(seed, 256) with { Created = start.AddDays(1), Label = "c" }]);
        using var engine = new TestEngine();
        var scope = TestEngine.Scope(source, project, destination, filter: new ImageFilter { Newest = 2 });

        var plan = await engine.Planner.PlanAsync(scope);
        var old = await engine.Planner.PlanChangeAsync(scope, new SourceChange(SourceChangeKind.Pushed, repository, "zeta", null));
        var recent = await engine.Planner.PlanChangeAsync(scope, new SourceChange(SourceChangeKind.Pushed, repository, "main", middle.Digest));

        Assert.Equal(["alpha", "main"], plan.Copy.Select(a => a.Tag));
        Assert.Empty(old.Copy);
        Assert.Equal("main", Assert.Single(recent.Copy).Tag);
    }
}
