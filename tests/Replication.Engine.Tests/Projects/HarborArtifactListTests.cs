using Replication.Engine.Copying;
using Replication.Engine.Tests.Infrastructure;
using Replication.Registry;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Engine.Tests.Projects;

/// <summary>
/// Between Harbor endpoints the plan reads each repository's digests from Harbor's artifact list, a page per hundred
/// artifacts, instead of a HEAD per tag: through <see cref="HarborApiStub"/> in front of a real registry.
/// </summary>
[Collection(RegistryFixture.Collection)]
public sealed class HarborArtifactListTests(RegistryFixture registries)
{
    private static readonly string[] Repositories = ["app", "team/tools"];
    private static readonly string[] Tags = ["v1", "v2", "v3"];

    [Fact]
    public async Task Plans_between_harbors_take_digests_from_the_artifact_list_instead_of_a_head_per_tag()
    {
        await using var harbor = await HarborApiStub.StartAsync((await registries.AnonymousAsync()).Url);
        var (scope, engine) = await PushedAsync(harbor);
        using var _ = engine;

        var cold = await engine.Planner.PlanAsync(scope);
        Assert.Equal(Repositories.Length * Tags.Length, cold.Copy.Count);
        Assert.Empty(ManifestLooks(harbor));
        var run = await engine.Runner.RunAsync(scope, cold.ToTasks());
        Assert.Equal(RunOutcome.Succeeded, run.Outcome);

        // Warm, with the record: both ends answer from their artifact lists; not one manifest HEAD or read.
        var record = run.Tasks.SelectMany(t => t.Replicated).ToList();
        var before = harbor.RegistryRequests.Count;
        var warm = await engine.Planner.PlanAsync(scope with { Replicated = record });
        Assert.Empty(warm.Copy);
        Assert.Equal(Repositories.Length * Tags.Length, warm.UpToDate.Count);
        Assert.Empty(ManifestLooks(harbor, before));
        Assert.Contains(harbor.Requests, r => r.StartsWith($"GET /api/v2.0/projects/{DestinationProject(scope)}/repositories/team%2Ftools/artifacts?", StringComparison.Ordinal));

        // A tag pushed over at the destination shows in its artifact list.
        using var registry = new OciTestClient(await registries.AnonymousAsync());
        await registry.PushImageAsync($"{DestinationProject(scope)}/app", "v2", ImageSpec.WithLayers(Random.Shared.Next(), 256));
        var changed = await engine.Planner.PlanAsync(scope with { Replicated = record });
        Assert.Equal($"{DestinationProject(scope)}/app:v2", Assert.Single(changed.Copy).DestinationReference);
        Assert.StartsWith("pushed over at the destination", changed.Copy[0].Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("refused")]
    [InlineData("tags cut")]
    public async Task Where_the_artifact_list_is_refused_or_cut_short_the_missing_tags_are_asked_about_one_by_one(string how)
    {
        await using var harbor = await HarborApiStub.StartAsync((await registries.AnonymousAsync()).Url);
        var (scope, engine) = await PushedAsync(harbor, sameDigestPerRepository: true);
        using var _ = engine;
        harbor.ForbidArtifacts = how == "refused";
        harbor.MaxTagsPerArtifact = how == "tags cut" ? 1 : int.MaxValue;

        var plan = await engine.Planner.PlanAsync(scope);

        // Each repository's three tags name one image; cut to one tag, two of them are asked about at the source (read,
        // since the destination lacks them and they are about to be copied).
        Assert.Equal(Repositories.Length * Tags.Length, plan.Copy.Count);
        Assert.Equal(how == "refused" ? Repositories.Length * Tags.Length : Repositories.Length * (Tags.Length - 1), ManifestLooks(harbor).Count());
        var run = await engine.Runner.RunAsync(scope, plan.ToTasks());
        Assert.Equal(Repositories.Length * Tags.Length, run.Count(TaskOutcome.Copied));
    }

    /// <summary>Manifests asked about one by one (a HEAD, or a read where the plan reads a tag it will copy).</summary>
    private static IEnumerable<string> ManifestLooks(HarborApiStub harbor, int skip = 0) =>
        harbor.RegistryRequests.Skip(skip).Where(r => (r.StartsWith("HEAD ", StringComparison.Ordinal) || r.StartsWith("GET ", StringComparison.Ordinal)) && r.Contains("/manifests/", StringComparison.Ordinal));

    private static string DestinationProject(ReplicationScope scope) => scope.DestinationProject!;

    /// <summary>Pushes the source project; the scope replicates it to another project of the same Harbor.</summary>
    private async Task<(ReplicationScope Scope, TestEngine Engine)> PushedAsync(HarborApiStub harbor, bool sameDigestPerRepository = false)
    {
        using var registry = new OciTestClient(await registries.AnonymousAsync());
        var source = TestEngine.NewProject("hs");
        foreach (var repository in Repositories)
        {
            var spec = ImageSpec.WithLayers(Random.Shared.Next(), 256);
            foreach (var tag in Tags)
            {
                await registry.PushImageAsync($"{source}/{repository}", tag, sameDigestPerRepository ? spec : ImageSpec.WithLayers(Random.Shared.Next(), 256));
            }
        }

        var endpoint = new RegistryEndpoint
        {
            BaseUrl = new Uri(harbor.Url),
            Credential = RegistryCredential.Basic(harbor.UserName, harbor.Password),
            Product = RegistryProduct.Harbor,
        };
        var scope = new ReplicationScope
        {
            Source = endpoint,
            SourceProject = source,
            Destination = endpoint,
            DestinationProject = TestEngine.NewProject("hd"),
            Override = true,
        };
        return (scope, new TestEngine());
    }
}
