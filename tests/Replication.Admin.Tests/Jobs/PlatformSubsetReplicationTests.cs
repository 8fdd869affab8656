using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Replication.Testing.Images;
using Replication.Testing.Registries;
using static Replication.Admin.Tests.Jobs.JobsTestKit;

namespace Replication.Admin.Tests.Jobs;

/// <summary>A rule copying one platform of a multi-platform image, against real registries: the dry run, the run, the record.</summary>
[Collection(RegistryFixture.Collection)]
public sealed class PlatformSubsetReplicationTests(RegistryFixture registries, JobsAppFactory app) : IClassFixture<JobsAppFactory>
{
    [Fact]
    public async Task The_dry_run_marks_the_tag_rewritten_and_the_record_keeps_both_digests_so_mirror_mode_still_deletes_it()
    {
        var source = await registries.AnonymousAsync();
        var destination = await registries.BasicAsync();
        var project = UniqueProject("plat");
        using var src = new OciTestClient(source);
        using var dst = new OciTestClient(destination);
        var index = await src.PushIndexAsync($"{project}/app", "v1", ImageSpec.WithLayers(Random.Shared.Next(), 4096));

        using var admin = app.CreateBasicClient();
        var sourceId = await RegisterAsync(admin, source.Url);
        var destinationId = await RegisterAsync(admin, destination.Url, destination.UserName, destination.Password);
        var ruleId = await CreateRuleAsync(app.Services, r => { r.Platforms = ["linux/amd64"]; r.ReplicateDeletions = true; }, sourceId, destinationId, project);

        var plan = await (await admin.PostAsync($"/api/v1/rules/{ruleId}/dry-run", null)).Content.ReadFromJsonAsync<JsonElement>();
        var copy = Assert.Single(plan.GetProperty("copy").EnumerateArray().ToList());
        Assert.True(copy.GetProperty("rewritten").GetBoolean());
        Assert.Equal(index.Digest, copy.GetProperty("digest").GetString());
        var rewritten = copy.GetProperty("destinationDigest").GetString();
        Assert.NotEqual(index.Digest, rewritten);

        Assert.Equal("succeeded", (await RunAsync(admin, ruleId)).GetProperty("status").GetString());
        Assert.Equal(rewritten, await dst.GetManifestDigestAsync($"{project}/app", "v1"));
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<Replication.Admin.Data.ReplicationDbContext>>().CreateDbContextAsync())
        {
            var record = await db.ReplicatedArtifacts.SingleAsync(a => a.RuleId == ruleId);
            Assert.Equal((rewritten, index.Digest), (record.Digest, record.SourceDigest));
        }

        await src.DeleteManifestAsync($"{project}/app", index.Digest);
        Assert.Equal("succeeded", (await RunAsync(admin, ruleId)).GetProperty("status").GetString());
        Assert.Null(await dst.GetManifestDigestAsync($"{project}/app", "v1"));
    }

    private static async Task<JsonElement> RunAsync(HttpClient admin, int ruleId)
    {
        using var accepted = await admin.PostAsync($"/api/v1/rules/{ruleId}/executions", null);
        var started = await accepted.Content.ReadFromJsonAsync<JsonElement>();
        return await WaitFinishedAsync(admin, started.GetProperty("id").GetInt64());
    }
}
