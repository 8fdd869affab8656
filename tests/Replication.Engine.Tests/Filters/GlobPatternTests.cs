using Replication.Engine.Filters;

namespace Replication.Engine.Tests.Filters;

public sealed class GlobPatternTests
{
    [Theory]
    // * stays within one path segment
    [InlineData("app*", "app", true)]
    [InlineData("app*", "app-server", true)]
    [InlineData("app*", "app/server", false)]
    [InlineData("*", "app", true)]
    [InlineData("*", "sub/app", false)]
    [InlineData("*/app", "sub/app", true)]
    [InlineData("*/app", "a/b/app", false)]
    // ** crosses segments; **/ also matches no segment
    [InlineData("**", "a/b/c", true)]
    [InlineData("**/app", "app", true)]
    [InlineData("**/app", "team/sub/app", true)]
    [InlineData("**/app", "team/sub/myapp", false)]
    [InlineData("sub/**", "sub", true)]
    [InlineData("sub/**", "sub/a/b", true)]
    [InlineData("sub/**", "subway", false)]
    [InlineData("a/**/z", "a/z", true)]
    [InlineData("a/**/z", "a/b/c/z", true)]
    [InlineData("a**", "ab/c", true)]
    // ? is one character, never '/'
    [InlineData("ap?", "app", true)]
    [InlineData("ap?", "ap", false)]
    [InlineData("a?b", "a/b", false)]
    // {a,b} alternatives, nested, with wildcards, with an empty alternative
    [InlineData("{web,api}", "web", true)]
    [InlineData("{web,api}", "api", true)]
    [InlineData("{web,api}", "db", false)]
    [InlineData("{web,api}-*", "api-v2", true)]
    [InlineData("{a,{b,c}d}", "cd", true)]
    [InlineData("{a,{b,c}d}", "c", false)]
    [InlineData("app{,-dev}", "app", true)]
    [InlineData("app{,-dev}", "app-dev", true)]
    [InlineData("{sub/**,x}", "sub/y/z", true)]
    // character sets
    [InlineData("v[0-9]", "v7", true)]
    [InlineData("v[0-9]", "vx", false)]
    [InlineData("[!a]pp", "bpp", true)]
    [InlineData("[!a]pp", "app", false)]
    [InlineData("[^a]pp", "/pp", false)]
    // literal dots and exactness
    [InlineData("team.app", "team.app", true)]
    [InlineData("team.app", "teamxapp", false)]
    [InlineData("app", "app2", false)]
    public void Repository_patterns_match_as_documented(string pattern, string value, bool expected)
    {
        Assert.Equal(expected, GlobPattern.Parse(pattern, GlobTarget.Repository).IsMatch(value));
    }

    [Theory]
    [InlineData("v*", "v1.2.3", true)]
    [InlineData("v*", "latest", false)]
    [InlineData("*-alpine", "1.25-alpine", true)]
    [InlineData("v1.?", "v1.2", true)]
    [InlineData("v1.?", "v1.22", false)]
    [InlineData("{latest,stable}", "stable", true)]
    [InlineData("**", "anything.at_all-1", true)]
    [InlineData("1.[2-4]*", "1.3.0", true)]
    [InlineData("1.[2-4]*", "1.5.0", false)]
    [InlineData("Release-*", "Release-1", true)]
    [InlineData("Release-*", "release-1", false)]
    public void Tag_patterns_match_as_documented(string pattern, string value, bool expected)
    {
        Assert.Equal(expected, GlobPattern.Parse(pattern, GlobTarget.Tag).IsMatch(value));
    }

    [Theory]
    [InlineData("", GlobTarget.Repository, "empty")]
    [InlineData("App*", GlobTarget.Repository, "lowercase")]
    [InlineData("/app", GlobTarget.Repository, "cannot start or end with '/'")]
    [InlineData("app/", GlobTarget.Repository, "cannot start or end with '/'")]
    [InlineData("a//b", GlobTarget.Repository, "empty path segment")]
    [InlineData("a b", GlobTarget.Repository, "space")]
    [InlineData("app:v1", GlobTarget.Repository, "never appears in a repository name")]
    [InlineData("{web,api", GlobTarget.Repository, "never closed")]
    [InlineData("web}", GlobTarget.Repository, "no matching '{'")]
    [InlineData("web,api", GlobTarget.Repository, "only meaningful inside {a,b}")]
    [InlineData("[abc", GlobTarget.Repository, "never closed")]
    [InlineData("[]x", GlobTarget.Repository, "empty")]
    [InlineData("x]", GlobTarget.Repository, "no matching '['")]
    [InlineData("[z-a]", GlobTarget.Repository, "backwards")]
    [InlineData("***", GlobTarget.Repository, "not a wildcard")]
    [InlineData("a\\*", GlobTarget.Repository, "not allowed")]
    [InlineData("v1/x", GlobTarget.Tag, "tags cannot contain '/'")]
    [InlineData("v1+x", GlobTarget.Tag, "never appears in a tag")]
    public void Invalid_patterns_are_rejected_with_a_message_that_says_what_is_wrong(string pattern, GlobTarget target, string expectedFragment)
    {
        Assert.False(GlobPattern.TryParse(pattern, target, out var parsed, out var error));
        Assert.Null(parsed);
        Assert.Contains(expectedFragment, error, StringComparison.Ordinal);
        var thrown = Assert.Throws<GlobPatternException>(() => GlobPattern.Parse(pattern, target));
        Assert.Equal(error, thrown.Message);
        Assert.Equal(pattern, thrown.Pattern);
    }

    [Fact]
    public void A_pattern_longer_than_the_limit_is_rejected()
    {
        var error = GlobPattern.Validate(new string('a', GlobPattern.MaxLength + 1), GlobTarget.Repository);
        Assert.Contains("at most 255", error, StringComparison.Ordinal);
        Assert.Null(GlobPattern.Validate(new string('a', GlobPattern.MaxLength), GlobTarget.Repository));
    }

    [Theory]
    [InlineData("app", true)]
    [InlineData("sub/app-1.0", true)]
    [InlineData("app*", false)]
    [InlineData("{a,b}", false)]
    [InlineData("v[12]", false)]
    [InlineData("a?", false)]
    public void IsLiteral_tells_names_from_patterns(string pattern, bool literal)
    {
        Assert.Equal(literal, GlobPattern.Parse(pattern, GlobTarget.Repository).IsLiteral);
    }

    [Fact]
    public void Matching_a_hostile_pattern_stays_linear()
    {
        // Nested stars against a long near-miss would blow up a backtracking matcher.
        var pattern = GlobPattern.Parse("*a*a*a*a*a*a*a*a*a*a*a*a*b", GlobTarget.Tag);
        Assert.False(pattern.IsMatch(new string('a', 128)));
    }
}
