using Replication.Engine.Filters;
using Replication.Engine.Planning;
using Replication.Registry;
using Replication.Registry.Content;

namespace Replication.Engine.Tests.Planning;

/// <summary>Whether a source event concerns a rule, from its projects, filter and options alone (no registry is asked).</summary>
public sealed class ChangeConcernTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string OtherDigest = "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

    [Theory]
    [InlineData("other/app")]
    [InlineData("teamx/app")]
    [InlineData("tea")]
    [InlineData("mirror/app")]
    [InlineData("app")]
    public void A_change_outside_the_source_project_is_not_concerned(string repository)
    {
        var scope = Scope(deletions: true, replicated: [new ReplicatedArtifact("mirror/app", "v1", Digest)]);

        Assert.Equal(ChangeEffect.None, ReplicationPlanner.Concerns(scope, Push(repository, "v1")).Effect);
        Assert.Equal(ChangeEffect.None, ReplicationPlanner.Concerns(scope, Delete(repository, "v1")).Effect);
    }

    [Fact]
    public void A_repository_named_like_the_project_is_in_it_and_maps_to_the_destination_project()
    {
        var recorded = new ReplicatedArtifact("mirror", "v1", Digest);
        var scope = Scope(deletions: true, replicated: [recorded]);

        var push = ReplicationPlanner.Concerns(scope, Push("team", "v1"));
        var sameName = ReplicationPlanner.Concerns(scope with { DestinationProject = null }, Push("team", "v1"));
        var deletion = ReplicationPlanner.Concerns(scope, Delete("team", "v1"));

        Assert.Equal((ChangeEffect.Copy, "mirror", "v1", ArtifactKind.Image), (push.Effect, push.DestinationRepository, push.Tag, push.Kind));
        Assert.Equal("team", sameName.DestinationRepository);
        Assert.Equal([recorded], deletion.Recorded);
        Assert.True(deletion.IsConcerned);

        // Its path in the project is "": a pattern that needs a name does not select it, "**" does.
        Assert.Equal(ChangeEffect.None, ReplicationPlanner.Concerns(Scope(new ImageFilter { IncludeRepositories = ["app*"] }), Push("team", "v1")).Effect);
        Assert.Equal(ChangeEffect.Copy, ReplicationPlanner.Concerns(Scope(new ImageFilter { IncludeRepositories = ["**"] }), Push("team", "v1")).Effect);
    }

    [Theory]
    [InlineData("team/app", null, "mirror/app")]
    [InlineData("team/sub/app", null, "mirror/sub/app")]
    [InlineData("team/sub/deep/app", "sub/**", "mirror/sub/deep/app")]
    [InlineData("team/sub/app", "sub/*", "mirror/sub/app")]
    [InlineData("team/sub/deep/app", "sub/*", null)]
    [InlineData("team/app", "sub/**", null)]
    public void Nested_repositories_keep_their_path_below_the_destination_project(string repository, string? include, string? destination)
    {
        var scope = Scope(include is null ? null : new ImageFilter { IncludeRepositories = [include] });

        var concern = ReplicationPlanner.Concerns(scope, Push(repository, "v1"));

        Assert.Equal(destination is null ? ChangeEffect.None : ChangeEffect.Copy, concern.Effect);
        Assert.Equal(destination ?? "", concern.DestinationRepository);
    }

    [Fact]
    public void A_rule_over_the_whole_registry_keeps_the_full_path()
    {
        var scope = Scope() with { SourceProject = "", DestinationProject = "" };

        Assert.Equal("team/sub/app", ReplicationPlanner.Concerns(scope, Push("team/sub/app", "v1")).DestinationRepository);
    }

    [Theory]
    [InlineData("team/app", true)]
    [InlineData("team/app-web", true)]
    [InlineData("team/app-test", false)]
    [InlineData("team/tools/cli", true)]
    [InlineData("team/tools/legacy/cli", false)]
    [InlineData("team/web", false)]
    public void Include_and_exclude_patterns_select_repositories_and_exclude_wins(string repository, bool concerned)
    {
        var scope = Scope(new ImageFilter { IncludeRepositories = ["app*", "tools/**"], ExcludeRepositories = ["*-test", "tools/legacy/**"] });

        Assert.Equal(concerned, ReplicationPlanner.Concerns(scope, Push(repository, "v1")).IsConcerned);
    }

    [Theory]
    [InlineData("team/app", true)]
    [InlineData("team/tools/cli", true)]
    [InlineData("team/tools/cli-debug", false)]
    [InlineData("team/web", false)]
    [InlineData("team/legacy", false)]
    public void Explicit_repository_names_select_only_those_repositories_and_the_patterns_still_apply(string repository, bool concerned)
    {
        var scope = Scope(new ImageFilter { ExplicitRepositories = ["app", "tools/cli", "legacy"], ExcludeRepositories = ["legacy"] });

        Assert.Equal(concerned, ReplicationPlanner.Concerns(scope, Push(repository, "v1")).IsConcerned);
    }

    [Theory]
    [InlineData("v1", true)]
    [InlineData("v1.2.3", true)]
    [InlineData("v2-rc1", false)]
    [InlineData("dev", false)]
    [InlineData("latest", false)]
    public void Tag_filters_select_the_tags_copied(string tag, bool concerned)
    {
        var scope = Scope(new ImageFilter { IncludeTags = ["v*"], ExcludeTags = ["*-rc*"] });

        var concern = ReplicationPlanner.Concerns(scope, Push("team/app", tag));

        Assert.Equal(concerned ? (ChangeEffect.Copy, ArtifactKind.Image) : (ChangeEffect.None, ArtifactKind.Image), (concern.Effect, concern.Kind));
    }

    [Theory]
    [InlineData(AttachmentKind.ReferrersIndex, true)]
    [InlineData(AttachmentKind.Signature, true)]
    [InlineData(AttachmentKind.Attestation, true)]
    [InlineData(AttachmentKind.Sbom, true)]
    [InlineData(AttachmentKind.ReferrersIndex, false)]
    [InlineData(AttachmentKind.Signature, false)]
    [InlineData(AttachmentKind.Attestation, false)]
    [InlineData(AttachmentKind.Sbom, false)]
    public void Signatures_and_attachments_follow_their_subject_whatever_the_tag_filter_when_the_rule_includes_referrers(AttachmentKind kind, bool includeReferrers)
    {
        var tag = AttachmentTags.For(Digest).Single(t => t.Kind == kind).Tag;
        var scope = Scope(new ImageFilter { IncludeTags = ["v*"] }, referrers: includeReferrers);

        var concern = ReplicationPlanner.Concerns(scope, Push("team/app", tag));

        if (includeReferrers)
        {
            Assert.Equal((ChangeEffect.Copy, "mirror/app", tag, ArtifactKind.Referrer, Digest), (concern.Effect, concern.DestinationRepository, concern.Tag, concern.Kind, concern.Subject));
        }
        else
        {
            Assert.Same(ChangeConcern.None, concern);
        }
    }

    [Fact]
    public void An_attachment_tag_outside_the_rules_repositories_is_not_concerned()
    {
        var scope = Scope(new ImageFilter { IncludeRepositories = ["app"], IncludeTags = ["v*"] });

        Assert.Equal(ChangeEffect.None, ReplicationPlanner.Concerns(scope, Push("team/web", AttachmentTags.Stem(Digest) + ".sig")).Effect);
    }

    [Fact]
    public void An_attachment_tag_the_tag_filter_selects_is_copied_as_an_image_even_without_referrers()
    {
        var concern = ReplicationPlanner.Concerns(Scope(referrers: false), Push("team/app", AttachmentTags.Stem(Digest) + ".sig"));

        Assert.Equal((ChangeEffect.Copy, ArtifactKind.Image, (string?)null), (concern.Effect, concern.Kind, concern.Subject));
    }

    [Theory]
    [InlineData("sha256-short")]
    [InlineData("sha256-short.sig")]
    [InlineData("sha256-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.bak")]
    [InlineData("sha256-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdefff")]
    [InlineData("sha256-0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef.sig")]
    [InlineData("sha256-zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz")]
    [InlineData("sha1-0123456789abcdef0123456789abcdef01234567.sig")]
    public void Tags_that_only_look_like_attachments_follow_the_tag_filter(string tag)
    {
        var scope = Scope(new ImageFilter { IncludeTags = ["v*"] }, referrers: true);

        Assert.Same(ChangeConcern.None, ReplicationPlanner.Concerns(scope, Push("team/app", tag)));
    }

    [Fact]
    public void A_push_by_digest_only_is_not_concerned()
    {
        Assert.Same(ChangeConcern.None, ReplicationPlanner.Concerns(Scope(), Push("team/app", null)));
    }

    [Fact]
    public void A_deletion_concerns_a_rule_only_when_it_replicates_deletions()
    {
        var replicated = new[] { new ReplicatedArtifact("mirror/app", "v1", Digest) };

        var off = ReplicationPlanner.Concerns(Scope(deletions: false, replicated: replicated), Delete("team/app", "v1"));
        var on = ReplicationPlanner.Concerns(Scope(deletions: true, replicated: replicated), Delete("team/app", "v1"));

        Assert.Same(ChangeConcern.None, off);
        Assert.Equal((ChangeEffect.Delete, "mirror/app", "v1", (string?)null), (on.Effect, on.DestinationRepository, on.Tag, on.Digest));
        Assert.Equal(replicated, on.Recorded);
        Assert.True(on.IsConcerned);
    }

    [Fact]
    public void A_deletion_counts_only_for_what_the_rules_record_holds_at_that_destination()
    {
        var v1 = new ReplicatedArtifact("mirror/app", "v1", Digest);
        var v2 = new ReplicatedArtifact("mirror/app", "v2", OtherDigest);
        var elsewhere = new ReplicatedArtifact("mirror/web", "v1", Digest);
        var scope = Scope(new ImageFilter { IncludeTags = ["v*"] }, deletions: true, replicated: [v1, v2, elsewhere, new ReplicatedArtifact("mirror/app", "dev", OtherDigest)]);

        var notRecorded = ReplicationPlanner.Concerns(scope, Delete("team/app", "v3"));
        var byDigest = ReplicationPlanner.Concerns(scope, new SourceChange(SourceChangeKind.Deleted, "team/app", null, Digest));
        var outsideTheFilterNow = ReplicationPlanner.Concerns(scope, Delete("team/app", "dev"));
        var namesNothing = ReplicationPlanner.Concerns(scope, new SourceChange(SourceChangeKind.Deleted, "team/app", null, null));

        Assert.Equal((ChangeEffect.Delete, false), (notRecorded.Effect, notRecorded.IsConcerned));
        Assert.Equal((ChangeEffect.Delete, (string?)null, Digest), (byDigest.Effect, byDigest.Tag, byDigest.Digest));
        Assert.Equal([v1], byDigest.Recorded);
        Assert.True(outsideTheFilterNow.IsConcerned);
        Assert.Same(ChangeConcern.None, namesNothing);
    }

    [Fact]
    public void Without_the_record_a_deletion_names_the_destination_for_the_caller_to_look_up()
    {
        var recorded = new ReplicatedArtifact("mirror/sub/app", "v1", Digest);

        var byTag = ReplicationPlanner.Concerns(Scope(deletions: true), Delete("team/sub/app", "v1"));
        var byDigest = ReplicationPlanner.Concerns(Scope(deletions: true), new SourceChange(SourceChangeKind.Deleted, "team/sub/app", null, Digest));

        Assert.Equal((ChangeEffect.Delete, "mirror/sub/app", "v1", false), (byTag.Effect, byTag.DestinationRepository, byTag.Tag, byTag.IsConcerned));
        Assert.Empty(byTag.Recorded);
        Assert.True(byTag.Names(recorded));
        Assert.True(byDigest.Names(recorded));
        Assert.False(byTag.Names(recorded with { Tag = "v2" }));
        Assert.False(byDigest.Names(recorded with { Repository = "mirror/app" }));
        Assert.False(byDigest.Names(recorded with { Digest = OtherDigest }));
    }

    private static ReplicationScope Scope(
        ImageFilter? filter = null,
        bool referrers = true,
        bool deletions = false,
        IReadOnlyCollection<ReplicatedArtifact>? replicated = null) => new()
    {
        // Never contacted: the answer needs no registry.
        Source = new RegistryEndpoint { BaseUrl = new Uri("https://source.invalid") },
        SourceProject = "team",
        Destination = new RegistryEndpoint { BaseUrl = new Uri("https://destination.invalid") },
        DestinationProject = "mirror",
        Filter = filter ?? ImageFilter.Everything,
        IncludeReferrers = referrers,
        ReplicateDeletions = deletions,
        Replicated = replicated ?? [],
    };

    private static SourceChange Push(string repository, string? tag) => new(SourceChangeKind.Pushed, repository, tag, Digest);

    private static SourceChange Delete(string repository, string tag) => new(SourceChangeKind.Deleted, repository, tag, null);
}
