using System.Text;
using Replication.Registry.Auth;
using Replication.Registry.Content;

namespace Replication.Registry.Tests.Protocol;

public class NamesAndScopesTests
{
    [Fact]
    public void Pull_push_and_mount_scopes_follow_the_token_spec()
    {
        Assert.Equal(["repository:team/app:pull"], Scopes.Pull("team/app").Values);
        Assert.Equal(["repository:team/app:pull,push"], Scopes.Push("team/app").Values);
        Assert.Equal(["repository:team/app:pull,push", "repository:base/os:pull"], Scopes.Mount("team/app", "base/os").Values);
        Assert.Equal(["registry:catalog:*"], Scopes.Catalog.Values);
    }

    [Fact]
    public void A_challenge_scope_widens_without_duplicates_and_the_key_ignores_order()
    {
        var widened = Scopes.Push("a").With("repository:a:pull,push repository:a:delete");

        Assert.Equal(["repository:a:pull,push", "repository:a:delete"], widened.Values);
        Assert.Equal(new Scopes(["x", "y"]).Key, new Scopes(["y", "x"]).Key);
        Assert.Equal(Scopes.Pull("a").Values, Scopes.Pull("a").With(null).Values);
    }

    [Fact]
    public void Digests_are_computed_with_the_algorithm_asked_for()
    {
        var bytes = Encoding.UTF8.GetBytes("hello");

        Assert.Equal("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", Digests.Sha256(bytes));
        Assert.StartsWith("sha512:9b71d224", Digests.Compute(bytes, "sha512:00"), StringComparison.Ordinal);
    }

    [Fact]
    public void Attachment_tags_are_named_after_the_digest_they_belong_to()
    {
        const string digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        const string stem = "sha256-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

        Assert.Equal([stem, stem + ".sig", stem + ".att", stem + ".sbom"], AttachmentTags.For(digest).Select(t => t.Tag));
        Assert.True(AttachmentTags.TryParse(stem + ".sig", out var signed, out var kind));
        Assert.Equal(digest, signed);
        Assert.Equal(AttachmentKind.Signature, kind);
        Assert.True(AttachmentTags.TryParse(stem, out _, out var index));
        Assert.Equal(AttachmentKind.ReferrersIndex, index);
        Assert.False(AttachmentTags.TryParse("v1.0", out _, out _));
        Assert.False(AttachmentTags.TryParse(stem + ".foo", out _, out _));
        Assert.False(AttachmentTags.TryParse("sha256-abc.sig", out _, out _));
    }

    [Fact]
    public void Schema1_manifests_are_recognised_by_type_or_by_content()
    {
        var schema1 = Encoding.UTF8.GetBytes("""{"schemaVersion":1,"name":"a","tag":"v1","fsLayers":[],"signatures":[]}""");
        var oci = Encoding.UTF8.GetBytes("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}""");

        Assert.True(ManifestMediaType.IsSchema1(MediaTypes.DockerSchema1Signed, schema1));
        Assert.Equal(MediaTypes.DockerSchema1Signed, ManifestMediaType.Resolve("application/json", schema1));
        Assert.True(ManifestMediaType.IsSchema1(ManifestMediaType.Resolve(null, schema1), schema1));
        Assert.Equal(MediaTypes.OciIndex, ManifestMediaType.Resolve("application/json", oci));
        Assert.False(ManifestMediaType.IsSchema1(MediaTypes.OciIndex, oci));
        Assert.Equal(MediaTypes.DockerManifest, ManifestMediaType.Resolve(MediaTypes.DockerManifest, oci));
    }
}
