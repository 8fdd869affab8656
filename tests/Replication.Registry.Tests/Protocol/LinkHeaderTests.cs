using Replication.Registry.Http;

namespace Replication.Registry.Tests.Protocol;

public class LinkHeaderTests
{
    private static readonly Uri Request = new("https://reg.example.com:5000/v2/_catalog?n=10");

    [Fact]
    public void A_relative_next_link_resolves_against_the_request()
    {
        var next = LinkHeader.FindNext(["</v2/_catalog?last=team%2Fapp&n=10>; rel=\"next\""], Request);

        Assert.Equal("https://reg.example.com:5000/v2/_catalog?last=team%2Fapp&n=10", next!.AbsoluteUri);
        Assert.Equal("team/app", LinkHeader.LastCursor(next));
    }

    [Fact]
    public void An_absolute_next_link_is_kept_as_is()
    {
        var next = LinkHeader.FindNext(["<https://other.example.com/v2/app/tags/list?n=10&last=v9>; rel=next"], Request);

        Assert.Equal("https://other.example.com/v2/app/tags/list?n=10&last=v9", next!.AbsoluteUri);
        Assert.Equal("v9", LinkHeader.LastCursor(next));
    }

    [Fact]
    public void Only_the_next_relation_is_followed_among_several_links()
    {
        var next = LinkHeader.FindNext(["</v2/_catalog?last=a>; rel=\"prev\", </v2/_catalog?last=z&n=10>; rel=\"next\"; title=\"a, b\""], Request);

        Assert.Equal("z", LinkHeader.LastCursor(next!));
    }

    [Fact]
    public void A_relation_list_containing_next_counts()
    {
        var next = LinkHeader.FindNext(["</v2/_catalog?last=q>; rel=\"last next\""], Request);

        Assert.NotNull(next);
    }

    [Fact]
    public void No_next_link_means_the_last_page()
    {
        Assert.Null(LinkHeader.FindNext([], Request));
        Assert.Null(LinkHeader.FindNext(["</v2/_catalog?last=a>; rel=\"prev\""], Request));
        Assert.Null(LinkHeader.FindNext(["garbage"], Request));
    }

    [Fact]
    public void A_link_without_last_has_no_cursor()
    {
        Assert.Null(LinkHeader.LastCursor(new Uri("https://r/v2/_catalog?page=2")));
    }
}
