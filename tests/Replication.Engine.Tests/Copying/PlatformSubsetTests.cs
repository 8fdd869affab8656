using System.Text.Json;
using Replication.Engine.Copying;
using Replication.Engine.Planning;
using Replication.Engine.Tests.Infrastructure;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Engine.Tests.Copying;

[Collection(RegistryFixture.Collection)]
public sealed class PlatformSubsetTests(RegistryFixture registries)
{
    [Fact]
    public async Task A_platform_subset_writes_a_new_index_records_both_digests_and_still_deletes_safely()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        using var dst = new OciTestClient(destination);
        var project = TestEngine.NewProject();
        var repository = $"{project}/app";
        var index = await src.PushIndexAsync(repository, "v1", ImageSpec.WithLayers(Random.Shared.Next(), 2048));
        var amd64 = index.Manifests[0];
        var arm64 = index.Manifests[1];
        using var engine = new TestEngine();
        var scope = TestEngine.Scope(source, project, destination) with { Platforms = ["linux/amd64"], ReplicateDeletions = true };

        var plan = await engine.Planner.PlanAsync(scope);
        var run = await engine.Runner.RunAsync(scope, plan.ToTasks());
        var again = await engine.Planner.PlanAsync(scope);

        var planned = Assert.Single(plan.Copy);
        Assert.NotNull(planned.RewrittenDigest);
        Assert.NotEqual(index.Digest, planned.RewrittenDigest);
        Assert.Contains("rewritten: only linux/amd64", planned.Reason, StringComparison.Ordinal);
        var copied = await dst.GetManifestAsync(repository, "v1");
        Assert.Equal(planned.RewrittenDigest, copied!.Digest);
        Assert.Equal(MediaTypes.OciIndex, copied.MediaType);
        using (var document = JsonDocument.Parse(copied.Bytes))
        {
            var entry = Assert.Single(document.RootElement.GetProperty("manifests").EnumerateArray());
            Assert.Equal(amd64.Digest, entry.GetProperty("digest").GetString());
        }

        Assert.NotNull(await dst.GetManifestDigestAsync(repository, amd64.Digest));
        Assert.Null(await dst.GetManifestDigestAsync(repository, arm64.Digest));
        var record = Assert.Single(run.Tasks.SelectMany(t => t.Replicated));
        Assert.Equal((planned.RewrittenDigest, index.Digest), (record.Digest, record.SourceDigest));
        Assert.Equal("v1", Assert.Single(again.UpToDate).Tag);

        // A source deletion by the source's digest names the rewritten record; the plan deletes it because the tag still holds what the rule pushed.
        var concern = ReplicationPlanner.Concerns(scope with { Replicated = [record] }, new SourceChange(SourceChangeKind.Deleted, repository, null, index.Digest));
        Assert.Equal(record, Assert.Single(concern.Recorded));
        await src.DeleteManifestAsync(repository, index.Digest);
        var deletion = await engine.Planner.PlanAsync(scope with { Replicated = [record] });
        Assert.Equal($"{repository}:v1", Assert.Single(deletion.Delete).DestinationReference);
    }

    [Fact]
    public async Task Every_platform_asked_for_copies_the_index_byte_for_byte_and_none_is_skipped_with_the_reason()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        var project = TestEngine.NewProject();
        var index = await src.PushIndexAsync($"{project}/app", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        using var engine = new TestEngine();

        var all = await engine.Planner.PlanAsync(TestEngine.Scope(source, project, destination) with { Platforms = ["linux/amd64", "linux/arm64"] });
        var none = await engine.Planner.PlanAsync(TestEngine.Scope(source, project, destination) with { Platforms = ["windows/amd64"] });

        Assert.Null(Assert.Single(all.Copy).RewrittenDigest);
        Assert.Equal(index.Digest, all.Copy[0].Digest);
        Assert.Contains("has none of the rule's platforms (windows/amd64); it has linux/amd64, linux/arm64/v8", Assert.Single(none.Skipped).Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("linux/amd64", true)]
    [InlineData("linux/arm64/v8", true)]
    [InlineData("Linux/amd64", false)]
    [InlineData("linux", false)]
    [InlineData("linux/arm64/v8/x", false)]
    public void Platform_names_are_os_architecture_and_an_optional_variant(string platform, bool valid)
    {
        Assert.Equal(valid, PlatformSubset.Validate([platform]).Count == 0);
    }
}
