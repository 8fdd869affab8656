namespace Replication.Engine.Tests;

public sealed class RepositoryMappingTests
{
    [Theory]
    [InlineData("team", "team", "team/sub/app", "sub/app", "team/sub/app")]
    [InlineData("team", "mirror", "team/app", "app", "mirror/app")]
    [InlineData("team", "mirror", "team", "", "mirror")]
    [InlineData("", "mirror", "team/app", "team/app", "mirror/team/app")]
    [InlineData("", "", "team/app", "team/app", "team/app")]
    public void Repositories_move_from_project_to_project(string sourceProject, string destinationProject, string source, string relative, string destination)
    {
        var mapping = new RepositoryMapping(sourceProject, destinationProject);
        Assert.Equal(relative, mapping.ToRelative(source));
        Assert.Equal(destination, mapping.ToDestination(source));
        Assert.Equal(source, mapping.ToSourceFromDestination(destination));
    }

    [Theory]
    [InlineData("team", "teamwork/app")]
    [InlineData("team", "other/team")]
    public void Repositories_outside_the_project_are_not_mapped(string project, string repository)
    {
        Assert.Null(new RepositoryMapping(project, project).ToRelative(repository));
    }
}

public sealed class DestinationNamingTests
{
    [Theory]
    [InlineData(0, "", "a/b/c/app", "dst/a/b/c/app")]
    [InlineData(1, "", "a/b/c/app", "dst/b/c/app")]
    [InlineData(2, "", "a/b/c/app", "dst/c/app")]
    [InlineData(3, "", "a/b/c/app", "dst/app")]
    [InlineData(3, "", "a/app", "dst/app")]
    [InlineData(DestinationNaming.FlattenAll, "", "a/b/c/d/app", "dst/app")]
    [InlineData(DestinationNaming.FlattenAll, "mirror", "a/b/app", "dst/mirror/app")]
    [InlineData(1, "hub/library", "a/app", "dst/hub/library/app")]
    [InlineData(0, "mirror", "", "dst/mirror")]
    public void Flattening_drops_leading_levels_and_never_the_image_name(int levels, string prefix, string relative, string destination)
    {
        var mapping = new RepositoryMapping("team", "dst", new DestinationNaming { FlattenLevels = levels, Prefix = prefix });

        Assert.Equal(destination, mapping.ToDestination(relative.Length == 0 ? "team" : $"team/{relative}"));
        Assert.True(mapping.CouldProduce(destination));
    }

    [Fact]
    public void A_prefix_keeps_the_path_reversible_and_flattening_does_not()
    {
        var prefixed = new RepositoryMapping("team", "dst", new DestinationNaming { Prefix = "mirror" });
        var flattened = new RepositoryMapping("team", "dst", new DestinationNaming { FlattenLevels = 1 });

        Assert.Equal("team/a/app", prefixed.ToSourceFromDestination("dst/mirror/a/app"));
        Assert.Null(prefixed.ToSourceFromDestination("dst/a/app"));
        Assert.False(prefixed.CouldProduce("dst/a/app"));
        Assert.Null(flattened.ToSourceFromDestination("dst/app"));
    }

    [Theory]
    [InlineData(4, "")]
    [InlineData(-1, "")]
    [InlineData(0, "Mirror")]
    [InlineData(0, "/mirror")]
    [InlineData(0, "a//b")]
    public void Unusable_naming_is_refused_with_a_message(int levels, string prefix)
    {
        Assert.NotEmpty(new DestinationNaming { FlattenLevels = levels, Prefix = prefix }.Validate());
    }

    [Fact]
    public void Collisions_name_both_sources()
    {
        var collision = Assert.Single(NamingCollision.Find([("team/a/app", "dst/app"), ("team/b/app", "dst/app"), ("team/web", "dst/web")]));

        Assert.Equal(("dst/app", "team/a/app", "team/b/app"), (collision.DestinationRepository, collision.First, collision.Second));
        Assert.Contains("'team/a/app' and 'team/b/app'", collision.Message, StringComparison.Ordinal);
    }
}
