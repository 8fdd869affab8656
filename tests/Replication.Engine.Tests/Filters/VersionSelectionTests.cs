using Replication.Engine.Filters;

namespace Replication.Engine.Tests.Filters;

public sealed class VersionSelectionTests
{
    private static readonly Func<string, Task<DateTimeOffset?>> NoTimes = _ => throw new InvalidOperationException("creation times were read although every tag is a version");

    [Theory]
    [InlineData("1.2.0", true)]
    [InlineData("v1.9.9", true)]
    [InlineData("1.2", true)]
    [InlineData("1.10", true)]
    [InlineData("1.1.9", false)]
    [InlineData("2.0.0", false)]
    [InlineData("1.5.0-rc1", false)]
    [InlineData("latest", false)]
    public void A_range_selects_versions_inside_it_and_nothing_that_is_not_a_version(string tag, bool selected)
    {
        Assert.Equal(selected, new ImageFilter { SemverRange = ">=1.2 <2" }.IncludesTag(tag));
    }

    [Fact]
    public void The_range_and_the_patterns_both_have_to_select_a_tag()
    {
        var filter = new ImageFilter { SemverRange = "^1.0", ExcludeTags = ["*.0"] };

        Assert.True(filter.IncludesTag("1.4.1"));
        Assert.False(filter.IncludesTag("1.4.0"));
    }

    [Fact]
    public async Task Newest_orders_versions_by_precedence_not_by_name()
    {
        var filter = new ImageFilter { Newest = 2, ExcludeTags = ["*-rc*"] };

        var selected = await filter.SelectTagsAsync(["1.9.0", "1.10.0", "1.2.0", "2.0.0-rc1", "v1.10.1"], NoTimes);

        Assert.Equal(["v1.10.1", "1.10.0"], selected);
    }

    [Fact]
    public async Task Newest_among_tags_that_are_not_all_versions_goes_by_creation_time()
    {
        var created = new Dictionary<string, DateTimeOffset?>
        {
            ["latest"] = DateTimeOffset.Parse("2026-03-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            ["nightly-2"] = DateTimeOffset.Parse("2026-02-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            ["1.0"] = DateTimeOffset.Parse("2025-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            ["unknown"] = null,
        };

        var selected = await new ImageFilter { Newest = 2 }.SelectTagsAsync(created.Keys, tag => Task.FromResult(created[tag]));

        Assert.Equal(["latest", "nightly-2"], selected);
    }

    [Fact]
    public async Task Without_a_cut_nothing_is_read_and_tags_stay_in_name_order()
    {
        var selected = await new ImageFilter { Newest = 5 }.SelectTagsAsync(["b", "a", "main"], NoTimes);

        Assert.Equal(["a", "b", "main"], selected);
    }

    [Theory]
    [InlineData(">=1.2 <2", null, null)]
    [InlineData("not a range", null, "Not a semantic-version range")]
    [InlineData(">=1.2 <<2", null, "Not a semantic-version range")]
    [InlineData(null, 0, "from 1 to 10000")]
    [InlineData(null, 10001, "from 1 to 10000")]
    public void Bad_ranges_and_counts_are_refused_with_a_message(string? range, int? newest, string? expected)
    {
        var problems = new ImageFilter { SemverRange = range, Newest = newest }.Validate();

        if (expected is null)
        {
            Assert.Empty(problems);
        }
        else
        {
            Assert.Contains(expected, Assert.Single(problems).Message, StringComparison.Ordinal);
        }
    }
}
