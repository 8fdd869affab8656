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
