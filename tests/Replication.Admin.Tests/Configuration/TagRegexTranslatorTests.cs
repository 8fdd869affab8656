using Replication.Admin.Configuration.Peers;
using Replication.Engine.Filters;

namespace Replication.Admin.Tests.Configuration;

/// <summary>A peer's tag regex becomes a tag pattern only when both select exactly the same tags.</summary>
public sealed class TagRegexTranslatorTests
{
    [Theory]
    [InlineData("latest", true, "latest")]
    [InlineData("3", true, "3")]
    [InlineData(@"v1\.2\.3", true, "v1.2.3")]
    [InlineData("v.*", true, "v*")]
    [InlineData("^v.+$", true, "v?*")]
    [InlineData(@"(edge|latest)", true, "{edge,latest}")]
    [InlineData(@"3\.\d", true, "3.[0-9]")]
    [InlineData(@"^1\.13\.[12]-alpine-perl$", false, "1.13.[12]-alpine-perl")]
    [InlineData("alpine", false, "*alpine*")]
    [InlineData("^v", false, "v*")]
    public void Translates_exact_expressions(string regex, bool anchored, string expected)
    {
        Assert.Equal(expected, TagRegexTranslator.Translate(regex, anchored, out var reason));
        Assert.Null(reason);
    }

    [Theory]
    [InlineData(@"3.\d+")]
    [InlineData(@"v\d+\.\d+\.\d+")]
    [InlineData("a|b")]
    [InlineData("v1?")]
    [InlineData("[0-9]{2}")]
    [InlineData(@"(?i)latest")]
    [InlineData(@"\s")]
    public void Refuses_what_no_pattern_matches_exactly_and_says_why(string regex)
    {
        Assert.Null(TagRegexTranslator.Translate(regex, anchored: true, out var reason));
        Assert.Contains(regex, reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(@"^1\.13\.[12]-alpine-perl$", "1.13.1-alpine-perl", true)]
    [InlineData(@"^1\.13\.[12]-alpine-perl$", "1.13.3-alpine-perl", false)]
    [InlineData("(edge|latest)", "edge", true)]
    [InlineData("(edge|latest)", "edgy", false)]
    public void The_pattern_selects_what_the_regex_selects(string regex, string tag, bool selected)
    {
        var glob = TagRegexTranslator.Translate(regex, anchored: true, out _)!;
        Assert.Equal(selected, GlobPattern.Parse(glob, GlobTarget.Tag).IsMatch(tag));
        Assert.Equal(selected, System.Text.RegularExpressions.Regex.IsMatch(tag, $"^(?:{regex.TrimStart('^').TrimEnd('$')})$"));
    }
}
