using Replication.Engine.Filters;
using Replication.Engine.Planning;
using Replication.Engine.Tests.Infrastructure;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Engine.Tests.Planning;

/// <summary>The plan of a source event against real registries is exactly what <see cref="ReplicationPlanner.Concerns"/> answered.</summary>
[Collection(RegistryFixture.Collection)]
public sealed class ChangeConcernPlanningTests(RegistryFixture registries)
{
    [Fact]
    public async Task The_plan_of_an_event_touches_exactly_what_the_concern_named()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        using var dst = new OciTestClient(destination);
        var project = TestEngine.NewProject();
        var mirror = TestEngine.NewProject("m");
        var app = await src.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 512));
        await src.PushImageAsync($"{project}/app", "dev", ImageSpec.WithLayers(Random.Shared.Next(), 512));
        await src.PushImageAsync(project, "v1", ImageSpec.WithLayers(Random.Shared.Next(), 512));
        var tool = await src.PushImageAsync($"{project}/sub/tool", "v2", ImageSpec.WithLayers(Random.Shared.Next(), 512));
        await src.PushImageAsync($"{project}/excluded", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 512));
        using var engine = new TestEngine();
        var scope = TestEngine.Scope(source, project, destination, mirror, new ImageFilter { IncludeTags = ["v*"], ExcludeRepositories = ["excluded"] }) with
        {
            ReplicateDeletions = true,
        };

        // app:v1 is at the destination (so its signature has a subject there), and so is a tag the source no longer has.
        await engine.Runner.RunAsync(scope, (await engine.Planner.PlanChangeAsync(scope, Pushed(app.Repository, "v1"))).ToTasks());
        await dst.TagAsync(app with { Repository = $"{mirror}/app" }, "old");
        scope = scope with { Replicated = [new ReplicatedArtifact($"{mirror}/app", "old", app.Digest)] };
        var signature = await src.PushCosignTagAsync(app, "sig");
        var unsignedSubject = await src.PushCosignTagAsync(tool, "att");

        (ReplicationScope Scope, SourceChange Change)[] events =
        [
            (scope, Pushed(app.Repository, "v1")),
            (scope, Pushed(app.Repository, "dev")),
            (scope, Pushed(project, "v1")),
            (scope, Pushed(tool.Repository, "v2")),
            (scope, Pushed($"{project}/excluded", "v1")),
            (scope, Pushed(app.Repository, signature.Tag)),
            (scope, Pushed(tool.Repository, unsignedSubject.Tag)),
            (scope with { IncludeReferrers = false }, Pushed(app.Repository, signature.Tag)),
            (scope, new SourceChange(SourceChangeKind.Pushed, app.Repository, null, app.Digest)),
            (scope, Pushed($"{project}x/app", "v1")),
            (scope, Deleted(app.Repository, "old", null)),
            (scope, Deleted(app.Repository, null, app.Digest)),
            (scope, Deleted(app.Repository, "v9", null)),
            (scope with { ReplicateDeletions = false }, Deleted(app.Repository, "old", null)),
        ];

        var answers = new List<(ChangeEffect Effect, int Planned)>();
        foreach (var (eventScope, change) in events)
        {
            var concern = ReplicationPlanner.Concerns(eventScope, change);
            var plan = await engine.Planner.PlanChangeAsync(eventScope, change);
            var planned = plan.Copy.Concat(plan.UpToDate).Concat(plan.Skipped).Concat(plan.Delete)
                .Select(a => (a.DestinationRepository, a.Tag, a.Kind)).ToList();

            // A referrer is planned only while its subject is at the destination; everything else exactly as named.
            var subjectMissing = concern.Kind == ArtifactKind.Referrer && await dst.GetManifestDigestAsync(concern.DestinationRepository, concern.Subject!) is null;
            List<(string, string, ArtifactKind)> expected = concern.Effect switch
            {
                ChangeEffect.Copy when subjectMissing => [],
                ChangeEffect.Copy => [(concern.DestinationRepository, concern.Tag!, concern.Kind)],
                ChangeEffect.Delete => [.. concern.Recorded.Select(r => (r.Repository, r.Tag, ArtifactKind.Image))],
                _ => [],
            };
            Assert.True(expected.SequenceEqual(planned), $"{change}: the engine answered '{concern}' but planned [{string.Join(", ", planned)}]");
            answers.Add((concern.Effect, planned.Count));
        }

        // The events above reach every branch: copies, referrers with and without a subject, deletions recorded or not.
        Assert.Equal(
            [
                (ChangeEffect.Copy, 1), (ChangeEffect.None, 0), (ChangeEffect.Copy, 1), (ChangeEffect.Copy, 1), (ChangeEffect.None, 0),
                (ChangeEffect.Copy, 1), (ChangeEffect.Copy, 0), (ChangeEffect.None, 0), (ChangeEffect.None, 0), (ChangeEffect.None, 0),
                (ChangeEffect.Delete, 1), (ChangeEffect.Delete, 1), (ChangeEffect.Delete, 0), (ChangeEffect.None, 0),
            ],
            answers);
    }

    private static SourceChange Pushed(string repository, string? tag) => new(SourceChangeKind.Pushed, repository, tag, null);

    private static SourceChange Deleted(string repository, string? tag, string? digest) => new(SourceChangeKind.Deleted, repository, tag, digest);
}
