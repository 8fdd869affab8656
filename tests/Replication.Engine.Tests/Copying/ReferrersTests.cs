using Replication.Engine.Copying;
using Replication.Engine.Filters;
using Replication.Engine.Planning;
using Replication.Engine.Tests.Infrastructure;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Engine.Tests.Copying;

/// <summary>Signatures and attachments follow their image, whatever the tag filter says.</summary>
[Collection(RegistryFixture.Collection)]
public sealed class ReferrersTests(RegistryFixture registries)
{
    [Fact]
    public async Task Cosign_tags_and_OCI_referrers_are_copied_after_their_subject_despite_the_tag_filter()
    {
        var source = await registries.BasicAsync();
        var destination = await registries.AnonymousAsync();
        using var src = new OciTestClient(source);
        using var dst = new OciTestClient(destination);
        var project = TestEngine.NewProject();
        var repository = $"{project}/app";
        var image = await src.PushImageAsync(repository, "v1", ImageSpec.WithLayers(Random.Shared.Next(), 2048));
        var index = await src.PushIndexAsync(repository, "v2", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        var signature = await src.PushCosignTagAsync(image, "sig");
        var attestation = await src.PushCosignTagAsync(image, "att");
        var sbom = await src.PushReferrerAsync(image);
        var indexSignature = await src.PushCosignTagAsync(index, "sig");
        var unrelated = await src.PushImageAsync(repository, "nightly", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        await src.PushCosignTagAsync(unrelated, "sig");

        using var engine = new TestEngine();
        var scope = TestEngine.Scope(source, project, destination, filter: new ImageFilter { IncludeTags = ["v*"] });
        var plan = await engine.Planner.PlanAsync(scope);
        var result = await engine.Runner.RunAsync(scope, plan.ToTasks());

        // The plan copies the two selected tags and lets their referrer tags travel with them.
        Assert.Equal(["v1", "v2"], plan.Copy.Select(a => a.Tag));
        Assert.Equal(
            [OciTestClient.ReferrersFallbackTag(image.Digest), attestation.Tag, signature.Tag],
            plan.Copy[0].ReferrerTags!.Order(StringComparer.Ordinal));
        Assert.Equal(RunOutcome.Succeeded, result.Outcome);
        foreach (var tag in new[] { "v1", "v2", signature.Tag!, attestation.Tag!, indexSignature.Tag!, OciTestClient.ReferrersFallbackTag(image.Digest) })
        {
            await DestinationAssert.SameAsSourceAsync(src, repository, dst, repository, tag);
        }

        await DestinationAssert.CompleteAsync(dst, repository, sbom.Digest);
        Assert.Null(await dst.GetManifestDigestAsync(repository, "nightly"));
        Assert.Null(await dst.GetManifestDigestAsync(repository, OciTestClient.CosignTag(unrelated.Digest)));

        // What the caller records includes the referrer tags, so deleting the image can take them along later.
        var v1 = result.Tasks.Single(t => t.Task.Tag == "v1");
        Assert.Equal(
            new[] { "v1", signature.Tag!, attestation.Tag!, OciTestClient.ReferrersFallbackTag(image.Digest) }.Order(StringComparer.Ordinal),
            v1.Replicated.Select(r => r.Tag).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_signature_added_to_an_image_already_replicated_is_planned_and_copied_on_its_own()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        using var dst = new OciTestClient(destination);
        var project = TestEngine.NewProject();
        var image = await src.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        using var engine = new TestEngine();
        var scope = TestEngine.Scope(source, project, destination, filter: new ImageFilter { IncludeTags = ["v*"] });
        Assert.Equal(RunOutcome.Succeeded, (await engine.Runner.ReplicateAsync(scope)).Outcome);
        var signature = await src.PushCosignTagAsync(image, "sig");

        var plan = await engine.Planner.PlanAsync(scope);
        var result = await engine.Runner.RunAsync(scope, plan.ToTasks());

        Assert.Equal(["v1"], plan.UpToDate.Select(a => a.Tag));
        var follower = Assert.Single(plan.Copy);
        Assert.Equal((signature.Tag, ArtifactKind.Referrer), (follower.Tag, follower.Kind));
        Assert.Equal(TaskOutcome.Copied, Assert.Single(result.Tasks).Outcome);
        await DestinationAssert.SameAsSourceAsync(src, $"{project}/app", dst, $"{project}/app", signature.Tag!);
    }

    [Fact]
    public async Task Referrers_stay_behind_when_the_rule_says_so()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        using var src = new OciTestClient(source);
        using var dst = new OciTestClient(destination);
        var project = TestEngine.NewProject();
        var image = await src.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        var signature = await src.PushCosignTagAsync(image, "sig");
        using var engine = new TestEngine();
        var scope = TestEngine.Scope(source, project, destination, filter: new ImageFilter { IncludeTags = ["v*"] }) with { IncludeReferrers = false };

        var result = await engine.Runner.ReplicateAsync(scope);

        Assert.Equal(RunOutcome.Succeeded, result.Outcome);
        await DestinationAssert.SameAsSourceAsync(src, $"{project}/app", dst, $"{project}/app", "v1");
        Assert.Null(await dst.GetManifestDigestAsync($"{project}/app", signature.Tag!));
    }
}
