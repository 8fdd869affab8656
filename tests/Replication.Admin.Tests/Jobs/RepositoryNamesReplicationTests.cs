using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Replication.Admin.Rules;
using Replication.Testing.Images;
using Replication.Testing.Registries;
using static Replication.Admin.Tests.Jobs.JobsTestKit;

namespace Replication.Admin.Tests.Jobs;

/// <summary>
/// A source that refuses <c>/v2/_catalog</c> (a token registry whose account lacks <c>registry:catalog:*</c>, as on
/// Docker Hub): the rule's repository names replace the catalog in the preview, the dry run and the run.
/// </summary>
[Collection(RegistryFixture.Collection)]
public sealed class RepositoryNamesReplicationTests(RegistryFixture registries, JobsAppFactory app) : IClassFixture<JobsAppFactory>
{
    private static readonly string[] Named = ["app", "tools/cli"];

    [Fact]
    public async Task Named_repositories_are_previewed_planned_and_replicated_without_the_catalog()
    {
        await using var source = await RegistryFixture.StartDedicatedAsync(new RegistryOptions
        {
            Auth = RegistryAuthMode.Token,
            Users = [RegistryUser.Create("pusher"), RegistryUser.PullOnly("reader")],
        });
        var destination = await registries.AnonymousAsync();
        var project = UniqueProject("names");
        using var pusher = new OciTestClient(source);
        using var check = new OciTestClient(destination);
        var app1 = await pusher.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(301, 20_000));
        var app2 = await pusher.PushImageAsync($"{project}/app", "v2", ImageSpec.WithLayers(302, 30_000));
        var cli = await pusher.PushImageAsync($"{project}/tools/cli", "1.0", ImageSpec.WithLayers(303, 10_000));
        await pusher.PushImageAsync($"{project}/other", "v1", ImageSpec.WithLayers(304, 10_000));

        using var admin = app.CreateBasicClient();
        var reader = source.Users[1];
        Assert.False(reader.CanListCatalog);
        var sourceId = await RegisterAsync(admin, source.Url, reader.Name, reader.Password);
        var destinationId = await RegisterAsync(admin, destination.Url);
        using var created = await admin.PostAsJsonAsync("/api/v1/rules", RuleBody(UniqueProject("named-"), sourceId, destinationId, project, Named));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rule = await created.Content.ReadFromJsonAsync<JsonElement>();
        var ruleId = rule.GetProperty("id").GetInt32();
        Assert.Equal(Named, rule.GetProperty("repositories").GetProperty("names").EnumerateArray().Select(e => e.GetString()));

        // The preview lists just the named repositories: the account could not have listed the catalog.
        using (var scope = app.Services.CreateScope())
        {
            var preview = await scope.ServiceProvider.GetRequiredService<ReplicationRuleService>()
                .PreviewAsync(sourceId, project, new RepositoryFilterInput { Names = [.. Named] }, new PatternFilterInput());
            Assert.False(preview.Failed, preview.Error);
            Assert.Equal((2, 3), (preview.Selection!.RepositoryCount, preview.Selection.TagCount));
            Assert.Equal([$"{project}/app", $"{project}/tools/cli"], preview.Selection.Repositories.Select(r => r.Repository));
        }

        using var dryRun = await admin.PostAsync($"/api/v1/rules/{ruleId}/dry-run", null);
        Assert.Equal(HttpStatusCode.OK, dryRun.StatusCode);
        var plan = await dryRun.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(
            [($"{project}/app", "v1", app1.Digest), ($"{project}/app", "v2", app2.Digest), ($"{project}/tools/cli", "1.0", cli.Digest)],
            plan.GetProperty("copy").EnumerateArray()
                .Select(e => (e.GetProperty("repository").GetString(), e.GetProperty("tag").GetString(), e.GetProperty("digest").GetString()))
                .OrderBy(i => i.Item1, StringComparer.Ordinal).ThenBy(i => i.Item2, StringComparer.Ordinal));
        Assert.Empty(plan.GetProperty("upToDate").EnumerateArray());
        Assert.Empty(plan.GetProperty("skipped").EnumerateArray());

        using var accepted = await admin.PostAsync($"/api/v1/rules/{ruleId}/executions", null);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var finished = await WaitFinishedAsync(admin, (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());

        Assert.Equal("succeeded", finished.GetProperty("status").GetString());
        Assert.Equal(3, finished.GetProperty("succeeded").GetInt32());
        Assert.Equal(app1.Digest, await check.GetManifestDigestAsync($"{project}/app", "v1"));
        Assert.Equal(app2.Digest, await check.GetManifestDigestAsync($"{project}/app", "v2"));
        Assert.Equal(cli.Digest, await check.GetManifestDigestAsync($"{project}/tools/cli", "1.0"));
        Assert.Null(await check.GetManifestDigestAsync($"{project}/other", "v1"));
    }

    [Fact]
    public async Task Without_names_a_refused_catalog_says_to_fill_in_Repository_names()
    {
        await using var source = await RegistryFixture.StartDedicatedAsync(new RegistryOptions
        {
            Auth = RegistryAuthMode.Token,
            Users = [RegistryUser.Create("pusher"), RegistryUser.PullOnly("reader")],
        });
        var destination = await registries.AnonymousAsync();
        var project = UniqueProject("nonames");
        using (var pusher = new OciTestClient(source))
        {
            await pusher.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(311, 10_000));
        }

        using var admin = app.CreateBasicClient();
        var reader = source.Users[1];
        var sourceId = await RegisterAsync(admin, source.Url, reader.Name, reader.Password);
        var destinationId = await RegisterAsync(admin, destination.Url);
        using var created = await admin.PostAsJsonAsync("/api/v1/rules", RuleBody(UniqueProject("unnamed-"), sourceId, destinationId, project, []));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var ruleId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        using var dryRun = await admin.PostAsync($"/api/v1/rules/{ruleId}/dry-run", null);
        Assert.Equal(HttpStatusCode.BadGateway, dryRun.StatusCode);
        var detail = (await dryRun.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.Contains("catalog access refused", detail, StringComparison.Ordinal);
        Assert.Contains("Repository names", detail, StringComparison.Ordinal);

        using (var scope = app.Services.CreateScope())
        {
            var preview = await scope.ServiceProvider.GetRequiredService<ReplicationRuleService>()
                .PreviewAsync(sourceId, project, new RepositoryFilterInput(), new PatternFilterInput());
            Assert.True(preview.Failed);
            Assert.Contains("Repository names", preview.Error, StringComparison.Ordinal);
        }

        using var accepted = await admin.PostAsync($"/api/v1/rules/{ruleId}/executions", null);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var finished = await WaitFinishedAsync(admin, (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        Assert.Equal("failed", finished.GetProperty("status").GetString());
        Assert.Contains("Repository names", finished.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, finished.GetProperty("retryAt").ValueKind);
    }

    private static object RuleBody(string name, int sourceId, int destinationId, string project, string[] names) => new
    {
        name,
        sourceRegistryId = sourceId,
        sourceProject = project,
        repositories = new { include = Array.Empty<string>(), exclude = Array.Empty<string>(), names },
        destinationRegistryId = destinationId,
        trigger = new { mode = "manual" },
    };
}
