using Replication.Registry.Content;

namespace Replication.Registry.Tests.Protocol;

/// <summary>The distribution spec's names, tags and digests, as <see cref="References"/> reads them.</summary>
public class ReferenceGrammarTests
{
    private const string Sha256 = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("app", true)]
    [InlineData("team/app", true)]
    [InlineData("team/sub/app", true)]
    [InlineData("a.b_c__d-e--f", true)]
    [InlineData("a0/b1.c2", true)]
    [InlineData("Team/App", false)]
    [InlineData("team//app", false)]
    [InlineData("/team/app", false)]
    [InlineData("team/app/", false)]
    [InlineData("../etc", false)]
    [InlineData("a..b", false)]
    [InlineData("a___b", false)]
    [InlineData("-app", false)]
    [InlineData("app-", false)]
    [InlineData("team/app?x=1", false)]
    [InlineData("team/app:v1", false)]
    [InlineData("team/app\n", false)]
    [InlineData("", false)]
    public void Repository_names_are_lowercase_path_components_joined_by_slashes(string name, bool valid)
    {
        Assert.Equal(valid, References.IsRepositoryName(name));
    }

    [Fact]
    public void A_repository_name_has_at_most_255_characters()
    {
        var longest = "team/" + new string('a', References.RepositoryMaxLength - 5);

        Assert.True(References.IsRepositoryName(longest));
        Assert.False(References.IsRepositoryName(longest + "a"));
        Assert.False(References.IsRepositoryName(null));
    }

    [Theory]
    [InlineData("team", true)]
    [InlineData("team-a", true)]
    [InlineData("team--a", true)]
    [InlineData("team__a", true)]
    [InlineData("team.a", true)]
    [InlineData("team/app", false)]
    [InlineData("Team", false)]
    [InlineData("team_", false)]
    [InlineData(".team", false)]
    [InlineData("team\n", false)]
    [InlineData("", false)]
    public void A_path_component_is_one_part_of_a_repository_name(string component, bool valid)
    {
        Assert.Equal(valid, References.IsPathComponent(component));
    }

    [Theory]
    [InlineData("v1.2.3", true)]
    [InlineData("latest", true)]
    [InlineData("_private", true)]
    [InlineData("V1-RC_2", true)]
    [InlineData("sha256-abc.sig", true)]
    [InlineData(".hidden", false)]
    [InlineData("-dash", false)]
    [InlineData("a/b", false)]
    [InlineData("a:b", false)]
    [InlineData("bad tag!", false)]
    [InlineData("v1\n", false)]
    [InlineData("", false)]
    public void Tags_follow_the_distribution_grammar(string tag, bool valid)
    {
        Assert.Equal(valid, References.IsTag(tag));
    }

    [Fact]
    public void A_tag_has_at_most_128_characters()
    {
        Assert.True(References.IsTag(new string('a', References.TagMaxLength)));
        Assert.False(References.IsTag(new string('a', References.TagMaxLength + 1)));
    }

    [Theory]
    [InlineData(Sha256, true, true)]
    [InlineData("sha512:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true, true)]
    [InlineData("sha256:0123", false, false)]
    [InlineData("sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", false, false)]
    [InlineData("sha256:0123456789abcdef0123456789abcdef", false, false)]
    [InlineData("sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", false, false)]
    [InlineData("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8", true, false)]
    [InlineData("blake3:Ab=_-9", true, false)]
    [InlineData("SHA256:abc", false, false)]
    [InlineData("sha256-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", false, false)]
    [InlineData("sha256:", false, false)]
    [InlineData(":abc", false, false)]
    [InlineData("v1.2", false, false)]
    [InlineData(Sha256 + "\n", false, false)]
    public void Digests_are_well_formed_and_registered_algorithms_have_their_exact_form(string digest, bool wellFormed, bool supported)
    {
        Assert.Equal(wellFormed, References.IsDigest(digest));
        Assert.Equal(supported, Digests.IsSupported(digest));
    }
}
