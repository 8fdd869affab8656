using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Registries;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Admin.Tests.Host;

/// <summary>Browsing (catalog and tags, with paging) against real <c>docker-registry</c> processes.</summary>
[Collection(RegistryFixture.Collection)]
public sealed class BrowseAgainstRealRegistriesTests(RegistryFixture registries, AdminAppFactory app) : IClassFixture<AdminAppFactory>
{
    [Fact]
    public async Task Repositories_and_tags_are_listed_page_by_page()
    {
        var registry = await registries.AnonymousAsync();
        var first = RegistryFixture.UniqueRepository("browse/app");
        var second = RegistryFixture.UniqueRepository("browse/web");
        using (var oci = new OciTestClient(registry))
        {
            await oci.PushTagsAsync(first, ["v1", "v2", "v3"]);
            await oci.PushTagsAsync(second, ["latest"]);
        }

        var id = await RegisterAsync(new { name = Name("browse"), url = registry.Url, type = "docker-registry" });
        using var scope = app.Services.CreateScope();
        var service = scope.ServiceProvider.GetRequiredService<RegistryService>();

        var (repositories, repositoryPages) = await CollectAsync(last => service.GetRepositoriesPageAsync(id, last, pageSize: 1));
        var (tags, _) = await CollectAsync(last => service.GetTagsPageAsync(id, first, last, pageSize: 2));

        Assert.Contains(first, repositories);
        Assert.Contains(second, repositories);
        Assert.True(repositoryPages >= 2, $"{repositoryPages} catalog page(s)");
        // distribution 2.8 ignores n on tag lists (it pages only the catalog); whatever it does, every tag arrives once.
        Assert.Equal(["v1", "v2", "v3"], tags.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_registry_that_refuses_the_catalog_gets_a_clear_message()
    {
        await using var registry = await RegistryFixture.StartDedicatedAsync(new RegistryOptions
        {
            Auth = RegistryAuthMode.Token,
            Users = [RegistryUser.PullOnly("puller")],
        });
        var user = registry.Users[0];
        var id = await RegisterAsync(new { name = Name("nocatalog"), url = registry.Url, type = "docker-registry", username = user.Name, password = user.Password });
        using var scope = app.Services.CreateScope();

        var page = await scope.ServiceProvider.GetRequiredService<RegistryService>().GetRepositoriesPageAsync(id, null);

        Assert.True(page.CatalogRefused, page.Error);
        Assert.Contains("does not let this account list its catalog", page.Error, StringComparison.Ordinal);
        Assert.Empty(page.Items);
    }

    private static async Task<(List<string> Items, int Pages)> CollectAsync(Func<string?, Task<BrowsePage>> next)
    {
        var items = new List<string>();
        var pages = 0;
        string? last = null;
        do
        {
            var page = await next(last);
            Assert.False(page.Failed, page.Error);
            items.AddRange(page.Items);
            pages++;
            last = page.Last;
            Assert.True(pages < 1000, "paging does not end");
        }
        while (last is not null);
        return (items, pages);
    }

    private async Task<int> RegisterAsync(object registry)
    {
        using var client = app.CreateBasicClient();
        using var created = await client.PostAsJsonAsync("/api/v1/registries", registry);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    private static string Name(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
}
