using System.Net.Http.Json;
using System.Text.Json;
using Replication.Testing.Faults;
using Replication.Testing.Images;
using Replication.Testing.Registries;
using static Replication.Admin.Tests.Jobs.JobsTestKit;

namespace Replication.Admin.Tests.Jobs;

/// <summary>What an execution asks the registries, counted at a proxy: what the plan learnt is not asked again.</summary>
[Collection(RegistryFixture.Collection)]
public sealed class RequestEconomyTests(RegistryFixture registries, JobsAppFactory app) : IClassFixture<JobsAppFactory>
{
    [Fact]
    public async Task A_first_manual_run_lists_each_destination_repository_reads_each_source_tag_once_and_finds_referrer_tags_in_the_listing()
    {
        var registry = await registries.AnonymousAsync();
        await using var source = await FaultProxy.StartAsync(registry);
        await using var destination = await FaultProxy.StartAsync(registry);
        var project = UniqueProject("economy");
        var copy = project + "-copy";
        List<PushedImage> images;
        using (var client = new OciTestClient(registry))
        {
            images =
            [
                await client.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(71, 4096)),
                await client.PushImageAsync($"{project}/app", "v2", ImageSpec.WithLayers(72, 4096)),
                await client.PushImageAsync($"{project}/tools", "v1", ImageSpec.WithLayers(73, 4096)),
            ];
        }

        using var admin = app.CreateBasicClient();
        var sourceId = await RegisterAsync(admin, source.Url);
        var destinationId = await RegisterAsync(admin, destination.Url);
        var ruleId = await CreateRuleAsync(app.Services, r => r.DestinationProject = copy, sourceId, destinationId, project);
        source.ClearExchanges();
        destination.ClearExchanges();

        using var accepted = await admin.PostAsync($"/api/v1/rules/{ruleId}/executions", null);
        var id = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var finished = await WaitFinishedAsync(admin, id);

        Assert.Equal("succeeded", finished.GetProperty("status").GetString());
        Assert.Equal(3, finished.GetProperty("succeeded").GetInt32());
        var tagHeads = destination.Matching(RequestMatch.ManifestHead)
            .Where(e => !e.Path.Contains("/manifests/sha256", StringComparison.Ordinal))
            .GroupBy(e => e.Path)
            .ToDictionary(g => g.Key, g => g.Count());

        // The rule has no record at the destination yet: each repository is listed once instead of a HEAD per tag (the
        // one of a single tag too, being new to the rule), and no tag is asked about at all (the copy uses the plan's
        // answer). At the source each tag is read once, by the plan, and the copy pushes what it read.
        Assert.Empty(tagHeads);
        Assert.Single(destination.Exchanges, e => e.Method == "GET" && e.Path == $"/v2/{copy}/app/tags/list");
        Assert.Single(destination.Exchanges, e => e.Method == "GET" && e.Path == $"/v2/{copy}/tools/tags/list");
        Assert.All(images, i => Assert.Single(source.Exchanges, e => e.Method == "GET" && e.Path == $"/v2/{i.Repository}/manifests/{i.Tag}"));
        Assert.DoesNotContain(source.Matching(RequestMatch.ManifestHead), e => !e.Path.Contains("/manifests/sha256", StringComparison.Ordinal));

        // Signature and attachment tags (sha256-<hex>.sig ...) were looked for in the plan's tag listing, not one HEAD each.
        Assert.DoesNotContain(source.Matching(RequestMatch.ManifestHead), e => e.Path.Contains("/manifests/sha256-", StringComparison.Ordinal));
        using var check = new OciTestClient(registry);
        foreach (var image in images)
        {
            Assert.Equal(image.Digest, await check.GetManifestDigestAsync($"{copy}{image.Repository[project.Length..]}", image.Tag!));
        }
    }
}
