using Replication.Registry.Tests.Support;
using Replication.Testing.Images;
using Replication.Testing.Registries;

namespace Replication.Registry.Tests.RealRegistry;

[Collection(RegistryFixture.Collection)]
public sealed class ListingTests(RegistryFixture registries) : IDisposable
{
    private readonly RegistryClientFactory _factory = new(Endpoints.QuickRetries());

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task The_catalog_is_read_page_by_page_following_Link_headers()
    {
        var registry = await registries.AnonymousAsync();
        using var pusher = new OciTestClient(registry);
        var prefix = RegistryFixture.UniqueRepository("paging");
        var repositories = Enumerable.Range(0, 35).Select(i => $"{prefix}/r{i:00}").ToList();
        foreach (var repository in repositories)
        {
            await pusher.PushImageAsync(repository, "v1");
        }

        var client = _factory.Create(Endpoints.For(registry));
        var pages = new List<Page<string>>();
        string? last = null;
        do
        {
            var page = await client.GetCatalogPageAsync(pageSize: 10, last);
            pages.Add(page);
            last = page.Last;
        }
        while (last is not null && pages.Count < 1000);

        Assert.True(pages.Count >= 4, $"35 repositories in pages of 10 need at least 4 pages, got {pages.Count}");
        Assert.All(pages, p => Assert.InRange(p.Items.Count, 0, 10));
        Assert.All(pages.SkipLast(1), p => Assert.Equal(10, p.Items.Count));
        Assert.False(pages[^1].HasMore);
        var all = pages.SelectMany(p => p.Items).ToList();
        Assert.Equal(all.Distinct().Count(), all.Count);
        Assert.Equal(all.Order(StringComparer.Ordinal), all);
        Assert.Subset(all.ToHashSet(), repositories.ToHashSet());

        var listed = await client.ListRepositoriesAsync().ToListAsync();
        Assert.Subset(listed.ToHashSet(), repositories.ToHashSet());
    }

    [Theory]
    [InlineData(RegistryAuthMode.Anonymous)]
    [InlineData(RegistryAuthMode.Token)]
    public async Task Every_tag_of_a_repository_is_listed(RegistryAuthMode mode)
    {
        var registry = await registries.GetAsync(mode);
        using var pusher = new OciTestClient(registry);
        var repository = RegistryFixture.UniqueRepository();
        var tags = Enumerable.Range(0, 35).Select(i => $"v{i:00}").ToList();
        await pusher.PushTagsAsync(repository, tags);
        var client = _factory.Create(Endpoints.For(registry));

        var listed = await client.ListTagsAsync(repository).ToListAsync();
        var paged = new List<string>();
        string? last = null;
        var pages = 0;
        do
        {
            // distribution 2.8 ignores n for tags and answers everything at once; registries that page send Link.
            var page = await client.GetTagsPageAsync(repository, pageSize: 10, last);
            paged.AddRange(page.Items);
            last = page.Last;
            pages++;
        }
        while (last is not null && pages < 100);

        Assert.Equal(tags, listed.Order(StringComparer.Ordinal));
        Assert.Equal(tags, paged.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(RegistryAuthMode.Anonymous)]
    [InlineData(RegistryAuthMode.Basic)]
    [InlineData(RegistryAuthMode.Token)]
    public async Task An_unknown_repository_has_an_empty_tag_list(RegistryAuthMode mode)
    {
        var registry = await registries.GetAsync(mode);
        var client = _factory.Create(Endpoints.For(registry));

        var page = await client.GetTagsPageAsync(RegistryFixture.UniqueRepository("nobody"));

        Assert.Empty(page.Items);
        Assert.False(page.HasMore);
        Assert.Empty(await client.ListTagsAsync(RegistryFixture.UniqueRepository("nobody")).ToListAsync());
    }

    [Fact]
    public async Task A_catalog_the_account_may_not_list_is_reported_clearly()
    {
        var reader = RegistryUser.PullOnly("reader");
        await using var registry = await RegistryFixture.StartDedicatedAsync(new RegistryOptions { Auth = RegistryAuthMode.Token, Users = [reader] });
        var client = _factory.Create(new RegistryEndpoint { BaseUrl = new Uri(registry.Url), Credential = RegistryCredential.Basic(reader.Name, reader.Password) });

        var error = await Assert.ThrowsAsync<CatalogUnavailableException>(() => client.GetCatalogPageAsync());

        Assert.Contains("does not allow this account to list its repositories", error.Message, StringComparison.Ordinal);
        Assert.Contains("name the repositories explicitly", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsTransient);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, error.StatusCode);
    }
}
