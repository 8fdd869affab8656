using Replication.Admin.Rules;

namespace Replication.Admin.Tests.Rules;

public sealed class PatternListTests
{
    [Theory]
    [InlineData("", new string[0])]
    [InlineData("  ", new string[0])]
    [InlineData("app*", new[] { "app*" })]
    [InlineData("app*, tools/**", new[] { "app*", "tools/**" })]
    [InlineData("app* tools/**\nweb", new[] { "app*", "tools/**", "web" })]
    [InlineData("{web,api}, v[0-9]", new[] { "{web,api}", "v[0-9]" })]
    [InlineData("{web, api}", new[] { "{web,api}" })]
    [InlineData("{a,{b,c}},d", new[] { "{a,{b,c}}", "d" })]
    [InlineData("[,;], x", new[] { "[,;]", "x" })]
    [InlineData("a;b,,c", new[] { "a", "b", "c" })]
    public void Text_is_split_into_patterns_keeping_commas_inside_braces_and_sets(string text, string[] expected) =>
        Assert.Equal(expected, PatternList.Parse(text));

    [Fact]
    public void Format_joins_with_commas_and_parse_reads_it_back()
    {
        string[] patterns = ["app*", "{web,api}", "sub/**"];

        Assert.Equal(patterns, PatternList.Parse(PatternList.Format(patterns)));
    }

    [Fact]
    public void Clean_trims_and_drops_empty_and_repeated_entries() =>
        Assert.Equal(["a", "b"], PatternList.Clean([" a ", "", "b", "a", "  "]));
}
