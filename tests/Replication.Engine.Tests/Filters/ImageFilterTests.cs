using Replication.Engine.Filters;

namespace Replication.Engine.Tests.Filters;

public sealed class ImageFilterTests
{
    [Fact]
    public void An_empty_filter_selects_everything()
    {
        Assert.True(ImageFilter.Everything.IncludesRepository("any/path/at/all"));
        Assert.True(ImageFilter.Everything.IncludesTag("latest"));
        Assert.Empty(ImageFilter.Everything.Validate());
    }

    [Theory]
    [InlineData("web", true)]
    [InlineData("web-legacy", false)]
    [InlineData("api", true)]
    [InlineData("db", false)]
    [InlineData("tools/web", false)]
    public void Include_then_exclude_with_exclude_winning(string repository, bool selected)
    {
        var filter = new ImageFilter { IncludeRepositories = ["web*", "api"], ExcludeRepositories = ["*-legacy"] };
        Assert.Equal(selected, filter.IncludesRepository(repository));
    }

    [Theory]
    [InlineData("app", true)]
    [InlineData("tools/cli", true)]
    [InlineData("tools/cli-debug", false)]
    [InlineData("web", false)]
    [InlineData("tools", false)]
    public void Explicit_repositories_are_the_only_ones_selected_and_the_patterns_still_apply(string repository, bool selected)
    {
        // An event for a repository outside the names must not match, whatever the (empty) include patterns say.
        var filter = new ImageFilter { ExplicitRepositories = ["app", "tools/cli", "tools/cli-debug"], ExcludeRepositories = ["*/*-debug"] };
        Assert.Equal(selected, filter.IncludesRepository(repository));
    }

    [Theory]
    [InlineData("v1.0", true)]
    [InlineData("v1.0-rc1", false)]
    [InlineData("latest", false)]
    public void Tag_include_and_exclude(string tag, bool selected)
    {
        var filter = new ImageFilter { IncludeTags = ["v*"], ExcludeTags = ["*-rc*"] };
        Assert.Equal(selected, filter.IncludesTag(tag));
    }

    [Fact]
    public void An_exclude_list_alone_selects_everything_else()
    {
        var filter = new ImageFilter { ExcludeTags = ["*-debug"] };
        Assert.True(filter.IncludesTag("v1"));
        Assert.False(filter.IncludesTag("v1-debug"));
    }

    [Fact]
    public void Validate_names_every_bad_entry_with_its_list_and_position()
    {
        var filter = new ImageFilter
        {
            IncludeRepositories = ["ok", "Bad"],
            ExcludeRepositories = ["{x"],
            IncludeTags = ["v1/2"],
            ExcludeTags = [""],
            ExplicitRepositories = ["team-app", "app*"],
        };

        var problems = filter.Validate();

        Assert.Collection(
            problems,
            p => Assert.Equal((FilterField.IncludeRepositories, 1, "Bad"), (p.Field, p.Index, p.Pattern)),
            p => Assert.Equal((FilterField.ExcludeRepositories, 0, "{x"), (p.Field, p.Index, p.Pattern)),
            p => Assert.Equal((FilterField.IncludeTags, 0, "v1/2"), (p.Field, p.Index, p.Pattern)),
            p => Assert.Equal((FilterField.ExcludeTags, 0, ""), (p.Field, p.Index, p.Pattern)),
            p =>
            {
                Assert.Equal((FilterField.ExplicitRepositories, 1, "app*"), (p.Field, p.Index, p.Pattern));
                Assert.Contains("a name, not a pattern", p.Message, StringComparison.Ordinal);
            });
        var thrown = Assert.Throws<ArgumentException>(filter.EnsureValid);
        Assert.Contains("IncludeRepositories[1] 'Bad'", thrown.Message, StringComparison.Ordinal);
    }
}
