using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Replication.Testing.Images;
using Replication.Testing.Registries;
using static Replication.Admin.Tests.Jobs.JobsTestKit;

namespace Replication.Admin.Tests.Jobs;

/// <summary>Mirror mode on a manual rule, against real registries: what the rule replicated follows the source and the filters; nothing else is touched.</summary>
[Collection(RegistryFixture.Collection)]
public sealed class MirrorModeTests(RegistryFixture registries, JobsAppFactory app) : IClassFixture<JobsAppFactory>
{
    [Fact]
    public async Task A_manual_rule_in_mirror_mode_deletes_what_it_replicated_once_gone_or_deselected_and_nothing_else()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        var project = UniqueProject("mir");
        using var src = new OciTestClient(source);
        using var dst = new OciTestClient(destination);
        var v1 = await src.PushImageAsync($"{project}/app", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        await src.PushImageAsync($"{project}/app", "v2", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        await src.PushImageAsync($"{project}/web", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 1024));
        var theirs = await dst.PushImageAsync($"{project}/app", "theirs", ImageSpec.WithLayers(Random.Shared.Next(), 1024));

        using var admin = app.CreateBasicClient();
        var sourceId = await RegisterAsync(admin, source.Url);
        var destinationId = await RegisterAsync(admin, destination.Url, destination.UserName, destination.Password);
        var ruleId = await CreateRuleAsync(app.Services, r => r.ReplicateDeletions = true, sourceId, destinationId, project);
        var rule = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/rules/{ruleId}");
        Assert.True(rule.GetProperty("trigger").GetProperty("replicateDeletions").GetBoolean());
        Assert.Equal("succeeded", (await RunAsync(admin, ruleId)).GetProperty("status").GetString());

        await src.DeleteManifestAsync($"{project}/app", v1.Digest);
        await UpdateRuleAsync(app.Services, ruleId, r => { r.ReplicateDeletions = true; r.ExcludeRepositories = ["web"]; });
        var dryRun = await admin.PostAsync($"/api/v1/rules/{ruleId}/dry-run", null);
        var plan = await dryRun.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(
            [$"{project}/app:v1", $"{project}/web:v1"],
            plan.GetProperty("delete").EnumerateArray().Select(d => $"{d.GetProperty("repository").GetString()}:{d.GetProperty("tag").GetString()}").Order(StringComparer.Ordinal));

        var second = await RunAsync(admin, ruleId);

        Assert.Equal("succeeded", second.GetProperty("status").GetString());
        Assert.Null(await dst.GetManifestDigestAsync($"{project}/app", "v1"));
        Assert.Null(await dst.GetManifestDigestAsync($"{project}/web", "v1"));
        Assert.NotNull(await dst.GetManifestDigestAsync($"{project}/app", "v2"));
        Assert.Equal(theirs.Digest, await dst.GetManifestDigestAsync($"{project}/app", "theirs"));
    }

    private static async Task<JsonElement> RunAsync(HttpClient admin, int ruleId)
    {
        using var accepted = await admin.PostAsync($"/api/v1/rules/{ruleId}/executions", null);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var started = await accepted.Content.ReadFromJsonAsync<JsonElement>();
        return await WaitFinishedAsync(admin, started.GetProperty("id").GetInt64());
    }
}
