using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Registries;
using Replication.Testing.Faults;
using Replication.Testing.Images;
using Replication.Testing.Registries;
using static Replication.Admin.Tests.Jobs.JobsTestKit;

namespace Replication.Admin.Tests.Jobs;

/// <summary>
/// Registries of a kind, played by a real registry behind a proxy that behaves like the service where it matters:
/// Docker Hub's pull limit (shown by Test Connection, spent only by manifest GETs, so an up-to-date run spends none
/// and a new tag of an image the destination has is read there)
/// and catalogs refused (the dry run and the browser say to name the repositories). Set up through the API.
/// </summary>
[Collection(RegistryFixture.Collection)]
public sealed class RegistryKindReplicationTests(RegistryFixture registries, JobsAppFactory app) : IClassFixture<JobsAppFactory>
{
    private static readonly string[] Repositories = ["app", "multi"];
    private static readonly string[] AppOnly = ["app"];

    [Fact]
    public async Task Docker_Hub_pull_limit_is_shown_and_only_copies_spend_it()
    {
        var registry = await registries.AnonymousAsync();
        var project = UniqueProject("hub");
        using (var oci = new OciTestClient(registry))
        {
            await oci.PushImageAsync("ratelimitpreview/test", "latest");
            await oci.PushTagsAsync($"{project}/app", ["v1", "v2"]);
            await oci.PushIndexAsync($"{project}/multi", "v1", [ImageSpec.WithLayers(81, 2048).ForPlatform("amd64"), ImageSpec.WithLayers(82, 2048).ForPlatform("arm64", "v8")]);
        }

        await using var hub = await FaultProxy.StartAsync(registry);
        hub.LimitPulls(100, TimeSpan.FromHours(6));
        using var admin = app.CreateBasicClient();
        var source = await CreateAsync(admin, "/api/v1/registries", new { name = UniqueProject("hub-"), url = hub.Url, type = "docker-registry", kind = "docker-hub" });
        var destination = await RegisterAsync(admin, registry.Url);

        var ping = await PingAsync(admin, source);
        Assert.True(ping.GetProperty("ok").GetBoolean(), ping.GetProperty("message").GetString());
        Assert.Contains("pull rate limit: 100 of 100 left per 6 h", ping.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("""{"limit":100,"remaining":100,"windowSeconds":21600}""", ping.GetProperty("rateLimit").GetRawText());

        var rule = await CreateAsync(admin, "/api/v1/rules", new
        {
            name = UniqueProject("hub-rule-"),
            sourceRegistryId = source,
            sourceProject = project,
            repositories = new { names = Repositories },
            destinationRegistryId = destination,
            destinationProject = project + "-copy",
            trigger = new { mode = "manual" },
        });

        hub.ClearExchanges();
        var first = await RunAsync(admin, rule);
        Assert.Equal(3, first.GetProperty("succeeded").GetInt32());
        var copyGets = hub.Count(RequestMatch.ManifestGet);
        Assert.True(copyGets > 0, "the copies read their manifests");
        Assert.Equal(100 - copyGets, hub.PullsLeft);

        // Everything is there now: the second run compares digests with HEADs and spends no pull.
        hub.ClearExchanges();
        var second = await RunAsync(admin, rule);
        Assert.Equal(3, second.GetProperty("upToDate").GetInt32());
        Assert.Equal(0, hub.Count(RequestMatch.ManifestGet));
        Assert.True(hub.Count(RequestMatch.ManifestHead) >= 3);
        Assert.Equal(100 - copyGets, hub.PullsLeft);

        var after = await PingAsync(admin, source);
        Assert.Equal(100 - copyGets, after.GetProperty("rateLimit").GetProperty("remaining").GetInt32());

        // New tags of images the destination already has: their manifests are read there, found with HEADs.
        using (var oci = new OciTestClient(registry))
        {
            foreach (var (repository, from, to) in new[] { ($"{project}/app", "v2", "latest"), ($"{project}/multi", "v1", "stable") })
            {
                var manifest = (await oci.GetManifestAsync(repository, from))!;
                await oci.PushManifestAsync(repository, to, manifest.Bytes, manifest.MediaType);
            }
        }

        hub.ClearExchanges();
        var third = await RunAsync(admin, rule);
        Assert.Equal(2, third.GetProperty("succeeded").GetInt32());
        Assert.Equal(0, hub.Count(RequestMatch.ManifestGet));
        Assert.Equal(100 - copyGets, hub.PullsLeft);
        using var check = new OciTestClient(registry);
        Assert.Equal(await check.GetManifestDigestAsync($"{project}/app", "v2"), await check.GetManifestDigestAsync($"{project}-copy/app", "latest"));
        Assert.Equal(await check.GetManifestDigestAsync($"{project}/multi", "v1"), await check.GetManifestDigestAsync($"{project}-copy/multi", "stable"));
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.NotFound)]
    public async Task A_refused_catalog_makes_the_dry_run_ask_for_repository_names(HttpStatusCode refusal)
    {
        var registry = await registries.AnonymousAsync();
        var project = UniqueProject("harbor");
        using (var oci = new OciTestClient(registry))
        {
            await oci.PushTagsAsync($"{project}/app", ["v1"]);
        }

        await using var harbor = await FaultProxy.StartAsync(registry);
        harbor.FailWith(RequestMatch.Catalog, times: 100, refusal);
        using var admin = app.CreateBasicClient();
        var source = await CreateAsync(admin, "/api/v1/registries", new { name = UniqueProject("harbor-"), url = harbor.Url, type = "docker-registry", kind = "harbor" });
        var destination = await RegisterAsync(admin, registry.Url);
        var unnamed = await CreateAsync(admin, "/api/v1/rules", new { name = UniqueProject("unnamed-"), sourceRegistryId = source, sourceProject = project, destinationRegistryId = destination, destinationProject = project + "-copy", trigger = new { mode = "manual" } });
        var named = await CreateAsync(admin, "/api/v1/rules", new { name = UniqueProject("named-"), sourceRegistryId = source, sourceProject = project, repositories = new { names = AppOnly }, destinationRegistryId = destination, destinationProject = project + "-copy", trigger = new { mode = "manual" } });

        using var refused = await admin.PostAsync($"/api/v1/rules/{unnamed}/dry-run", null);
        using var planned = await admin.PostAsync($"/api/v1/rules/{named}/dry-run", null);

        Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
        Assert.Contains("Repository names", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, planned.StatusCode);
        Assert.Equal("v1", (await planned.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("copy")[0].GetProperty("tag").GetString());
    }

    [Fact]
    public async Task Browsing_Docker_Hub_says_it_lists_nothing_and_opens_a_single_name_under_library()
    {
        var registry = await registries.AnonymousAsync();
        var name = UniqueProject("official");
        using (var oci = new OciTestClient(registry))
        {
            await oci.PushTagsAsync($"library/{name}", ["3", "3.20"]);
        }

        await using var hub = await FaultProxy.StartAsync(registry);
        hub.FailWith(RequestMatch.Catalog, times: 100, HttpStatusCode.Unauthorized);
        using var admin = app.CreateBasicClient();
        var id = await CreateAsync(admin, "/api/v1/registries", new { name = UniqueProject("hub-"), url = hub.Url, type = "docker-registry", kind = "docker-hub" });
        using var scope = app.Services.CreateScope();
        var browse = scope.ServiceProvider.GetRequiredService<RegistryService>();

        var repositories = await browse.GetRepositoriesPageAsync(id, null);
        var tags = await browse.GetTagsPageAsync(id, name, null);

        Assert.True(repositories.CatalogRefused);
        Assert.StartsWith("Docker Hub does not list its repositories to anyone", repositories.Error, StringComparison.Ordinal);
        Assert.False(tags.Failed, tags.Error);
        Assert.Equal(["3", "3.20"], tags.Items.Order(StringComparer.Ordinal));
    }

    private static async Task<JsonElement> RunAsync(HttpClient admin, int rule)
    {
        using var accepted = await admin.PostAsync($"/api/v1/rules/{rule}/executions", null);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var finished = await WaitFinishedAsync(admin, (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        Assert.True(finished.GetProperty("status").GetString() == "succeeded", finished.ToString());
        return finished;
    }

    private static async Task<JsonElement> PingAsync(HttpClient admin, int registry)
    {
        using var response = await admin.PostAsync($"/api/v1/registries/{registry}/ping", null);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<int> CreateAsync(HttpClient admin, string path, object body)
    {
        using var created = await admin.PostAsJsonAsync(path, body);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }
}
