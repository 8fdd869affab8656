using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Replication.Admin.Components.Pages.Registries;
using Replication.Admin.Registries;

namespace Replication.Admin.Tests.Components;

public sealed class RegistryBrowsePageTests : ComponentTestBase
{
    [Fact]
    public async Task Projects_group_repositories_and_the_first_one_shows_its_tags()
    {
        var id = await RegisterAsync();
        RegistryClients.CatalogPages.Add(["busybox", "platform/gateway", "team/app", "team/web"]);
        RegistryClients.Tags["platform/gateway"] = ["3.2.1", "3.3.0"];
        RegistryClients.Tags["team/app"] = ["v1", "v2"];

        var page = Render<RegistryBrowsePage>(p => p.Add(x => x.Id, id));

        page.WaitForAssertion(() => Assert.Equal(["platform", "team", "(top level)"], ListTexts(page, 0)));
        Assert.Equal(["platform/gateway"], ListTexts(page, 1));
        page.WaitForAssertion(() => Assert.Equal(["3.2.1", "3.3.0"], TagTexts(page)));

        page.FindAll(".ra-browse-list")[0].QuerySelectorAll(".mud-list-item").First(i => i.TextContent.Contains("team", StringComparison.Ordinal)).Click();

        page.WaitForAssertion(() => Assert.Equal(["team/app", "team/web"], ListTexts(page, 1)));
        page.WaitForAssertion(() => Assert.Equal(["v1", "v2"], TagTexts(page)));
    }

    [Fact]
    public async Task Load_more_fetches_the_next_catalog_page_until_there_is_none()
    {
        var id = await RegisterAsync();
        RegistryClients.CatalogPages.Add(["alpha/one", "alpha/two"]);
        RegistryClients.CatalogPages.Add(["beta/one"]);

        var page = Render<RegistryBrowsePage>(p => p.Add(x => x.Id, id));
        page.WaitForAssertion(() => Assert.Single(ListTexts(page, 0)));

        LoadMore(page).Click();

        page.WaitForAssertion(() => Assert.Equal(2, ListTexts(page, 0).Count));
        Assert.DoesNotContain(page.FindAll("button"), b => b.TextContent.Trim() == "Load more");
    }

    [Fact]
    public async Task A_refused_catalog_explains_itself_and_offers_to_open_a_repository_by_name()
    {
        var id = await RegisterAsync();
        RegistryClients.RefuseCatalog = true;
        RegistryClients.Tags["team/app"] = ["v1"];

        var page = Render<RegistryBrowsePage>(p => p.Add(x => x.Id, id));

        page.WaitForAssertion(() => Assert.Contains("does not let this account list its catalog", page.Markup, StringComparison.Ordinal));
        var field = page.FindAll(".mud-input-control").First(c => c.QuerySelector("label")?.TextContent.Trim() == "Repository").QuerySelector("input")!;
        field.Change("team/app");
        page.FindAll("button").First(b => b.TextContent.Trim() == "Show tags").Click();

        page.WaitForAssertion(() => Assert.Equal(["v1"], TagTexts(page)));
    }

    [Fact]
    public void An_unknown_registry_says_so()
    {
        var page = Render<RegistryBrowsePage>(p => p.Add(x => x.Id, 4242));

        page.WaitForAssertion(() => Assert.Contains("No such registry", page.Markup, StringComparison.Ordinal));
    }

    private async Task<int> RegisterAsync() =>
        (await Registries.CreateAsync(new RegistryEndpointInput { Name = "lab", Url = "http://127.0.0.1:5000" }, "alice")).Registry!.Id;

    private static List<string> ListTexts(IRenderedComponent<RegistryBrowsePage> page, int column)
    {
        var lists = page.FindAll(".ra-browse-list");
        return lists.Count <= column ? [] : lists[column].QuerySelectorAll(".mud-list-item")
            .Select(i => (i.QuerySelector(".d-flex > span") ?? i.QuerySelector("span.ra-mono") ?? i).TextContent.Trim())
            .ToList();
    }

    private static List<string> TagTexts(IRenderedComponent<RegistryBrowsePage> page) =>
        page.FindAll(".ra-tags .mud-chip").Select(c => c.TextContent.Trim()).ToList();

    private static IElement LoadMore(IRenderedComponent<RegistryBrowsePage> page) =>
        page.FindAll("button").First(b => b.TextContent.Trim() == "Load more");
}
